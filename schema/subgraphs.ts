import { join } from 'node:path';

/**
 * The five subgraphs, in one place: composition, the gateway's defaults and `npm start` read this.
 * `defaultPort` is where each listens when run alone; the composed supergraph records those URLs,
 * and a gateway is told the real ones through its environment.
 */
export const SUBGRAPHS = [
  { name: 'users', defaultPort: 4001 },
  { name: 'teams', defaultPort: 4002 },
  { name: 'projects', defaultPort: 4003 },
  { name: 'payments', defaultPort: 4004 },
  { name: 'profiles', defaultPort: 4005 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export function schemaFile(name: SubgraphName): string {
  return join(__dirname, '..', 'subgraphs', name, 'schema.graphql');
}

export function defaultUrl(name: SubgraphName): string {
  const port = SUBGRAPHS.find((subgraph) => subgraph.name === name)!.defaultPort;
  return `http://127.0.0.1:${port}/graphql`;
}

export const SUPERGRAPH_FILE = join(__dirname, 'supergraph.graphql');
