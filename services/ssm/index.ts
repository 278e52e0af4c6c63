import { defineService } from '../../harness/service.js';
import { ssmAwsLike } from './aws-like.js';
import { ssmSweeper } from './sweeper.js';
import { cliHints } from '../../harness/operations.js';
import { ssmAdapter, ssmOperations } from './adapter.js';
import { ssmCodec } from './codec.js';

export const ssm = defineService({
  awsLike: ssmAwsLike,
  sweeper: ssmSweeper,
  adapter: ssmAdapter, codec: ssmCodec, claimedBy: ['moto', 'ministack', 'localstack', 'localstack-pro'], cliHints: cliHints(ssmOperations) });
