import { defineService } from '../../harness/service.js';
import { xrayAwsLike } from './aws-like.js';
import { xraySweeper } from './sweeper.js';
import { cliHints } from '../../harness/operations.js';
import { xrayAdapter, xrayOperations } from './adapter.js';
import { xrayCodec } from './codec.js';

export const xray = defineService({
  awsLike: xrayAwsLike,
  sweeper: xraySweeper,
  adapter: xrayAdapter,
  codec: xrayCodec,
  // moto serves X-Ray (not its resource-policy operations); LocalStack only with a licence.
  claimedBy: ['moto', 'localstack-pro'],
  cliHints: cliHints(xrayOperations),
});
