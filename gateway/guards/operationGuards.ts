import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode } from 'graphql';
import type { GatewayContext } from '../context';
import { operationLimitRefusal } from './operationLimitRefusal';
import { deferredRefusal, refuseDocument } from './deferredRefusals';
import { checkVariableDepth } from './checkVariableDepth';
import type { CostDirectives } from './costDirectives';
import { operationCost } from './operationCost';
import type { GuardsConfig } from './guardsConfig';
import { refuse } from './refuse';

const CALLERS = { anonymous: 'callers without a credential', user: 'signed-in users', team: 'team tokens' } as const;

/** Why no operation of the document was picked to run (Apollo Server leaves that to the executor, which answers 500). */
function unresolved(document: DocumentNode, operationName: string | undefined): string {
  const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '(anonymous)'] : []));
  if (operationName) return `operationName ${JSON.stringify(operationName)} names no operation in the document${names.length ? ` (it has ${names.join(', ')})` : ''}`;
  if (names.length > 1) return `the document has ${names.length} operations (${names.join(', ')}); operationName must name the one to run`;
  return 'the document has no operation to run';
}

/**
 * The gateway's guards on each operation, all before the query planner sees it:
 *
 * - before validation (which is itself work in proportion to the document), the shape limits:
 *   depth, aliases, root fields, directives per field (the parser has already bounded tokens);
 *   a refused document is not validated (see deferredRefusals);
 * - once the operation is picked: an operationName that names none is a 400 BAD_REQUEST; a
 *   variable nested too deep is a 400 BAD_USER_INPUT; then the cost estimate, from the
 *   `@cost`/`@listSize` of the supergraph being served and the request's variables, against the
 *   budget of the caller's kind.
 *
 * A document from Apollo Server's document store skips validation, but was measured when it was
 * first parsed; the measurement is cached on the document, so checking again costs nothing.
 */
export function operationGuards(config: GuardsConfig, costDirectives: () => CostDirectives): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async validationDidStart(requestContext) {
          const refusal = operationLimitRefusal(requestContext.document, config.limits);
          // Validation does work in proportion to the document (overlapping fields: quadratic).
          if (refusal) refuseDocument(requestContext, refusal);
        },
        async didResolveOperation(requestContext) {
          const { document, operation, request, schema, contextValue } = requestContext;
          const refused = deferredRefusal(requestContext);
          if (refused) throw refused;
          if (!operation) throw refuse('BAD_REQUEST', unresolved(document, request.operationName));
          checkVariableDepth(schema, operation, request.variables, config.limits.maxVariableDepth);
          const overLimit = operationLimitRefusal(document, config.limits);
          if (overLimit) throw overLimit();
          const cost = operationCost(schema, document, operation, {
            directives: costDirectives(),
            defaultListSize: config.cost.defaultListSize,
            maxListSize: config.cost.maxListSize,
            variables: request.variables ?? {},
          });
          const kind = contextValue.identity.kind;
          const budget = config.cost.budgets[kind];
          if (cost > budget) {
            throw refuse('OPERATION_TOO_COSTLY', `the operation's estimated cost is ${cost}; the limit for ${CALLERS[kind]} is ${budget}`, { extra: { cost, limit: budget } });
          }
        },
      };
    },
  };
}
