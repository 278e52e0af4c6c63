/**
 * Two runs at once against one target never give a false divergence: runs of a service with account-wide state
 * (X-Ray's policies, SSM's OpsItemGroup) take turns behind a lease, and both pass; the second says it waited.
 * A lease whose holder died blocks nobody.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseFile } from '../harness/lease.js';
import { startReference } from '../harness/reference/server.js';
import { runCli } from './support/cli.js';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DUMMY_CREDENTIALS } from '../harness/sdk.js';

const state = mkdtempSync(join(tmpdir(), 'pc-concurrent-'));
const env = { POLICY_CONFORMANCE_JOURNAL_DIR: join(state, 'journals') };
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('two runs at once against one target', () => {
  let ref: Awaited<ReturnType<typeof startReference>>;
  beforeAll(async () => {
    ref = await startReference({});
  });
  afterAll(async () => ref?.stop());

  for (const service of ['xray', 'ssm']) {
    it(`${service}: both pass, one after the other`, async () => {
      const run = (n: number) => runCli(['run', '--target', ref.url, '--services', service, '--seed', String(40 + n), '--failures', 'off', '--out', join(state, `${service}-${n}`)], 300_000, env);
      const [a, b] = await Promise.all([run(1), run(2)]);
      expect(a.code, a.stdout + a.stderr).toBe(0);
      expect(b.code, b.stdout + b.stderr).toBe(0);
      expect(a.stderr + b.stderr).toMatch(/waiting for another run's turn on this target's account-wide state: pid \d+/);
    }, 300_000);
  }

  // Two machines: each run has its own state folder, so their file leases never meet; the lease on the target does.
  for (const service of ['xray', 'ssm']) {
    it(`${service}: runs of two machines take turns by the lease kept on the target`, async () => {
      const run = (n: number) =>
        runCli(['run', '--target', ref.url, '--services', service, '--seed', String(50 + n), '--runs', '60', '--failures', 'off', '--out', join(state, `${service}-machine-${n}`)], 300_000, {
          POLICY_CONFORMANCE_JOURNAL_DIR: join(state, `machine-${n}`, 'journals'),
        });
      const [a, b] = await Promise.all([run(1), run(2)]);
      expect(a.code, a.stdout + a.stderr).toBe(0);
      expect(b.code, b.stdout + b.stderr).toBe(0);
      expect(a.stderr + b.stderr).toMatch(new RegExp(`waiting for another run's turn on this target's account-wide state: run pc\\w+ on .* \\(lease /policy-conformance/lease/${service} on the target\\)`));
      // Released at the end: nothing of the lease stays on the target.
      const ssm = new SSMClient({ endpoint: ref.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS });
      await expect(ssm.send(new GetParameterCommand({ Name: `/policy-conformance/lease/${service}` }))).rejects.toThrow(ParameterNotFound);
      ssm.destroy();
    }, 300_000);
  }

  it('a lease on the target left by a killed run on this machine does not block, and sweep removes one', async () => {
    const ssm = new SSMClient({ endpoint: ref.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS });
    const dead = JSON.stringify({ prefix: 'pcdeadbeef00', host: hostname(), pid: 4_194_305 });
    await ssm.send(new PutParameterCommand({ Name: '/policy-conformance/lease/xray', Value: dead, Type: 'String' }));
    const r = await runCli(['run', '--target', ref.url, '--services', 'xray', '--runs', '20', '--seed', '5', '--failures', 'off', '--out', join(state, 'stale-target')], 120_000, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/waiting for another run/);

    await ssm.send(new PutParameterCommand({ Name: '/policy-conformance/lease/ssm', Value: dead, Type: 'String' }));
    const dry = await runCli(['sweep', '--target', ref.url, '--services', 'ssm'], 60_000, env);
    expect(dry.stdout).toMatch(/lease +parameter +\/policy-conformance\/lease\/ssm +\(its holder is gone\)/);
    const yes = await runCli(['sweep', '--target', ref.url, '--services', 'ssm', '--yes'], 60_000, env);
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    await expect(ssm.send(new GetParameterCommand({ Name: '/policy-conformance/lease/ssm' }))).rejects.toThrow(ParameterNotFound);
    ssm.destroy();
  }, 180_000);

  it('a lease left by a killed run does not block', async () => {
    const file = leaseFile(ref.url, 'xray', join(dirname(env.POLICY_CONFORMANCE_JOURNAL_DIR), 'leases'));
    mkdirSync(dirname(file), { recursive: true });
    // pid 2^22+1 is above Linux's default pid_max: no such process.
    writeFileSync(file, JSON.stringify({ pid: 4_194_305, host: hostname(), at: new Date().toISOString(), prefix: 'pcdeadbeef00' }));
    const r = await runCli(['run', '--target', ref.url, '--services', 'xray', '--runs', '20', '--seed', '5', '--failures', 'off', '--out', join(state, 'stale')], 120_000, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/waiting for another run/);
  }, 120_000);
});
