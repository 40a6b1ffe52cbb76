import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { defaultUrl, schemaFile, SUBGRAPHS } from './subgraphs';

export type CompositionOutcome = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes the five subgraph schema files, as committed, into the supergraph the gateway serves. */
export function composeSupergraph(): CompositionOutcome {
  const services = SUBGRAPHS.map(({ name }) => ({
    name,
    url: defaultUrl(name),
    typeDefs: parse(readFileSync(schemaFile(name), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => `${error.extensions?.code ?? 'ERROR'}: ${error.message}`) };
  }
  return { ok: true, supergraphSdl: `${result.supergraphSdl.trimEnd()}\n` };
}
