import type { ServiceDefinition } from '../../harness/service.js';
import { ssmAdapter } from './adapter.js';
import { ssmCodec } from './codec.js';
import { ssmMutants } from './mutants.js';

export const ssm: ServiceDefinition = {
  name: 'ssm',
  adapter: ssmAdapter,
  codec: ssmCodec,
  mutants: ssmMutants,
  claimedBy: ['moto', 'ministack', 'localstack', 'localstack-pro'],
  cli: { service: 'ssm', operations: {} },
};
