import type { ServiceDefinition } from '../../harness/service.js';
import { cliHints } from '../../harness/operations.js';
import { xrayAdapter, xrayOperations } from './adapter.js';
import { xrayCodec } from './codec.js';
import { xrayMutants } from './mutants.js';

export const xray: ServiceDefinition = {
  name: 'xray',
  adapter: xrayAdapter,
  codec: xrayCodec,
  mutants: xrayMutants,
  // moto serves X-Ray (not its resource-policy operations); LocalStack only with a licence.
  claimedBy: ['moto', 'localstack-pro'],
  cli: { service: 'xray', operations: cliHints(xrayOperations) },
};
