import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSchemas, formatReport, parseIntendedBreakingChanges, type IntendedBreakingChange, type SubgraphSource } from './checkSchemas';
import { defaultUrl, schemaFile, SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from './subgraphs';

/**
 * `npm run check:schema [-- <subgraph>...] [--base <git ref>]`: checks each named subgraph's
 * working-tree schema.graphql (all five by default) against the supergraph the frontend has.
 * Exit 0 when every one composes and has no unintended breaking change, 1 when one fails, 2 on a
 * usage or configuration mistake.
 *
 * The baseline (the other subgraphs and schema/supergraph.graphql) is read from git at `--base`
 * (HEAD by default; CI passes the target branch): each team's proposal is judged against what the
 * others have landed, not against their uncommitted edits in the same checkout, and a supergraph
 * recomposed locally but not committed cannot hide a change. Where git has no such file (no git in
 * a container build, a subgraph not committed yet) the working tree is used, and the report says so.
 * schema/intended-breaking-changes.json is read from the working tree: it is part of the proposal.
 */

const ROOT = join(__dirname, '..');
const INTENDED_FILE = join(__dirname, 'intended-breaking-changes.json');

const display = (file: string) => relative(ROOT, file);

function usage(message: string): never {
  console.error(`check:schema: ${message}`);
  console.error(`usage: npm run check:schema -- [${SUBGRAPHS.map(({ name }) => name).join('|')} ...] [--base <git ref>]`);
  process.exit(2);
}

/** The file as committed at `ref`, or the working tree's copy (with a note) when git cannot give it. */
function atRef(file: string, ref: string, notes: string[]): string {
  try {
    return execFileSync('git', ['show', `${ref}:./${display(file)}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    notes.push(`note: ${display(file)} is not readable from git at ${ref}; using the working tree`);
    return readFileSync(file, 'utf8');
  }
}

function commandLine(): { names: SubgraphName[]; base: string } {
  let parsed;
  try {
    parsed = parseArgs({ options: { base: { type: 'string', default: 'HEAD' } }, allowPositionals: true });
  } catch (error) {
    usage((error as Error).message);
  }
  const known: string[] = SUBGRAPHS.map(({ name }) => name);
  const unknown = parsed.positionals.filter((name) => !known.includes(name));
  if (unknown.length > 0) usage(`unknown subgraph ${unknown.join(', ')}`);
  const names = parsed.positionals.length > 0 ? [...new Set(parsed.positionals)] : known;
  return { names: names as SubgraphName[], base: parsed.values.base };
}

function intendedBreakingChanges(): IntendedBreakingChange[] {
  try {
    return parseIntendedBreakingChanges(readFileSync(INTENDED_FILE, 'utf8'));
  } catch (error) {
    usage(`${display(INTENDED_FILE)}: ${(error as Error).message}`);
  }
}

/** Whether git knows `ref` here; false also when there is no git or no repository. */
function isCommit(ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: ROOT, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { names, base } = commandLine();
  // Without git the default HEAD falls back to the working tree; a --base that was asked for must exist.
  if (base !== 'HEAD' && !isCommit(base)) usage(`--base ${base} is not a commit git knows here`);
  const intended = intendedBreakingChanges();
  const notes: string[] = [];
  const baseline: SubgraphSource[] = SUBGRAPHS.map(({ name }) => ({ name, url: defaultUrl(name), sdl: atRef(schemaFile(name), base, notes) }));
  const committedSupergraphSdl = atRef(SUPERGRAPH_FILE, base, notes);
  const proposals: SubgraphSource[] = names.map((name) => ({ name, url: defaultUrl(name), sdl: readFileSync(schemaFile(name), 'utf8') }));

  console.log(`Checking ${names.join(', ')} (working tree) against ${display(SUPERGRAPH_FILE)} at ${base}, with the other subgraphs at ${base}`);
  for (const note of notes) console.log(note);
  console.log('');
  const report = await checkSchemas({ proposals, baseline, committedSupergraphSdl, intended });
  process.stdout.write(formatReport(report, display(INTENDED_FILE)));
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error('check:schema could not run:', error);
  process.exit(2);
});
