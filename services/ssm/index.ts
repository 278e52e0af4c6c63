import type { ServiceDefinition } from '../../harness/service.js';
import { cliHints } from '../../harness/operations.js';
import { ssmAdapter, ssmOperations } from './adapter.js';
import { ssmCodec } from './codec.js';
import { ssmMutants } from './mutants.js';

export const ssm: ServiceDefinition = {
  name: 'ssm',
  adapter: ssmAdapter,
  codec: ssmCodec,
  mutants: ssmMutants,
  claimedBy: ['moto', 'ministack', 'localstack', 'localstack-pro'],
  cli: { service: 'ssm', operations: cliHints(ssmOperations) },
};
