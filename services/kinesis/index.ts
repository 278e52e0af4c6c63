import type { ServiceDefinition } from '../../harness/service.js';
import { cliHints } from '../../harness/operations.js';
import { kinesisAdapter, kinesisOperations } from './adapter.js';
import { kinesisCodec } from './codec.js';
import { kinesisMutants } from './mutants.js';

export const kinesis: ServiceDefinition = {
  name: 'kinesis',
  adapter: kinesisAdapter,
  codec: kinesisCodec,
  mutants: kinesisMutants,
  claimedBy: ['moto', 'ministack', 'kinesis-local', 'localstack', 'localstack-pro'],
  cli: { service: 'kinesis', operations: cliHints(kinesisOperations) },
};
