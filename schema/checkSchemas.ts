import { Supergraph } from '@apollo/federation-internals';
import { ChangeType, CriticalityLevel, diff } from '@graphql-inspector/core';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { composeSupergraph, type ServiceDefinition } from './composeSupergraph';

/**
 * The schema check behind `npm run check:schema`, as functions of SDL strings (no files, no git):
 * compose a proposed subgraph schema with the others, and diff the API schema the frontend would
 * see against the API schema of the committed supergraph, with graphql-inspector.
 */

/** One subgraph's schema as text, with the URL composition records for it. */
export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/**
 * One entry of schema/intended-breaking-changes.json: a breaking change a subgraph team means to
 * make. `path` and `type` are graphql-inspector's (as the check prints them, e.g. `User.email` and
 * `FIELD_REMOVED`); `subgraph` is whose change it is, so checking one subgraph judges only its own
 * entries; `reason` says why the frontend can take it (it is shown next to the change).
 */
export interface IntendedBreakingChange {
  subgraph: string;
  path: string;
  type: string;
  reason: string;
}

/** One difference between the committed API schema and the proposed one. */
export interface ReportedChange {
  criticality: CriticalityLevel;
  type: string;
  /** graphql-inspector's path of what changed (`Type.field.argument`); empty for schema-wide changes. */
  path: string;
  message: string;
  /** The reason from the matching intended entry, when this is a breaking change marked as intended. */
  intendedBecause?: string;
}

export interface SubgraphCheck {
  subgraph: string;
  /** Every composition error (then `changes` is empty: there is no supergraph to compare). */
  compositionErrors: string[];
  changes: ReportedChange[];
  /** Breaking changes with no intended entry. */
  unintendedBreaking: ReportedChange[];
  ok: boolean;
}

export interface SchemaCheckReport {
  subgraphs: SubgraphCheck[];
  /** Intended entries for a checked subgraph (that composed) that match none of its breaking changes. */
  staleIntended: IntendedBreakingChange[];
  ok: boolean;
}

const KNOWN_CHANGE_TYPES = new Set<string>(Object.values(ChangeType));

/**
 * Reads schema/intended-breaking-changes.json: `{ "changes": [IntendedBreakingChange, ...] }` (other
 * top-level keys, such as the file's explanation, are ignored). Throws naming the first bad entry,
 * so a typo in a path or type cannot silently let a breaking change through or hold one back.
 */
