import { defineService } from '../../harness/service.js';
import { kinesisAwsLike } from './aws-like.js';
import { kinesisSweeper } from './sweeper.js';
import { cliHints } from '../../harness/operations.js';
import { kinesisAdapter, kinesisOperations } from './adapter.js';
import { kinesisCodec } from './codec.js';

export const kinesis = defineService({
  awsLike: kinesisAwsLike,
  sweeper: kinesisSweeper,
  adapter: kinesisAdapter,
  codec: kinesisCodec,
  claimedBy: ['moto', 'ministack', 'kinesis-local', 'localstack', 'localstack-pro'],
  cliHints: cliHints(kinesisOperations),
});
