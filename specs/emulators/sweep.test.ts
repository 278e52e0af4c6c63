/**
 * Leaving no trace, through the real CLI: a run killed with kill -9 leaves resources and its journal; `sweep` lists
 * them (dry run, exit 1), `sweep --yes` deletes exactly those — look-alike resources planted beforehand without the
 * suite's mark stay — and exits 0, with nothing of the suite left and the journal gone. A run that ends normally
 * leaves no journal. X-Ray policies of earlier runs taking all the account's slots make a run `incomplete`, not a pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { GetParameterCommand, ListTagsForResourceCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { PutResourcePolicyCommand, XRayClient } from '@aws-sdk/client-xray';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReference } from '../../harness/reference/server.js';
import { DUMMY_CREDENTIALS } from '../../harness/sdk.js';
import { startMoto, type ManagedProcess } from '../../harness/targets/moto.js';
import { REPO, runCli } from '../support/cli.js';
import { leftovers } from '../support/leftovers.js';

const journals = mkdtempSync(join(tmpdir(), 'pc-journals-'));
const scratch = mkdtempSync(join(tmpdir(), 'pc-sweep-'));
const env = { POLICY_CONFORMANCE_JOURNAL_DIR: journals };
afterAll(() => {
  rmSync(journals, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const config = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, requestHandler: new NodeHttpHandler() });

/** Names like the suite's but without its mark (the mark: `pc` + 9 lower-case base-36 characters, a counter, then - or /). */
const FOREIGN_TABLES = ['pc-foreign', 'pcabcdefghi', 'PCabcdefghi0-t0', 'pcabc-t0', 'team-pc5dc7o8yn5a-t0'];

/** Start a run and kill -9 it once its first service has created something. */
function killedRun(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/policy-conformance.mjs', 'run', '--target', url, '--services', 'dynamodb,kinesis,ssm', '--seed', '7', '--failures', 'off', '--out', join(scratch, 'killed')], { cwd: REPO, env: { ...process.env, ...env } });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let killed = false;
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const poll = setInterval(async () => {
      if (killed) return;
      const found = await leftovers(url).catch(() => []);
      if (found.length >= 2) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 300);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      clearInterval(poll);
      resolve(output);
    });
  });
}

