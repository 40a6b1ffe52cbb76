import type { DocumentNode, GraphQLError } from 'graphql';
import type { ErrorCode } from '../../lib/errors';
import type { OperationLimits } from './guardsConfig';
import { operationShapes, type OperationShape } from './operationShape';
import { refuse } from './refuse';

/** Each limit on an operation's shape: the code it is refused with and how the message reads. */
const SHAPE_LIMITS: { measure: keyof OperationShape; limit: keyof OperationLimits; code: ErrorCode; describe: (found: number) => string }[] = [
  { measure: 'depth', limit: 'maxDepth', code: 'OPERATION_TOO_DEEP', describe: (found) => `the operation nests fields ${found} levels deep` },
  { measure: 'aliases', limit: 'maxAliases', code: 'TOO_MANY_ALIASES', describe: (found) => `the operation has ${found} aliases` },
  { measure: 'rootFields', limit: 'maxRootFields', code: 'TOO_MANY_ROOT_FIELDS', describe: (found) => `the operation has ${found} root fields` },
  { measure: 'directivesPerField', limit: 'maxDirectivesPerField', code: 'TOO_MANY_DIRECTIVES', describe: (found) => `a field of the operation has ${found} directives` },
];

/**
 * The refusal of a document any of whose operations goes over a limit (the first one found, with
 * its own code), or null. Every operation counts, not only the one to run: all are validated.
 */
export function operationLimitRefusal(document: DocumentNode, limits: OperationLimits): (() => GraphQLError) | null {
  for (const shape of operationShapes(document).values()) {
    for (const { measure, limit, code, describe } of SHAPE_LIMITS) {
      const found = shape[measure];
      const allowed = limits[limit];
      if (found > allowed) return () => refuse(code, `${describe(found)}; the limit is ${allowed}`, { extra: { limit: allowed, found } });
    }
  }
  return null;
}
