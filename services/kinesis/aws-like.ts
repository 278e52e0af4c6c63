/**
 * Kinesis as the AWS-like simulator plays it (harness/aws-like/): policy slots are stream and consumer ARNs, read
 * with GetResourcePolicy (an empty document "{}" when there is none). Evidence is weaker than DynamoDB's (spec
 * §7.1): lag is off unless `--lag kinesis=ddb-like`.
 */
import type { Request } from '../../models/types.js';
import { errorResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, changeBetween, jsonAuthError } from '../../harness/aws-like/service.js';

const POLICY_OPERATIONS: Record<string, 'read' | 'write'> = { GetResourcePolicy: 'read', PutResourcePolicy: 'write', DeleteResourcePolicy: 'write' };

function holdsPolicy(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const policy = (JSON.parse(body) as { Policy?: unknown }).Policy;
    return typeof policy === 'string' && policy !== '{}' && policy !== '';
  } catch {
    return false;
  }
}

export const kinesisAwsLike: AwsLikeService = {
  service: 'kinesis',
  protocol: 'awsJson1_1',
  targetPrefix: 'Kinesis_20131202',
  authError: (failure, message) => jsonAuthError('awsJson1_1', failure, message),
  // Kinesis's control-plane rate error (spec §2.3: "number of concurrent stream requests exceeds the maximum").
  throttled: () => errorResponse('awsJson1_1', 'LimitExceededException', 400, 'Rate exceeded for this account.'),
  slot(request: Request) {
    const access = POLICY_OPERATIONS[request.operation];
    const arn = request.input.ResourceARN;
    return access && typeof arn === 'string' ? { key: arn, access } : undefined;
  },
  read: (key) => ({ operation: 'GetResourcePolicy', input: { ResourceARN: key } }),
  change: (_write, before, after) => changeBetween(before, after, (read) => holdsPolicy(read.status, read.body)),
};
