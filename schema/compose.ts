import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Document } from 'yaml';
import { composeSupergraph } from './composeSupergraph';
import { defaultUrl, schemaFile, SUBGRAPHS, SUPERGRAPH_FILE } from './subgraphs';

// `npm run compose`: rewrites schema/supergraph.graphql and schema/supergraph.yaml, or lists every
// composition error and fails (writing neither).
const outcome = composeSupergraph();
if (!outcome.ok) {
  console.error(`Composition failed with ${outcome.errors.length} error(s):`);
  for (const error of outcome.errors) console.error(`  - ${error}`);
  process.exit(1);
}
writeFileSync(SUPERGRAPH_FILE, outcome.supergraphSdl);
console.log(`Wrote ${relative(process.cwd(), SUPERGRAPH_FILE)}`);

// The same composition for Apollo's tooling (`rover supergraph compose --config schema/supergraph.yaml`,
// `rover dev --supergraph-config`). federation_version pins rover's composition to the exact
// @apollo/composition release that wrote supergraph.graphql (rover wants that release, `=2.x.y`,
// not the federation spec version v2.5 the subgraphs @link), so both produce the same supergraph.
// Schema paths are relative to the yaml file, as rover resolves them.
const SUPERGRAPH_CONFIG_FILE = join(__dirname, 'supergraph.yaml');
const compositionVersion = (require('@apollo/composition/package.json') as { version: string }).version;
const config = new Document({
  federation_version: `=${compositionVersion}`,
  subgraphs: Object.fromEntries(
    SUBGRAPHS.map(({ name }) => [
      name,
      { routing_url: defaultUrl(name), schema: { file: relative(dirname(SUPERGRAPH_CONFIG_FILE), schemaFile(name)) } },
    ]),
  ),
});
config.commentBefore = " Written by `npm run compose` from schema/subgraphs.ts; do not edit by hand.\n `rover supergraph compose --config schema/supergraph.yaml` composes the same supergraph as schema/supergraph.graphql.";
writeFileSync(SUPERGRAPH_CONFIG_FILE, config.toString());
console.log(`Wrote ${relative(process.cwd(), SUPERGRAPH_CONFIG_FILE)}`);
