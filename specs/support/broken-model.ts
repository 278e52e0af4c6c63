/**
 * A deliberately broken DynamoDB model, for proving that a bug in the suite itself is reported as an internal
 * error (verdict `internal-error`, exit 4), never as a pass or as the target's divergence. The target is fine.
 *
 * - `throw`: the model's step throws on DeleteTable (a model that does not know an operation it is fed);
 * - `worlds`: on DeleteTable it returns 600 copies of each branch that differ only in a field nobody reads, so the
 *   checker's set of candidate states goes past its limit (a model whose nondeterminism explodes).
 */
import { dynamodbAdapter } from '../../services/dynamodb/adapter.js';
import type { ServiceAdapter } from '../../harness/service.js';
import type { Branch, ServiceModel } from '../../models/types.js';

export type Breakage = 'throw' | 'worlds';

export const BROKEN_MESSAGE = 'deliberately broken model: no DeleteTable';

export function brokenDynamodbAdapter(how: Breakage): ServiceAdapter {
  const real = dynamodbAdapter as ServiceAdapter;
  const model: ServiceModel<unknown> = {
    ...real.model,
    step(state, request, ctx) {
      if (request.operation === 'DeleteTable' && how === 'throw') throw new Error(BROKEN_MESSAGE);
      const branches = real.model.step(state, request, ctx);
      if (request.operation !== 'DeleteTable' || how !== 'worlds') return branches;
      return branches.flatMap((b): Branch<unknown>[] => Array.from({ length: 600 }, (_, i) => ({ ...b, next: { ...(b.next as object), brokenCopy: i } })));
    },
  };
  return { ...real, model };
}
