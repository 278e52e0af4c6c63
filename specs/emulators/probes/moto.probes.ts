/**
 * Hand-written probes of moto 5.2.5 (the pin in scripts/moto-version.txt): each shows one real departure of moto
 * from AWS with plain SDK calls, or (contradictions) shows that an entry the old suite recorded is not one.
 * Verdicts and reasons, entry by entry: docs/emulators/moto-probes.md.
 *
 * Only the AWS SDK, node built-ins, ./client.ts and ./calls.ts are used here (see probe.ts).
 *
 * Facts about moto used below (a sceptical reader can check them against the calls themselves): its default account
 * for any non-account-id access key is 123456789012; tables and streams are ACTIVE as soon as CreateTable /
 * CreateStream answer.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteResourcePolicyCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  type GetResourcePolicyCommandInput,
  PutResourcePolicyCommand,
  type PutResourcePolicyCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteResourcePolicyCommand as KinDeleteResourcePolicyCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand as KinGetResourcePolicyCommand,
  type GetResourcePolicyCommandInput as KinGetResourcePolicyCommandInput,
  KinesisClient,
  ListStreamConsumersCommand,
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
  PutTraceSegmentsCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { expect } from 'vitest';
import type { ServiceName } from '../../../models/types.js';
import { SSM_POLICY_CALLS, XRAY_POLICY_CALLS } from './calls.js';
import { answerOf, plainClientConfig, withClient } from './client.js';
import type { Contradiction, Probe, ProbeContext, ProbeSet, UnsupportedProbe } from './probe.js';

/** moto's account for the dummy credentials plainClientConfig uses. */
const ACCOUNT = '123456789012';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Answer = Awaited<ReturnType<typeof answerOf>>;

function show(a: Answer): string {
  if (a.ok) {
    const { $metadata: _meta, ...rest } = a.output ?? {};
    return `200 ${JSON.stringify(rest).slice(0, 160)}`;
  }
  return `${a.code} (HTTP ${a.status ?? '?'})`;
}

function errorCode(a: Answer): string | undefined {
  return a.ok ? undefined : a.code;
}

/**
 * Each of `calls` in turn, and then all of them again (a crash answers the same way every time): every answer,
 * each expected to be HTTP 500 (`why` says what moto does), as text.
 */
