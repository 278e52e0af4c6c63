/**
 * Stopping early, through the real CLI in a child process: SIGINT/SIGTERM mid-run end it cleanly (exit 130/143,
 * reports written with verdict `interrupted`, nothing of the run left on the target, read back with plain SDK
 * calls), a second signal exits at once, and each budget ends a run with `incomplete` — never a pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import { startMoto, type ManagedProcess } from '../harness/targets/moto.js';
import { REPO, runCli } from './support/cli.js';
import { leftovers } from './support/leftovers.js';
import { startProxy } from './support/proxy.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-interrupts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start a run, send `signal` once stderr shows `when` (and again after `again` ms, if given). */
function interruptRun(args: string[], signal: NodeJS.Signals, when: RegExp, again?: number, onSignal?: () => void): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/policy-conformance.mjs', ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        onSignal?.();
        child.kill(signal);
        if (again !== undefined) setTimeout(() => child.kill(signal), again);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

describe('interrupts', () => {
  let ref: Awaited<ReturnType<typeof startReference>>;
  let moto: ManagedProcess;
  beforeAll(async () => {
    ref = await startReference({});
    moto = await startMoto();
  }, 120_000);
  afterAll(async () => {
    await ref?.stop();
    await moto?.stop();
  });

  // The reference server has no List operations: what is left there is not read back (moto's is).
  // A URL target with the default concurrency runs its services side by side; `--concurrency 1` one after the other.
  for (const [name, url, canList, serial] of [
    ['the reference server', () => ref.url, false, false],
    ['the reference server, one service after the other', () => ref.url, false, true],
    ['moto', () => moto.endpoint, true, false],
  ] as const) {
    it(`SIGINT mid-run against ${name}: exit 130, reports written${canList ? ', nothing of the run left' : ''}`, async () => {
      const out = join(scratch, `sigint-${name.replace(/\W/g, '')}`);
      const r = await interruptRun(['run', '--target', url(), '--services', 'dynamodb,kinesis', '--seed', '7', '--failures', 'off', '--out', out, ...(serial ? ['--concurrency', '1'] : [])], 'SIGINT', /\[dynamodb\] (round 1: 25 sequences|wrong-answer on)/);
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/SIGINT: finishing the sequence in flight/);
      expect(r.stdout).toMatch(/verdict: interrupted/);
      const json = results(out);
      expect(json.interruptedBy).toBe('SIGINT');
      expect(json.services.map((s: { verdict: string }) => s.verdict)).toEqual(['interrupted', 'interrupted']);
      expect(json.services[0].runs).toBeGreaterThan(0);
      // Side by side, the second service was under way too when the signal came and says how far it got; one after
      // the other, it never started.
      expect(json.sideBySide).toBe(serial ? undefined : true);
      if (serial) expect(json.services[1].reason).toMatch(/^not run: interrupted by SIGINT/);
      else expect(json.services[1].reason).toMatch(/^interrupted by SIGINT after \d+ sequences/);
      expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/type="interrupted"/);
      if (canList) expect(await leftovers(url())).toEqual([]);
    }, 180_000);
  }

  it('SIGTERM: exit 143', async () => {
    const out = join(scratch, 'sigterm');
    const r = await interruptRun(['run', '--target', ref.url, '--services', 'kinesis', '--seed', '7', '--failures', 'off', '--out', out], 'SIGTERM', /\[kinesis\] round 1: 25 sequences/);
    expect(r.code, r.stderr).toBe(143);
    expect(results(out).services[0].verdict).toBe('interrupted');
  }, 120_000);

  it('a second signal exits at once and says what may be left', async () => {
    const out = join(scratch, 'twice');
    // From the first signal on, the target answers nothing: the sequence in flight hangs, and the second signal
    // must not wait for it.
    let stalled = false;
    const proxy = await startProxy(ref.url, () => (stalled ? 'stall' : 'forward'));
    try {
      const started = Date.now();
      let signalled = 0;
      const r = await interruptRun(['run', '--target', proxy.url, '--services', 'ssm', '--seed', '7', '--failures', 'off', '--out', out], 'SIGINT', /\[ssm\] round 1: 25 sequences/, 300, () => {
        stalled = true;
        signalled = Date.now();
      });
      expect(r.code).toBe(130);
      expect(Date.now() - signalled, `run took ${Date.now() - started} ms`).toBeLessThan(3000);
      expect(r.stderr).toMatch(/SIGINT again: exiting now\. Resources the sequence in flight created may be left/);
    } finally {
      await proxy.stop();
    }
  }, 120_000);
});

