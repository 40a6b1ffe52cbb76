import { notFound, serviceUnavailable } from './errors';
import type { Logger } from './logger';
import type { RequestSigner } from './auth/RequestSigner';
import { postGraphQL } from './postGraphQL';

/**
 * Asks the service that owns an entity type about entities by id, through that subgraph's
 * federation `_entities` field: the same contract the gateway uses, so there is no private API
 * between services. Used where a write must not create a dangling reference (a payment's parties, a
 * team member, a project's owner and team), and to read what another service knows about the
 * caller (a user's teams), always with the caller's own Authorization header.
 */
export class EntityClient {
  constructor(
    private readonly url: string,
    private readonly typename: string,
    /** The owning service's name, for errors ("the users service is unavailable"). */
    private readonly service: string,
    /** Signs each lookup as this service's: `_entities` answers only signed requests. */
    private readonly signer: RequestSigner,
    private readonly logger: Logger,
    private readonly timeoutMs = 5_000,
  ) {}

  /**
   * The entities with these ids, each with `selection` (fields of the type, written in code, never
   * input) and in the order asked, null for ids that do not exist. `variables` are declared in
   * `variableDefinitions` (e.g. `$after: String`). Any error in the answer counts as a failure of the
   * service: callers ask only for what the caller may see.
   */
  async select<T>(
    ids: readonly string[],
    selection: string,
    authorization: string | null,
    variableDefinitions = '',
    variables: Record<string, unknown> = {},
  ): Promise<(T | null)[]> {
    if (ids.length === 0) return [];
    const query = `query Entities($representations: [_Any!]!${variableDefinitions ? `, ${variableDefinitions}` : ''}) {
  _entities(representations: $representations) { ... on ${this.typename} { ${selection} } }
}`;
    const representations = ids.map((id) => ({ __typename: this.typename, id }));
    try {
      const data = await postGraphQL<{ _entities?: (T | null)[] }>(this.url, query, { ...variables, representations }, {
        signer: this.signer,
        authorization,
        timeoutMs: this.timeoutMs,
      });
      if (!data._entities) throw new Error('the answer has no _entities');
      return data._entities;
    } catch (error) {
      this.logger.error(`${this.service} service lookup failed`, error);
      throw serviceUnavailable(this.service);
    }
  }

  async existing(ids: readonly string[], authorization: string | null = null): Promise<Set<string>> {
    const found = await this.select<{ id: string }>([...new Set(ids)], 'id', authorization);
    return new Set(found.flatMap((entity) => (entity ? [entity.id] : [])));
  }

  /** Throws NOT_FOUND naming the field whose id does not exist; `fields` maps field name to id. */
  async requireExisting(fields: Record<string, string>, authorization: string | null = null): Promise<void> {
    const found = await this.existing(Object.values(fields), authorization);
    for (const [field, id] of Object.entries(fields)) {
      if (!found.has(id)) throw notFound(this.typename, id, field);
    }
  }
}
