/**
 * The suite's marks beyond names, and `sweep` on a target served by the reference server (which serves the listing
 * operations a sweep reads: ListTables, ListStreams, DescribeParameters): OpsItemGroup policies carry the run in
 * every statement's Sid, a sweep deletes those and never a policy without the mark, a run names them as leftovers,
 * and a run killed with kill -9 is swept clean with look-alikes left alone. Plain SDK calls read the target.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { DeleteResourcePolicyCommand, GetParameterCommand, GetResourcePoliciesCommand, PutParameterCommand, PutResourcePolicyCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_ACCOUNT, type RunningReference, startReference } from '../harness/reference/server.js';
import { DUMMY_CREDENTIALS } from '../harness/sdk.js';
import { policyMarked } from '../harness/sweep.js';
import { ssmAdapter } from '../services/ssm/adapter.js';
import type { SsmCommand } from '../services/ssm/commands.js';
import { REPO, runCli } from './support/cli.js';
import { leftovers } from './support/leftovers.js';

const journals = mkdtempSync(join(tmpdir(), 'pc-marks-journals-'));
const scratch = mkdtempSync(join(tmpdir(), 'pc-marks-'));
const env = { POLICY_CONFORMANCE_JOURNAL_DIR: journals };
afterAll(() => {
  rmSync(journals, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const config = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, requestHandler: new NodeHttpHandler() });
const OPS = `arn:aws:ssm:us-east-1:${REFERENCE_ACCOUNT}:opsitemgroup/default`;
const opsDoc = (...sids: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: sids.map((Sid) => ({ Sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'ssm:GetOpsItem', Resource: OPS })) });

describe('policyMarked: a document is the suite\'s when every statement\'s Sid carries a run prefix', () => {
  it.each([
    [opsDoc('pcabcdefghi0Grant0'), undefined, true],
    [opsDoc('pcabcdefghi12Grant0', 'pcabcdefghi12Lockout'), undefined, true],
    [opsDoc('pcabcdefghi12Grant0'), 'pcabcdefghi', true],
    [opsDoc('pcabcdefghi12Grant0'), 'pczzzzzzzzz', false],
    [opsDoc('pcabcdefghi12Grant0', 'Grant1'), undefined, false],
    [opsDoc('Grant0'), undefined, false],
    [opsDoc('pcabcdefghGrant0'), undefined, false],
    [opsDoc('pcabcdefghigrant'), undefined, false],
    [JSON.stringify({ Version: '2012-10-17', Statement: [] }), undefined, false],
    ['not json', undefined, false],
  ])('%s (prefix %s) → %s', (doc, prefix, expected) => {
    expect(policyMarked(doc, prefix)).toBe(expected);
  });

  it('every document shape the SSM adapter puts on the OpsItemGroup carries its sequence\'s mark', async () => {
    const ref = await startReference({});
    const connection = ssmAdapter.connect({ url: ref.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS }, { settleMs: 0, waitSeconds: 5 });
    try {
      const sequence = connection.sequence('pcabcdefghi7', { account: REFERENCE_ACCOUNT, region: 'us-east-1' });
      const shapes = [{ kind: 'valid', variant: 2, whitespace: 30 }, { kind: 'sized', bytes: 1024 }, { kind: 'public' }, { kind: 'lockout' }, { kind: 'previous' }] as const;
      for (const policy of shapes) {
        const { input } = sequence.request({ op: 'PutResourcePolicy', target: { kind: 'opsitemgroup' }, policy } as SsmCommand);
        expect(policyMarked(String(input.Policy), 'pcabcdefghi'), JSON.stringify(policy)).toBe(true);
      }
      // A parameter's policies sit on a resource of the run's own: no marker needed, none added.
      const onParameter = sequence.request({ op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p0' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } } as SsmCommand);
      expect(policyMarked(String(onParameter.input.Policy))).toBe(false);
      // Parameters carry the run tag unless AWS refuses it (with Overwrite).
      expect(sequence.request({ op: 'PutParameter', slot: 'p0', tier: 'Advanced' } as SsmCommand).input.Tags).toEqual([{ Key: 'policy-conformance:run', Value: 'pcabcdefghi7' }]);
      expect(sequence.request({ op: 'PutParameter', slot: 'p0', overwrite: true } as SsmCommand).input.Tags).toBeUndefined();
    } finally {
      connection.close();
      await ref.stop();
    }
  });
});

describe('sweep on a reference-served target', () => {
  let ref: RunningReference;
  beforeAll(async () => {
    ref = await startReference({});
  });
  afterAll(async () => ref?.stop());

  it('finds marked OpsItemGroup policies (with the account from --account or a journal), deletes them, and never an unmarked one', async () => {
    const ssm = new SSMClient(config(ref.url));
    const { PolicyId } = await ssm.send(new PutResourcePolicyCommand({ ResourceArn: OPS, Policy: opsDoc('pcabcdefghi3Grant0') }));

    const unknown = await runCli(['sweep', '--target', ref.url, '--services', 'ssm'], 60_000, env);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toMatch(/OpsItemGroup\) not checked: no journal of this target names its account \(pass --account ID\)/);

    const dry = await runCli(['sweep', '--target', ref.url, '--services', 'ssm', '--account', REFERENCE_ACCOUNT], 60_000, env);
    expect(dry.code, dry.stdout + dry.stderr).toBe(1);
    expect(dry.stdout).toContain(`opsitemgroup-policy ${OPS} policy ${PolicyId} (Sid pcabcdefghi3Grant0)`);

    // A run that starts with it names it among the leftovers (it is not the run's to remove).
    const run = await runCli(['run', '--target', ref.url, '--services', 'ssm', '--runs', '15', '--seed', '4', '--failures', 'off', '--out', join(scratch, 'ops-leftover')], 120_000, env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`1 resources of earlier runs were there at the start: opsitemgroup-policy ${OPS} policy ${PolicyId}`));

    const yes = await runCli(['sweep', '--target', ref.url, '--services', 'ssm', '--account', REFERENCE_ACCOUNT, '--yes'], 60_000, env);
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/1 deleted, 0 left/);
    expect((await ssm.send(new GetResourcePoliciesCommand({ ResourceArn: OPS }))).Policies ?? []).toEqual([]);

    // Look-alikes: a Sid without a run prefix, and a document only half of whose statements are marked.
    for (const doc of [opsDoc('Grant0'), opsDoc('pcabcdefghi3Grant0', 'TeamGrant')]) {
      const put = await ssm.send(new PutResourcePolicyCommand({ ResourceArn: OPS, Policy: doc }));
      const left = await runCli(['sweep', '--target', ref.url, '--services', 'ssm', '--account', REFERENCE_ACCOUNT, '--yes'], 60_000, env);
      expect(left.code, left.stdout + left.stderr).toBe(0);
      expect(left.stdout).toMatch(/^0 resources of the suite/);
      const policies = (await ssm.send(new GetResourcePoliciesCommand({ ResourceArn: OPS }))).Policies ?? [];
      expect(policies.map((p) => p.PolicyId)).toEqual([put.PolicyId]);
      await ssm.send(new DeleteResourcePolicyCommand({ ResourceArn: OPS, PolicyId: put.PolicyId!, PolicyHash: put.PolicyHash! }));
    }
    ssm.destroy();
  }, 240_000);

  it('after kill -9, lists and removes what the run left (found by listing the target), and nothing else', async () => {
    const ddb = new DynamoDBClient(config(ref.url));
    await ddb.send(new CreateTableCommand({ TableName: 'pcabc-t0', AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await new KinesisClient(config(ref.url)).send(new CreateStreamCommand({ StreamName: 'pc-foreign-stream', ShardCount: 1 }));
    await new SSMClient(config(ref.url)).send(new PutParameterCommand({ Name: '/pcforeign/x', Value: 'v', Type: 'String' }));

    let left: string[] = [];
    for (let attempt = 0; attempt < 4 && left.length === 0; attempt++) {
      await killedRun(ref.url);
      left = await leftovers(ref.url);
    }
    expect(left.length).toBeGreaterThan(0);
    expect(readdirSync(journals).length).toBeGreaterThan(0);

    const yes = await runCli(['sweep', '--target', ref.url, '--yes'], 120_000, env);
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    for (const name of left.map((l) => l.split(' ').at(-1)!)) expect(yes.stdout).toContain(name);
    expect(await leftovers(ref.url)).toEqual([]);
    expect(readdirSync(journals)).toEqual([]);

    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain('pcabc-t0');
    expect((await new KinesisClient(config(ref.url)).send(new ListStreamsCommand({}))).StreamNames).toContain('pc-foreign-stream');
    await new SSMClient(config(ref.url)).send(new GetParameterCommand({ Name: '/pcforeign/x' }));
  }, 240_000);
});

/** Start a run of the three per-resource services and kill -9 it once it has created two resources. */
function killedRun(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/policy-conformance.mjs', 'run', '--target', url, '--services', 'dynamodb,kinesis,ssm', '--runs', '5000', '--seed', '7', '--failures', 'off', '--out', join(scratch, 'killed')], { cwd: REPO, env: { ...process.env, ...env } });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const poll = setInterval(async () => {
      if ((await leftovers(url).catch(() => [])).length >= 2) child.kill('SIGKILL');
    }, 100);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      clearInterval(poll);
      resolve();
    });
  });
}
