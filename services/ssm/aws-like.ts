/**
 * SSM as the AWS-like simulator plays it (harness/aws-like/): policy slots are parameter ARNs and the account's
 * OpsItemGroup, read with GetResourcePolicies. Evidence is weaker than DynamoDB's (spec §7.1): lag is off unless
 * `--lag ssm=ddb-like`.
 */
import type { Request } from '../../models/types.js';
import type { HttpResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, changeBetween, jsonAuthError } from '../../harness/aws-like/service.js';

const POLICY_OPERATIONS: Record<string, 'read' | 'write'> = { GetResourcePolicies: 'read', PutResourcePolicy: 'write', DeleteResourcePolicy: 'write' };

function policiesIn(read: HttpResponse): number {
  if (read.status !== 200) return 0;
  try {
    const list = (JSON.parse(read.body) as { Policies?: unknown[] }).Policies;
    return Array.isArray(list) ? list.length : 0;
  } catch {
    return 0;
  }
}

/** SSM's own body shape for errors: `__type` without a namespace, capital `Message`. */
function ssmError(code: string, status: number, message: string): HttpResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: code, Message: message }) };
}

export const ssmAwsLike: AwsLikeService = {
  service: 'ssm',
  protocol: 'awsJson1_1',
  targetPrefix: 'AmazonSSM',
  authError: (failure, message) => {
    const wire = jsonAuthError('awsJson1_1', failure, message);
    const { __type } = JSON.parse(wire.body) as { __type: string };
    return ssmError(__type, wire.status, message);
  },
  throttled: () => ssmError('ThrottlingException', 400, 'Rate exceeded'),
  slot(request: Request) {
    const access = POLICY_OPERATIONS[request.operation];
    const arn = request.input.ResourceArn;
    return access && typeof arn === 'string' ? { key: arn, access } : undefined;
  },
  read: (key) => ({ operation: 'GetResourcePolicies', input: { ResourceArn: key } }),
  change: (_write, before, after) => changeBetween(before, after, (read) => policiesIn(read) > 0),
};
