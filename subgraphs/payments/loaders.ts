import { byIdLoader, groupLoader, pagesLoader } from '../../lib/loaders';
import type { Direction, Payment } from './domain';
import type { PaymentStore } from './PaymentStore';

/** Made once per request, when its context is built. */
export function createLoaders(store: PaymentStore) {
  return {
    payment: byIdLoader((ids) => store.findByIds(ids)),
    /** A payment has a handful of status changes at most, so they are listed whole. */
    transactionsOfPayment: groupLoader((ids) => store.transactionsOf(ids), (transaction) => [transaction.paymentId]),
    /** Every direction and page asked in one tick (a fetch asking payments sent and received) is one query. */
    paymentsOfUser: pagesLoader<Direction, Payment>((batches) => store.pagesByUsers(batches)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
