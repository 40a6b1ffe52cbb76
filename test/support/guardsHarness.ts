import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { generateSigningSecret } from '../../lib/auth/RequestSigner';
import { createLogger, type Logger } from '../../lib/logger';
import { mintToken } from './tokens';
import { testExecutorEnv } from './executorEnv';

/**
 * The real gateway in front of one small subgraph of the test's own (no databases): for gateway
 * behaviour that does not depend on the product's data (rate limits, the safelist). The subgraph
 * answers `items(first)` with that many items and counts the operations it was asked to run.
 */
export interface GatewayHarness {
  gatewayUrl: string;
  /** How many operations reached the subgraph. */
  subgraphCalls(): number;
  /** A valid access token for a user with this id (verified by the gateway like any other). */
  userToken(userId: string): Promise<string>;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  /**
   * Hands the gateway a new supergraph, composed from the subgraph's schema as `change` rewrites
   * it (the subgraph itself keeps serving as it is: for changes of metadata such as `@cost`).
   */
  publishSupergraph(change: (typeDefs: string) => string): void;
  stop(): Promise<void>;
}

const TYPE_DEFS_TEXT = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize", "@cost"])
  "The harness's queries."
  type Query {
    "A greeting."
    hello("How it sounds." tone: Tone = CALM): String
    "As many items as asked for."
    items("How many." first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"])
  }
  "How a greeting sounds."
  enum Tone {
    "Quietly."
    CALM
    "Loudly."
    LOUD
  }
  "An item."
  type Item @key(fields: "id") {
    "Its id."
    id: ID!
  }
`;
const TYPE_DEFS = parse(TYPE_DEFS_TEXT);

function composedSupergraph(typeDefs: DocumentNode, url: string): string {
  const composed = composeServices([{ name: 'harness', url, typeDefs }]);
  if (composed.errors) throw new Error(`the harness subgraph does not compose: ${composed.errors.map((error) => error.message).join('; ')}`);
  return composed.supergraphSdl;
}

/** `logger` receives the gateway's log (silent when not given). */
export async function startGatewayHarness(gatewayEnv: Record<string, string> = {}, logger: Logger = createLogger('gateway', 'silent')): Promise<GatewayHarness> {
  let calls = 0;
  const subgraph = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: TYPE_DEFS,
      resolvers: {
        Query: {
          hello: (_: unknown, { tone }: { tone: string }) => (tone === 'LOUD' ? 'HELLO' : 'hello'),
          items: (_: unknown, { first }: { first: number }) => Array.from({ length: first }, (_item, index) => ({ id: String(index) })),
        },
      },
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled(), { requestDidStart: async () => void (calls += 1) }],
  });
  const { url: subgraphUrl } = await startStandaloneServer(subgraph, { listen: { port: 0, host: '127.0.0.1' } });
  const directory = mkdtempSync(join(tmpdir(), 'gateway-harness-'));
  const stopSubgraph = async () => {
    await subgraph.stop();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const supergraphFile = join(directory, 'supergraph.graphql');
    writeFileSync(supergraphFile, composedSupergraph(TYPE_DEFS, subgraphUrl));
    const keys = generateSigningKeys();
    const gateway = await startGateway(
      gatewayConfigFromEnv({ JWT_PUBLIC_KEY: keys.publicKey, INTERNAL_SIGNING_SECRET: generateSigningSecret(), SUPERGRAPH_FILE: supergraphFile, ...testExecutorEnv(), ...gatewayEnv, PORT: '0' }),
      logger,
    );
    return {
      gatewayUrl: gateway.url,
      subgraphCalls: () => calls,
      userToken: (userId) => mintToken(keys.privateKey, { sub: userId }),
      post: async (body, headers = {}) => {
        const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
        return { status: response.status, headers: response.headers, body: await response.json() };
      },
      publishSupergraph: (change) => {
        // Written beside and renamed over, as `npm run compose` and deployments replace the file.
        const next = join(directory, 'supergraph.next');
        writeFileSync(next, composedSupergraph(parse(change(TYPE_DEFS_TEXT)), subgraphUrl));
        renameSync(next, supergraphFile);
      },
      stop: async () => {
        await gateway.stop();
        await stopSubgraph();
      },
    };
  } catch (error) {
    await stopSubgraph();
    throw error;
  }
}
