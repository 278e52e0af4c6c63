/**
 * SSM as the AWS-like simulator plays it (harness/aws-like/): policy slots are parameter ARNs and the account's
 * OpsItemGroup, read with GetResourcePolicies. Evidence is weaker than DynamoDB's (spec §7.1): lag is off unless
 * `--lag ssm=ddb-like`.
 */
import type { Request } from '../../models/types.js';
import type { HttpResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, type ForeignResource, type InternalCall, changeBetween, jsonAuthError } from '../../harness/aws-like/service.js';

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

/** The account's own Advanced parameter, shared with a policy, and the OpsItemGroup's policy (spec: foreign resources). */
export const FOREIGN_PARAMETER = '/platform/shared/database-endpoint';

function foreign(region: string, account: string): { calls: InternalCall[]; resources: ForeignResource[] } {
  const parameterArn = `arn:aws:ssm:${region}:${account}:parameter${FOREIGN_PARAMETER}`;
  const opsItemGroupArn = `arn:aws:ssm:${region}:${account}:opsitemgroup/default`;
  const partner = account === '999988887777' ? '999988887776' : '999988887777';
  const parameterPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PartnerRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: parameterArn }] });
  const opsPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'OpsCenterPartner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: ['ssm:CreateOpsItem', 'ssm:GetOpsItem'], Resource: opsItemGroupArn }] });
  return {
    calls: [
      { operation: 'PutParameter', input: { Name: FOREIGN_PARAMETER, Value: 'db.internal.example:5432', Type: 'String', Tier: 'Advanced' } },
      { operation: 'PutResourcePolicy', input: { ResourceArn: parameterArn, Policy: parameterPolicy } },
      { operation: 'PutResourcePolicy', input: { ResourceArn: opsItemGroupArn, Policy: opsPolicy } },
    ],
    resources: [
      { service: 'ssm', kind: 'parameter', id: FOREIGN_PARAMETER, policy: parameterPolicy },
      { service: 'ssm', kind: 'opsitemgroup', id: opsItemGroupArn, policy: opsPolicy },
    ],
  };
}

export const ssmAwsLike: AwsLikeService = {
  service: 'ssm',
  // Weaker evidence than DynamoDB's (spec §7.1): read-your-writes unless `--lag ssm=ddb-like`.
  defaultLag: 'off',
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
  foreign,
};
