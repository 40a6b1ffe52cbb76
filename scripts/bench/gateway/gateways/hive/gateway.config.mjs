// Hive Gateway's configuration in the gateway benchmark (scripts/bench/gateway): the client's
// Authorization header travels to every subgraph call, and, on the product's real subgraphs
// (INTERNAL_SIGNING_SECRET given), each call is signed as our gateway signs it; nothing else is
// changed from its defaults.
import { signingPlugin } from '../../../../../gateway/hive/signingPlugin.mjs';

const secret = process.env.INTERNAL_SIGNING_SECRET;

export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
  },
  plugins: () => (secret ? [signingPlugin(secret)] : []),
};
