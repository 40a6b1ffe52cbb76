import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * Root fields that exist for the gateway and the services, not for clients: entity resolution and
 * the subgraph's SDL (federation), the team-token check and the recent session revocations. None
 * is in the public graph.
 */
export const INTERNAL_FIELDS: ReadonlySet<string> = new Set(['_entities', '_service', '_teamTokenIdentity', '_sessionRevocations']);

/** The names of the root fields an operation selects, through fragments. */
function rootFieldNames(operation: OperationDefinitionNode, document: DocumentNode): Set<string> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return names;
}

/**
 * Refuses an operation that asks an internal field unless the request is signed by the gateway or
 * a service (`internal` in the context). The refusal says no more than that: 403, FORBIDDEN.
 * Checked once the operation is known and before anything runs, so the fields' own resolvers need
 * not know about it.
 */
export function internalFieldsGuard<TContext extends { internal: boolean }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (contextValue.internal || !operation) return;
          for (const name of rootFieldNames(operation, document)) {
            if (INTERNAL_FIELDS.has(name)) {
              throw new GraphQLError('this operation is not allowed', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
            }
          }
        },
      };
    },
  };
}
