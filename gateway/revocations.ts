import { RequestSigner } from '../lib/auth/RequestSigner';
import { RevocationList } from '../lib/auth/RevocationList';
import { followRevocations, loadRevocationsVia } from '../lib/auth/revocationEvents';
import { connectTransport } from '../lib/events/connectTransport';
import type { EventTransport } from '../lib/events/EventTransport';
import type { Logger } from '../lib/logger';
import { defaultUrl } from '../schema/subgraphs';
import type { GatewayConfig } from './config';

export interface GatewayRevocations {
  /** Ended sessions, refused at the edge; undefined without a transport (the subgraphs refuse them). */
  list: RevocationList | undefined;
  stop(): Promise<void>;
}

/**
 * The gateway's list of ended sessions, kept like every subgraph's (lib/auth/revocationEvents.ts):
 * `user.access-changed` from the transport, and the users service's recent revocations at start.
 * `transport`: one the caller owns (tests); otherwise the configured one, closed on stop.
 * Without any the gateway keeps no list: a list without events would go stale unnoticed.
 */
export async function startGatewayRevocations(config: GatewayConfig, logger: Logger, transport?: EventTransport): Promise<GatewayRevocations> {
  const owned = transport ? null : config.events.amqpUrl || config.events.databaseUrl ? await connectTransport(config.events, logger) : null;
  const events = transport ?? owned;
  if (!events) {
    logger.info('no AMQP_URL or EVENTS_DATABASE_URL: ended sessions are refused by the subgraphs, not at the edge');
    return { list: undefined, stop: async () => undefined };
  }
  const list = new RevocationList();
  try {
    const subscription = await followRevocations(events, 'sessions.gateway', list, logger);
    const snapshot = await loadRevocationsVia(config.subgraphUrls.users ?? defaultUrl('users'), new RequestSigner(config.auth.signingSecret), list, logger);
    return {
      list,
      stop: async () => {
        snapshot.stop();
        await subscription.stop();
        await owned?.close();
      },
    };
  } catch (error) {
    await owned?.close();
    throw error;
  }
}
