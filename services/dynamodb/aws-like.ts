/**
 * DynamoDB as the AWS-like simulator plays it (harness/aws-like/): the best-observed service (spec §7). Policy
 * slots are ARNs (a table's, a stream's: each its own slot, lag and window, §7 item 11); reads are
 * GetResourcePolicy; RevisionIds are the simulated clock's epoch milliseconds (§7 item 3 reads the window's end
 * off the last RevisionId).
 */
import type { JsonObject, Request } from '../../models/types.js';
import { equivalentPolicies } from '../../models/policy-document.js';
import type { ReferenceCodec } from '../../harness/reference/codec.js';
import { errorResponse, type HttpResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, changeBetween, jsonAuthError } from '../../harness/aws-like/service.js';

const TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
/** Errors raised before the service proper (authentication, throttling of the front end) carry coral's namespace. */
const CORAL_PREFIX = 'com.amazon.coral.service#';
const POLICY_OPERATIONS: Record<string, 'read' | 'write'> = { GetResourcePolicy: 'read', PutResourcePolicy: 'write', DeleteResourcePolicy: 'write' };

const ddbError = (code: string, message: string): HttpResponse => errorResponse('awsJson1_0', code, 400, message, TYPE_PREFIX);

function bodyOf(read: HttpResponse): JsonObject {
  try {
    return JSON.parse(read.body || '{}') as JsonObject;
  } catch {
    return {};
  }
}

export const dynamodbAwsLike: AwsLikeService = {
  service: 'dynamodb',
  protocol: 'awsJson1_0',
  targetPrefix: 'DynamoDB_20120810',
  authError: (failure, message) => jsonAuthError('awsJson1_0', failure, message, CORAL_PREFIX),
  throttled: () => ddbError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.'),
  slot(request: Request) {
    const access = POLICY_OPERATIONS[request.operation];
    const arn = request.input.ResourceArn;
    return access && typeof arn === 'string' ? { key: arn, access } : undefined;
  },
  read: (key) => ({ operation: 'GetResourcePolicy', input: { ResourceArn: key } }),
  change: (_write, before, after) => changeBetween(before, after, (read) => read.status === 200),
  equivalentPut(write, current) {
    if (write.operation !== 'PutResourcePolicy' || current.status !== 200) return false;
    const stored = bodyOf(current).Policy;
    return typeof stored === 'string' && typeof write.input.Policy === 'string' && equivalentPolicies(write.input.Policy, stored);
  },
  condition: {
    expected: (write) => (typeof write.input.ExpectedRevisionId === 'string' ? write.input.ExpectedRevisionId : undefined),
    shown: (read) => (read.status === 200 ? (bodyOf(read).RevisionId as string | undefined) : 'NO_POLICY'),
    // What AWS answers a stale ExpectedRevisionId (spec §7 item 2: PolicyNotFoundException, "did not match"; wording assumed).
    mismatch: (write) => ddbError('PolicyNotFoundException', `Resource-based policy not found for the provided ResourceArn: the expected revision id did not match: ${String(write.input.ResourceArn)}`),
  },
  codec(base: ReferenceCodec, clock): ReferenceCodec {
    let last = 0;
    return {
      ...base,
      invent(symbol, field, request, view) {
        if (field !== 'RevisionId') return base.invent(symbol, field, request, view);
        // AWS's RevisionIds are epoch milliseconds (spec §7 item 3); distinct even within one millisecond.
        last = Math.max(last + 1, Math.floor(clock.now()));
        return String(last);
      },
    };
  },
};
