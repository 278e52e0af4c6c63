import type { ServiceDefinition } from '../../harness/service.js';
import { dynamodbAdapter } from './adapter.js';
import { dynamodbCodec } from './codec.js';
import { dynamodbMutants } from './mutants.js';

export const dynamodb: ServiceDefinition = {
  name: 'dynamodb',
  adapter: dynamodbAdapter,
  codec: dynamodbCodec,
  mutants: dynamodbMutants,
  claimedBy: ['moto', 'ministack', 'localstack', 'localstack-pro'],
  cli: { service: 'dynamodb', operations: {} },
};
