import type { IncomingMessage } from 'node:http';
import { createLogger } from '../../../../lib/logger';
import { runMain } from '../../../../lib/runMain';
import { startSubgraph, type Subgraph } from '../../../../lib/subgraph';
import type { SubgraphName } from '../../../../schema/subgraphs';
import { createPaymentsSubgraph } from '../../../../subgraphs/payments/server';
import { createProfilesSubgraph } from '../../../../subgraphs/profiles/server';
import { createProjectsSubgraph } from '../../../../subgraphs/projects/server';
import { createTeamsSubgraph } from '../../../../subgraphs/teams/server';
import { createUsersSubgraph } from '../../../../subgraphs/users/server';
import type { ServiceDatabases } from '../../../seed';

/**
 * One of the product's five subgraphs as the dashboard workload runs it: a process of its own,
 * built by the subgraph's own `create...Subgraph` with what its main.ts would pass, plus the
 * database hooks those builders take (as test/support/stack.ts uses them), so that every query
 * it sends to PostgreSQL or MongoDB is counted, and every GraphQL request it serves. The
 * benchmark asks over IPC: `{ type: 'reset' }` zeroes both, `{ type: 'counters' }` reads them.
 * Domain events are not relayed (no transport): a read workload makes none, and so no background
 * work of the outbox relay or a consumer runs between the counted queries.
 */
export interface DashboardSubgraphSetup {
  name: SubgraphName;
  port: number;
  databases: ServiceDatabases;
  publicKey: string;
  /** The secret requests between the gateway and the services are signed with. */
  signingSecret: string;
  /** The users service signs tokens (not used by reads, but it needs a key to start). */
  privateKey: string;
  urls: Record<SubgraphName, string>;
}

export type DashboardSubgraphRequest = { id: number; type: 'reset' | 'counters' };
export type DashboardSubgraphAnswer = { id: number; calls: number; queries: number };

const setup = JSON.parse(process.env.BENCH_DASHBOARD_SUBGRAPH ?? 'null') as DashboardSubgraphSetup | null;
if (!setup) {
  process.stderr.write('BENCH_DASHBOARD_SUBGRAPH (the JSON setup of the subgraph) is not set\n');
  process.exit(1);
}
const logger = createLogger(setup.name, 'error');
let calls = 0;
let queries = 0;
const countQuery = () => void queries++;

function build({ name, databases, publicKey, signingSecret, privateKey, urls }: DashboardSubgraphSetup): Promise<Subgraph<any>> {
  const auth = { publicKey, teamsUrl: urls.teams, signingSecret };
  switch (name) {
    case 'users':
      return createUsersSubgraph(
        {
          mongoUrl: databases.mongoUrl,
          database: databases.usersDatabase,
          auth,
          accounts: {
            privateKey,
            accessTokenTtlSeconds: 900,
            refreshTokenTtlSeconds: 3600,
            hashing: { concurrency: 1, queue: 64 },
            login: {
              maxFailuresPerAccountAndAddress: 5,
              maxFailuresPerAddress: 50,
              maxFailuresPerAccount: 200,
              failureWindowSeconds: 900,
              backoffSeconds: 30,
              maxBackoffSeconds: 900,
              maxRegistrationsPerAddressPerHour: 20,
            },
          },
        },
        logger,
        { onQuery: countQuery },
      );
    case 'teams':
      return createTeamsSubgraph({ mongoUrl: databases.mongoUrl, database: databases.teamsDatabase, usersUrl: urls.users, auth }, logger, { onQuery: countQuery });
    case 'projects':
      return createProjectsSubgraph({ databaseUrl: databases.projectsUrl, usersUrl: urls.users, teamsUrl: urls.teams, auth }, logger, { onQuery: countQuery });
    case 'payments':
      return createPaymentsSubgraph({ databaseUrl: databases.paymentsUrl, usersUrl: urls.users, auth }, logger, { onQuery: countQuery });
    case 'profiles':
      return createProfilesSubgraph({ databaseUrl: databases.profilesUrl, usersUrl: urls.users, auth }, logger, { onQuery: countQuery });
  }
}

process.on('message', (message: DashboardSubgraphRequest) => {
  if (message.type === 'reset') {
    calls = 0;
    queries = 0;
  }
  process.send!({ id: message.id, calls, queries } satisfies DashboardSubgraphAnswer);
});

runMain(logger, async () => {
  const subgraph = await build(setup);
  // Apollo Server builds one context per GraphQL request: counted there.
  const context = subgraph.context.bind(subgraph);
  subgraph.context = (req: IncomingMessage) => {
    calls++;
    return context(req);
  };
  return startSubgraph(subgraph, setup.port);
});
