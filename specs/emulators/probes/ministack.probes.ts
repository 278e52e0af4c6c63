/**
 * The independent oracle for ministack 1.5.33: hand-written probes, plain SDK v3 calls only. Each probe shows one
 * real departure and says what AWS does instead; each contradiction shows that an entry the old suite recorded
 * (expectations/ministack.json) is not one. The verdict for every old entry, with the reasoning, is in
 * docs/emulators/ministack-probes.md.
 *
 * ministack answers synchronously (tables and streams are ACTIVE when CreateTable/CreateStream return, deletions
 * are immediate), so the probes need no waits; the few polls below only guard against a slower future version.
 * Every resource a probe creates is named from ctx.prefix, and every probe removes what it created.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteResourcePolicyCommand as DdbDeleteResourcePolicyCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetResourcePolicyCommand as DdbGetResourcePolicyCommand,
  PutResourcePolicyCommand as DdbPutResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteResourcePolicyCommand as KinDeleteResourcePolicyCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand as KinGetResourcePolicyCommand,
  KinesisClient,
  PutResourcePolicyCommand as KinPutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  XRayClient,
} from '@aws-sdk/client-xray';
import { expect } from 'vitest';
import type { ServiceName } from '../../../models/types.js';
import { SSM_POLICY_CALLS, XRAY_POLICY_CALLS } from './calls.js';
import { answerOf, plainClientConfig, withClient } from './client.js';
import type { Contradiction, Probe, ProbeContext, ProbeSet, UnsupportedProbe } from './probe.js';

// ===============================================================================================================
// Plain helpers: what a user would write around the SDK.

type Answer = Awaited<ReturnType<typeof answerOf>>;

/** One answer as text, for the line a probe resolves with. */
function show(a: Answer): string {
  if (a.ok) {
    const { $metadata: _ignored, ...rest } = a.output as Record<string, unknown>;
    const text = JSON.stringify(rest);
    return `ok ${text.length > 160 ? `${text.slice(0, 157)}...` : text}`;
  }
  return `${a.code} (HTTP ${a.status})`;
}

/** The error code of a failed answer, or "ok" (so one `expect(...).toBe(code)` asserts both). */
const codeOf = (a: Answer): string => (a.ok ? 'ok' : a.code);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The account id inside an ARN the service returned (ministack: 000000000000 for dummy credentials). */
const accountOf = (arn: string): string => arn.split(':')[4]!;