async function http500Twice(calls: Array<() => Promise<unknown>>, why: string): Promise<string> {
  const answers: Answer[] = [];
  for (let attempt = 0; attempt < 2; attempt++) for (const call of calls) answers.push(await answerOf(call()));
  for (const a of answers) expect(a.ok === false && a.status, why).toBe(500);
  return answers.map(show).join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB helpers

function ddbClient(ctx: ProbeContext): DynamoDBClient {
  return new DynamoDBClient(plainClientConfig(ctx));
}

function ddbTableArn(ctx: ProbeContext, name: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ACCOUNT}:table/${name}`;
}

interface TableOptions {
  stream?: boolean;
  index?: string;
  policy?: string;
}

function tableInput(name: string, opts: TableOptions = {}): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(opts.index ? [{ AttributeName: 'gk', AttributeType: 'S' as const }] : [])],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ...(opts.index ? { GlobalSecondaryIndexes: [{ IndexName: opts.index, KeySchema: [{ AttributeName: 'gk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }] } : {}),
    ...(opts.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } } : {}),
    ...(opts.policy !== undefined ? { ResourcePolicy: opts.policy } : {}),
  };
}

/** Creates an ACTIVE table; returns its ARN and (with a stream) the LatestStreamArn. */
async function createTable(client: DynamoDBClient, name: string, opts: TableOptions = {}): Promise<{ arn: string; streamArn?: string }> {
  const out = await client.send(new CreateTableCommand(tableInput(name, opts)));
  const arn = out.TableDescription?.TableArn;
  expect(arn, `CreateTable ${name} returned a TableArn`).toBeTypeOf('string');
  const described = await client.send(new DescribeTableCommand({ TableName: name }));
  expect(described.Table?.TableStatus).toBe('ACTIVE');
  return { arn: arn!, ...(described.Table?.LatestStreamArn ? { streamArn: described.Table.LatestStreamArn } : {}) };
}

async function dropTable(client: DynamoDBClient, name: string): Promise<void> {
  await answerOf(client.send(new DeleteTableCommand({ TableName: name })));
}

/** A valid, non-public table policy: the account root may read items. */
function tablePolicy(resource: string, action = 'dynamodb:GetItem'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadForOwner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: action, Resource: resource }],
  });
}

/** With a fresh table, cleaned up afterwards. */
async function withTable<T>(ctx: ProbeContext, suffix: string, opts: TableOptions, body: (c: DynamoDBClient, t: { name: string; arn: string; streamArn?: string }) => Promise<T>): Promise<T> {
  const name = `${ctx.prefix}-${suffix}`;
  return withClient(ddbClient(ctx), async (client) => body(client, { name, ...(await createTable(client, name, opts)) }), (client) => dropTable(client, name));
}

// ---------------------------------------------------------------------------------------------------------------
// Kinesis helpers

function kinClient(ctx: ProbeContext): KinesisClient {
  return new KinesisClient(plainClientConfig(ctx));
}

async function createStream(client: KinesisClient, name: string): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
  for (let i = 0; i < 50; i++) {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return d.StreamDescriptionSummary.StreamARN!;
    await sleep(100);
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

async function dropStream(client: KinesisClient, name: string): Promise<void> {
  await answerOf(client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true })));
}

/** A valid stream policy: the account root may describe the stream. */
function streamPolicy(resource: string, action = 'kinesis:DescribeStreamSummary'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'DescribeForOwner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: action, Resource: resource }],
  });
}

async function withStream<T>(ctx: ProbeContext, suffix: string, body: (c: KinesisClient, s: { name: string; arn: string }) => Promise<T>): Promise<T> {
  const name = `${ctx.prefix}-${suffix}`;
  return withClient(kinClient(ctx), async (client) => body(client, { name, arn: await createStream(client, name) }), (client) => dropStream(client, name));
}

async function register(client: KinesisClient, streamArn: string, consumer: string): Promise<string> {
  const out = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumer }));
  expect(out.Consumer?.ConsumerARN).toBeTypeOf('string');
  return out.Consumer!.ConsumerARN!;
}

// ---------------------------------------------------------------------------------------------------------------
// SSM helpers

function ssmClient(ctx: ProbeContext): SSMClient {
  return new SSMClient(plainClientConfig(ctx));
}

async function withParameter<T>(ctx: ProbeContext, suffix: string, tier: 'Standard' | 'Advanced', body: (c: SSMClient, name: string) => Promise<T>): Promise<T> {
  const name = `/${ctx.prefix}/${suffix}`;
  return withClient(
    ssmClient(ctx),
    async (client) => {
      const out = await client.send(new PutParameterCommand({ Name: name, Value: 'v1', Type: 'String', Tier: tier }));
      expect(out).toMatchObject({ Version: 1, Tier: tier });
      return body(client, name);
    },
    (client) => answerOf(client.send(new DeleteParameterCommand({ Name: name }))),
  );
}

// ===============================================================================================================
// DynamoDB departures

const ddbProbes: Probe[] = [
  {
    service: 'dynamodb',
    rule: 'ddb.input.missing',
    kind: 'crash',
    aws: 'A request without the required ResourceArn: ValidationException (HTTP 400) before anything else (§0.2, §1.5; SDK v3 sends it as given)',
    async run(ctx) {
      return withClient(ddbClient(ctx), async (client) => {
        const answers = await http500Twice([() => client.send(new GetResourcePolicyCommand({} as GetResourcePolicyCommandInput))], 'moto splits a missing ARN: HTTP 500 HTML');
        return `GetResourcePolicy without ResourceArn, twice: ${answers}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.input.missing',
    kind: 'wrong-answer',
    aws: 'PutResourcePolicy without the required Policy: ValidationException (§0.2, §1.5; SDK v3 sends it as given)',
    async run(ctx) {
      return withTable(ctx, 'nopol', {}, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn } as PutResourcePolicyCommandInput)));
        expect(put.ok, 'moto stores a policy without a document').toBe(true);
        const get = await answerOf(c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn })));
        return `PutResourcePolicy without Policy: ${show(put)}; Get then: ${show(get)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.arn.length',
    kind: 'wrong-answer',
    aws: 'A ResourceArn longer than 1283 characters violates the model constraint: ValidationException (§1.2, documented; §7.6 rejects every non-ARN with ValidationException)',
    async run(ctx) {
      return withTable(ctx, 'len', {}, async (c, t) => {
        const long = `${t.arn}${'x'.repeat(1300)}`;
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: long, Policy: tablePolicy(t.arn) })));
        expect(errorCode(put), 'moto checks no length: it looks the last path segment up as a table name').toBe('ResourceNotFoundException');
        return `PutResourcePolicy with a ${long.length}-character ResourceArn: ${show(put)}, not ValidationException`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.arn.malformed',
    kind: 'wrong-answer',
    aws: "A bare table name (or another account's, region's or partition's ARN) as ResourceArn: ValidationException (\"ARNs must start with 'arn:'\") (§7.6, aws-observed; switch ddb.malformedArnError settled)",
    async run(ctx) {
      return withTable(ctx, 'bare', {}, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.name, Policy: tablePolicy(t.arn) })));
        expect(put.ok, 'moto takes the bare name for the table').toBe(true);
        const foreign = t.arn.replace(`:${ACCOUNT}:`, ':999999999999:');
        const other = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: foreign, Policy: tablePolicy(t.arn) })));
        // moto keeps each policy under the literal ResourceArn string: remove both before the table goes.
        await answerOf(c.send(new DeleteResourcePolicyCommand({ ResourceArn: t.name })));
        await answerOf(c.send(new DeleteResourcePolicyCommand({ ResourceArn: foreign })));
        return `PutResourcePolicy with ResourceArn "${t.name}" (a bare table name): ${show(put)}; with another account's ARN of the same name: ${show(other)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.arn.index',
    kind: 'wrong-answer',
    aws: 'An index ARN (<table-arn>/index/<name>) cannot hold a policy: ValidationException (§7.6, aws-observed; switch ddb.indexArnError settled)',
    async run(ctx) {
      return withTable(ctx, 'idx', { index: 'gsi1' }, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: `${t.arn}/index/gsi1`, Policy: tablePolicy(t.arn) })));
        expect(errorCode(put)).toBe('ResourceNotFoundException');
        return `PutResourcePolicy on the index ARN of an existing index: ${show(put)} (moto looks "gsi1" up as a table name), not ValidationException`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.stream.supported',
    kind: 'wrong-answer',
    aws: "A table's stream holds its own policy: Put on its LatestStreamArn succeeds with a RevisionId (§1.2, §1.5, §7.11; documented, aws-observed)",
    async run(ctx) {
      return withTable(ctx, 'str', { stream: true }, async (c, t) => {
        expect(t.streamArn, 'DescribeTable shows LatestStreamArn').toBeTypeOf('string');
        const doc = tablePolicy(t.streamArn!, 'dynamodb:GetRecords');
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.streamArn!, Policy: doc })));
        expect(errorCode(put)).toBe('ResourceNotFoundException');
        const get = await answerOf(c.send(new GetResourcePolicyCommand({ ResourceArn: t.streamArn! })));
        expect(errorCode(get)).toBe('ResourceNotFoundException');
        return `PutResourcePolicy on the table's LatestStreamArn: ${show(put)}; Get on it: ${show(get)} (moto reads the stream label as a table name)`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.revision-without-policy',
    kind: 'wrong-answer',
    aws: 'ExpectedRevisionId (other than NO_POLICY) while the table has no policy: PolicyNotFoundException (§1.5 step 4, documented)',
    async run(ctx) {
      return withTable(ctx, 'rwp', {}, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn), ExpectedRevisionId: '1234567890123' })));
        expect(put.ok, 'moto ignores ExpectedRevisionId when there is no policy').toBe(true);
        const get = await answerOf(c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn })));
        expect(get.ok, 'and attaches the policy').toBe(true);
        return `PutResourcePolicy with ExpectedRevisionId "1234567890123" on a table without a policy: ${show(put)}; Get then shows the policy`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.too-large',
    kind: 'wrong-answer',
    aws: 'A policy over 20 480 bytes (whitespace counted): ValidationException (§7.5, aws-observed; switch ddb.policySizeLimit settled)',
    async run(ctx) {
      return withTable(ctx, 'big', {}, async (c, t) => {
        const base = tablePolicy(t.arn);
        const doc = base.slice(0, -1) + ' '.repeat(20481 - Buffer.byteLength(base)) + '}';
        expect(Buffer.byteLength(doc)).toBe(20481);
        expect(JSON.parse(doc)).toEqual(JSON.parse(base));
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: doc })));
        expect(put.ok, 'moto has no size limit').toBe(true);
        return `PutResourcePolicy of a valid 20481-byte policy: ${show(put)}, not ValidationException`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.not-json',
    kind: 'wrong-answer',
    aws: 'A policy that is not JSON: ValidationException (§1.3, §1.5; aws-verified error texts)',
    async run(ctx) {
      return withTable(ctx, 'nj', {}, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: 'this is not json' })));
        expect(put.ok, 'moto does not parse the policy').toBe(true);
        const get = await answerOf(c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn })));
        expect(get.ok && get.output.Policy).toBe('this is not json');
        return `PutResourcePolicy "this is not json": ${show(put)}; Get returns the text`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.invalid-grammar',
    kind: 'wrong-answer',
    aws: 'JSON that is not a policy (no Statement): ValidationException "Invalid policy document" (§1.3, §1.5, §7.7; aws-verified)',
    async run(ctx) {
      return withTable(ctx, 'gr', {}, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: '{"Version":"2012-10-17"}' })));
        expect(put.ok, 'moto does not check the policy grammar').toBe(true);
        return `PutResourcePolicy {"Version":"2012-10-17"} (no Statement): ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.invalid-action',
    kind: 'wrong-answer',
    aws: 'Stream actions (dynamodb:GetRecords) in a table policy: ValidationException "The following action names are invalid" (§1.6, §7.7; aws-observed)',
    async run(ctx) {
      return withTable(ctx, 'act', {}, async (c, t) => {
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn, 'dynamodb:GetRecords') })));
        expect(put.ok, 'moto does not check actions against the resource').toBe(true);
        return `PutResourcePolicy on a table allowing the stream action dynamodb:GetRecords: ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.public',
    kind: 'wrong-answer',
    aws: 'Block Public Access: an Allow to Principal "*" without a condition: ValidationException ("unbounded access") (§1.6, §7.7; documented, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 'pub', {}, async (c, t) => {
        const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'dynamodb:GetItem', Resource: t.arn }] });
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: doc })));
        expect(put.ok, 'moto has no public-access check').toBe(true);
        return `PutResourcePolicy allowing Principal "*" dynamodb:GetItem without a condition: ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.policy.self-lockout',
    kind: 'wrong-answer',
    aws: 'A Deny of dynamodb:PutResourcePolicy covering the caller without ConfirmRemoveSelfResourceAccess=true: AccessDeniedException (HTTP 400) (§7.8, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 'lock', {}, async (c, t) => {
        const doc = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'ReadForOwner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'dynamodb:GetItem', Resource: t.arn },
            { Sid: 'NoPolicyChanges', Effect: 'Deny', Principal: '*', Action: 'dynamodb:PutResourcePolicy', Resource: t.arn },
          ],
        });
        const put = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: doc })));
        expect(put.ok, 'moto has no self-lockout check').toBe(true);
        return `PutResourcePolicy denying everyone dynamodb:PutResourcePolicy, no ConfirmRemoveSelfResourceAccess: ${show(put)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.identical',
    kind: 'wrong-answer',
    aws: 'Re-putting an equivalent document (other whitespace, other key order) is a no-op returning the same RevisionId (§7.4, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 'same', {}, async (c, t) => {
        const compact = tablePolicy(t.arn);
        const first = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: compact }));
        await sleep(5); // moto's RevisionId is the epoch millisecond: keep the two Puts apart.
        const statement = { Resource: t.arn, Action: 'dynamodb:GetItem', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Effect: 'Allow', Sid: 'ReadForOwner' };
        const reformatted = JSON.stringify({ Statement: [statement], Version: '2012-10-17' }, null, 2);
        expect(JSON.parse(reformatted)).toEqual(JSON.parse(compact));
        const second = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: reformatted }));
        expect(first.RevisionId).toBeTypeOf('string');
        expect(second.RevisionId, 'moto compares documents byte for byte: a new RevisionId').not.toBe(first.RevisionId);
        return `Put of a policy, then of the same policy re-indented with keys reordered: RevisionId ${first.RevisionId} then ${second.RevisionId} (AWS keeps ${first.RevisionId})`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.delete.no-policy',
    kind: 'wrong-answer',
    aws: 'DeleteResourcePolicy without ExpectedRevisionId on a table without a policy: 200, no RevisionId, repeatable (§1.5, §7.9; documented, aws-observed)',
    async run(ctx) {
      return withTable(ctx, 'dnp', {}, async (c, t) => {
        const del = await answerOf(c.send(new DeleteResourcePolicyCommand({ ResourceArn: t.arn })));
        expect(errorCode(del), 'moto answers "table not found" whenever there is no policy').toBe('ResourceNotFoundException');
        const described = await answerOf(c.send(new DescribeTableCommand({ TableName: t.name })));
        expect(described.ok, 'the table does exist').toBe(true);
        return `DeleteResourcePolicy on an existing table without a policy: ${show(del)}, not 200`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.delete.removes',
    kind: 'wrong-answer',
    aws: 'DeleteResourcePolicy that removes a policy answers a RevisionId (the removed policy\'s or a new one) (§7.9, aws-observed; switch ddb.deleteRevisionId settled: absence is a departure)',
    async run(ctx) {
      return withTable(ctx, 'drm', {}, async (c, t) => {
        const put = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn) }));
        const del = await answerOf(c.send(new DeleteResourcePolicyCommand({ ResourceArn: t.arn })));
        expect(del.ok, 'the delete itself succeeds').toBe(true);
        expect(del.ok && del.output.RevisionId, 'moto answers {} without a RevisionId').toBeUndefined();
        const get = await answerOf(c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn })));
        expect(errorCode(get), 'and the policy is gone').toBe('PolicyNotFoundException');
        return `DeleteResourcePolicy of the policy with RevisionId ${put.RevisionId}: ${show(del)} (no RevisionId); Get then: ${show(get)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.with-policy',
    // Partly without effect (the table or stream came and went, its policy did not): the suite's hidden-effect
    // kinds name a write that did nothing at all, so this is a wrong answer of the rule that says what it keeps.
    kind: 'wrong-answer',
    aws: 'CreateTable with ResourcePolicy attaches that document atomically; Get returns it (§1.5 CreateTable, §7.10; documented, aws-observed)',
    async run(ctx) {
      const name = `${ctx.prefix}-ctp`;
      return withClient(
        ddbClient(ctx),
        async (client) => {
          const doc = tablePolicy(ddbTableArn(ctx, name));
          const created = await answerOf(client.send(new CreateTableCommand(tableInput(name, { policy: doc }))));
          expect(created.ok).toBe(true);
          const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceArn: ddbTableArn(ctx, name) })));
          expect(errorCode(get), 'moto drops CreateTable.ResourcePolicy').toBe('PolicyNotFoundException');
          return `CreateTable with a valid ResourcePolicy: ${created.ok ? '200' : show(created)}; Get then: ${show(get)}`;
        },
        (client) => dropTable(client, name),
      );
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.policy-invalid',
    kind: 'wrong-answer',
    aws: 'CreateTable with an invalid ResourcePolicy (not JSON) is refused with ValidationException and creates nothing (§1.5 CreateTable, assumed)',
    async run(ctx) {
      const name = `${ctx.prefix}-cti`;
      return withClient(
        ddbClient(ctx),
        async (client) => {
          const created = await answerOf(client.send(new CreateTableCommand(tableInput(name, { policy: 'this is not json' }))));
          expect(created.ok, 'moto does not look at ResourcePolicy').toBe(true);
          const described = await answerOf(client.send(new DescribeTableCommand({ TableName: name })));
          expect(described.ok && described.output.Table?.TableStatus).toBe('ACTIVE');
          return `CreateTable of a fresh name with ResourcePolicy "this is not json": ${created.ok ? '200' : show(created)}; DescribeTable shows it ACTIVE`;
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
    aws: 'A table re-created after DeleteTable has no policy: Get → PolicyNotFoundException (§7.10, aws-observed)',
    async run(ctx) {
      const name = `${ctx.prefix}-re`;
      return withClient(
        ddbClient(ctx),
        async (client) => {
          const { arn } = await createTable(client, name);
          const put = await client.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: tablePolicy(arn) }));
          await client.send(new DeleteTableCommand({ TableName: name }));
          const gone = await answerOf(client.send(new DescribeTableCommand({ TableName: name })));
          expect(errorCode(gone), 'the table is gone').toBe('ResourceNotFoundException');
          await createTable(client, name);
          const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceArn: arn })));
          expect(get.ok, 'moto keeps policies keyed by ARN across DeleteTable').toBe(true);
          expect(get.ok && get.output.RevisionId).toBe(put.RevisionId);
          return `Put (RevisionId ${put.RevisionId}), DeleteTable, CreateTable of the same name, Get: 200 with the old policy and RevisionId ${get.ok ? get.output.RevisionId : '?'}`;
        },
        async (client) => {
          await answerOf(client.send(new DeleteResourcePolicyCommand({ ResourceArn: ddbTableArn(ctx, name) })));
          await dropTable(client, name);
        },
      );
    },
  },
];

// ===============================================================================================================
// DynamoDB contradictions

const ddbContradictions: Contradiction[] = [
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.create',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.createtable.policy-invalid: moto created a table the model believed refused, so a later CreateTable of that name answered ResourceInUseException',
    async run(ctx) {
      const name = `${ctx.prefix}-cc`;
      return withClient(
        ddbClient(ctx),
        async (client) => {
          const out = await client.send(new CreateTableCommand(tableInput(name, { stream: true })));
          expect(out.TableDescription).toMatchObject({ TableArn: ddbTableArn(ctx, name), TableStatus: 'ACTIVE' });
          expect(out.TableDescription?.LatestStreamArn).toMatch(new RegExp(`^${ddbTableArn(ctx, name)}/stream/`));
          const described = await client.send(new DescribeTableCommand({ TableName: name }));
          expect(described.Table?.TableStatus).toBe('ACTIVE');
          expect(described.Table?.LatestStreamArn).toBe(out.TableDescription?.LatestStreamArn);
          const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceArn: ddbTableArn(ctx, name) })));
          expect(errorCode(get)).toBe('PolicyNotFoundException');
          return `CreateTable of a fresh name with a stream: ACTIVE with LatestStreamArn; DescribeTable agrees; no policy`;
        },
        (client) => dropTable(client, name),
      );
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.createtable.policy-invalid',
    kind: 'wrong-answer',
    explainedBy: { switch: 'ddb.createTableCheckOrder', value: 'exists-first' },
    why: 'Vacuous switch: moto never validates CreateTable.ResourcePolicy, so there is no check order; on an existing name it answers ResourceInUseException as ddb.createtable.exists requires, and its one departure is the plain ddb.createtable.policy-invalid entry (a fresh name)',
    async run(ctx) {
      const name = `${ctx.prefix}-co`;
      const fresh = `${ctx.prefix}-co2`;
      return withClient(
        ddbClient(ctx),
        async (client) => {
          await createTable(client, name);
          const again = await answerOf(client.send(new CreateTableCommand(tableInput(name, { policy: 'this is not json' }))));
          expect(errorCode(again)).toBe('ResourceInUseException');
          const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceArn: ddbTableArn(ctx, name) })));
          expect(errorCode(get), 'the refused CreateTable changed nothing').toBe('PolicyNotFoundException');
          // If moto refused the invalid document on a fresh name, it would validate and "exists-first" would be a real order.
          const created = await answerOf(client.send(new CreateTableCommand(tableInput(fresh, { policy: 'this is not json' }))));
          expect(created.ok, 'moto does not validate ResourcePolicy at all').toBe(true);
          return `existing name + invalid ResourcePolicy: ${show(again)}, nothing attached; fresh name + the same document: created (no validation to order)`;
        },
        async (client) => {
          await dropTable(client, name);
          await dropTable(client, fresh);
        },
      );
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.deletetable.not-found',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.createtable.policy-invalid: DeleteTable of a table moto had created despite an invalid ResourcePolicy succeeded where the model expected ResourceNotFoundException',
    async run(ctx) {
      return withClient(ddbClient(ctx), async (client) => {
        const del = await answerOf(client.send(new DeleteTableCommand({ TableName: `${ctx.prefix}-never` })));
        expect(errorCode(del)).toBe('ResourceNotFoundException');
        return `DeleteTable of a name never created: ${show(del)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.get.no-policy',
    kind: 'wrong-answer',
    why: 'Consequence of writes moto accepted where AWS refuses (invalid documents, ExpectedRevisionId without a policy, foreign ARNs) or of ddb.deletetable.drops-policy: Get then showed a policy the model did not expect',
    async run(ctx) {
      return withTable(ctx, 'gnp', {}, async (c, t) => {
        const get = await answerOf(c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn })));
        expect(errorCode(get)).toBe('PolicyNotFoundException');
        return `GetResourcePolicy on a fresh table: ${show(get)}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.get.policy',
    kind: 'wrong-answer',
    why: 'Consequence of other departures (accepted invalid writes, a policy surviving DeleteTable); moto returns the document verbatim, which equals AWS\'s canonical form when compared as parsed JSON (§7.4), with the RevisionId Put returned',
    async run(ctx) {
      return withTable(ctx, 'gp', {}, async (c, t) => {
        const doc = JSON.stringify(JSON.parse(tablePolicy(t.arn)), null, 2);
        const put = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: doc }));
        const get = await c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn }));
        expect(JSON.parse(get.Policy!)).toEqual(JSON.parse(doc));
        expect(get.RevisionId).toBe(put.RevisionId);
        return `Put then Get: the same JSON document and RevisionId ${put.RevisionId}`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.create',
    kind: 'wrong-answer',
    why: 'Consequence of other departures (a policy surviving DeleteTable, CreateTable dropping its ResourcePolicy, stream ARNs): on a table without a policy moto attaches the document and returns a RevisionId',
    async run(ctx) {
      return withTable(ctx, 'pc', {}, async (c, t) => {
        const put = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn) }));
        expect(put.RevisionId).toMatch(/\S/);
        const get = await c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn }));
        expect(get.RevisionId).toBe(put.RevisionId);
        return `PutResourcePolicy on a table without a policy: RevisionId ${put.RevisionId}; Get shows it`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.put.revision-mismatch',
    kind: 'wrong-answer',
    why: 'Consequence of other departures (a hidden policy from an accepted write); with a policy attached moto refuses a stale or unknown ExpectedRevisionId with PolicyNotFoundException and changes nothing',
    async run(ctx) {
      return withTable(ctx, 'rm', {}, async (c, t) => {
        const first = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn) }));
        await sleep(5);
        const second = await c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn, 'dynamodb:Query') }));
        expect(second.RevisionId).not.toBe(first.RevisionId);
        const stale = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn, 'dynamodb:PutItem'), ExpectedRevisionId: first.RevisionId })));
        expect(errorCode(stale)).toBe('PolicyNotFoundException');
        const unknown = await answerOf(c.send(new PutResourcePolicyCommand({ ResourceArn: t.arn, Policy: tablePolicy(t.arn, 'dynamodb:PutItem'), ExpectedRevisionId: '1234567890123' })));
        expect(errorCode(unknown)).toBe('PolicyNotFoundException');
        const get = await c.send(new GetResourcePolicyCommand({ ResourceArn: t.arn }));
        expect(get.RevisionId).toBe(second.RevisionId);
        return `Put with the stale ExpectedRevisionId ${first.RevisionId}: ${show(stale)}; with an unknown one: ${show(unknown)}; policy unchanged`;
      });
    },
  },
  {
    service: 'dynamodb',
    rule: 'ddb.table.not-found',
    kind: 'wrong-answer',
    why: 'Consequence of ddb.createtable.policy-invalid (moto created a table the model believed refused); on a table that does not exist moto answers ResourceNotFoundException to Put, Get and Delete',
    async run(ctx) {
      const name = `${ctx.prefix}-gone`;
      return withClient(
        ddbClient(ctx),
        async (client) => {
          const never = ddbTableArn(ctx, `${ctx.prefix}-never`);
          const answers = [
            await answerOf(client.send(new PutResourcePolicyCommand({ ResourceArn: never, Policy: tablePolicy(never) }))),
            await answerOf(client.send(new GetResourcePolicyCommand({ ResourceArn: never }))),
            await answerOf(client.send(new DeleteResourcePolicyCommand({ ResourceArn: never }))),
          ];
          for (const a of answers) expect(errorCode(a)).toBe('ResourceNotFoundException');
          const { arn } = await createTable(client, name);
          await client.send(new DeleteTableCommand({ TableName: name }));
          const afterDelete = await answerOf(client.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: tablePolicy(arn) })));
          expect(errorCode(afterDelete)).toBe('ResourceNotFoundException');
          return `Put/Get/Delete on a never-created table: ${answers.map(show).join(', ')}; Put on a deleted table: ${show(afterDelete)}`;
        },
        (client) => dropTable(client, name),
      );
    },
  },
];

// ===============================================================================================================
// Kinesis departures

const kinProbes: Probe[] = [
  {
    service: 'kinesis',
    rule: 'kin.arn.invalid',
    kind: 'crash',
    aws: 'A request without the required ResourceARN is refused with a 400 error (§2.2 required member; code: switch kin.invalidArnError, default ValidationException)',
    async run(ctx) {
      return withClient(kinClient(ctx), async (client) => {
        const answers = await http500Twice([() => client.send(new KinGetResourcePolicyCommand({} as KinGetResourcePolicyCommandInput))], 'moto splits a missing ARN: HTTP 500 HTML');
        return `GetResourcePolicy without ResourceARN, twice: ${answers}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.arn.invalid',
    kind: 'wrong-answer',
    aws: 'A ResourceARN not matching arn:aws*:kinesis:*:<12 digits>:*stream/<non-blank> (here a bare stream name) is refused (model pattern §2.2; code: switch kin.invalidArnError, default ValidationException)',
    async run(ctx) {
      return withStream(ctx, 'bare', async (c, s) => {
        const get = await answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN: s.name })));
        expect(get.ok, 'moto looks the last path segment up as a stream name').toBe(true);
        return `GetResourcePolicy with ResourceARN "${s.name}" (a bare stream name): ${show(get)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.arn.unknown',
    kind: 'wrong-answer',
    aws: "A pattern-valid ARN of another region's stream is not a resource of this account and region: refused (§2.2, §2.3; code: switch kin.unknownArnError, default ResourceNotFoundException)",
    async run(ctx) {
      return withStream(ctx, 'reg', async (c, s) => {
        const foreign = s.arn.replace(`:${ctx.region}:`, ':us-west-2:');
        expect(foreign).not.toBe(s.arn);
        const get = await answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN: foreign })));
        expect(get.ok, 'moto ignores region and account in the ARN').toBe(true);
        return `GetResourcePolicy on ${foreign} (the us-west-2 ARN of a us-east-1 stream): ${show(get)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.stream.not-found',
    kind: 'wrong-answer',
    aws: 'PutResourcePolicy on a stream that does not exist: ResourceNotFoundException (§2.5; an error is aws-verified [LS-V])',
    async run(ctx) {
      return withClient(
        kinClient(ctx),
        async (client) => {
          const arn = `arn:aws:kinesis:${ctx.region}:${ACCOUNT}:stream/${ctx.prefix}-never`;
          const put = await answerOf(client.send(new KinPutResourcePolicyCommand({ ResourceARN: arn, Policy: streamPolicy(arn) })));
          expect(put.ok, 'moto PutResourcePolicy checks nothing').toBe(true);
          const get = await answerOf(client.send(new KinGetResourcePolicyCommand({ ResourceARN: arn })));
          return `PutResourcePolicy on a stream never created: ${show(put)} (Get on it: ${show(get)})`;
        },
        async (client) => {
          // moto stored the policy under the ARN; it can only be deleted while a stream of that name exists.
          const name = `${ctx.prefix}-never`;
          if ((await answerOf(createStream(client, name))).ok) {
            await answerOf(client.send(new KinDeleteResourcePolicyCommand({ ResourceARN: `arn:aws:kinesis:${ctx.region}:${ACCOUNT}:stream/${name}` })));
            await dropStream(client, name);
          }
        },
      );
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.consumer.not-found',
    kind: 'wrong-answer',
    aws: 'PutResourcePolicy on a consumer ARN that names no registered consumer: ResourceNotFoundException (§2.3, §2.5; documented)',
    async run(ctx) {
      return withStream(ctx, 'nc', async (c, s) => {
        const arn = `${s.arn}/consumer/nobody:1700000000`;
        const put = await answerOf(c.send(new KinPutResourcePolicyCommand({ ResourceARN: arn, Policy: streamPolicy(arn, 'kinesis:SubscribeToShard') })));
        expect(put.ok, 'moto PutResourcePolicy checks nothing').toBe(true);
        return `PutResourcePolicy on ${arn.slice(arn.indexOf('stream/'))} (never registered): ${show(put)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.policy.invalid',
    kind: 'wrong-answer',
    aws: 'A policy that is not JSON is refused (§2.5; code: switch kin.invalidPolicyError, default InvalidArgumentException)',
    async run(ctx) {
      return withStream(ctx, 'nj', async (c, s) => {
        const put = await answerOf(c.send(new KinPutResourcePolicyCommand({ ResourceARN: s.arn, Policy: 'this is not json' })));
        expect(put.ok, 'moto does not parse the policy').toBe(true);
        const get = await answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN: s.arn })));
        expect(get.ok && get.output.Policy).toBe('this is not json');
        return `PutResourcePolicy "this is not json" on a stream: ${show(put)}; Get returns the text`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.get.no-policy',
    kind: 'wrong-answer',
    aws: 'GetResourcePolicy on a registered consumer without a policy: 200 with Policy "{}" (§2.2, §2.5; a consumer ARN is a policy resource, documented)',
    // Needs a registered consumer, and moto's RegisterStreamConsumer already departs (its ARN has no timestamp).
    via: 'kin.register.create',
    async run(ctx) {
      return withStream(ctx, 'gc', async (c, s) => {
        const consumer = await register(c, s.arn, 'c1');
        const described = await c.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer }));
        expect(described.ConsumerDescription?.ConsumerStatus).toBe('ACTIVE');
        const get = await answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN: consumer })));
        expect(errorCode(get), 'moto reads the consumer name as a stream name').toBe('ResourceNotFoundException');
        return `GetResourcePolicy on an ACTIVE consumer's ARN: ${show(get)}, not "{}"`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.create',
    kind: 'wrong-answer',
    aws: 'A ConsumerARN is <stream-arn>/consumer/<name>:<creation timestamp>, a new value for every registration (§2.2 documented pattern)',
    async run(ctx) {
      return withStream(ctx, 'rc', async (c, s) => {
        const first = await register(c, s.arn, 'c1');
        expect(first, 'moto leaves out the :<creation timestamp> suffix').toBe(`${s.arn}/consumer/c1`);
        await c.send(new DeregisterStreamConsumerCommand({ ConsumerARN: first }));
        const gone = await answerOf(c.send(new DescribeStreamConsumerCommand({ ConsumerARN: first })));
        expect(errorCode(gone)).toBe('ResourceNotFoundException');
        await sleep(5);
        const second = await register(c, s.arn, 'c1');
        expect(second, 'so a re-registered consumer gets its predecessor\'s ARN').toBe(first);
        return `RegisterStreamConsumer: ConsumerARN ${first.slice(first.indexOf('stream/'))} (no :timestamp); after deregistering and registering again: the same ARN`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.exists',
    kind: 'wrong-answer',
    aws: 'RegisterStreamConsumer of a name the stream already has: ResourceInUseException (§2.4, assumed; Kinesis API)',
    // Needs a registered consumer, and moto's RegisterStreamConsumer already departs (its ARN has no timestamp).
    via: 'kin.register.create',
    async run(ctx) {
      return withStream(ctx, 'rx', async (c, s) => {
        await register(c, s.arn, 'c1');
        const again = await answerOf(c.send(new RegisterStreamConsumerCommand({ StreamARN: s.arn, ConsumerName: 'c1' })));
        expect(again.ok, 'moto registers the name a second time').toBe(true);
        const list = await c.send(new ListStreamConsumersCommand({ StreamARN: s.arn }));
        const named = (list.Consumers ?? []).filter((x) => x.ConsumerName === 'c1').length;
        return `RegisterStreamConsumer of "c1" twice: second ${show(again).slice(0, 3)}; ListStreamConsumers then lists ${named} consumers named c1`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.limit',
    kind: 'wrong-answer',
    aws: 'A stream holds at most 20 consumers; registering a 21st: LimitExceededException (§2.4, Kinesis API RegisterStreamConsumer)',
    // Needs a registered consumer, and moto's RegisterStreamConsumer already departs (its ARN has no timestamp).
    via: 'kin.register.create',
    async run(ctx) {
      return withStream(ctx, 'rl', async (c, s) => {
        for (let i = 1; i <= 20; i++) await register(c, s.arn, `c${i}`);
        const extra = await answerOf(c.send(new RegisterStreamConsumerCommand({ StreamARN: s.arn, ConsumerName: 'c21' })));
        expect(extra.ok, 'moto has no consumer limit').toBe(true);
        const list = await c.send(new ListStreamConsumersCommand({ StreamARN: s.arn }));
        return `RegisterStreamConsumer of a 21st consumer: ${show(extra).slice(0, 3)}; ListStreamConsumers: ${list.Consumers?.length} consumers`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deregister.not-found',
    kind: 'wrong-answer',
    aws: 'DeregisterStreamConsumer of a consumer that is not registered: ResourceNotFoundException (§2.4, assumed; Kinesis API)',
    async run(ctx) {
      return withStream(ctx, 'dn', async (c, s) => {
        const del = await answerOf(c.send(new DeregisterStreamConsumerCommand({ StreamARN: s.arn, ConsumerName: 'nobody' })));
        expect(del.ok, 'moto answers success').toBe(true);
        return `DeregisterStreamConsumer of "nobody" on a stream without consumers: ${show(del)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deregister.delete',
    kind: 'success-without-effect',
    aws: 'DeregisterStreamConsumer (StreamARN + ConsumerName) removes that consumer: DescribeStreamConsumer then answers ResourceNotFoundException (§2.4, §2.5)',
    // Needs a registered consumer, and moto's RegisterStreamConsumer already departs (its ARN has no timestamp).
    via: 'kin.register.create',
    async run(ctx) {
      return withStream(ctx, 'dd', async (c, s) => {
        await register(c, s.arn, 'c1');
        const del = await answerOf(c.send(new DeregisterStreamConsumerCommand({ StreamARN: s.arn, ConsumerName: 'c1' })));
        expect(del.ok).toBe(true);
        const after = await answerOf(c.send(new DescribeStreamConsumerCommand({ StreamARN: s.arn, ConsumerName: 'c1' })));
        expect(after.ok, 'moto keeps the named consumer (its filter is inverted: it drops the others)').toBe(true);
        return `DeregisterStreamConsumer(StreamARN, "c1"): ${show(del)}; DescribeStreamConsumer then: 200, c1 still ${after.ok ? after.output.ConsumerDescription?.ConsumerStatus : '?'}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.consumer.stream-not-found',
    kind: 'crash',
    aws: 'Register/Describe/DeregisterStreamConsumer with a StreamARN naming no stream: ResourceNotFoundException (§2.4, assumed; Kinesis API)',
    async run(ctx) {
      return withClient(kinClient(ctx), async (client) => {
        const arn = `arn:aws:kinesis:${ctx.region}:${ACCOUNT}:stream/${ctx.prefix}-never`;
        const answers = await http500Twice(
          [
            () => client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'c1' })),
            () => client.send(new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'c1' })),
            () => client.send(new DeregisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'c1' })),
          ],
          'moto dereferences the missing stream: HTTP 500 HTML',
        );
        return `Register/Describe/DeregisterStreamConsumer on a stream never created, twice each: ${answers}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.has-consumers',
    kind: 'wrong-answer',
    aws: 'DeleteStream of a stream with registered consumers without EnforceConsumerDeletion=true: ResourceInUseException (§2.4, Kinesis API DeleteStream; documented)',
    // Needs a registered consumer, and moto's RegisterStreamConsumer already departs (its ARN has no timestamp).
    via: 'kin.register.create',
    async run(ctx) {
      return withStream(ctx, 'hc', async (c, s) => {
        await register(c, s.arn, 'c1');
        const del = await answerOf(c.send(new DeleteStreamCommand({ StreamName: s.name })));
        expect(del.ok, 'moto deletes it anyway').toBe(true);
        const after = await answerOf(c.send(new DescribeStreamSummaryCommand({ StreamName: s.name })));
        expect(errorCode(after)).toBe('ResourceNotFoundException');
        return `DeleteStream (no EnforceConsumerDeletion) of a stream with a consumer: ${show(del)}; the stream is gone`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.drops-policy',
    // Partly without effect (the table or stream came and went, its policy did not): the suite's hidden-effect
    // kinds name a write that did nothing at all, so this is a wrong answer of the rule that says what it keeps.
    kind: 'wrong-answer',
    aws: 'A stream re-created after DeleteStream starts without a policy: Get → "{}" (§2.5 lifecycle, assumed)',
    async run(ctx) {
      const name = `${ctx.prefix}-re`;
      return withClient(
        kinClient(ctx),
        async (client) => {
          const arn = await createStream(client, name);
          const doc = streamPolicy(arn);
          await client.send(new KinPutResourcePolicyCommand({ ResourceARN: arn, Policy: doc }));
          await client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
          const gone = await answerOf(client.send(new DescribeStreamSummaryCommand({ StreamName: name })));
          expect(errorCode(gone)).toBe('ResourceNotFoundException');
          await createStream(client, name);
          const get = await answerOf(client.send(new KinGetResourcePolicyCommand({ ResourceARN: arn })));
          expect(get.ok && JSON.parse(get.output.Policy), 'moto keeps policies keyed by ARN across DeleteStream').toEqual(JSON.parse(doc));
          return `Put, DeleteStream, CreateStream of the same name, Get: the old policy`;
        },
        async (client) => {
          await answerOf(client.send(new KinDeleteResourcePolicyCommand({ ResourceARN: `arn:aws:kinesis:${ctx.region}:${ACCOUNT}:stream/${name}` })));
          await dropStream(client, name);
        },
      );
    },
  },
];

// ===============================================================================================================
// Kinesis contradictions

const kinContradictions: Contradiction[] = [
  {
    service: 'kinesis',
    rule: 'kin.arn.invalid',
    kind: 'wrong-answer',
    explainedBy: { switch: 'kin.invalidArnError', value: 'ResourceNotFoundException' },
    why: 'Vacuous switch: moto has no ARN check whose code could be ResourceNotFoundException; it looks the last path segment up as a stream name, so "not-an-arn" is a stream not found while a bare existing name is accepted (the plain kin.arn.invalid entry)',
    async run(ctx) {
      return withStream(ctx, 'ia', async (c, s) => {
        const junk = await answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN: 'not-an-arn' })));
        expect(errorCode(junk)).toBe('ResourceNotFoundException');
        expect(junk.ok ? '' : junk.message, 'the answer is a stream lookup').toMatch(/^Stream not-an-arn under account \d{12} not found/);
        // If moto refused pattern-invalid ARNs with ResourceNotFoundException, this would be refused too.
        const bare = await answerOf(c.send(new KinGetResourcePolicyCommand({ ResourceARN: s.name })));
        expect(bare.ok, 'a pattern-invalid ARN naming an existing stream is accepted').toBe(true);
        return `Get "not-an-arn": ${show(junk)} ("Stream not-an-arn … not found"); Get "${s.name}" (equally invalid): ${show(bare)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.createstream.exists',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers: moto deleted a stream the model believed kept, so CreateStream of its name succeeded where the model expected ResourceInUseException',
    async run(ctx) {
      return withStream(ctx, 'cx', async (c, s) => {
        const again = await answerOf(c.send(new CreateStreamCommand({ StreamName: s.name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } })));
        expect(errorCode(again)).toBe('ResourceInUseException');
        return `CreateStream of an existing name: ${show(again)}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.delete.no-policy',
    kind: 'wrong-answer',
    why: 'Consequence of kin.stream.not-found / kin.deletestream.drops-policy (a policy moto kept that the model did not know of made Delete succeed); on a stream without a policy moto answers ResourceNotFoundException, the switch default',
    async run(ctx) {
      return withStream(ctx, 'dn', async (c, s) => {
        const del = await answerOf(c.send(new KinDeleteResourcePolicyCommand({ ResourceARN: s.arn })));
        expect(errorCode(del)).toBe('ResourceNotFoundException');
        return `DeleteResourcePolicy on a stream without a policy: ${show(del)} (kin.deleteNoPolicyError default)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.delete',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deletestream.has-consumers / kin.deregister.delete (consumers the model and moto disagreed about); DeleteStream itself removes the stream, its consumers and (while it is gone) its policy',
    async run(ctx) {
      const name = `${ctx.prefix}-ds`;
      return withClient(
        kinClient(ctx),
        async (client) => {
          const arn = await createStream(client, name);
          const consumer = await register(client, arn, 'c1');
          await client.send(new KinPutResourcePolicyCommand({ ResourceARN: arn, Policy: streamPolicy(arn) }));
          const del = await answerOf(client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true })));
          expect(del.ok).toBe(true);
          const answers = [
            await answerOf(client.send(new DescribeStreamSummaryCommand({ StreamName: name }))),
            await answerOf(client.send(new KinGetResourcePolicyCommand({ ResourceARN: arn }))),
            await answerOf(client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer }))),
          ];
          for (const a of answers) expect(errorCode(a)).toBe('ResourceNotFoundException');
          return `DeleteStream(EnforceConsumerDeletion): DescribeStreamSummary, GetResourcePolicy, DescribeStreamConsumer then: ${answers.map(show).join(', ')}`;
        },
        (client) => dropStream(client, name),
      );
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.describeconsumer.found',
    kind: 'wrong-answer',
    why: 'Consequence of kin.deregister.delete (moto\'s by-name Deregister drops the other consumers and keeps the named one); DescribeStreamConsumer returns the ConsumerARN RegisterStreamConsumer returned',
    async run(ctx) {
      return withStream(ctx, 'dc', async (c, s) => {
        const arn = await register(c, s.arn, 'c1');
        const byName = await c.send(new DescribeStreamConsumerCommand({ StreamARN: s.arn, ConsumerName: 'c1' }));
        const byArn = await c.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
        expect(byName.ConsumerDescription?.ConsumerARN).toBe(arn);
        expect(byArn.ConsumerDescription?.ConsumerARN).toBe(arn);
        return `DescribeStreamConsumer by name and by ARN: the ConsumerARN Register returned`;
      });
    },
  },
];

// ===============================================================================================================
// SSM

const ssmProbes: Probe[] = [
  {
    service: 'ssm',
    rule: 'ssm.putparameter.downgrade',
    kind: 'wrong-answer',
    aws: 'An Advanced-tier parameter cannot be overwritten as Standard: ValidationException ("You can\'t downgrade a parameter from the advanced-parameter tier…") (§3.5, assumed)',
    async run(ctx) {
      return withParameter(ctx, 'down', 'Advanced', async (c, name) => {
        const put = await answerOf(c.send(new PutParameterCommand({ Name: name, Value: 'v2', Type: 'String', Tier: 'Standard', Overwrite: true })));
        expect(put.ok, 'moto downgrades the tier').toBe(true);
        expect(put.ok && put.output.Tier).toBe('Standard');
        return `PutParameter Overwrite=true Tier=Standard on an Advanced parameter: ${show(put)}`;
      });
    },
  },
];

const ssmContradictions: Contradiction[] = [
  {
    service: 'ssm',
    rule: 'ssm.putparameter.overwrite',
    kind: 'wrong-answer',
    why: 'Consequence of ssm.putparameter.downgrade: after moto accepted a downgrade the model still believed the parameter Advanced, so the next overwrite\'s Tier differed; moto bumps Version, keeps the tier and raises it on request',
    async run(ctx) {
      return withParameter(ctx, 'ow', 'Standard', async (c, name) => {
        const keep = await c.send(new PutParameterCommand({ Name: name, Value: 'v2', Type: 'String', Overwrite: true }));
        expect(keep).toMatchObject({ Version: 2, Tier: 'Standard' });
        const raise = await c.send(new PutParameterCommand({ Name: name, Value: 'v3', Type: 'String', Overwrite: true, Tier: 'Advanced' }));
        expect(raise).toMatchObject({ Version: 3, Tier: 'Advanced' });
        const again = await c.send(new PutParameterCommand({ Name: name, Value: 'v4', Type: 'String', Overwrite: true }));
        expect(again).toMatchObject({ Version: 4, Tier: 'Advanced' });
        const read = await c.send(new GetParameterCommand({ Name: name }));
        expect(read.Parameter).toMatchObject({ Value: 'v4', Version: 4 });
        return 'Overwrite: Version 2 Standard; with Tier=Advanced: Version 3 Advanced; again without Tier: Version 4 Advanced';
      });
    },
  },
];

// ===============================================================================================================


// ===============================================================================================================
// Operations moto does not implement at all (the old file's "unsupported" list). Not departures: the suite reports
// them as unsupported. probe.ts has no slot for these, so they are a list of their own.


/** Calls `call` twice and expects the same non-AWS answer both times: HTML with `status`, not a service error. */
async function expectHtml(call: () => Promise<unknown>, status: number): Promise<string> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await call();
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
      expect(err.$metadata?.httpStatusCode).toBe(status);
      expect(err.name, 'the SDK cannot read the body: no service error code').toBe('SyntaxError');
      expect(err.$response?.headers?.['content-type'] ?? '').toMatch(/^text\/html/);
      seen.push(`HTTP ${status} ${err.$response?.headers?.['content-type']?.split(';')[0]}`);
      continue;
    }
    throw new Error('moto answered the operation');
  }
  return seen.join(', ');
}

export const motoUnsupported: UnsupportedProbe[] = [
  ...SSM_POLICY_CALLS.map(
    ([operation, call]): UnsupportedProbe => ({
      service: 'ssm',
      operation,
      aws: `SSM ${operation} on an Advanced parameter or the OpsItemGroup (§3.6)`,
      async run(ctx) {
        return withParameter(ctx, operation.toLowerCase(), 'Advanced', async (c, name) => {
          const read = await c.send(new GetParameterCommand({ Name: name }));
          expect(read.Parameter?.ARN, 'moto serves SSM parameters').toBeTypeOf('string');
          const seen = await expectHtml(() => call(c, read.Parameter!.ARN!), 500);
          return `${operation} on an existing Advanced parameter: ${seen} (moto raises NotImplementedError; GetParameter works)`;
        });
      },
    }),
  ),
  ...XRAY_POLICY_CALLS.map(
    ([operation, call]): UnsupportedProbe => ({
      service: 'xray',
      operation,
      aws: `X-Ray ${operation} (§4.5)`,
      async run(ctx) {
        return withClient(new XRayClient(plainClientConfig(ctx)), async (client) => {
          const served = await answerOf(client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [] })));
          const seen = await expectHtml(() => call(client, `${ctx.prefix}-p`), 404);
          return `${operation}: ${seen} (no route in moto; PutTraceSegments on the same endpoint: ${show(served)})`;
        });
      },
    }),
  ),
];

export const motoProbes: ProbeSet = {
  target: 'moto',
  probes: [...ddbProbes, ...kinProbes, ...ssmProbes],
  contradictions: [...ddbContradictions, ...kinContradictions, ...ssmContradictions],
  unsupported: motoUnsupported,
};
