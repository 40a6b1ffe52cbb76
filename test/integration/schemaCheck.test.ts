import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkSchemas,
  formatReport,
  parseIntendedBreakingChanges,
  type IntendedBreakingChange,
  type SubgraphSource,
} from '../../schema/checkSchemas';
import { defaultUrl, schemaFile, SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from '../../schema/subgraphs';

/**
 * The schema check through its pure functions: the real subgraph schemas and the committed
 * supergraph, read once, with one subgraph's text edited in memory (the files are never touched).
 */
const baseline: SubgraphSource[] = SUBGRAPHS.map(({ name }) => ({ name, url: defaultUrl(name), sdl: readFileSync(schemaFile(name), 'utf8') }));
const committedSupergraphSdl = readFileSync(SUPERGRAPH_FILE, 'utf8');

/** The subgraph's committed schema with `from` replaced by `to`; fails if `from` is not there, so an
 * edit that no longer applies cannot turn a test into one that checks nothing. */
function edited(name: SubgraphName, from: string | RegExp, to: string): SubgraphSource {
  const source = baseline.find((subgraph) => subgraph.name === name)!;
  const sdl = source.sdl.replace(from, to);
  if (sdl === source.sdl) throw new Error(`the ${name} schema no longer contains ${String(from)}`);
  return { ...source, sdl };
}

function check(proposals: SubgraphSource[], intended: IntendedBreakingChange[] = []) {
  return checkSchemas({ proposals, baseline, committedSupergraphSdl, intended });
}

const withoutEmail = () => edited('users', /\n {2}"Email address, unique[^\n]*\n {2}email: String\n/, '\n');

describe('schema check', () => {
  it('passes the committed subgraph schemas: they compose into the committed supergraph, with no change', async () => {
    const intended = parseIntendedBreakingChanges(readFileSync(join(__dirname, '../../schema/intended-breaking-changes.json'), 'utf8'));
    const report = await check(baseline, intended);
    expect(report.subgraphs.map((subgraph) => [subgraph.subgraph, subgraph.compositionErrors, subgraph.changes])).toEqual(
      SUBGRAPHS.map(({ name }) => [name, [], []]),
    );
    expect(report.ok).toBe(true);
    expect(formatReport(report)).toContain('Schema check passed (users, teams, projects, payments, profiles).');
  });

  it('reports a new nullable field as NON_BREAKING and passes', async () => {
    const proposal = edited('users', '  "Display name; null for accounts migrated without one."', '  "What the user likes to be called."\n  nickname: String\n$&');
    const report = await check([proposal]);
    expect(report.subgraphs[0]!.changes).toEqual([
      { criticality: 'NON_BREAKING', type: 'FIELD_ADDED', path: 'User.nickname', message: "Field 'nickname' was added to object type 'User'" },
      // graphql-inspector reports a new field's description as a change of its own.
      expect.objectContaining({ criticality: 'NON_BREAKING', type: 'FIELD_DESCRIPTION_ADDED', path: 'User.nickname' }),
    ]);
    expect(report.ok).toBe(true);
    expect(formatReport(report)).toMatch(/^users: ok, 2 changes, none breaking\n {2}NON_BREAKING {2}FIELD_ADDED +User\.nickname {2}Field 'nickname' was added/m);
  });

  it.each([
    ['removing a field', () => withoutEmail(), 'FIELD_REMOVED', 'User.email'],
    ['changing a field type', () => edited('users', /\n {2}name: String\n/, '\n  name: Int\n'), 'FIELD_TYPE_CHANGED', 'User.name'],
    [
      'adding a required argument',
      () => edited('projects', 'project("The project\'s id." id: ID!)', 'project("The project\'s id." id: ID!, "Include deleted ones." withDeleted: Boolean!)'),
      'FIELD_ARGUMENT_ADDED',
      'Query.project.withDeleted',
    ],
    ['removing an enum value', () => edited('payments', /\n {2}"Repeatedly\."\n {2}RECURRING/, ''), 'ENUM_VALUE_REMOVED', 'PaymentType.RECURRING'],
  ])('fails on %s as BREAKING, naming the change', async (_what, proposal, type, path) => {
    const subgraph = proposal();
    const report = await check([subgraph]);
    expect(report.ok).toBe(false);
    const [result] = report.subgraphs;
    expect(result!.unintendedBreaking).toEqual([expect.objectContaining({ criticality: 'BREAKING', type, path })]);
    const output = formatReport(report);
    expect(output).toMatch(new RegExp(`^${subgraph.name}: FAILED, 1 breaking change not marked as intended`, 'm'));
    expect(output).toMatch(new RegExp(`^ {2}BREAKING {6}${type} +${path.replace(/\./g, '\\.')} `, 'm'));
    expect(output).toContain(JSON.stringify({ subgraph: subgraph.name, path, type, reason: '...' }));
    expect(output).toMatch(new RegExp(`Schema check FAILED: ${subgraph.name}\\.\\n$`));
  });

  it('passes a breaking change listed as intended, showing the reason', async () => {
    const intended = [{ subgraph: 'users', path: 'User.email', type: 'FIELD_REMOVED', reason: 'the frontend reads email from the profile now' }];
    const report = await check([withoutEmail()], intended);
    expect(report.ok).toBe(true);
    expect(report.staleIntended).toEqual([]);
    expect(report.subgraphs[0]!.changes).toEqual([expect.objectContaining({ type: 'FIELD_REMOVED', intendedBecause: intended[0]!.reason })]);
    expect(formatReport(report)).toMatch(/^ {2}BREAKING {6}FIELD_REMOVED {2}User\.email {2}.*\[intended: the frontend reads email from the profile now\]$/m);
  });

  it('an intended entry for another subgraph does not let the change through', async () => {
    const intended = [{ subgraph: 'teams', path: 'User.email', type: 'FIELD_REMOVED', reason: 'wrong team' }];
    const report = await check([withoutEmail(), baseline.find((subgraph) => subgraph.name === 'teams')!], intended);
    expect(report.ok).toBe(false);
    expect(report.staleIntended).toEqual(intended);
  });

  it('reports an intended entry that matches nothing as stale, without failing', async () => {
    const stale = { subgraph: 'users', path: 'User.nickname', type: 'FIELD_REMOVED', reason: 'landed last week' };
    const otherTeams = { subgraph: 'payments', path: 'Payment.metadata', type: 'FIELD_REMOVED', reason: 'not checked in this run' };
    const users = baseline.find((subgraph) => subgraph.name === 'users')!;
    const report = await check([users], [stale, otherTeams]);
    expect(report.ok).toBe(true);
    // payments was not checked, so its entry cannot be judged stale yet.
    expect(report.staleIntended).toEqual([stale]);
    expect(formatReport(report)).toContain(
      'Stale entries in schema/intended-breaking-changes.json (they match no breaking change; remove them):\n  users  FIELD_REMOVED  User.nickname  (landed last week)\n',
    );
  });

  it('fails a proposal that does not compose, listing every composition error', async () => {
    const proposal = edited(
      'users',
      /$/,
      '\n"Clashes with the teams service."\ntype Team @key(fields: "id") {\n  "Id."\n  id: ID!\n  "Not the teams service\'s type."\n  name: Int\n}\n',
    );
    const report = await check([proposal]);
    expect(report.ok).toBe(false);
    const errors = report.subgraphs[0]!.compositionErrors;
    expect(errors).toEqual([
      expect.stringMatching(/^FIELD_TYPE_MISMATCH: Type of field "Team\.name" is incompatible /),
      expect.stringMatching(/^INVALID_FIELD_SHARING: Non-shareable field "Team\.name"/),
    ]);
    const output = formatReport(report);
    expect(output).toMatch(/^users: FAILED, does not compose \(2 errors\)$/m);
    for (const error of errors) expect(output).toContain(`  ERROR         ${error}\n`);
  });

  it('reports a syntax error in the proposal as a failure, not a crash', async () => {
    const report = await check([edited('teams', 'type TeamMember {', 'type TeamMember {{')]);
    expect(report.ok).toBe(false);
    expect(report.subgraphs[0]!.compositionErrors).toEqual([expect.stringMatching(/^GRAPHQL_PARSE_FAILED: \[teams\] Syntax Error: .*\(line \d+, column \d+\)$/)]);
  });

  it('refuses a malformed intended file, naming the entry', () => {
    expect(() => parseIntendedBreakingChanges('[]')).toThrow('expected an object with a "changes" array');
    expect(() => parseIntendedBreakingChanges('{"changes":[{"subgraph":"users","path":"User.email","type":"FIELD_REMOVED"}]}')).toThrow(
      'changes[0].reason must be a non-empty string',
    );
    expect(() => parseIntendedBreakingChanges('{"changes":[{"subgraph":"users","path":"User.email","type":"FIELD_DELETED","reason":"x"}]}')).toThrow(
      'changes[0].type "FIELD_DELETED" is not a graphql-inspector change type',
    );
  });
});
