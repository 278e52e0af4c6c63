import type { Mutant } from '../../harness/reference/engine.js';
import type { ToyState } from './model.js';

export const toyMutants: Mutant<ToyState>[] = [
  {
    name: 'toy-stale-put-accepted',
    service: 'toy',
    description: 'PutNote ignores ExpectedRevision',
    breaks: 'toy.put.stale',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      if (branches[0]?.rule !== 'toy.put.stale') return branches;
      const { ExpectedRevision: _, ...input } = request.input;
      return original(state, { ...request, input }, ctx);
    },
  },
];
