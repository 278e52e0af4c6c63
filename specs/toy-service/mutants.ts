import { onFirstRule, serviceMutants } from '../../harness/reference/mutant-helpers.js';
import type { ToyState } from './model.js';

export const toyMutants = serviceMutants<ToyState>('toy', [
  {
    name: 'toy-stale-put-accepted',
    description: 'PutNote ignores ExpectedRevision',
    breaks: 'toy.put.stale',
    step: onFirstRule('toy.put.stale', (_, { original, state, request, ctx }) => {
      const { ExpectedRevision: _expected, ...input } = request.input;
      return original(state, { ...request, input }, ctx);
    }),
  },
]);
