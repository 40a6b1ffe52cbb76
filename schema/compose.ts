import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeSupergraph } from './composeSupergraph';
import { SUPERGRAPH_FILE } from './subgraphs';

// `npm run compose`: rewrites schema/supergraph.graphql, or lists every composition error and fails.
const outcome = composeSupergraph();
if (!outcome.ok) {
  console.error(`Composition failed with ${outcome.errors.length} error(s):`);
  for (const error of outcome.errors) console.error(`  - ${error}`);
  process.exit(1);
}
writeFileSync(SUPERGRAPH_FILE, outcome.supergraphSdl);
console.log(`Wrote ${relative(process.cwd(), SUPERGRAPH_FILE)}`);
