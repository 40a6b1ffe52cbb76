import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';

/**
 * The operations a gateway in safelist mode runs, read from a manifest in either format clients'
 * build tools write:
 *
 * - Apollo's (`@apollo/generate-persisted-query-manifest`):
 *   `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "name", "type", "body" }] }`,
 *   where `id` is the SHA-256 of `body` (clients send it as APQ's `persistedQuery.sha256Hash`);
 * - Relay's (`relay-compiler` with `persistConfig`): `{ "<id>": "<body>", ... }`.
 */
export class Safelist {
  private constructor(
    private readonly byId: ReadonlyMap<string, string>,
    private readonly bodies: ReadonlySet<string>,
  ) {}

  /** Reads a manifest; throws naming the file and what is wrong with it. */
  static fromFile(file: string): Safelist {
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`SAFELIST_FILE ${file}: cannot read it as JSON (${(error as Error).message})`);
    }
    return Safelist.fromManifest(manifest, `SAFELIST_FILE ${file}`);
  }

  static fromManifest(manifest: unknown, source = 'the safelist'): Safelist {
    const entries: [string, string][] = [];
    if (manifest && typeof manifest === 'object' && 'format' in manifest) {
      const { format, version, operations } = manifest as { format: unknown; version: unknown; operations: unknown };
      if (format !== 'apollo-persisted-query-manifest' || version !== 1 || !Array.isArray(operations)) {
        throw new Error(`${source}: not an apollo-persisted-query-manifest of version 1 with an operations list`);
      }
      for (const [index, operation] of operations.entries()) {
        const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
        if (typeof id !== 'string' || typeof body !== 'string') throw new Error(`${source}: operations[${index}] needs a string id and body`);
        entries.push([id, body]);
      }
    } else if (manifest && typeof manifest === 'object' && !Array.isArray(manifest)) {
      for (const [id, body] of Object.entries(manifest)) {
        if (typeof body !== 'string') throw new Error(`${source}: the entry ${JSON.stringify(id)} is not a query text (a Relay map is { "<id>": "<query>" })`);
        entries.push([id, body]);
      }
    } else {
      throw new Error(`${source}: neither an Apollo persisted-query manifest nor a Relay { "<id>": "<query>" } map`);
    }
    if (entries.length === 0) throw new Error(`${source}: lists no operations (nothing could run)`);
    return new Safelist(new Map(entries), new Set(entries.map(([, body]) => body)));
  }

  get size(): number {
    return this.byId.size;
  }

  /** The registered text for an id, or undefined. */
  body(id: string): string | undefined {
    return this.byId.get(id);
  }

  /** The names of the registered operations (the operation label of metrics). */
  operationNames(): Set<string> {
    const names = new Set<string>();
    for (const body of this.bodies) {
      try {
        for (const definition of parse(body).definitions) if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
      } catch {
        // A text that does not parse never runs: it names nothing.
      }
    }
    return names;
  }

  /** Whether a text is exactly one of the registered operations. */
  has(body: string): boolean {
    return this.bodies.has(body);
  }
}
