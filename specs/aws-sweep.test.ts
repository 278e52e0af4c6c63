/**
 * Issue #12, "Done when": kill -9 a run of `--target aws` against the AWS-like simulator (which starts with the
 * account's own resources: a table with a policy, a stream, an Advanced parameter with a policy, an OpsItemGroup
 * policy, two X-Ray policies), then `sweep --target aws --yes`: nothing of the suite's is left and every foreign
 * resource is as it was. What is on the target is read with plain SDK calls, before the run and after the sweep,
 * and the two readings must be equal; the runs and the sweep go behind the loopback guard.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetResourcePolicyCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { DescribeParametersCommand, GetResourcePoliciesCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListResourcePoliciesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAwsLike, startAwsLike } from '../harness/aws-like/index.js';
import { clientConfig } from '../harness/sdk.js';
import { REPO, runProcess } from './support/cli.js';
import { guardedEnv, guardLog } from './support/loopback-guard.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const KEYS = { accessKeyId: 'sweep-spec-key', secretAccessKey: 'sweep-spec-secret' };
const scratch = mkdtempSync(join(tmpdir(), 'pc-aws-sweep-'));
const guard = join(scratch, 'guard.jsonl');
let sim: RunningAwsLike;

beforeAll(async () => {
  sim = await startAwsLike({ credentials: KEYS, account: ACCOUNT, region: REGION, timeScale: 0.01, seed: 5 });
});
afterAll(async () => {
  await sim?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** The child's environment: the simulator as every endpoint, its keys, the allow-list, a journal folder of its own. */
function env(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'POLICY_CONFORMANCE_ALLOWED_ACCOUNTS'));
  return {
    ...clean,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    AWS_CONFIG_FILE: join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: sim.url,
    // Where a CI job's credentials step puts the region (`--target aws` takes it from there without --region).
    AWS_REGION: REGION,
    POLICY_CONFORMANCE_ALLOWED_ACCOUNTS: ACCOUNT,
    POLICY_CONFORMANCE_JOURNAL_DIR: join(scratch, 'journals'),
    ...guardedEnv(guard),
  };
}

/** Everything on the target the suite could have touched, read with plain SDK calls: one line per resource or policy. */
async function onTarget(): Promise<string[]> {
  // The suite's client settings (HTTP/1.1: Kinesis's SDK client would otherwise speak HTTP/2).
  const config = clientConfig({ url: sim.url, region: REGION, credentials: KEYS });
  const ddb = new DynamoDBClient(config);
  const kinesis = new KinesisClient(config);
  const ssm = new SSMClient(config);
  const xray = new XRayClient(config);
  const lines: string[] = [];
  try {
    for (const name of (await ddb.send(new ListTablesCommand({}))).TableNames ?? []) {
      const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      const policy = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn })).then((r) => r.Policy, (e: Error) => e.name);
      lines.push(`dynamodb table ${name} ${policy}`);
    }
    for (const name of (await kinesis.send(new ListStreamsCommand({}))).StreamNames ?? []) lines.push(`kinesis stream ${name}`);
    for (const p of (await ssm.send(new DescribeParametersCommand({}))).Parameters ?? []) {
      const arn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${p.Name!.startsWith('/') ? '' : '/'}${p.Name}`;
      const policies = p.Tier === 'Advanced' ? ((await ssm.send(new GetResourcePoliciesCommand({ ResourceArn: arn }))).Policies ?? []).map((x) => x.Policy) : [];
      lines.push(`ssm parameter ${p.Name} ${JSON.stringify(policies)}`);
    }
    const ops = `arn:aws:ssm:${REGION}:${ACCOUNT}:opsitemgroup/default`;
    for (const p of (await ssm.send(new GetResourcePoliciesCommand({ ResourceArn: ops }))).Policies ?? []) lines.push(`ssm opsitemgroup ${p.Policy}`);
    for (const p of (await xray.send(new ListResourcePoliciesCommand({}))).ResourcePolicies ?? []) lines.push(`xray policy ${p.PolicyName} ${p.PolicyDocument}`);
  } finally {
    for (const c of [ddb, kinesis, ssm, xray]) c.destroy();
  }
  return lines.sort();
}

/** A run of `services` against the simulator, killed with SIGKILL once the target holds `extra` more things than `before`. */
function killedRun(services: string, before: number, extra: number): Promise<void> {
  let stderr = '';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/policy-conformance.mjs', 'run', '--target', 'aws', '--services', services, '--runs', '500', '--seed', '9', '--window-ms', '150', '--failures', 'off', '--quiet', '--out', join(scratch, 'killed')], { cwd: REPO, env: env() });
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const poll = setInterval(async () => {
      if ((await onTarget().catch(() => [])).length >= before + extra) child.kill('SIGKILL');
    }, 150);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(giveUp);
      clearInterval(poll);
      // Killed, not ended by itself (a run refused before its first request would leave nothing to sweep).
      if (signal !== 'SIGKILL') reject(new Error(`the run of ${services} ended by itself (exit ${code}): ${stderr.trim()}`));
      else resolve();
    });
  });
}

describe('kill -9, then sweep --target aws --yes', () => {
  it('leaves nothing of the suite and every foreign resource as it was', async () => {
    const before = await onTarget();
    // The simulator's own resources are there (and so in `before`): a table with its policy, a stream, a parameter
    // with its policy, the OpsItemGroup's policy, two X-Ray policies.
    for (const f of sim.server.foreign) expect(before.some((line) => line.includes(f.kind === 'opsitemgroup' ? 'ssm opsitemgroup' : f.id)), `${f.service} ${f.kind} ${f.id}`).toBe(true);

    // Per-resource services, then the account-wide ones (their leases, the OpsItemGroup, X-Ray's free slots).
    await killedRun('dynamodb,kinesis', before.length, 2);
    await killedRun('xray,ssm', before.length, 2);
    const killed = await onTarget();
    expect(killed.length, 'the killed runs left something to sweep').toBeGreaterThan(before.length);

    const swept = await runProcess(process.execPath, ['bin/policy-conformance.mjs', 'sweep', '--target', 'aws', '--yes'], { cwd: REPO, env: env(), timeoutMs: 120_000 });
    expect(swept.code, swept.stdout + swept.stderr).toBe(0);
    expect(swept.stdout).toMatch(/ deleted, 0 left/);
    expect(await onTarget()).toEqual(before);
    expect(guardLog(guard).filter((g) => !g.allowed), 'connections that would have left 127.0.0.1').toEqual([]);
  }, 240_000);
});
