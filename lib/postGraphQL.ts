/**
 * One operation POSTed to another service's GraphQL endpoint (service-to-service calls: entity
 * lookups, team-token checks). Resolves with `data` only for a clean answer; a transport failure,
 * a timeout, a non-2xx status or any GraphQL error rejects, and callers decide what that means.
 */
export async function postGraphQL<TData>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  options: { authorization?: string | null; timeoutMs?: number } = {},
): Promise<TData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  const body = (await response.json()) as { data?: TData | null; errors?: unknown[] };
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(`status ${response.status}: ${JSON.stringify(body.errors ?? null)}`);
  }
  return body.data;
}
