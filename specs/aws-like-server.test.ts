/**
 * The AWS-like simulator (harness/aws-like/, `serve --aws-like`), through plain SDK calls over real HTTP — no suite
 * model in between: what it refuses unsigned or wrongly signed, the account STS names, lagging visibility that
 * switches once (spec §7 item 1), conditions on the committed state (item 2), the 15-second window (item 3),
 * table CREATING/DELETING (item 10), the throttle rate, the foreign resources, and its seeded bugs. A small time
 * scale keeps it fast; each timing assertion allows for a loaded machine (it only demands what a slow answer
 * cannot spoil).
 */
import { CreateTableCommand, DeleteResourcePolicyCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetResourcePolicyCommand, ListTablesCommand, PutResourcePolicyCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamConsumersCommand, ListStreamsCommand, PutResourcePolicyCommand as PutStreamPolicyCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { DescribeParametersCommand, GetResourcePoliciesCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListResourcePoliciesCommand, XRayClient } from '@aws-sdk/client-xray';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, describe, expect, it } from 'vitest';
import { type AwsLikeOptions, startAwsLike } from '../harness/aws-like/index.js';
import type { RunningAwsLike } from '../harness/aws-like/server.js';
import { marked, policyMarked } from '../harness/sweep.js';

const credentials = { accessKeyId: 'AKIASIMULATORTEST', secretAccessKey: 'simulator-secret' };
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const running: RunningAwsLike[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function simulator(options: AwsLikeOptions = {}): Promise<RunningAwsLike> {
  const sim = await startAwsLike({ credentials, account: ACCOUNT, region: REGION, ...options });
  running.push(sim);
  return sim;
}

/**
 * SDK client settings for the simulator: no retries, so every answer is the simulator's first; HTTP/1.1 (the
 * Kinesis client's default handler speaks HTTP/2, which the simulator, like the reference server, does not).
 */
function config(sim: RunningAwsLike, overrides: Record<string, unknown> = {}) {
  return { endpoint: sim.url, region: REGION, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler(), ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const doc = (sid: string, arn: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'dynamodb:GetItem', Resource: arn }] });

/** A table made ACTIVE (the waiters' way: DescribeTable until it says so). */
async function activeTable(ddb: DynamoDBClient, name: string): Promise<string> {
  await ddb.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  return untilActive(ddb, name);
}

async function untilActive(ddb: DynamoDBClient, name: string): Promise<string> {
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return tableArn(name);
    await sleep(5);
  }
}