describe('budgets', () => {
  it('--max-calls ends the run with incomplete (exit 3), with the calls used in results.json', async () => {
    const out = join(scratch, 'max-calls');
    const r = await runCli(['run', '--services', 'dynamodb,xray', '--seed', '7', '--max-calls', '150', '--failures', 'off', '--out', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/verdict: incomplete/);
    const json = results(out);
    expect(json.services.map((s: { verdict: string }) => s.verdict)).toEqual(['incomplete', 'incomplete']);
    expect(json.budgets.maxCalls).toBe(150);
    expect(json.budgets.stoppedBy).toBe('call budget reached (--max-calls 150)');
    // The sequence in flight finishes: a little over the budget, never far.
    expect(json.budgets.callsUsed).toBeGreaterThanOrEqual(150);
    expect(json.budgets.callsUsed).toBeLessThan(150 + 40);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/stopped early: call budget reached.*this is not a pass/);
  }, 120_000);

  it('--time-limit ends the run with incomplete', async () => {
    const out = join(scratch, 'time-limit');
    const r = await runCli(['run', '--services', 'kinesis', '--seed', '7', '--time-limit', '2s', '--failures', 'off', '--out', out]);
    expect(r.code, r.stderr).toBe(3);
    const s = results(out).services[0];
    expect(s.verdict).toBe('incomplete');
    expect(s.stoppedEarly).toBe('time limit reached (--time-limit 2 s)');
    expect(s.runs).toBeLessThan(200);
  }, 120_000);

  it('a departure found before the budget ran out still fails the run (exit 1)', async () => {
    const out = join(scratch, 'budget-fail');
    const r = await runCli(['run', '--services', 'kinesis', '--mutant', 'kin-delete-no-policy-succeeds', '--seed', '7', '--max-calls', '400', '--failures', 'off', '--out', out]);
    const json = results(out);
    expect(r.code, r.stdout).toBe(1);
    expect(json.services[0].verdict).toBe('fail');
    expect(json.services[0].divergences.length).toBeGreaterThan(0);
  }, 120_000);
});

describe('request counts', () => {
  it('results.json counts every HTTP request the run sent, by phase, to the request', async () => {
    const ref = await startReference({});
    // A service with account-wide state takes its turn by a lease kept on the target, an SSM parameter: those SSM
    // requests are its run's (bookkeeping), whatever service they go to.
    const lease: Record<string, number> = {};
    const proxy = await startProxy(ref.url, (req) => {
      const m = /\/policy-conformance\/lease\/(\w+)/.exec(req.body);
      if (req.service === 'ssm' && m) lease[m[1]!] = (lease[m[1]!] ?? 0) + 1;
      return 'forward';
    });
    try {
      const out = join(scratch, 'requests');
      const r = await runCli(['run', '--target', proxy.url, '--services', 'kinesis,xray', '--runs', '40', '--seed', '9', '--failures', 'off', '--out', out]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const services = results(out).services as Array<{ service: string; calls: number; requests: Record<'total' | 'fixture' | 'judged' | 'cleanup', number> }>;
      for (const s of services) {
        const seen = proxy.log.filter((e) => e.service === s.service).length + (s.service === 'ssm' ? 0 : (lease[s.service] ?? 0));
        if (s.service === 'xray') expect(lease.xray, 'the X-Ray run took its turn by the lease on the target').toBeGreaterThan(0);
        const { total, ...phases } = s.requests;
        expect(total, s.service).toBe(seen);
        expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBe(total);
        expect(s.requests.fixture + s.requests.judged).toBeGreaterThanOrEqual(s.calls);
        expect(s.requests.cleanup).toBeGreaterThan(0);
      }
    } finally {
      await proxy.stop();
      await ref.stop();
    }
  }, 120_000);
});

describe('resource budget', () => {
  it('--max-resources ends the run with incomplete, counting what was created by kind', async () => {
    const out = join(scratch, 'max-resources');
    const r = await runCli(['run', '--services', 'kinesis', '--seed', '7', '--max-resources', '25', '--failures', 'off', '--out', out]);
    expect(r.code, r.stderr).toBe(3);
    const json = results(out);
    const s = json.services[0];
    expect(s.verdict).toBe('incomplete');
    expect(s.stoppedEarly).toBe('resource budget reached (--max-resources 25)');
    expect(s.created.stream).toBeGreaterThan(0);
    const total = Object.values(s.created as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(25);
    expect(total).toBeLessThan(25 + 10);
    expect(json.budgets.resourcesUsed).toBe(total);
  }, 120_000);
});
