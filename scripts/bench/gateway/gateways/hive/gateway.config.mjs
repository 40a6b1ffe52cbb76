// Hive Gateway's configuration in the gateway benchmark (scripts/bench/gateway): the client's
// Authorization header travels to every subgraph call; nothing else is changed from its defaults.
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
  },
};
