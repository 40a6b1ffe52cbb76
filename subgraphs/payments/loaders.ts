import { byIdLoader, groupLoader, pagedLoader } from '../../lib/loaders';
import type { PaymentStore } from './PaymentStore';

/** Made once per request, when its context is built. */
export function createLoaders(store: PaymentStore) {
  return {
    payment: byIdLoader((ids) => store.findByIds(ids)),
    /** A payment has a handful of status changes at most, so they are listed whole. */
    transactionsOfPayment: groupLoader((ids) => store.transactionsOf(ids), (transaction) => [transaction.paymentId]),
    paymentsOfUser: {
      SENT: pagedLoader((userIds, page) => store.pagesByUser('SENT', userIds, page)),
      RECEIVED: pagedLoader((userIds, page) => store.pagesByUser('RECEIVED', userIds, page)),
      ALL: pagedLoader((userIds, page) => store.pagesByUser('ALL', userIds, page)),
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
