import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { defaultUrl, schemaFile, SUBGRAPHS } from './subgraphs';

/** One subgraph as composition takes it (the type @apollo/composition uses but does not export). */
export type ServiceDefinition = Parameters<typeof composeServices>[0][number];

export type CompositionOutcome = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** The five subgraphs as composition sees them: each one's committed schema.graphql. */
export function subgraphDefinitions(): ServiceDefinition[] {
  return SUBGRAPHS.map(({ name }) => ({
    name,
    url: defaultUrl(name),
    typeDefs: parse(readFileSync(schemaFile(name), 'utf8')),
  }));
}

/** Composes the subgraphs into the supergraph the gateway serves, or lists every composition error. */
export function composeSupergraph(services: ServiceDefinition[] = subgraphDefinitions()): CompositionOutcome {
  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => `${error.extensions?.code ?? 'ERROR'}: ${error.message}`) };
  }
  return { ok: true, supergraphSdl: `${result.supergraphSdl.trimEnd()}\n` };
}