describe('sweep, after kill -9, against moto', () => {
  let moto: ManagedProcess;
  beforeAll(async () => {
    moto = await startMoto();
    const ddb = new DynamoDBClient(config(moto.endpoint));
    for (const TableName of FOREIGN_TABLES) {
      await ddb.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
    await new KinesisClient(config(moto.endpoint)).send(new CreateStreamCommand({ StreamName: 'pc-foreign-stream', ShardCount: 1 }));
    await new SSMClient(config(moto.endpoint)).send(new PutParameterCommand({ Name: '/pcforeign/x', Value: 'v', Type: 'String' }));
  }, 120_000);
  afterAll(async () => moto?.stop());

  it('lists and removes exactly what the killed run left, and nothing else', async () => {
    // A kill can land just after a cleanup's deletes went out: then nothing is left, and the run is killed again.
    let output = '';
    let left: string[] = [];
    for (let attempt = 0; attempt < 4 && left.length === 0; attempt++) {
      output = await killedRun(moto.endpoint);
      left = await leftovers(moto.endpoint);
    }
    expect(left.length, output).toBeGreaterThan(0);
    expect(readdirSync(journals).length).toBeGreaterThan(0);
    // Besides its name, each table and parameter left carries the run tag naming its sequence (read from moto,
    // which keeps the tags of both; a parameter first made with Overwrite cannot carry it: AWS refuses both at once).
    const tagOf = (tags: Array<{ Key?: string; Value?: string }> | undefined) => tags?.find((t) => t.Key === 'policy-conformance:run')?.Value;
    for (const l of left) {
      const [kind, name] = [l.split(' ')[0], l.split(' ').at(-1)!];
      const sequencePrefix = name.replace(/^\//, '').split(/[-/]/)[0];
      if (kind === 'table') {
        const { Tags } = await new DynamoDBClient(config(moto.endpoint)).send(new ListTagsOfResourceCommand({ ResourceArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}` }));
        expect(tagOf(Tags), name).toBe(sequencePrefix);
      }
      if (kind === 'parameter') {
        const { TagList } = await new SSMClient(config(moto.endpoint)).send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
        if (TagList?.length) expect(tagOf(TagList), name).toBe(sequencePrefix);
      }
    }

    const dry = await runCli(['sweep', '--target', moto.endpoint], 120_000, env);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toMatch(/dry run: nothing deleted/);
    for (const name of left.map((l) => l.split(' ').at(-1)!)) expect(dry.stdout).toContain(name);
    for (const name of FOREIGN_TABLES) expect(dry.stdout).not.toContain(` ${name} `);
    expect(await leftovers(moto.endpoint)).toEqual(left);

    const yes = await runCli(['sweep', '--target', moto.endpoint, '--yes'], 300_000, env);
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/\d+ deleted, 0 left/);
    expect(await leftovers(moto.endpoint)).toEqual([]);
    expect(readdirSync(journals)).toEqual([]);

    // Everything without the mark is still there.
    const tables = (await new DynamoDBClient(config(moto.endpoint)).send(new ListTablesCommand({}))).TableNames ?? [];
    for (const name of FOREIGN_TABLES) expect(tables).toContain(name);
    const streams = (await new KinesisClient(config(moto.endpoint)).send(new ListStreamsCommand({}))).StreamNames ?? [];
    expect(streams).toContain('pc-foreign-stream');
    await new SSMClient(config(moto.endpoint)).send(new GetParameterCommand({ Name: '/pcforeign/x' }));

    const again = await runCli(['sweep', '--target', moto.endpoint], 120_000, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 resources of the suite/);
  }, 400_000);

  it('a run that ends normally leaves no journal and nothing on the target', async () => {
    for (const f of readdirSync(journals)) rmSync(join(journals, f));
    const r = await runCli(['run', '--target', moto.endpoint, '--services', 'ssm', '--runs', '30', '--seed', '3', '--failures', 'off', '--out', join(scratch, 'normal')], 300_000, env);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).not.toMatch(/LEFT ON THE TARGET/);
    expect(readdirSync(journals)).toEqual([]);
    expect(await leftovers(moto.endpoint)).toEqual([]);
  }, 400_000);

  it('refuses targets the suite starts itself', async () => {
    const r = await runCli(['sweep', '--target', 'moto'], 30_000, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sweep works on a target the suite does not start itself/);
  });
});

describe('leftovers that cost coverage', () => {
  it('five X-Ray policies of earlier runs make the run incomplete, naming the rules not reached', async () => {
    const ref = await startReference({});
    try {
      const xray = new XRayClient(config(ref.url));
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'a', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'xray:PutTraceSegments', Resource: '*' }] });
      for (let i = 0; i < 5; i++) await xray.send(new PutResourcePolicyCommand({ PolicyName: `pcaaaaaaaa${i}0-s${i}`, PolicyDocument: doc }));
      const r = await runCli(['run', '--target', ref.url, '--services', 'xray', '--seed', '3', '--failures', 'off', '--out', join(scratch, 'xray-leftovers')], 300_000, env);
      expect(r.code, r.stdout).toBe(3);
      expect(r.stdout).toMatch(/xray\s+incomplete/);
      expect(r.stdout).toMatch(/xray +incomplete .*all 5 of the account's X-Ray resource policy slots were taken at the start \(pcaaaaaaaa00-s0, .*\); 5 of them left by earlier \(or concurrent\) runs .*; rules not reached: .*xray\.put\.create/);
      expect(r.stdout).toMatch(/5 resources of earlier runs were there at the start/);
    } finally {
      await ref.stop();
    }
  }, 300_000);

});