/** Get's answer as one comparable value: the RevisionId shown, or the error's name. */
async function shown(ddb: DynamoDBClient, arn: string): Promise<string> {
  try {
    return (await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn }))).RevisionId ?? '(none)';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('signatures (only the credentials of its own environment)', () => {
  it('refuses an unsigned request, an unknown key, a wrong secret and a stale date, in each service protocol and STS', async () => {
    const sim = await simulator({ foreign: false });
    const unsigned = await fetch(sim.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { __type: string }).__type).toMatch(/#MissingAuthenticationTokenException$/);
    const unsignedSts = await fetch(sim.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(unsignedSts.status).toBe(403);
    expect(await unsignedSts.text()).toContain('<Code>MissingAuthenticationToken</Code>');

    const wrongKey = { accessKeyId: 'AKIAOTHERKEY', secretAccessKey: credentials.secretAccessKey };
    const wrongSecret = { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' };
    for (const [creds, ddbName, stsName] of [
      [wrongKey, 'UnrecognizedClientException', 'InvalidClientTokenId'],
      [wrongSecret, 'InvalidSignatureException', 'SignatureDoesNotMatch'],
    ] as const) {
      const ddb = await failure(new DynamoDBClient(config(sim, { credentials: creds })).send(new ListTablesCommand({})));
      expect(ddb.name).toBe(ddbName);
      expect(ddb.status).toBe(400);
      expect((await failure(new KinesisClient(config(sim, { credentials: creds })).send(new ListStreamsCommand({})))).name).toBe(ddbName);
      expect((await failure(new SSMClient(config(sim, { credentials: creds })).send(new DescribeParametersCommand({})))).name).toBe(ddbName);
      const xray = await failure(new XRayClient(config(sim, { credentials: creds })).send(new ListResourcePoliciesCommand({})));
      expect([xray.name, xray.status]).toEqual([ddbName, 403]);
      expect((await failure(new STSClient(config(sim, { credentials: creds })).send(new GetCallerIdentityCommand({})))).name).toBe(stsName);
    }
    expect((await failure(new DynamoDBClient(config(sim, { credentials: wrongKey })).send(new ListTablesCommand({})))).message).toBe('The security token included in the request is invalid.');
    expect((await failure(new DynamoDBClient(config(sim, { credentials: wrongSecret })).send(new ListTablesCommand({})))).message).toMatch(/^The request signature we calculated does not match the signature you provided/);

    // A client whose clock is 10 minutes behind signs a date AWS calls expired.
    const late = await failure(new DynamoDBClient(config(sim, { systemClockOffset: -10 * 60_000 })).send(new ListTablesCommand({})));
    expect([late.name, late.message]).toEqual(['InvalidSignatureException', expect.stringMatching(/^Signature expired: /)]);
    // Correctly signed: served.
    expect((await new DynamoDBClient(config(sim)).send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it('STS GetCallerIdentity names the account it was started with', async () => {
    const sim = await simulator({ foreign: false, account: '210987654321' });
    const me = await new STSClient(config(sim)).send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('210987654321');
    expect(me.Arn).toMatch(/^arn:aws:iam::210987654321:/);
  });
});

describe('lagging visibility (spec §7 items 1 and 2)', () => {
  it('a read right after a write shows the old state, then the new one, and never the old one again', async () => {
    // Scale 0.2: lags of 1.05–2.73 s take 210–546 ms, the window 3 s.
    const sim = await simulator({ foreign: false, timeScale: 0.2, seed: 7 });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'lagging-table');
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('First', arn) }));
    const seen: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 900) seen.push(await shown(ddb, arn));
    expect(seen[0]).toBe('PolicyNotFoundException');
    const switched = seen.indexOf(put.RevisionId!);
    expect(switched).toBeGreaterThan(0);
    expect(seen.slice(switched).every((s) => s === put.RevisionId)).toBe(true);
    // The lag drawn is within the configured range of a first Put, and the configured range is the one §7 gives.
    const [drawn] = sim.server.visibility.drawn;
    expect(drawn!.kind).toBe('first-put');
    expect(sim.server.lagDistributions().dynamodb!['first-put']).toEqual([1050, 1710]);
    expect(drawn!.lagMs).toBeGreaterThanOrEqual(1050);
    expect(drawn!.lagMs).toBeLessThanOrEqual(1710);
    expect(sim.server.lagDistributions().xray).toBeUndefined();
  });

  it('conditional writes are checked against the committed state while Get still lags', async () => {
    const sim = await simulator({ foreign: false, timeScale: 0.2, seed: 8 });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'committed-table');
    const policy = doc('First', arn);
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy }));
    // Get is stale, yet the RevisionId just returned is the current one: an equivalent re-Put conditioned on it passes.
    expect(await shown(ddb, arn)).toBe('PolicyNotFoundException');
    const again = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy, ExpectedRevisionId: put.RevisionId }));
    expect(again.RevisionId).toBe(put.RevisionId);
    // A stale id is refused as AWS refuses it.
    expect((await failure(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy, ExpectedRevisionId: '1' })))).name).toBe('PolicyNotFoundException');
    expect(await shown(ddb, arn)).toBe('PolicyNotFoundException');
  });
});

describe('canonical storage (spec §7 item 4)', () => {
  it('Get returns the canonical form: minified, fixed key order, an account-id principal as its root ARN', async () => {
    const sim = await simulator({ foreign: false, timeScale: 0.02, seed: 6 });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'canonical-table');
    const loose = `{\n  "Statement": [{"Resource": "${arn}", "Action": "dynamodb:GetItem", "Principal": {"AWS": "${ACCOUNT}"}, "Effect": "Allow", "Sid": "Loose"}],\n  "Version": "2012-10-17"\n}`;
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: loose }));
    let policy: string | undefined;
    while (!policy) policy = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn })).then((r) => r.Policy, () => undefined);
    expect(policy).toBe(`{"Version":"2012-10-17","Statement":[{"Sid":"Loose","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ACCOUNT}:root"},"Action":"dynamodb:GetItem","Resource":"${arn}"}]}`);
  });
});

describe('the 15-second window (spec §7 item 3)', () => {
  it('refuses a different Put or a Delete with ResourceInUse, then Throttling naming last change + 15 s; an equivalent re-Put passes', async () => {
    const scale = 0.2;
    const sim = await simulator({ foreign: false, timeScale: scale, seed: 9 });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'window-table');
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('First', arn) }));
    const at = Date.now();
    const codes: string[] = [];
    let throttled: string | undefined;
    while (!throttled && Date.now() - at < 3000 * 0.9) {
      const refused = await failure(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('Second', arn) })));
      codes.push(refused.name);
      if (refused.name === 'ThrottlingException') throttled = refused.message;
    }
    // ResourceInUse for the first 0.6–2 s (120–400 ms here), then Throttling, never back.
    expect(codes[0]).toBe('ResourceInUseException');
    const first = codes.indexOf('ThrottlingException');
    expect(first).toBeGreaterThan(0);
    expect(codes.slice(0, first).every((c) => c === 'ResourceInUseException')).toBe(true);
    expect(throttled).toMatch(/modified within the previous 15000 milliseconds\. Please try again after /);
    const retryAfter = /try again after (\S+?)\.?$/.exec(throttled!)![1]!;
    expect(Date.parse(retryAfter)).toBe(Number(put.RevisionId) + 15_000);
    expect((await failure(ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arn })))).name).toBe('ThrottlingException');
    // An equivalent document (other key order) inside the window: the same RevisionId.
    const reordered = JSON.stringify({ Statement: JSON.parse(doc('First', arn)).Statement, Version: '2012-10-17' });
    expect((await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: reordered }))).RevisionId).toBe(put.RevisionId);
    // After the window: the change goes through.
    await sleep(Math.max(0, Number(put.RevisionId) + 15_000 - sim.server.clock.now()) * scale + 20);
    expect((await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('Second', arn) }))).RevisionId).not.toBe(put.RevisionId);
  });
});

