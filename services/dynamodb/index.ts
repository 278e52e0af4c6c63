import { defineService } from '../../harness/service.js';
import { dynamodbAwsLike } from './aws-like.js';
import { dynamodbSweeper } from './sweeper.js';
import { dynamodbAdapter } from './adapter.js';
import { dynamodbCodec } from './codec.js';

export const dynamodb = defineService({
  awsLike: dynamodbAwsLike,
  sweeper: dynamodbSweeper, adapter: dynamodbAdapter, codec: dynamodbCodec, claimedBy: ['moto', 'ministack', 'localstack', 'localstack-pro'] });
