import type { ServiceDefinition } from '../../harness/service.js';
import { toyAdapter } from './adapter.js';
import { toyCodec } from './codec.js';
import { toyMutants } from './mutants.js';

/** The toy service's definition: what a fifth service adds to the list in services/index.ts, in one line. */
export const toy: ServiceDefinition = {
  name: 'toy',
  adapter: toyAdapter,
  codec: toyCodec,
  mutants: toyMutants,
  claimedBy: [],
  cli: { service: 'toy', operations: {} },
};