describe('table lifecycle (spec §7 item 10)', () => {
  it('CREATING hides the table from policy operations at first; DELETING keeps Get, refuses changes, then the table is gone', async () => {
    const scale = 0.1;
    const sim = await simulator({ foreign: false, timeScale: scale, seed: 10 });
    const ddb = new DynamoDBClient(config(sim));
    const name = 'lifecycle-table';
    const arn = tableArn(name);
    const created = await ddb.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    expect((await failure(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn })))).name).toBe('ResourceNotFoundException');
    expect((await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus).toBe('CREATING');
    await untilActive(ddb, name);
    const [creating] = sim.server.lifecycle('dynamodb')!.drawn;
    expect(creating!.ms).toBeGreaterThanOrEqual(2500);
    const policy = doc('Kept', arn);
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy }));
    // Past the window part that refuses DeleteTable (§7 item 12) …
    await sleep(2000 * scale + 20);
    const deleted = await ddb.send(new DeleteTableCommand({ TableName: name }));
    expect(deleted.TableDescription?.TableStatus).toBe('DELETING');
    expect((await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus).toBe('DELETING');
    // Get still answers (200: the policy, maybe still lagging); a changed Put → ResourceInUse "Table is being deleted".
    await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn })).catch((e: Error) => expect(e.name).toBe('PolicyNotFoundException'));
    const refused = await failure(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('Changed', arn) })));
    expect([refused.name, refused.message]).toEqual(['ResourceInUseException', expect.stringContaining('Table is being deleted')]);
    for (;;) {
      const gone = await ddb.send(new DescribeTableCommand({ TableName: name })).then(() => false, (e: Error) => e.name === 'ResourceNotFoundException');
      if (gone) break;
      await sleep(5);
    }
    expect((await failure(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn })))).name).toBe('ResourceNotFoundException');
  });

  it('a Kinesis stream and its consumer are CREATING before they are ACTIVE, and DELETING before they are gone', async () => {
    const sim = await simulator({ foreign: false, timeScale: 0.02, seed: 11 });
    const kinesis = new KinesisClient(config(sim));
    const StreamName = 'lifecycle-stream';
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    /** The statuses a read shows until `done`, each once, in order. */
    async function statuses(read: () => Promise<string>, done: (status: string) => boolean): Promise<string[]> {
      const seen: string[] = [];
      for (;;) {
        const status = await read();
        if (seen[seen.length - 1] !== status) seen.push(status);
        if (done(status)) return seen;
        await sleep(5);
      }
    }
    const streamStatus = () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName })).then((r) => r.StreamDescriptionSummary!.StreamStatus!, (e: Error) => e.name);
    expect(await statuses(streamStatus, (s) => s === 'ACTIVE')).toEqual(['CREATING', 'ACTIVE']);
    const StreamARN = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${StreamName}`;
    // While the stream is ACTIVE, a policy write goes through; on a CREATING consumer it is refused.
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: 'reader' }));
    expect(Consumer?.ConsumerStatus).toBe('CREATING');
    const onConsumer = await failure(kinesis.send(new PutStreamPolicyCommand({ ResourceARN: Consumer!.ConsumerARN!, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'R', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kinesis:SubscribeToShard', Resource: Consumer!.ConsumerARN! }] }) })));
    expect(onConsumer.name).toBe('ResourceInUseException');
    const listed = () => kinesis.send(new ListStreamConsumersCommand({ StreamARN })).then((r) => r.Consumers?.[0]?.ConsumerStatus ?? 'none');
    expect(await statuses(listed, (s) => s === 'ACTIVE')).toEqual(['CREATING', 'ACTIVE']);
    await kinesis.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true }));
    expect(await statuses(streamStatus, (s) => s === 'ResourceNotFoundException')).toEqual(['DELETING', 'ResourceNotFoundException']);
  });
});

describe('throttling', () => {
  it('answers about the configured fraction of requests with the service throttling error, seeded', async () => {
    const sim = await simulator({ foreign: false, throttleRate: 0.3, seed: 12 });
    const ddb = new DynamoDBClient(config(sim));
    const answers = await Promise.all(Array.from({ length: 100 }, () => ddb.send(new ListTablesCommand({})).then(() => 'ok', (e: Error) => e.name)));
    const throttled = answers.filter((a) => a === 'ThrottlingException').length;
    expect(answers.every((a) => a === 'ok' || a === 'ThrottlingException')).toBe(true);
    // 100 draws at p = 0.3: 30 expected; outside 12..50 is astronomically unlikely for any seed.
    expect(throttled).toBeGreaterThan(12);
    expect(throttled).toBeLessThan(50);
    const xray = new XRayClient(config(sim));
    const xrayAnswers = await Promise.all(Array.from({ length: 40 }, () => xray.send(new ListResourcePoliciesCommand({})).then(() => 'ok', (e: Error) => e.name)));
    expect(xrayAnswers).toContain('ThrottledException');
  });
});

describe('foreign resources', () => {
  it('the account starts with a table with a policy, a stream, an Advanced parameter with a policy, X-Ray policies and an OpsItemGroup policy, none marked as the suite\'s', async () => {
    const sim = await simulator({ timeScale: 0.1 });
    const foreign = sim.server.foreign;
    expect(foreign.map((f) => `${f.service}:${f.kind}`).sort()).toEqual(['dynamodb:table', 'kinesis:stream', 'ssm:opsitemgroup', 'ssm:parameter', 'xray:policy', 'xray:policy']);
    for (const f of foreign) {
      expect(marked(f.id)).toBe(false);
      if (f.policy) expect(policyMarked(f.policy)).toBe(false);
    }
    const table = foreign.find((f) => f.kind === 'table')!;
    const ddb = new DynamoDBClient(config(sim));
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([table.id]);
    expect(JSON.parse((await ddb.send(new GetResourcePolicyCommand({ ResourceArn: tableArn(table.id) }))).Policy!)).toMatchObject({ Statement: [{ Sid: 'ReportingReadOnly' }] });
    expect((await new KinesisClient(config(sim)).send(new ListStreamsCommand({}))).StreamNames).toEqual([foreign.find((f) => f.kind === 'stream')!.id]);
    const ssm = new SSMClient(config(sim));
    const parameter = foreign.find((f) => f.kind === 'parameter')!;
    expect((await ssm.send(new DescribeParametersCommand({}))).Parameters?.map((p) => [p.Name, p.Tier])).toEqual([[parameter.id, 'Advanced']]);
    const opsGroup = foreign.find((f) => f.kind === 'opsitemgroup')!;
    expect((await ssm.send(new GetResourcePoliciesCommand({ ResourceArn: opsGroup.id }))).Policies?.map((p) => p.Policy)).toEqual([opsGroup.policy]);
    const listed = (await new XRayClient(config(sim)).send(new ListResourcePoliciesCommand({}))).ResourcePolicies ?? [];
    expect(listed.map((p) => p.PolicyName).sort()).toEqual(foreign.filter((f) => f.service === 'xray').map((f) => f.id).sort());
  });
});

describe('AWS-like mutants', () => {
  it('aws-condition-on-visible: the RevisionId a Put just returned is refused while Get lags', async () => {
    const sim = await simulator({ foreign: false, timeScale: 0.2, mutant: 'aws-condition-on-visible' });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'mutant-condition');
    const policy = doc('First', arn);
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy }));
    expect((await failure(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy, ExpectedRevisionId: put.RevisionId })))).name).toBe('PolicyNotFoundException');
  });

  it('aws-read-flips-back: after showing the new policy, the next read shows the old one', async () => {
    const sim = await simulator({ foreign: false, timeScale: 0.2, mutant: 'aws-read-flips-back' });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'mutant-flip');
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('First', arn) }));
    const seen: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 900) seen.push(await shown(ddb, arn));
    const switched = seen.indexOf(put.RevisionId!);
    expect(switched).toBeGreaterThan(0);
    expect(seen[switched + 1]).toBe('PolicyNotFoundException');
    expect(seen.slice(switched + 2).every((s) => s === put.RevisionId)).toBe(true);
  });

  it('aws-no-window: a different Put right after a change succeeds', async () => {
    const sim = await simulator({ foreign: false, timeScale: 0.2, mutant: 'aws-no-window' });
    const ddb = new DynamoDBClient(config(sim));
    const arn = await activeTable(ddb, 'mutant-window');
    const first = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('First', arn) }));
    const second = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('Second', arn) }));
    expect(second.RevisionId).not.toBe(first.RevisionId);
  });
});