export function parseIntendedBreakingChanges(json: string): IntendedBreakingChange[] {
  const document: unknown = JSON.parse(json);
  const changes = (document as { changes?: unknown } | null)?.changes;
  if (!Array.isArray(changes)) throw new Error('expected an object with a "changes" array');
  return changes.map((entry: unknown, index) => {
    const where = `changes[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where} is not an object`);
    const record = entry as Record<string, unknown>;
    for (const key of ['subgraph', 'path', 'type', 'reason'] as const) {
      const value = record[key];
      if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}.${key} must be a non-empty string`);
    }
    const { subgraph, path, type, reason } = record as unknown as IntendedBreakingChange;
    if (!KNOWN_CHANGE_TYPES.has(type)) throw new Error(`${where}.type "${type}" is not a graphql-inspector change type`);
    return { subgraph, path, type, reason };
  });
}

/** The schema a client sees (no join__ directives, no @inaccessible elements) of a supergraph. */
function apiSchema(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/** Parses each subgraph; a syntax error is reported like a composition error instead of thrown. */
function definitions(subgraphs: SubgraphSource[]): { services: ServiceDefinition[]; errors: string[] } {
  const services: ServiceDefinition[] = [];
  const errors: string[] = [];
  for (const { name, url, sdl } of subgraphs) {
    try {
      services.push({ name, url, typeDefs: parse(sdl) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const at = error.locations?.[0];
      errors.push(`GRAPHQL_PARSE_FAILED: [${name}] ${error.message}${at ? ` (line ${at.line}, column ${at.column})` : ''}`);
    }
  }
  return { services, errors };
}

const matches = (entry: IntendedBreakingChange, subgraph: string, change: ReportedChange) =>
  entry.subgraph === subgraph && entry.type === change.type && entry.path === change.path;

/**
 * Checks one proposed subgraph schema: composes it in place of its namesake among `baseline` (or
 * added to them, for a new subgraph) and diffs the result's API schema against the committed one.
 */
export async function checkSubgraph(
  proposal: SubgraphSource,
  baseline: SubgraphSource[],
  committedSupergraphSdl: string,
  intended: IntendedBreakingChange[],
): Promise<SubgraphCheck> {
  const subgraphs = [...baseline.filter((subgraph) => subgraph.name !== proposal.name), proposal];
  const parsed = definitions(subgraphs);
  const composed = parsed.errors.length === 0 ? composeSupergraph(parsed.services) : { ok: false as const, errors: parsed.errors };
  if (!composed.ok) {
    return { subgraph: proposal.name, compositionErrors: composed.errors, changes: [], unintendedBreaking: [], ok: false };
  }
  const found = await diff(apiSchema(committedSupergraphSdl), apiSchema(composed.supergraphSdl));
  const changes = found.map((change): ReportedChange => {
    const reported: ReportedChange = { criticality: change.criticality.level, type: change.type, path: change.path ?? '', message: change.message };
    if (reported.criticality !== CriticalityLevel.Breaking) return reported;
    const entry = intended.find((candidate) => matches(candidate, proposal.name, reported));
    return entry ? { ...reported, intendedBecause: entry.reason } : reported;
  });
  const unintendedBreaking = changes.filter((change) => change.criticality === CriticalityLevel.Breaking && change.intendedBecause === undefined);
  return { subgraph: proposal.name, compositionErrors: [], changes, unintendedBreaking, ok: unintendedBreaking.length === 0 };
}

/**
 * Checks each proposal on its own against the same baseline (each team's change is judged with the
 * others as they are, not with each other's proposals), then lists the intended entries that no
 * longer match anything. A stale entry does not fail the check: after the change lands and the
 * supergraph is recomposed, every entry goes stale, and that is the moment to remove it.
 */
export async function checkSchemas(input: {
  proposals: SubgraphSource[];
  baseline: SubgraphSource[];
  committedSupergraphSdl: string;
  intended: IntendedBreakingChange[];
}): Promise<SchemaCheckReport> {
  const subgraphs: SubgraphCheck[] = [];
  for (const proposal of input.proposals) {
    subgraphs.push(await checkSubgraph(proposal, input.baseline, input.committedSupergraphSdl, input.intended));
  }
  const known = new Set([...input.baseline, ...input.proposals].map((subgraph) => subgraph.name));
  const staleIntended = input.intended.filter((entry) => {
    // An entry naming no subgraph at all can never match; one for a subgraph not checked this run, or
    // one whose composition failed (no diff to match against), is left alone.
    if (!known.has(entry.subgraph)) return true;
    const check = subgraphs.find((candidate) => candidate.subgraph === entry.subgraph);
    if (!check || check.compositionErrors.length > 0) return false;
    return !check.changes.some((change) => change.criticality === CriticalityLevel.Breaking && matches(entry, check.subgraph, change));
  });
  return { subgraphs, staleIntended, ok: subgraphs.every((check) => check.ok) };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The report for a person: per subgraph a verdict line, then one line per composition error or
 * change (criticality, inspector's type, path, message); then stale intended entries; then, when
 * the check fails, the entries to add for the breaking changes that are meant.
 */
export function formatReport(report: SchemaCheckReport, intendedFile = 'schema/intended-breaking-changes.json'): string {
  const lines: string[] = [];
  for (const check of report.subgraphs) {
    if (check.compositionErrors.length > 0) {
      lines.push(`${check.subgraph}: FAILED, does not compose (${plural(check.compositionErrors.length, 'error')})`);
      for (const error of check.compositionErrors) lines.push(`  ERROR         ${error}`);
      continue;
    }
    const breaking = check.changes.filter((change) => change.criticality === CriticalityLevel.Breaking).length;
    let verdict: string;
    if (!check.ok) verdict = `FAILED, ${plural(check.unintendedBreaking.length, 'breaking change')} not marked as intended (of ${plural(check.changes.length, 'change')})`;
    else if (check.changes.length === 0) verdict = 'ok, no changes';
    else verdict = `ok, ${plural(check.changes.length, 'change')}, ${breaking === 0 ? 'none breaking' : `${plural(breaking, 'breaking change')}, all intended`}`;
    lines.push(`${check.subgraph}: ${verdict}`);
    const typeWidth = Math.max(0, ...check.changes.map((change) => change.type.length));
    const pathWidth = Math.max(0, ...check.changes.map((change) => change.path.length));
    for (const change of check.changes) {
      const intended = change.intendedBecause === undefined ? '' : `  [intended: ${change.intendedBecause}]`;
      lines.push(`  ${change.criticality.padEnd(12)}  ${change.type.padEnd(typeWidth)}  ${change.path.padEnd(pathWidth)}  ${change.message}${intended}`);
    }
  }
  if (report.staleIntended.length > 0) {
    lines.push('', `Stale entries in ${intendedFile} (they match no breaking change; remove them):`);
    for (const entry of report.staleIntended) lines.push(`  ${entry.subgraph}  ${entry.type}  ${entry.path}  (${entry.reason})`);
  }
  const unintended = report.subgraphs.flatMap((check) => check.unintendedBreaking.map((change) => ({ subgraph: check.subgraph, change })));
  if (unintended.length > 0) {
    lines.push('', `If a breaking change is meant (the frontend no longer uses it), add it to "changes" in ${intendedFile} with the reason:`);
    for (const { subgraph, change } of unintended) {
      lines.push(`  ${JSON.stringify({ subgraph, path: change.path, type: change.type, reason: '...' })}`);
    }
  }
  const failed = report.subgraphs.filter((check) => !check.ok).map((check) => check.subgraph);
  lines.push('', report.ok ? `Schema check passed (${report.subgraphs.map((check) => check.subgraph).join(', ')}).` : `Schema check FAILED: ${failed.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