/** Two policy documents are the same policy: compared as parsed JSON (whitespace and byte form aside). */
function sameJson(a: string | undefined, b: string): boolean {
  try {
    return a !== undefined && JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB

/** A policy granting the caller's own account (a principal that exists, §7.13) `action` on `resource`. */
function ddbGrant(resource: string, sid = 'Grant', action = 'dynamodb:GetItem'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountOf(resource)}:root` }, Action: action, Resource: resource }],
  });
}

interface Table {
  name: string;
  arn: string;
  streamArn?: string;
}

interface TableOptions {
  stream?: boolean;
  index?: boolean;
  policy?: string;
}

function tableInput(name: string, opts: TableOptions = {}): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(opts.index ? [{ AttributeName: 'g', AttributeType: 'S' as const }] : [])],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ...(opts.index ? { GlobalSecondaryIndexes: [{ IndexName: 'gsi1', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }] } : {}),
    ...(opts.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    ...(opts.policy !== undefined ? { ResourcePolicy: opts.policy } : {}),
  };
}

/** CreateTable, then DescribeTable until ACTIVE; the table's ARN and stream ARN as DescribeTable shows them. */
async function createTable(client: DynamoDBClient, name: string, opts: TableOptions = {}): Promise<Table> {
  await client.send(new CreateTableCommand(tableInput(name, opts)));
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE' || i >= 50) {
      expect(Table?.TableStatus, `table ${name}`).toBe('ACTIVE');
      return { name, arn: Table!.TableArn!, ...(Table!.LatestStreamArn ? { streamArn: Table!.LatestStreamArn } : {}) };
    }
    await sleep(100);
  }
}

async function dropTable(client: DynamoDBClient, name: string): Promise<void> {
  await answerOf(client.send(new DeleteTableCommand({ TableName: name })));
}

/** A DynamoDB client and a table named `${prefix}-${suffix}` for the duration of `fn`; both are cleaned up. */
async function withTable<T>(ctx: ProbeContext, suffix: string, opts: TableOptions, fn: (c: DynamoDBClient, t: Table) => Promise<T>): Promise<T> {
  const name = `${ctx.prefix}-${suffix}`;
  return withClient(new DynamoDBClient(plainClientConfig(ctx)), async (client) => fn(client, await createTable(client, name, opts)), (client) => dropTable(client, name));
}

function ddbPut(c: DynamoDBClient, ResourceArn: string, Policy: string, extra: { ExpectedRevisionId?: string; ConfirmRemoveSelfResourceAccess?: boolean } = {}) {
  return answerOf(c.send(new DdbPutResourcePolicyCommand({ ResourceArn, Policy, ...extra })));
}
const ddbGet = (c: DynamoDBClient, ResourceArn: string) => answerOf(c.send(new DdbGetResourcePolicyCommand({ ResourceArn })));
const ddbDelete = (c: DynamoDBClient, ResourceArn: string, ExpectedRevisionId?: string) =>
  answerOf(c.send(new DdbDeleteResourcePolicyCommand({ ResourceArn, ...(ExpectedRevisionId !== undefined ? { ExpectedRevisionId } : {}) })));

/** A successful Put's RevisionId, asserting it has the documented length 1..255. */
function revisionOf(a: Answer, what: string): string {
  expect(codeOf(a), what).toBe('ok');
  const rev = (a as { output: { RevisionId?: string } }).output.RevisionId;
  expect(typeof rev === 'string' && rev.length >= 1 && rev.length <= 255, `${what}: RevisionId ${JSON.stringify(rev)} has 1..255 characters`).toBe(true);
  return rev!;
}

// ---------------------------------------------------------------------------------------------------------------
// Kinesis

function kinGrant(resource: string, action = 'kinesis:GetRecords', sid = 'Grant'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: action, Resource: resource }],
  });
}
const consumerGrant = (consumerArn: string, sid = 'Grant') => kinGrant(consumerArn, 'kinesis:SubscribeToShard', sid);

async function streamStatus(c: KinesisClient, StreamName: string): Promise<string> {
  const r = await answerOf(c.send(new DescribeStreamSummaryCommand({ StreamName })));
  return r.ok ? String(r.output.StreamDescriptionSummary?.StreamStatus) : r.code;
}

/** CreateStream, then DescribeStreamSummary until ACTIVE; the StreamARN it reports. */
async function createStream(c: KinesisClient, StreamName: string): Promise<string> {
  await c.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  for (let i = 0; ; i++) {
    const status = await streamStatus(c, StreamName);
    if (status === 'ACTIVE' || i >= 50) {
      expect(status, `stream ${StreamName}`).toBe('ACTIVE');
      break;
    }
    await sleep(100);
  }
  const summary = await c.send(new DescribeStreamSummaryCommand({ StreamName }));
  return summary.StreamDescriptionSummary!.StreamARN!;
}

async function registerConsumer(c: KinesisClient, StreamARN: string, ConsumerName: string): Promise<string> {
  const { Consumer } = await c.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName }));
  return Consumer!.ConsumerARN!;
}

/** A Kinesis client and a stream named `${prefix}-${suffix}` for the duration of `fn`; both are cleaned up. */
async function withStream<T>(ctx: ProbeContext, suffix: string, fn: (c: KinesisClient, arn: string, name: string) => Promise<T>): Promise<T> {
  const name = `${ctx.prefix}-${suffix}`;
  return withClient(
    new KinesisClient(plainClientConfig(ctx)),
    async (client) => fn(client, await createStream(client, name), name),
    (client) => answerOf(client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }))),
  );
}

const kinPut = (c: KinesisClient, ResourceARN: string, Policy: string) => answerOf(c.send(new KinPutResourcePolicyCommand({ ResourceARN, Policy })));
const kinGet = (c: KinesisClient, ResourceARN: string) => answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN })));
const kinDelete = (c: KinesisClient, ResourceARN: string) => answerOf(c.send(new KinDeleteResourcePolicyCommand({ ResourceARN })));

/** The Policy a successful Kinesis Get returned (asserting it succeeded). */
function policyOf(a: Answer, what: string): string {
  expect(codeOf(a), what).toBe('ok');
  return String((a as { output: { Policy?: string } }).output.Policy);
}

// ---------------------------------------------------------------------------------------------------------------
// SSM

async function withParameter<T>(ctx: ProbeContext, suffix: string, fn: (c: SSMClient, name: string) => Promise<T>): Promise<T> {
  const name = `/${ctx.prefix}/${suffix}`;
  return withClient(new SSMClient(plainClientConfig(ctx)), (client) => fn(client, name), (client) => answerOf(client.send(new DeleteParameterCommand({ Name: name }))));
}

const putParameter = (c: SSMClient, Name: string, extra: { Tier?: 'Standard' | 'Advanced'; Overwrite?: boolean } = {}) =>
  answerOf(c.send(new PutParameterCommand({ Name, Value: 'v', Type: 'String', ...extra })));

function tierOf(a: Answer, what: string): { Version: number; Tier: string } {
  expect(codeOf(a), what).toBe('ok');
  const out = (a as { output: { Version?: number; Tier?: string } }).output;
  return { Version: Number(out.Version), Tier: String(out.Tier) };
}

// ===============================================================================================================
// DynamoDB: departures
//
// Kinds: CreateTable-with-policy and DeleteTable do change something (a table appears or goes), but the part their
// rule is about (attaching the policy, dropping it) has no effect and only a later read shows it, so those two are
// `success-without-effect` (the same reading as the moto probe set); every other entry is a wrong answer at the call.

const ddbProbes: Probe[] = [
  {
    service: 'dynamodb',
    rule: 'ddb.arn.length',
    kind: 'wrong-answer',
    aws: 'A ResourceArn longer than 1283 characters: ValidationException, nothing stored (§1.2 shape constraint, documented)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const long = `${t.arn}/${'x'.repeat(1284)}`.slice(0, 1284);
        expect(long.length).toBe(1284);
        const put = await ddbPut(c, long, ddbGrant(t.arn));
        expect(codeOf(put), 'Put with a 1284-character ARN').toBe('ok');
        const get = await ddbGet(c, long);
        expect(codeOf(get)).toBe('ok');
        return `PutResourcePolicy on a 1284-character ResourceArn (the table's ARN + "/xxx…") succeeded (${show(put)}) and GetResourcePolicy on it returns the policy: ministack ignores everything after the table name`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.arn.malformed',
    kind: 'wrong-answer',
    aws: 'A ResourceArn that is not a table/stream ARN of this account and region (a bare table name, another account or region, not an ARN): ValidationException (§7.6, aws-observed; switch ddb.malformedArnError settled)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const bare = await ddbPut(c, t.name, ddbGrant(t.arn));
        expect(codeOf(bare), 'Put with the bare name of an existing table').toBe('ResourceNotFoundException');
        const otherRegion = await ddbGet(c, t.arn.replace(`:${ctx.region}:`, ctx.region === 'us-west-2' ? ':eu-west-1:' : ':us-west-2:'));
        expect(codeOf(otherRegion), 'Get with the table ARN in another region').toBe('ResourceNotFoundException');
        const notArn = await ddbGet(c, 'not-an-arn');
        expect(codeOf(notArn), 'Get with "not-an-arn"').toBe('ResourceNotFoundException');
        return `bare table name "${t.name}" (Put): ${show(bare)}; the table ARN in another region (Get): ${show(otherRegion)}; "not-an-arn" (Get): ${show(notArn)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.arn.index',
    kind: 'wrong-answer',
    aws: 'An index ARN (…:table/<t>/index/<i>) cannot hold a policy: ValidationException (§7.6, aws-observed; switch ddb.indexArnError settled); index permissions go in the table policy',
    async run(ctx) {
      return withTable(ctx, 't', { index: true }, async (c, t) => {
        const indexArn = `${t.arn}/index/gsi1`;
        const put = await ddbPut(c, indexArn, ddbGrant(indexArn));
        expect(codeOf(put), 'Put on the index ARN of an existing GSI').toBe('ok');
        const onIndex = await ddbGet(c, indexArn);
        expect(codeOf(onIndex)).toBe('ok');
        const onTable = await ddbGet(c, t.arn);
        return `PutResourcePolicy on the index ARN ${indexArn.slice(t.arn.length)} succeeded (${show(put)}); Get on the index ARN returns it, Get on the table answers ${show(onTable)} (a separate policy slot per index)`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.stream.not-found',
    kind: 'wrong-answer',
    aws: 'A stream ARN that names no stream (a table without streams, a made-up label): ResourceNotFoundException (§1.5, assumed)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        expect(t.streamArn, 'the table has no stream').toBeUndefined();
        const streamArn = `${t.arn}/stream/2000-01-01T00:00:00.000`;
        const put = await ddbPut(c, streamArn, ddbGrant(streamArn, 'Grant', 'dynamodb:GetRecords'));
        expect(codeOf(put), 'Put on a stream ARN of a table without streams').toBe('ok');
        const del = await ddbDelete(c, streamArn);
        expect(codeOf(del)).toBe('ok');
        return `PutResourcePolicy on ${streamArn.slice(t.arn.length)} of a table without streams: ${show(put)}; DeleteResourcePolicy: ${show(del)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.stream.outlives-table',
    kind: 'wrong-answer',
    aws: "After DeleteTable the stream's policy can still be modified or deleted: PutResourcePolicy on the stream ARN succeeds (§1.5, documented [DDB-STREAM])",
    async run(ctx) {
      const name = `${ctx.prefix}-t`;
      return withClient(
        new DynamoDBClient(plainClientConfig(ctx)),
        async (client) => {
          const t = await createTable(client, name, { stream: true });
          expect(t.streamArn, 'LatestStreamArn').toBeTypeOf('string');
          revisionOf(await ddbPut(client, t.streamArn!, ddbGrant(t.streamArn!, 'Before', 'dynamodb:GetRecords')), 'Put on the live stream');
          await client.send(new DeleteTableCommand({ TableName: name }));
          const modify = await ddbPut(client, t.streamArn!, ddbGrant(t.streamArn!, 'After', 'dynamodb:GetRecords'));
          expect(codeOf(modify), 'Put on the stream after DeleteTable').toBe('ResourceNotFoundException');
          const del = await ddbDelete(client, t.streamArn!);
          expect(codeOf(del), 'Delete on the stream after DeleteTable').toBe('ResourceNotFoundException');
          return `stream policy put while the table lived; after DeleteTable, Put on the stream ARN: ${show(modify)}, Delete: ${show(del)}`;
        },
        (client) => dropTable(client, name),
      );
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.deletetable.drops-policy',
    // Partly without effect (the table or stream came and went, its policy did not): the suite's hidden-effect
    // kinds name a write that did nothing at all, so this is a wrong answer of the rule that says what it keeps.
    kind: 'wrong-answer',
    aws: 'A table re-created after DeleteTable has no policy: GetResourcePolicy → PolicyNotFoundException (§7.10, aws-observed)',
    async run(ctx) {
      const name = `${ctx.prefix}-t`;
      return withClient(
        new DynamoDBClient(plainClientConfig(ctx)),
        async (client) => {
          const first = await createTable(client, name);
          const doc = ddbGrant(first.arn, 'OldTable');
          const rev = revisionOf(await ddbPut(client, first.arn, doc), 'Put on the first table');
          await client.send(new DeleteTableCommand({ TableName: name }));
          expect(codeOf(await answerOf(client.send(new DescribeTableCommand({ TableName: name })))), 'the table is gone').toBe('ResourceNotFoundException');
          const second = await createTable(client, name);
          const get = await ddbGet(client, second.arn);
          expect(codeOf(get), 'Get on the re-created table').toBe('ok');
          const out = (get as { output: { Policy?: string; RevisionId?: string } }).output;
          expect(out.Policy).toBe(doc);
          expect(out.RevisionId).toBe(rev);
          return `after DeleteTable and CreateTable of the same name, GetResourcePolicy returns the old table's policy and RevisionId (${rev})`;
        },
        (client) => dropTable(client, name),
      );
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.too-large',
    kind: 'wrong-answer',
    aws: 'A policy over 20 480 bytes: ValidationException (§7.5, aws-observed; 20 480 bytes = switch ddb.policySizeLimit settled)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const base = ddbGrant(t.arn);
        const padTo = (bytes: number) => `${base.slice(0, -1)}${' '.repeat(bytes - Buffer.byteLength(base))}}`;
        const atLimit = await ddbPut(c, t.arn, padTo(20480));
        expect(codeOf(atLimit), '20 480 bytes').toBe('ok');
        const over = await ddbPut(c, t.arn, padTo(20481));
        expect(codeOf(over), '20 481 bytes').toBe('LimitExceededException');
        return `20 480 bytes accepted (the limit is right); 20 481 bytes: ${show(over)} instead of ValidationException`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.not-json',
    kind: 'wrong-answer',
    aws: 'A policy that is not JSON: ValidationException "Invalid policy document" (§1.3, §1.5, aws-verified)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const put = await ddbPut(c, t.arn, 'this is not a policy');
        expect(codeOf(put), 'Put of "this is not a policy"').toBe('ok');
        const get = await ddbGet(c, t.arn);
        expect(policyOf(get, 'Get')).toBe('this is not a policy');
        return `PutResourcePolicy with Policy "this is not a policy": ${show(put)}; Get returns it`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.invalid-grammar',
    kind: 'wrong-answer',
    aws: 'JSON that is not a policy (no Statement): ValidationException (§1.3, §1.5, §7.7, aws-verified)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const doc = JSON.stringify({ Version: '2012-10-17' });
        const put = await ddbPut(c, t.arn, doc);
        expect(codeOf(put), 'Put of a document without Statement').toBe('ok');
        return `PutResourcePolicy with ${doc}: ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.invalid-action',
    kind: 'wrong-answer',
    aws: 'A table policy allowing a stream action (dynamodb:GetRecords): ValidationException "The following action names are invalid" (§1.6, §7.7, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const put = await ddbPut(c, t.arn, ddbGrant(t.arn, 'StreamActionOnTable', 'dynamodb:GetRecords'));
        expect(codeOf(put), 'Put of a table policy with dynamodb:GetRecords').toBe('ok');
        return `PutResourcePolicy on a table allowing dynamodb:GetRecords (a stream action): ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.public',
    kind: 'wrong-answer',
    aws: 'An Allow to Principal "*" without a condition is refused by Block Public Access: ValidationException ("unbounded access") (§1.6, §7.7, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'dynamodb:GetItem', Resource: t.arn }] });
        const put = await ddbPut(c, t.arn, doc);
        expect(codeOf(put), 'Put of a public policy').toBe('ok');
        return `PutResourcePolicy allowing Principal "*" dynamodb:GetItem without a condition: ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.self-lockout',
    kind: 'wrong-answer',
    aws: 'A Deny of dynamodb:PutResourcePolicy covering the caller, without ConfirmRemoveSelfResourceAccess=true: AccessDeniedException (HTTP 400) (§7.8, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'dynamodb:PutResourcePolicy', Resource: t.arn }] });
        const put = await ddbPut(c, t.arn, doc);
        expect(codeOf(put), 'Put of a self-lockout policy without the confirmation').toBe('ok');
        return `PutResourcePolicy denying everyone dynamodb:PutResourcePolicy, without ConfirmRemoveSelfResourceAccess: ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.identical',
    kind: 'wrong-answer',
    aws: 'Re-putting the attached document returns the same RevisionId and changes nothing (§1.5, aws-verified; §7.4: also for equivalent documents)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const doc = ddbGrant(t.arn);
        const first = revisionOf(await ddbPut(c, t.arn, doc), 'first Put');
        const again = revisionOf(await ddbPut(c, t.arn, doc), 'the same bytes again');
        expect(again, 'RevisionId of the identical re-put').not.toBe(first);
        const get = await ddbGet(c, t.arn);
        expect((get as { output: { RevisionId?: string } }).output.RevisionId).toBe(again);
        return `putting the same bytes twice gave two RevisionIds (${first}, then ${again}); Get shows the new one`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.delete.no-policy',
    kind: 'wrong-answer',
    aws: 'DeleteResourcePolicy without ExpectedRevisionId on a table without a policy: 200 with an empty body, no RevisionId (§1.5, §7.9, aws-observed; RevisionId is 1..255 characters when present)',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const del = await ddbDelete(c, t.arn);
        expect(codeOf(del)).toBe('ok');
        const out = (del as { output: Record<string, unknown> }).output;
        expect('RevisionId' in out && out.RevisionId === '', 'RevisionId is present and empty').toBe(true);
        return 'DeleteResourcePolicy on a table that never had a policy: ok {"RevisionId":""} (an empty RevisionId, outside its documented 1..255 length)';
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.with-policy',
    // Partly without effect (the table or stream came and went, its policy did not): the suite's hidden-effect
    // kinds name a write that did nothing at all, so this is a wrong answer of the rule that says what it keeps.
    kind: 'wrong-answer',
    aws: 'CreateTable with ResourcePolicy attaches that document: GetResourcePolicy returns it (§1.5, documented; readable ~2 s after CreateTable, §7.10)',
    async run(ctx) {
      const name = `${ctx.prefix}-t`;
      return withClient(
        new DynamoDBClient(plainClientConfig(ctx)),
        async (client) => {
          // The document names the new table by ARN and grants the caller's own account: learn the account from a
          // table created first (ministack puts it in every ARN it returns).
          const scout = await createTable(client, `${ctx.prefix}-scout`);
          const arn = scout.arn.replace(/table\/.*$/, `table/${name}`);
          const t = await createTable(client, name, { policy: ddbGrant(arn) });
          expect(t.arn).toBe(arn);
          const get = await ddbGet(client, t.arn);
          expect(codeOf(get), 'Get right after CreateTable with ResourcePolicy').toBe('PolicyNotFoundException');
          await sleep(2500);
          const later = await ddbGet(client, t.arn);
          expect(codeOf(later), 'Get 2.5 s later').toBe('PolicyNotFoundException');
          return `CreateTable with a valid ResourcePolicy succeeded, but GetResourcePolicy answers ${show(later)}, also 2.5 s later: the ResourcePolicy parameter is ignored`;
        },
        async (client) => {
          await dropTable(client, `${ctx.prefix}-scout`);
          await dropTable(client, name);
        },
      );
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.policy-invalid',
    kind: 'wrong-answer',
    aws: 'CreateTable with an invalid ResourcePolicy: ValidationException, no table (§1.5, assumed)',
    async run(ctx) {
      const name = `${ctx.prefix}-t`;
      return withClient(
        new DynamoDBClient(plainClientConfig(ctx)),
        async (client) => {
          const created = await answerOf(client.send(new CreateTableCommand(tableInput(name, { policy: 'this is not a policy' }))));
          expect(codeOf(created), 'CreateTable with ResourcePolicy "this is not a policy"').toBe('ok');
          const described = await answerOf(client.send(new DescribeTableCommand({ TableName: name })));
          expect(codeOf(described), 'the table exists').toBe('ok');
          return `CreateTable with ResourcePolicy "this is not a policy": ok, table ${String((created as { output: { TableDescription?: { TableStatus?: string } } }).output.TableDescription?.TableStatus)}`;
        },
        (client) => dropTable(client, name),
      );
    },
  },
];

// ===============================================================================================================
// DynamoDB: old entries that are not departures

const ddbContradictions: Contradiction[] = [
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.create',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.createtable.policy-invalid: ministack had created the table from a CreateTable with an invalid ResourcePolicy (which the model took as refused), so the next CreateTable of that name answered ResourceInUseException',
    async run(ctx) {
      return withTable(ctx, 't', { stream: true }, async (c, t) => {
        expect(t.streamArn, 'LatestStreamArn').toMatch(new RegExp(`^${t.arn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/stream/.+`));
        expect(codeOf(await ddbGet(c, t.arn)), 'a new table has no policy').toBe('PolicyNotFoundException');
        return `CreateTable of a new name with a stream: ACTIVE, LatestStreamArn ${t.streamArn!.slice(t.arn.length)}, no policy`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.policy-invalid',
    kind: 'wrong-answer',
    explainedBy: { switch: 'ddb.createTableCheckOrder', value: 'exists-first' },
    why: 'Vacuous switch: ministack never validates CreateTable.ResourcePolicy (the plain ddb.createtable.policy-invalid entry), so ResourceInUseException for a taken name is its only check, not an order of two checks; under either order it departs the same way',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const taken = await answerOf(c.send(new CreateTableCommand(tableInput(t.name, { policy: 'this is not a policy' }))));
        expect(codeOf(taken), 'taken name + invalid policy').toBe('ResourceInUseException');
        const freshName = `${ctx.prefix}-fresh`;
        try {
          const fresh = await answerOf(c.send(new CreateTableCommand(tableInput(freshName, { policy: 'this is not a policy' }))));
          // If ministack did validate the policy, the fresh name would be refused and exists-first would be a real
          // observation about check order; it is not refused.
          expect(codeOf(fresh), 'fresh name + invalid policy').toBe('ok');
          return `taken name + invalid policy: ${show(taken)}; fresh name + the same invalid policy: ok — there is no policy check to order`;
        } finally {
          await dropTable(c, freshName);
        }
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.with-policy',
    kind: 'wrong-answer',
    explainedBy: { switch: 'ddb.deleteRevisionId', value: 'any' },
    why: 'Consequence of ddb.createtable.with-policy (the policy was never attached): the "" was the no-policy answer of DeleteResourcePolicy (ddb.delete.no-policy), which no ddb.deleteRevisionId value allows (RevisionId is 1..255); after a real delete ministack returns the removed RevisionId, the default',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const rev = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn)), 'Put');
        const del = await ddbDelete(c, t.arn);
        expect(codeOf(del)).toBe('ok');
        expect((del as { output: { RevisionId?: string } }).output.RevisionId, 'Delete returns the removed RevisionId').toBe(rev);
        return `DeleteResourcePolicy after a real Put returns exactly the removed RevisionId (${rev}): ddb.deleteRevisionId=removed-policy, no switch needed`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.delete.removes',
    kind: 'wrong-answer',
    why: 'Not an old entry, but named in the issue: the empty RevisionId only answers a Delete on a resource without a policy (ddb.delete.no-policy); a Delete that removes a policy returns the removed policy\'s RevisionId and removes it',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const rev = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn)), 'Put');
        const del = await ddbDelete(c, t.arn);
        expect(revisionOf(del, 'Delete')).toBe(rev);
        expect(codeOf(await ddbGet(c, t.arn)), 'Get after Delete').toBe('PolicyNotFoundException');
        return `DeleteResourcePolicy of a policy: ok {"RevisionId":"${rev}"} (the removed one); Get then answers PolicyNotFoundException`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.delete.revision-mismatch',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.put.identical: after an identical re-put ministack holds a new RevisionId the model did not expect, so a Delete with that (current) id succeeded where the model wanted PolicyNotFoundException',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const r1 = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn, 'A')), 'Put A');
        const r2 = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn, 'B')), 'Put B');
        const del = await ddbDelete(c, t.arn, r1);
        expect(codeOf(del), 'Delete with the stale RevisionId').toBe('PolicyNotFoundException');
        expect((await ddbGet(c, t.arn) as { output: { RevisionId?: string } }).output.RevisionId, 'the policy stays').toBe(r2);
        return `DeleteResourcePolicy with the stale RevisionId: ${show(del)}, the current policy stays`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.delete.revision-without-policy',
    kind: 'wrong-answer',
    why: 'Misattribution of ddb.stream.outlives-table: the witness was a Delete with ExpectedRevisionId on the stream ARN of a deleted table, which ministack answers ResourceNotFoundException whatever the revision',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const del = await ddbDelete(c, t.arn, 'never-issued-revision');
        expect(codeOf(del)).toBe('PolicyNotFoundException');
        return `DeleteResourcePolicy with ExpectedRevisionId on a table without a policy: ${show(del)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.deletetable.not-found',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.createtable.policy-invalid: the table the model thought missing had been created by a CreateTable with an invalid ResourcePolicy, so DeleteTable succeeded',
    async run(ctx) {
      return withClient(new DynamoDBClient(plainClientConfig(ctx)), async (client) => {
        const del = await answerOf(client.send(new DeleteTableCommand({ TableName: `${ctx.prefix}-never-created` })));
        expect(codeOf(del)).toBe('ResourceNotFoundException');
        return `DeleteTable of a name never created: ${show(del)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.get.no-policy',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.policy.public: the policy Get showed was a public one ministack had accepted where the model expected ValidationException',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const get = await ddbGet(c, t.arn);
        expect(codeOf(get)).toBe('PolicyNotFoundException');
        return `GetResourcePolicy on a table without a policy: ${show(get)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.get.policy',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.policy.public: Get showed the public policy ministack had accepted, where the model still held the previous one',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Spaced', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountOf(t.arn)}:root` }, Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: t.arn }] }, null, 2);
        const rev = revisionOf(await ddbPut(c, t.arn, doc), 'Put');
        const get = await ddbGet(c, t.arn);
        expect(codeOf(get)).toBe('ok');
        const out = (get as { output: { Policy?: string; RevisionId?: string } }).output;
        expect(sameJson(out.Policy, doc), 'the same policy (as parsed JSON)').toBe(true);
        expect(out.RevisionId).toBe(rev);
        return `GetResourcePolicy returns the document put (byte for byte: ${out.Policy === doc}) and the RevisionId Put returned`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.create',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.deletetable.drops-policy: the re-created table still had the old policy, so a Put with ExpectedRevisionId=NO_POLICY answered PolicyNotFoundException',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const rev = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn), { ExpectedRevisionId: 'NO_POLICY' }), 'Put with NO_POLICY on a new table');
        expect((await ddbGet(c, t.arn) as { output: { RevisionId?: string } }).output.RevisionId).toBe(rev);
        return `PutResourcePolicy (ExpectedRevisionId=NO_POLICY) on a table without a policy: ok, RevisionId ${rev}; Get shows it`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.no-policy-expected',
    kind: 'wrong-answer',
    why: 'Misattribution of ddb.stream.outlives-table: the witness put with NO_POLICY on the stream ARN of a deleted table, which ministack answers ResourceNotFoundException',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const rev = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn, 'A')), 'Put A');
        const put = await ddbPut(c, t.arn, ddbGrant(t.arn, 'B'), { ExpectedRevisionId: 'NO_POLICY' });
        expect(codeOf(put)).toBe('PolicyNotFoundException');
        expect((await ddbGet(c, t.arn) as { output: { RevisionId?: string } }).output.RevisionId).toBe(rev);
        return `PutResourcePolicy with NO_POLICY while a policy exists: ${show(put)}, the policy stays`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.revision-mismatch',
    kind: 'wrong-answer',
    why: 'Misattribution of ddb.stream.outlives-table: the witness put with a stale ExpectedRevisionId on the stream ARN of a deleted table, which ministack answers ResourceNotFoundException',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const r1 = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn, 'A')), 'Put A');
        const r2 = revisionOf(await ddbPut(c, t.arn, ddbGrant(t.arn, 'B')), 'Put B');
        const put = await ddbPut(c, t.arn, ddbGrant(t.arn, 'C'), { ExpectedRevisionId: r1 });
        expect(codeOf(put)).toBe('PolicyNotFoundException');
        expect((await ddbGet(c, t.arn) as { output: { RevisionId?: string } }).output.RevisionId).toBe(r2);
        return `PutResourcePolicy with a stale ExpectedRevisionId: ${show(put)}, the current policy stays`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.revision-without-policy',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.policy.not-json: ministack had stored "this is not a policy" (the model took it as refused), and the witness then put with that policy\'s RevisionId',
    async run(ctx) {
      return withTable(ctx, 't', {}, async (c, t) => {
        const put = await ddbPut(c, t.arn, ddbGrant(t.arn), { ExpectedRevisionId: 'never-issued-revision' });
        expect(codeOf(put)).toBe('PolicyNotFoundException');
        expect(codeOf(await ddbGet(c, t.arn)), 'nothing attached').toBe('PolicyNotFoundException');
        return `PutResourcePolicy with ExpectedRevisionId on a table without a policy: ${show(put)}, nothing attached`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.stream.supported',
    kind: 'wrong-answer',
    why: 'Misattribution of ddb.delete.no-policy: the witness was a Delete on a stream without a policy answered {"RevisionId":""}, the same empty RevisionId as on a table; with a policy the stream behaves like a table',
    async run(ctx) {
      return withTable(ctx, 't', { stream: true }, async (c, t) => {
        const s = t.streamArn!;
        expect(s, 'LatestStreamArn').toBeTypeOf('string');
        const doc = ddbGrant(s, 'Stream', 'dynamodb:GetRecords');
        const rev = revisionOf(await ddbPut(c, s, doc), 'Put on the stream');
        const get = await ddbGet(c, s);
        expect(codeOf(get)).toBe('ok');
        expect((get as { output: { Policy?: string; RevisionId?: string } }).output).toMatchObject({ Policy: doc, RevisionId: rev });
        expect(codeOf(await ddbGet(c, t.arn)), 'the table has its own slot').toBe('PolicyNotFoundException');
        expect(revisionOf(await ddbDelete(c, s), 'Delete on the stream')).toBe(rev);
        expect(codeOf(await ddbGet(c, s)), 'Get after Delete').toBe('PolicyNotFoundException');
        return 'on the stream ARN: Put → RevisionId, Get → the document and that RevisionId (the table keeps none), Delete → the removed RevisionId, Get → PolicyNotFoundException';
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.table.not-found',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.createtable.policy-invalid: the table the model thought missing existed (created by a CreateTable with an invalid ResourcePolicy); the {"RevisionId":""} was the no-policy Delete answer',
    async run(ctx) {
      return withClient(
        new DynamoDBClient(plainClientConfig(ctx)),
        async (client) => {
          const known = await createTable(client, `${ctx.prefix}-t`);
          const missing = known.arn.replace(/table\/.*$/, `table/${ctx.prefix}-never-created`);
          const answers = [await ddbPut(client, missing, ddbGrant(missing)), await ddbGet(client, missing), await ddbDelete(client, missing)];
          expect(answers.map(codeOf)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
          return 'Put/Get/DeleteResourcePolicy on the ARN of a table that does not exist: ResourceNotFoundException each';
        },
        (client) => dropTable(client, `${ctx.prefix}-t`),
      );
    },
  },
];

// ===============================================================================================================
// Kinesis: departures

const kinProbes: Probe[] = [
  {
    service: 'kinesis',
    rule: 'kin.arn.invalid',
    kind: 'wrong-answer',
    explainedBy: { switch: 'kin.invalidArnError', value: 'InvalidArgumentException' },
    aws: 'A ResourceARN breaking the documented length/pattern: the model reads ValidationException (§2.2, §2.3, assumed); the code is the open switch kin.invalidArnError',
    async run(ctx) {
      return withClient(new KinesisClient(plainClientConfig(ctx)), async (client) => {
        const answers = await Promise.all(['not-an-arn', '', `arn:aws:s3:::${ctx.prefix}-bucket`].map((arn) => kinGet(client, arn)));
        expect(answers.map(codeOf)).toEqual(['InvalidArgumentException', 'InvalidArgumentException', 'InvalidArgumentException']);
        return `GetResourcePolicy with "not-an-arn", "" and an S3 ARN: ${answers.map(show).join(', ')}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.arn.invalid',
    kind: 'wrong-answer',
    aws: 'One error code for every ResourceARN breaking the documented length 1..2048 or pattern (§2.2): with InvalidArgumentException for "not-an-arn", also for a 2049-character ARN',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const long = `${arn}${'x'.repeat(2048)}`.slice(0, 2049);
        const tooLong = await kinGet(c, long);
        const notArn = await kinGet(c, 'not-an-arn');
        expect(codeOf(notArn)).toBe('InvalidArgumentException');
        expect(codeOf(tooLong), 'a 2049-character stream ARN').toBe('ResourceNotFoundException');
        return `a 2049-character ResourceARN: ${show(tooLong)}, while "not-an-arn": ${show(notArn)} — two codes for one rule (ministack never checks the length, it looks the stream up)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.arn.unknown',
    kind: 'wrong-answer',
    aws: 'A pattern-valid ResourceARN of another account: ResourceNotFoundException (the model\'s default) or another value of switch kin.unknownArnError — never UnrecognizedClientException (§2.2, §2.3, assumed)',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const account = accountOf(arn);
        const otherAccount = await kinGet(c, arn.replace(`:${account}:`, account === '999999999999' ? ':111111111111:' : ':999999999999:'));
        const otherRegion = await kinGet(c, arn.replace(`:${ctx.region}:`, ctx.region === 'us-west-2' ? ':eu-west-1:' : ':us-west-2:'));
        const extraSegment = await kinGet(c, `${arn}/shard/shardId-000000000000`);
        expect(codeOf(otherAccount), 'the stream ARN in another account').toBe('UnrecognizedClientException');
        expect(codeOf(otherRegion), 'the stream ARN in another region').toBe('InvalidArgumentException');
        expect(codeOf(extraSegment), 'the stream ARN + /shard/…').toBe('ResourceNotFoundException');
        return `another account: ${show(otherAccount)} (no value of kin.unknownArnError); another region: ${show(otherRegion)}; an extra segment: ${show(extraSegment)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.put.create',
    kind: 'wrong-answer',
    aws: 'PutResourcePolicy of a grammatical policy on a stream without one: 200, attached (§2.5, aws-verified; the model refuses only non-JSON / non-policy documents, kin.policy.invalid)',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const doc = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: ['kinesis:PutResourcePolicy', 'kinesis:DeleteResourcePolicy'], Resource: arn }],
        });
        const put = await kinPut(c, arn, doc);
        expect(codeOf(put), 'Put of a Deny of the policy actions').toBe('InvalidArgumentException');
        expect(policyOf(await kinGet(c, arn), 'Get')).toBe('{}');
        return `PutResourcePolicy of a Deny of kinesis:PutResourcePolicy/DeleteResourcePolicy on a stream without a policy: ${show(put)} ("action names are invalid"; ministack also refuses a Resource other than the ARN and a missing Version); nothing attached`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.has-consumers',
    kind: 'wrong-answer',
    aws: 'DeleteStream of a stream with a registered consumer, without EnforceConsumerDeletion=true: ResourceInUseException, the stream stays (§2.4, Kinesis API DeleteStream, documented)',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn, name) => {
        await registerConsumer(c, arn, `${ctx.prefix}-c`);
        const del = await answerOf(c.send(new DeleteStreamCommand({ StreamName: name })));
        expect(codeOf(del), 'DeleteStream without EnforceConsumerDeletion').toBe('ok');
        expect(await streamStatus(c, name), 'the stream is gone').toBe('ResourceNotFoundException');
        return `DeleteStream of a stream with a consumer, without EnforceConsumerDeletion: ${show(del)}; the stream is gone`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.limit',
    kind: 'wrong-answer',
    aws: 'A stream holds at most 20 consumers: registering a 21st answers LimitExceededException (§2.4, Kinesis API RegisterStreamConsumer, documented)',
    notAlways: 'the generator registers at most two consumers per stream: the 20-consumer limit is out of its reach',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        for (let i = 1; i <= 20; i++) await registerConsumer(c, arn, `${ctx.prefix}-c${i}`);
        const reg = await answerOf(c.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: `${ctx.prefix}-c21` })));
        expect(codeOf(reg), 'the 21st RegisterStreamConsumer').toBe('ok');
        return `the 21st RegisterStreamConsumer on one stream: ok, ${String((reg as { output: { Consumer?: { ConsumerStatus?: string } } }).output.Consumer?.ConsumerStatus)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.create',
    kind: 'wrong-answer',
    aws: 'A new consumer gets a new ConsumerARN: AWS keeps a deregistered consumer DELETING for seconds, so a re-registration never shares its creation second, nor inherits its policy (§2.2, §2.4, assumed)',
    notAlways: 'only when the re-registration falls in the same second as the first registration (the ARN ends in whole seconds)',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const name = `${ctx.prefix}-c`;
        // ministack removes a deregistered consumer at once and stamps ConsumerARNs with whole seconds: register at
        // the start of a second, deregister, register again — the same second, the same ARN.
        for (let attempt = 0; attempt < 5; attempt++) {
          while (Date.now() % 1000 > 100) await sleep(5);
          const before = await registerConsumer(c, arn, name);
          expect(codeOf(await kinPut(c, before, consumerGrant(before, 'Old'))), 'Put on the first consumer').toBe('ok');
          await c.send(new DeregisterStreamConsumerCommand({ ConsumerARN: before }));
          const after = await registerConsumer(c, arn, name);
          if (after === before) {
            const get = await kinGet(c, after);
            return `a consumer deregistered and registered again under its name got the same ConsumerARN (${after.replace(arn, '<stream ARN>')}); Get on it: ${show(get)}`;
          }
          await c.send(new DeregisterStreamConsumerCommand({ ConsumerARN: after }));
        }
        expect.fail('the re-registered consumer always got a new ConsumerARN (as on AWS)');
      });
    },
  },
];

// ===============================================================================================================
// Kinesis: old entries that are not departures

const kinContradictions: Contradiction[] = [
  {
    service: 'kinesis',
    rule: 'kin.consumer.gone',
    kind: 'wrong-answer',
    why: 'Check order, not this rule: the witness sent "this is not a policy" to a deregistered consumer, and ministack validates the document before it looks the resource up (InvalidArgumentException); with an accepted document, and for Get/Delete, a gone consumer answers ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const consumer = await registerConsumer(c, arn, `${ctx.prefix}-c`);
        expect(codeOf(await kinPut(c, consumer, consumerGrant(consumer))), 'Put on the live consumer').toBe('ok');
        await c.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumer }));
        const answers = [await kinPut(c, consumer, consumerGrant(consumer, 'Again')), await kinGet(c, consumer), await kinDelete(c, consumer)];
        expect(answers.map(codeOf)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
        return 'Put (an accepted document)/Get/Delete on a deregistered consumer\'s ARN: ResourceNotFoundException each';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.consumer.not-found',
    kind: 'wrong-answer',
    why: 'Check order, not this rule: the witness put "this is not a policy" on a consumer ARN naming no consumer, and ministack validates the document first (InvalidArgumentException); otherwise it answers ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const nobody = `${arn}/consumer/${ctx.prefix}-c:1000000000`;
        const answers = [await kinPut(c, nobody, consumerGrant(nobody)), await kinGet(c, nobody), await kinDelete(c, nobody)];
        expect(answers.map(codeOf)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
        return 'Put (an accepted document)/Get/Delete on a consumer ARN that names no consumer: ResourceNotFoundException each';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.consumer.own-policy',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: ministack had deleted the stream (and its consumer) on a DeleteStream the model took as refused, so the consumer Get answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const consumer = await registerConsumer(c, arn, `${ctx.prefix}-c`);
        expect(codeOf(await kinPut(c, arn, kinGrant(arn))), 'Put on the stream').toBe('ok');
        expect(policyOf(await kinGet(c, consumer), 'Get on the consumer')).toBe('{}');
        return 'with a policy on the stream, GetResourcePolicy on its consumer (none of its own): ok {"Policy":"{}"}';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.createstream.exists',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the stream had been deleted by the DeleteStream the model took as refused, so CreateStream of its name succeeded',
    async run(ctx) {
      return withStream(ctx, 's', async (c, _arn, name) => {
        const again = await answerOf(c.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 })));
        expect(codeOf(again)).toBe('ResourceInUseException');
        return `CreateStream of an existing stream's name: ${show(again)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.delete.removes',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the stream was gone (deleted by a DeleteStream the model took as refused), so DeleteResourcePolicy answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        expect(codeOf(await kinPut(c, arn, kinGrant(arn))), 'Put').toBe('ok');
        const del = await kinDelete(c, arn);
        expect(codeOf(del)).toBe('ok');
        expect(Object.keys((del as { output: Record<string, unknown> }).output).filter((k) => k !== '$metadata')).toEqual([]);
        expect(policyOf(await kinGet(c, arn), 'Get after Delete')).toBe('{}');
        return 'DeleteResourcePolicy of a stream policy: 200 with an empty body; Get then shows "{}"';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.delete',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the stream was already gone (deleted by the DeleteStream the model took as refused), so the forced DeleteStream answered ResourceNotFoundException',
    async run(ctx) {
      const name = `${ctx.prefix}-s`;
      return withClient(
        new KinesisClient(plainClientConfig(ctx)),
        async (client) => {
          const arn = await createStream(client, name);
          const consumer = await registerConsumer(client, arn, `${ctx.prefix}-c`);
          expect(codeOf(await kinPut(client, arn, kinGrant(arn))), 'Put on the stream').toBe('ok');
          expect(codeOf(await kinPut(client, consumer, consumerGrant(consumer))), 'Put on the consumer').toBe('ok');
          const del = await answerOf(client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true })));
          expect(codeOf(del)).toBe('ok');
          expect(await streamStatus(client, name), 'the stream').toBe('ResourceNotFoundException');
          expect(codeOf(await kinGet(client, arn)), 'Get on the stream').toBe('ResourceNotFoundException');
          expect(codeOf(await answerOf(client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer })))), 'its consumer').toBe('ResourceNotFoundException');
          expect(codeOf(await kinGet(client, consumer)), 'Get on its consumer').toBe('ResourceNotFoundException');
          await createStream(client, name);
          expect(policyOf(await kinGet(client, arn), 'Get on the re-created stream')).toBe('{}');
          return 'DeleteStream (EnforceConsumerDeletion) removes the stream, its policy and its consumer with its policy; a re-created stream shows "{}"';
        },
        (client) => answerOf(client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }))),
      );
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deregister.delete',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the consumer had gone with its stream (deleted by the DeleteStream the model took as refused), so DeregisterStreamConsumer answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const consumer = await registerConsumer(c, arn, `${ctx.prefix}-c`);
        expect(codeOf(await kinPut(c, consumer, consumerGrant(consumer))), 'Put on the consumer').toBe('ok');
        const dereg = await answerOf(c.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumer })));
        expect(codeOf(dereg)).toBe('ok');
        expect(codeOf(await answerOf(c.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer })))), 'Describe after Deregister').toBe('ResourceNotFoundException');
        expect(codeOf(await kinGet(c, consumer)), 'Get after Deregister').toBe('ResourceNotFoundException');
        return 'DeregisterStreamConsumer: ok; the consumer and its policy are gone (Describe and Get answer ResourceNotFoundException)';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.describeconsumer.found',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the consumer had gone with its stream (deleted by the DeleteStream the model took as refused), so DescribeStreamConsumer answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const name = `${ctx.prefix}-c`;
        const consumer = await registerConsumer(c, arn, name);
        const byArn = await c.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer }));
        const byName = await c.send(new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: name }));
        expect(byArn.ConsumerDescription?.ConsumerARN).toBe(consumer);
        expect(byName.ConsumerDescription?.ConsumerARN).toBe(consumer);
        return 'DescribeStreamConsumer by ConsumerARN and by StreamARN + ConsumerName: the ConsumerARN RegisterStreamConsumer returned';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.get.no-policy',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the stream had been deleted by the DeleteStream the model took as refused, so Get answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const get = await kinGet(c, arn);
        expect(policyOf(get, 'Get')).toBe('{}');
        return `GetResourcePolicy on a stream without a policy: ${show(get)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.get.policy',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the stream had been deleted by the DeleteStream the model took as refused, so Get answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const doc = kinGrant(arn);
        expect(codeOf(await kinPut(c, arn, doc)), 'Put').toBe('ok');
        const policy = policyOf(await kinGet(c, arn), 'Get');
        expect(sameJson(policy, doc)).toBe(true);
        return `GetResourcePolicy returns the document put (byte for byte: ${policy === doc})`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.put.replace',
    kind: 'wrong-answer',
    why: 'Same cause as kin.put.create (one entry): the witness\'s document (a Deny of the policy actions) is what ministack refuses, on a stream with or without a policy; a replacement with a document it accepts works',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        expect(codeOf(await kinPut(c, arn, kinGrant(arn, 'kinesis:GetRecords', 'First'))), 'first Put').toBe('ok');
        const second = kinGrant(arn, 'kinesis:DescribeStreamSummary', 'Second');
        const put = await kinPut(c, arn, second);
        expect(codeOf(put)).toBe('ok');
        expect(sameJson(policyOf(await kinGet(c, arn), 'Get'), second), 'Get shows the replacement').toBe(true);
        return 'PutResourcePolicy over an existing policy: 200; Get shows only the new document';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.exists',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: the stream had been deleted by the DeleteStream the model took as refused, so RegisterStreamConsumer answered ResourceNotFoundException',
    async run(ctx) {
      return withStream(ctx, 's', async (c, arn) => {
        const name = `${ctx.prefix}-c`;
        await registerConsumer(c, arn, name);
        const again = await answerOf(c.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name })));
        expect(codeOf(again)).toBe('ResourceInUseException');
        return `RegisterStreamConsumer of a name the stream already has: ${show(again)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.stream.not-found',
    kind: 'wrong-answer',
    why: 'Check order, not this rule: the witness put "this is not a policy" on a stream that does not exist, and ministack validates the document first (InvalidArgumentException); otherwise it answers ResourceNotFoundException',
    async run(ctx) {
      return withClient(
        new KinesisClient(plainClientConfig(ctx)),
        async (client) => {
          const existing = await createStream(client, `${ctx.prefix}-s`);
          const missing = existing.replace(/stream\/.*$/, `stream/${ctx.prefix}-never-created`);
          const answers = [await kinPut(client, missing, kinGrant(missing)), await kinGet(client, missing), await kinDelete(client, missing)];
          expect(answers.map(codeOf)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
          return 'Put (an accepted document)/Get/Delete on the ARN of a stream that does not exist: ResourceNotFoundException each';
        },
        (client) => answerOf(client.send(new DeleteStreamCommand({ StreamName: `${ctx.prefix}-s`, EnforceConsumerDeletion: true }))),
      );
    },
  },
];

// ===============================================================================================================
// SSM (parameters only: ministack has no SSM resource-policy operations, see ministackUnsupported)

const ssmProbes: Probe[] = [
  {
    service: 'ssm',
    rule: 'ssm.putparameter.downgrade',
    kind: 'wrong-answer',
    aws: 'PutParameter with Overwrite=true and Tier=Standard on an Advanced parameter: ValidationException, the parameter stays Advanced (§3.5, assumed)',
    async run(ctx) {
      return withParameter(ctx, 'p', async (c, name) => {
        expect(tierOf(await putParameter(c, name, { Tier: 'Advanced' }), 'create Advanced').Tier).toBe('Advanced');
        const down = tierOf(await putParameter(c, name, { Tier: 'Standard', Overwrite: true }), 'overwrite as Standard');
        expect(down).toEqual({ Version: 2, Tier: 'Standard' });
        const read = await c.send(new GetParameterCommand({ Name: name }));
        return `PutParameter Overwrite=true Tier=Standard on an Advanced parameter: ok {"Version":2,"Tier":"Standard"} (GetParameter: version ${read.Parameter?.Version})`;
      });
    },
  },
];

const ssmContradictions: Contradiction[] = [
  {
    service: 'ssm',
    rule: 'ssm.putparameter.overwrite',
    kind: 'wrong-answer',
    why: 'Consequence of ssm.putparameter.downgrade: ministack had made the parameter Standard on the downgrade the model took as refused, so the next overwrite without a Tier said Standard where the model still had Advanced',
    async run(ctx) {
      return withParameter(ctx, 'adv', async (c, advanced) =>
        withParameter(ctx, 'std', async (_c, standard) => {
          tierOf(await putParameter(c, advanced, { Tier: 'Advanced' }), 'create Advanced');
          expect(tierOf(await putParameter(c, advanced, { Overwrite: true }), 'overwrite without Tier')).toEqual({ Version: 2, Tier: 'Advanced' });
          tierOf(await putParameter(c, standard, { Tier: 'Standard' }), 'create Standard');
          expect(tierOf(await putParameter(c, standard, { Tier: 'Advanced', Overwrite: true }), 'overwrite as Advanced')).toEqual({ Version: 2, Tier: 'Advanced' });
          return 'overwrite without Tier keeps Advanced (Version 2); overwrite with Tier=Advanced raises a Standard parameter (Version 2)';
        }),
      );
    },
  },
];

// ===============================================================================================================


// ===============================================================================================================
// Operations ministack does not serve (the old file's "unsupported" list). Not departures: the suite reports them as
// unsupported. probe.ts has no slot for these, so they are a list of their own (same shape as motoUnsupported).


const ssmUnsupported = SSM_POLICY_CALLS.map(
  ([operation, call]): UnsupportedProbe => ({
    service: 'ssm',
    operation,
    aws: `SSM ${operation} on an Advanced parameter (§3.6)`,
    async run(ctx) {
      return withParameter(ctx, operation.toLowerCase(), async (c, name) => {
        tierOf(await putParameter(c, name, { Tier: 'Advanced' }), 'create Advanced');
        const read = await c.send(new GetParameterCommand({ Name: name }));
        expect(read.Parameter?.ARN, 'ministack serves SSM parameters').toBeTypeOf('string');
        const r = await answerOf(call(c, read.Parameter!.ARN!));
        expect(codeOf(r)).toBe('InvalidAction');
        expect(r.ok ? '' : r.message).toBe(`Unknown action: ${operation}`);
        return `${operation} on an existing Advanced parameter: ${show(r)} "Unknown action: ${operation}" (PutParameter/GetParameter work)`;
      });
    },
  }),
);

const xrayUnsupported = XRAY_POLICY_CALLS.map(
  ([operation, call]): UnsupportedProbe => ({
    service: 'xray',
    operation,
    aws: `X-Ray ${operation} (§4.5)`,
    async run(ctx) {
      return withClient(new XRayClient(plainClientConfig(ctx)), async (client) => {
        // ministack's first request for a service it does not serve can take 8-16 s on a loaded 2-core machine (it
        // initialises lazily), more than the client's 10 s request timeout: a call that got no HTTP answer is retried.
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            await call(client, `${ctx.prefix}-p`);
          } catch (e) {
            const err = e as { name?: string; error?: unknown; $metadata?: { httpStatusCode?: number } };
            if (err.$metadata?.httpStatusCode === undefined && attempt < 3) continue;
            expect(err.$metadata?.httpStatusCode, `${err.name}: no HTTP answer`).toBe(400);
            expect(err.name, 'no X-Ray error code in the answer').toBe('Unknown');
            // The body is {"error": "Unsupported service: xray"}; the SDK copies its members onto the error.
            expect(err.error).toBe('Unsupported service: xray');
            return `${operation}: HTTP 400 {"error":"Unsupported service: xray"} (no error code; SDK: ${err.name})`;
          }
          throw new Error(`ministack answered X-Ray ${operation}`);
        }
        throw new Error('unreachable');
      });
    },
  }),
);

export const ministackUnsupported: UnsupportedProbe[] = [...ssmUnsupported, ...xrayUnsupported];

export const ministackProbes: ProbeSet = {
  target: 'ministack',
  probes: [...ddbProbes, ...kinProbes, ...ssmProbes],
  contradictions: [...ddbContradictions, ...kinContradictions, ...ssmContradictions],
  unsupported: ministackUnsupported,
};
