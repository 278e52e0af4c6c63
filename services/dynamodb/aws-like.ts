/**
 * DynamoDB as the AWS-like simulator plays it (harness/aws-like/): the best-observed service (spec §7). Policy
 * slots are ARNs (a table's, a stream's: each its own slot, lag and window, §7 item 11); reads are
 * GetResourcePolicy; RevisionIds are the simulated clock's epoch milliseconds (§7 item 3 reads the window's end
 * off the last RevisionId).
 */
import type { JsonObject, Request } from '../../models/types.js';
import { equivalentPolicies } from '../../models/policy-document.js';
import type { ReferenceCodec } from '../../harness/reference/codec.js';
import { errorResponse, type HttpResponse, okResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, type ForeignResource, type InternalCall, changeBetween, jsonAuthError, type LifecycleHooks, type Phase } from '../../harness/aws-like/service.js';

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

/** An equivalent re-Put of the committed document (spec §7 item 4: equivalence is semantic). */
function equivalentPut(write: Request, current: HttpResponse): boolean {
  if (write.operation !== 'PutResourcePolicy' || current.status !== 200) return false;
  const stored = bodyOf(current).Policy;
  return typeof stored === 'string' && typeof write.input.Policy === 'string' && equivalentPolicies(write.input.Policy, stored);
}

/** The window's end as AWS writes it in the message: ISO 8601 with milliseconds (simulated clock). */
const iso = (ms: number) => new Date(Math.round(ms)).toISOString();

const tableArnOf = (region: string, account: string, name: string) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;

/** The table a request is about: its TableName, or a policy operation's ResourceArn when that is a table's ARN (not a stream's). */
function tableOf(request: Request, region: string, account: string): string | undefined {
  if (request.operation in POLICY_OPERATIONS) {
    const arn = request.input.ResourceArn;
    const prefix = tableArnOf(region, account, '');
    if (typeof arn !== 'string' || !arn.startsWith(prefix)) return undefined;
    const name = arn.slice(prefix.length);
    return name.includes('/') ? undefined : name;
  }
  return typeof request.input.TableName === 'string' ? request.input.TableName : undefined;
}

/** A JSON answer with one member rewritten (the engine's answers are JSON objects). */
function rewrite(answer: HttpResponse, change: (body: JsonObject) => void): HttpResponse {
  if (answer.status !== 200) return answer;
  const body = bodyOf(answer);
  change(body);
  return { ...answer, body: JSON.stringify(body) };
}

const STATUS: Record<Phase, string> = { hidden: 'CREATING', creating: 'CREATING', active: 'ACTIVE', deleting: 'DELETING' };

/**
 * Table lifecycle (spec §7 item 10). CREATING lasts 2.5–5 s, of which the first 1–2 s hide the table from every
 * policy operation (ResourceNotFoundException; a CreateTable policy is readable after ~2.1 s while still CREATING);
 * DELETING lasts 1.6–3 s: Get still answers, an identical re-Put works, a changed Put or a Delete →
 * ResourceInUseException "Table is being deleted", then the table is gone (ResourceNotFoundException). The
 * durations beyond §7's figures are assumed (AWS documents none for on-demand tables).
 */
