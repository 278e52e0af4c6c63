import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetResourcePolicyCommand, PutResourcePolicyCommand as DdbPutPolicy } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DeleteStreamCommand, GetResourcePolicyCommand as KinGetPolicy, KinesisClient, PutResourcePolicyCommand as KinPutPolicy, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { DeleteParameterCommand, GetResourcePoliciesCommand, PutParameterCommand, PutResourcePolicyCommand as SsmPutPolicy, SSMClient } from '@aws-sdk/client-ssm';
import { REFERENCE_ACCOUNT, type RunningReference, type ReferenceServer, startReference } from '../harness/reference/server.js';
import { clientConfig, DUMMY_CREDENTIALS } from '../harness/sdk.js';

// What the reference server forgets about deleted resources (bindings nothing refers to, the codecs' memory of
// them) keeps it from growing with use, and changes no answer: a name used again, a stream that outlived its
// table, a consumer ARN of a deleted stream, a stale revision id get the same answers from a server that forgets
// as from one that keeps everything (`prune: false`). No timing here: bench:reference measures the speed.
// A DynamoDB stream outlives its table (the model never lets it go), so only the first cycle's table has one.

const REGION = 'us-east-1';
const ARN = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${REFERENCE_ACCOUNT}:${resource}`;
const policy = (sid: string, action: string, resource = '*') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: action, Resource: resource }] });
const KEYS = { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }], BillingMode: 'PAY_PER_REQUEST' as const };

/** Sweeps start at this many bindings (instead of 256), so a few dozen cycles show them. */
const FLOOR = 16;
const CYCLES = [30, 60];

type Answer = { ok: Record<string, unknown> } | { error: string; message: string };

/** An SDK call's answer as plain data: the output without its metadata, or the error's name and message. */
async function answer(call: Promise<{ $metadata?: unknown }>): Promise<Answer> {
  try {
    const { $metadata: _, ...output } = await call;
    return { ok: output };
  } catch (error) {
    const e = error as { name: string; message: string };
    return { error: e.name, message: e.message };
  }
}

function clients(url: string) {
  // The suite's client settings: HTTP/1.1 (Kinesis's client would speak HTTP/2), no retries.
  const config = clientConfig({ url, region: REGION, credentials: DUMMY_CREDENTIALS });
  return { ddb: new DynamoDBClient(config), kinesis: new KinesisClient(config), ssm: new SSMClient(config) };
}

/** One cycle of each service: create, give it a policy (twice, so one revision is replaced), delete. Returns what a later request may reuse. */
async function cycle(c: ReturnType<typeof clients>, i: number) {
  const table = `prune-table-${i}`;
  const stream = i === 0 ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' as const } } : {};
  const created = await c.ddb.send(new CreateTableCommand({ TableName: table, ...KEYS, ...stream }));
  const first = await c.ddb.send(new DdbPutPolicy({ ResourceArn: ARN('dynamodb', `table/${table}`), Policy: policy('a', 'dynamodb:GetItem') }));
  await c.ddb.send(new DdbPutPolicy({ ResourceArn: ARN('dynamodb', `table/${table}`), Policy: policy('b', 'dynamodb:GetItem'), ExpectedRevisionId: first.RevisionId }));
  await c.ddb.send(new DeleteTableCommand({ TableName: table }));

  const kinesisStream = `prune-stream-${i}`;
  await c.kinesis.send(new CreateStreamCommand({ StreamName: kinesisStream, ShardCount: 1 }));
  const consumer = await c.kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('kinesis', `stream/${kinesisStream}`), ConsumerName: 'c' }));
  await c.kinesis.send(new KinPutPolicy({ ResourceARN: ARN('kinesis', `stream/${kinesisStream}`), Policy: policy('k', 'kinesis:DescribeStream') }));
  await c.kinesis.send(new DeleteStreamCommand({ StreamName: kinesisStream, EnforceConsumerDeletion: true }));

  const parameter = `prune-parameter-${i}`;
  await c.ssm.send(new PutParameterCommand({ Name: parameter, Value: 'v', Type: 'String', Tier: 'Advanced' }));
  await c.ssm.send(new SsmPutPolicy({ ResourceArn: ARN('ssm', `parameter/${parameter}`), Policy: policy('s', 'ssm:GetParameter') }));
  await c.ssm.send(new DeleteParameterCommand({ Name: parameter }));
  return { table, streamArn: created.TableDescription!.LatestStreamArn, revision: first.RevisionId!, stream: kinesisStream, consumerArn: consumer.Consumer!.ConsumerARN!, parameter };
}

/** Requests that can only be answered right by remembering the deleted resources of cycle `old`. */
async function probes(c: ReturnType<typeof clients>, old: Awaited<ReturnType<typeof cycle>>): Promise<Answer[]> {
  return [
    // The table's name again (recreated: "no policy" is about DeleteTable dropping the old one), then a new table
    // whose policy CreateTable attached (its revision id unseen) written with a revision id handed out long ago.
    await answer(c.ddb.send(new CreateTableCommand({ TableName: old.table, ...KEYS }))),
    await answer(c.ddb.send(new GetResourcePolicyCommand({ ResourceArn: ARN('dynamodb', `table/${old.table}`) }))),
    await answer(c.ddb.send(new CreateTableCommand({ TableName: `${old.table}-new`, ...KEYS, ResourcePolicy: policy('n', 'dynamodb:GetItem') }))),
    await answer(c.ddb.send(new DdbPutPolicy({ ResourceArn: ARN('dynamodb', `table/${old.table}-new`), Policy: policy('m', 'dynamodb:GetItem'), ExpectedRevisionId: old.revision }))),
    // A stream outlives its table.
    await answer(c.ddb.send(new GetResourcePolicyCommand({ ResourceArn: old.streamArn! }))),
    // A consumer of a deleted stream; the stream's name again (deleted while it held a policy).
    await answer(c.kinesis.send(new KinGetPolicy({ ResourceARN: old.consumerArn }))),
    await answer(c.kinesis.send(new CreateStreamCommand({ StreamName: old.stream, ShardCount: 1 }))),
    await answer(c.kinesis.send(new KinGetPolicy({ ResourceARN: ARN('kinesis', `stream/${old.stream}`) }))),
    // The parameter's name again (deleted while it held a policy).
    await answer(c.ssm.send(new PutParameterCommand({ Name: old.parameter, Value: 'w', Type: 'String', Tier: 'Advanced' }))),
    await answer(c.ssm.send(new GetResourcePoliciesCommand({ ResourceArn: ARN('ssm', `parameter/${old.parameter}`) }))),
  ];
}

describe('the reference server forgets what only deleted resources referred to, and answers the same', () => {
  let pruned: RunningReference & { server: ReferenceServer };
  let kept: RunningReference & { server: ReferenceServer };
  beforeAll(async () => {
    pruned = await startReference({ pruning: { sweepFloor: FLOOR } });
    kept = await startReference({ pruning: { prune: false } });
  });
  afterAll(async () => {
    await pruned?.stop();
    await kept?.stop();
  });

  it('stays bounded over create/delete cycles and answers requests about old resources as an engine that keeps everything', async () => {
    const c = { pruned: clients(pruned.url), kept: clients(kept.url) };
    const firsts: Array<Awaited<ReturnType<typeof cycle>>> = [];
    const sizesAfter: Array<ReturnType<ReferenceServer['sizes']>> = [];
    for (const [n, cycles] of CYCLES.entries()) {
      for (let i = n === 0 ? 0 : CYCLES[n - 1]!; i < cycles; i++) {
        const a = await cycle(c.pruned, i);
        const b = await cycle(c.kept, i);
        if (i === 0) firsts.push(a, b);
      }
      sizesAfter.push(pruned.server.sizes());
    }
    const [early, late] = sizesAfter as [ReturnType<ReferenceServer['sizes']>, ReturnType<ReferenceServer['sizes']>];
    const keptSizes = kept.server.sizes();
    for (const engine of ['dynamodb:us-east-1', 'ssm:us-east-1']) {
      // Nothing alive but cycle 0's DynamoDB stream: bindings stay under the sweep's floor (engine.ts) however many
      // cycles ran, memory does not grow.
      expect(late[engine]!.bindings).toBeLessThanOrEqual(FLOOR);
      expect(late[engine]!.memoryKeys).toBe(early[engine]!.memoryKeys);
      // The engine that keeps everything holds a binding per symbol ever made: more than twice the pruned one's.
      expect(keptSizes[engine]!.bindings).toBeGreaterThan(2 * late[engine]!.bindings);
    }
    // Kinesis: a deregistered consumer's ARN answers "gone" for ever (kin.consumer.gone), so the model keeps its
    // symbol and the engine its binding: one per consumer ever deregistered, nothing else.
    expect(late['kinesis:us-east-1']!.bindings).toBe(CYCLES.at(-1));
    expect(late['kinesis:us-east-1']!.memoryKeys).toBe(early['kinesis:us-east-1']!.memoryKeys);
    // Both servers handed out the same values (same clocks), so cycle 0's answers are the same on each.
    expect(firsts[0]).toEqual(firsts[1]);
    const [fromPruned, fromKept] = [await probes(c.pruned, firsts[0]!), await probes(c.kept, firsts[1]!)];
    expect(fromPruned).toEqual(fromKept);
    // And they are the answers that remember: recreated, the stale revision a mismatch, the stream and consumer known.
    const messages = fromPruned.map((a) => ('error' in a ? `${a.error}: ${a.message}` : 'ok'));
    expect(messages[1]).toMatch(/PolicyNotFoundException.*rule ddb\.deletetable\.drops-policy/);
    expect(messages[3]).toMatch(/PolicyNotFoundException.*rule ddb\.put\.revision-mismatch/);
    expect(messages[4]).toMatch(/PolicyNotFoundException.*rule ddb\.stream\.outlives-table/);
    expect(messages[5]).toMatch(/ResourceNotFoundException.*rule kin\.consumer\.gone/);
    expect(fromPruned[7]).toEqual({ ok: { Policy: '{}' } });
    for (const all of Object.values(c)) for (const client of Object.values(all)) client.destroy();
  }, 120_000);
});
