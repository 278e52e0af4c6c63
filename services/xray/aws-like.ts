/**
 * X-Ray as the AWS-like simulator plays it (harness/aws-like/): the account's resource policies are one slot (up
 * to 5 named policies), read with ListResourcePolicies. Terraform's tests read back right after Put and pass (spec
 * §7.1): read-your-writes by default, `--lag xray=ddb-like` to play a lag.
 */
import type { Request } from '../../models/types.js';
import type { HttpResponse } from '../../harness/reference/protocol.js';
import { errorResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, type ForeignResource, type InternalCall, jsonAuthError } from '../../harness/aws-like/service.js';

const POLICY_OPERATIONS: Record<string, 'read' | 'write'> = { ListResourcePolicies: 'read', PutResourcePolicy: 'write', DeleteResourcePolicy: 'write' };
const ACCOUNT_POLICIES = 'xray:resource-policies';

function count(read: HttpResponse): number {
  try {
    const list = (JSON.parse(read.body || '{}') as { ResourcePolicies?: unknown[] }).ResourcePolicies;
    return Array.isArray(list) ? list.length : 0;
  } catch {
    return 0;
  }
}

/** X-Ray policies the account holds (2 of its 5 slots; the console adds one for SNS active tracing, spec §7.1). */
export const FOREIGN_POLICY_NAMES = ['SNSActiveTracing', 'platform-team-traces'];

function foreign(region: string, account: string): { calls: InternalCall[]; resources: ForeignResource[] } {
  const policies = [
    { PolicyName: FOREIGN_POLICY_NAMES[0]!, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'SNSAccess', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': account } } }] }) },
    { PolicyName: FOREIGN_POLICY_NAMES[1]!, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PlatformTeam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'xray:PutTraceSegments', Resource: `arn:aws:xray:${region}:${account}:*` }] }) },
  ];
  return {
    calls: policies.map((p) => ({ operation: 'PutResourcePolicy', input: p })),
    resources: policies.map((p) => ({ service: 'xray', kind: 'policy', id: p.PolicyName, policy: p.PolicyDocument })),
  };
}

export const xrayAwsLike: AwsLikeService = {
  service: 'xray',
  // Weaker evidence than DynamoDB's (spec §7.1): read-your-writes unless `--lag xray=ddb-like`.
  defaultLag: 'off',
  protocol: 'restJson1',
  authError: (failure, message) => jsonAuthError('restJson1', failure, message),
  throttled: () => errorResponse('restJson1', 'ThrottledException', 429, 'The request exceeds the maximum number of requests per second.'),
  slot(request: Request) {
    const access = POLICY_OPERATIONS[request.operation];
    return access ? { key: ACCOUNT_POLICIES, access } : undefined;
  },
  read: () => ({ operation: 'ListResourcePolicies', input: {} }),
  change(_write, before, after) {
    if (before.body === after.body) return undefined;
    const [was, is] = [count(before), count(after)];
    return is > was ? 'first-put' : is < was ? 'delete' : 'replace';
  },
  foreign,
};