const lifecycle: LifecycleHooks = {
  kinds: [{ kind: 'table', creating: [2500, 5000], hidden: [1000, 2000], deleting: [1600, 3000] }],
  subject(request, ctx) {
    const name = tableOf(request, ctx.region, ctx.account);
    return name === undefined ? undefined : { kind: 'table', id: name };
  },
  created: (request) => (request.operation === 'CreateTable' ? { kind: 'table', id: String(request.input.TableName) } : undefined),
  deleting(request, ctx) {
    if (request.operation !== 'DeleteTable') return undefined;
    const described = ctx.call({ operation: 'DescribeTable', input: { TableName: request.input.TableName ?? null } });
    if (described.status !== 200) return undefined;
    const table = bodyOf(described).Table as JsonObject;
    return {
      subject: { kind: 'table', id: String(request.input.TableName) },
      answer: okResponse('awsJson1_0', { TableDescription: { ...table, TableStatus: 'DELETING' } }),
    };
  },
  finishDelete: (subject) => ({ operation: 'DeleteTable', input: { TableName: subject.id } }),
  slotsOf: (subject, region, account) => [tableArnOf(region, account, subject.id)],
  gate(request, subject, phase, ctx) {
    const name = subject.id;
    const policyOp = request.operation in POLICY_OPERATIONS;
    if (phase === 'hidden' && policyOp) return ddbError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
    if ((phase === 'hidden' || phase === 'creating') && request.operation === 'DeleteTable') {
      // Assumed wording (AWS's usual "still in use" answer).
      return ddbError('ResourceInUseException', `Attempt to change a resource which is still in use: Table is being created: ${name}`);
    }
    if (phase === 'deleting') {
      const changes = request.operation === 'DeleteTable' || request.operation === 'DeleteResourcePolicy' || request.operation === 'UpdateTable' ||
        (request.operation === 'PutResourcePolicy' && !equivalentPut(request, ctx.call({ operation: 'GetResourcePolicy', input: { ResourceArn: String(request.input.ResourceArn) } })));
      if (changes) return ddbError('ResourceInUseException', `Attempt to change a resource which is still in use: Table is being deleted: ${name}`);
    }
    if (phase === 'active' && request.operation === 'DeleteTable' && ctx.pendingUpdate(tableArnOf(ctx.region, ctx.account, name))) {
      // Spec §7 item 12: DeleteTable within 1–2 s of a policy write.
      return ddbError('ResourceInUseException', `Table ${name} has a pending resource-based policy update. Please retry after the update completes.`);
    }
    return undefined;
  },
  show(request, answer, phaseOf) {
    const name = String(request.input.TableName ?? '');
    const status = () => STATUS[phaseOf({ kind: 'table', id: name })];
    if (request.operation === 'CreateTable') return rewrite(answer, (b) => void ((b.TableDescription as JsonObject).TableStatus = status()));
    if (request.operation === 'DescribeTable') return rewrite(answer, (b) => void ((b.Table as JsonObject).TableStatus = status()));
    return answer;
  },
};

/** The account's own table (spec: foreign resources), with a policy whose Sid carries no suite mark. */
export const FOREIGN_TABLE = 'orders-production';

function foreign(region: string, account: string): { calls: InternalCall[]; resources: ForeignResource[] } {
  const arn = tableArnOf(region, account, FOREIGN_TABLE);
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ReportingReadOnly', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'dynamodb:GetItem', Resource: arn }] });
  const schema = { KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' };
  return {
    calls: [
      { operation: 'CreateTable', input: { TableName: FOREIGN_TABLE, ...schema } },
      { operation: 'PutResourcePolicy', input: { ResourceArn: arn, Policy: policy } },
    ],
    resources: [{ service: 'dynamodb', kind: 'table', id: FOREIGN_TABLE, policy }],
  };
}

export const dynamodbAwsLike: AwsLikeService = {
  service: 'dynamodb',
  // Spec §7 item 1: DynamoDB's lag is observed.
  defaultLag: 'ddb-like',
  mutants: [
    {
      name: 'aws-condition-on-visible',
      fault: 'condition-on-visible',
      description: 'a conditional Put or Delete is checked against the visible (lagging) state instead of the committed one: the RevisionId a Put just returned is refused while Get is still stale (spec §7 item 2)',
      breaks: 'ddb.put.replace',
    },
    {
      name: 'aws-read-flips-back',
      fault: 'read-flips-back',
      description: 'a Get that has shown the new policy shows the old one once more on the next read (spec §7 item 1: it switches once, never back)',
      breaks: 'ddb.get.stale-view',
    },
    {
      name: 'aws-no-window',
      fault: 'no-window',
      description: 'the 15-second window is not enforced: a different Put or a Delete right after a change succeeds (spec §7 item 3)',
      breaks: 'ddb.put.cooldown',
    },
  ],
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
  equivalentPut,
  lifecycle,
  window: {
    windowMs: 15_000,
    inUseMs: [600, 2000],
    // Spec §7 item 3 lets through an equivalent re-Put; a Delete with no policy to delete is assumed to pass too
    // (nothing would change; not recorded).
    passes: (write, before) => equivalentPut(write, before) || (write.operation === 'DeleteResourcePolicy' && before.status !== 200),
    // The messages' wording beyond §7's quoted fragments is assumed.
    inUse: (arn) => ddbError('ResourceInUseException', `Resource ${arn} has a pending previous resource-based policy update. Please retry after the update completes.`),
    // Spec §7 item 3 reads the window's end off the last RevisionId (epoch ms); a Delete's may be the removed policy's.
    changedAt: (write, answer) => {
      const revision = Number(bodyOf(answer).RevisionId);
      return write.operation === 'PutResourcePolicy' && Number.isFinite(revision) ? revision : undefined;
    },
    throttled: (arn, retryAt) =>
      ddbError('ThrottlingException', `The resource-based policy of ${arn} was modified within the previous 15000 milliseconds. Please try again after ${iso(retryAt)}.`),
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
  foreign,
};
