import { notFound, serviceUnavailable } from './errors';
import type { Logger } from './logger';

/**
 * Asks the service that owns an entity type which ids exist, through that subgraph's federation
 * `_entities` field: the same contract the gateway uses, so there is no private API between
 * services. Used where a write must not create a dangling reference (a payment's parties, a team
 * member, a project's owner and team).
 */
export class EntityClient {
  private readonly query: string;

  constructor(
    private readonly url: string,
    private readonly typename: string,
    /** The owning service's name, for errors ("the users service is unavailable"). */
    private readonly service: string,
    private readonly logger: Logger,
    private readonly timeoutMs = 5_000,
  ) {
    this.query = `query Existing($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on ${typename} { id } }
}`;
  }

  async existing(ids: readonly string[], authorization: string | null = null): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    let body: { data?: { _entities?: ({ id: string } | null)[] }; errors?: unknown[] };
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({
          query: this.query,
          variables: { representations: unique.map((id) => ({ __typename: this.typename, id })) },
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = (await response.json()) as typeof body;
      if (!response.ok || body.errors?.length || !body.data?._entities) {
        throw new Error(`status ${response.status}: ${JSON.stringify(body.errors ?? null)}`);
      }
    } catch (error) {
      this.logger.error(`${this.service} service lookup failed`, error);
      throw serviceUnavailable(this.service);
    }
    return new Set(body.data._entities.flatMap((entity) => (entity ? [entity.id] : [])));
  }

  /** Throws NOT_FOUND naming the field whose id does not exist; `fields` maps field name to id. */
  async requireExisting(fields: Record<string, string>, authorization: string | null = null): Promise<void> {
    const found = await this.existing(Object.values(fields), authorization);
    for (const [field, id] of Object.entries(fields)) {
      if (!found.has(id)) throw notFound(this.typename, id, field);
    }
  }
}
