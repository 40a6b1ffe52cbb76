import { Agent, fetch } from 'undici';
import type { GraphQLResponse } from './stack';

/**
 * POSTs an operation from another client address: any 127.x.y.z is this machine's loopback on
 * Linux, so binding the client socket to one makes the gateway see a different client (as two
 * people at two addresses would be).
 */
const agents = new Map<string, Agent>();

export async function postFrom<TData = Record<string, any>>(
  address: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  let agent = agents.get(address);
  if (!agent) agents.set(address, (agent = new Agent({ localAddress: address })));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    dispatcher: agent,
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<TData>['body'] };
}

/** Closes the sockets `postFrom` keeps open (call in afterAll). */
export async function closeAddressAgents(): Promise<void> {
  await Promise.all([...agents.values()].map((agent) => agent.close()));
  agents.clear();
}
