/**
 * A target in a process of its own runs its services side by side unless --concurrency 1 is given (cli/run-target.ts,
 * runsSideBySide): a remote one, and an emulator the suite starts (reset once, before them all). Their runs overlap
 * in time, and they report what one service after another reports — the same verdicts and the same witnesses for a
 * seed; on an emulator the suite starts, each service has a process of its own. Their budgets are one budget: --max-calls holds for all of them together (Halt.lane). The embedded
 * reference, in the suite's own process, runs them one after another.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import { runCli } from './support/cli.js';

const state = mkdtempSync(join(tmpdir(), 'pc-side-by-side-'));
const env = { POLICY_CONFORMANCE_JOURNAL_DIR: join(state, 'journals') };
afterAll(() => rmSync(state, { recursive: true, force: true }));
const SERVICES = 'dynamodb,kinesis,xray';
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const interval = (s: { startedAt: string; durationMs: number }) => [Date.parse(s.startedAt), Date.parse(s.startedAt) + s.durationMs] as const;

describe('services side by side on a remote target', () => {
  let ref: Awaited<ReturnType<typeof startReference>>;
  beforeAll(async () => {
    ref = await startReference({ mutant: 'ddb-createtable-unchecked-policy' });
  });
  afterAll(async () => ref?.stop());

  it('overlap in time and report what one after another reports: the same verdicts and witnesses', async () => {
    const run = (name: string, extra: string[]) => runCli(['run', '--target', ref.url, '--services', SERVICES, '--seed', '7', '--runs', '40', '--failures', 'off', '--out', join(state, name), ...extra], 300_000, env);
    const side = await run('side', []);
    const serial = await run('serial', ['--concurrency', '1']);
    expect(side.code, side.stdout + side.stderr).toBe(1);
    expect(serial.code, serial.stdout + serial.stderr).toBe(1);
    const [a, b] = [results(join(state, 'side')), results(join(state, 'serial'))];
    expect(a.sideBySide).toBe(true);
    expect(b.sideBySide).toBeUndefined();
    expect(side.stdout).toMatch(/services side by side/);
    expect(readFileSync(join(state, 'side', 'report.md'), 'utf8')).toMatch(/· services side by side ·/);
    // Each service began before any other had ended; one after another, each began after the one before it ended.
    const spans = a.services.map(interval);
    expect(Math.max(...spans.map((s: readonly number[]) => s[0]!)), JSON.stringify(spans)).toBeLessThan(Math.min(...spans.map((s: readonly number[]) => s[1]!)));
    const serialSpans = b.services.map(interval);
    for (let i = 1; i < serialSpans.length; i++) expect(serialSpans[i]![0]).toBeGreaterThanOrEqual(serialSpans[i - 1]![1]);
    const summary = (r: any) => r.services.map((s: any) => ({ service: s.service, verdict: s.verdict, runs: s.runs, entries: s.divergences.map((d: any) => ({ rule: d.rule, commands: d.commands })) }));
    expect(summary(a)).toEqual(summary(b));
    expect(a.services.map((s: any) => s.service)).toEqual(SERVICES.split(','));
    expect(a.services[0].divergences.map((d: any) => d.rule)).toContain('ddb.createtable.policy-invalid');
  }, 300_000);

  it('share one call budget: --max-calls stops them all, a few sequences over at most', async () => {
    const out = join(state, 'budget');
    const r = await runCli(['run', '--target', ref.url, '--services', 'kinesis,xray', '--seed', '7', '--max-calls', '300', '--failures', 'off', '--out', out], 300_000, env);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const json = results(out);
    expect(json.sideBySide).toBe(true);
    expect(json.budgets.stoppedBy).toBe('call budget reached (--max-calls 300)');
    const used = json.services.reduce((n: number, s: any) => n + s.calls, 0);
    expect(json.budgets.callsUsed).toBe(used);
    // Each lane finishes what it has in flight: Kinesis up to 8 sequences, X-Ray (account-wide) one.
    expect(used, JSON.stringify(json.services.map((s: any) => [s.service, s.calls, s.runs]))).toBeLessThan(300 + 9 * 30);
    for (const s of json.services) {
      expect(s.verdict).toBe('incomplete');
      expect(s.runs).toBeGreaterThan(0);
    }
    // One budget, not one each: two lanes with 300 calls apiece would have spent at least 600 (the bound above is
    // 570), and both got some of it. (Which lane spends how much is timing: Kinesis, eight at once, once took 308
    // while X-Ray, one at a time, was still starting.)
    for (const s of json.services) expect(s.calls).toBeGreaterThan(0);
  }, 300_000);
});

describe('services side by side on an emulator the suite starts, and not on the embedded reference', () => {
  const summary = (r: any) => r.services.map((s: any) => ({ service: s.service, verdict: s.verdict, runs: s.runs, entries: s.divergences.map((d: any) => ({ rule: d.rule, kind: d.kind, commands: d.commands })) }));

  it('moto: one reset, then all at once, reporting what --concurrency 1 (one after another, a reset before each) reports', async () => {
    const run = (name: string, extra: string[]) => runCli(['run', '--target', 'moto', '--services', 'dynamodb,kinesis,ssm', '--seed', '7', '--runs', '30', '--max-divergences', '2', '--reproduce', '0', '--failures', 'off', '--out', join(state, name), ...extra], 300_000, env);
    const [side, serial] = [await run('moto-side', []), await run('moto-serial', ['--concurrency', '1'])];
    // moto departs from AWS in all three (expectations/moto.json): exit 1 both ways.
    expect(side.code, side.stdout + side.stderr).toBe(1);
    expect(serial.code, serial.stdout + serial.stderr).toBe(1);
    const [a, b] = [results(join(state, 'moto-side')), results(join(state, 'moto-serial'))];
    expect(a.sideBySide).toBe(true);
    expect(b.sideBySide).toBeUndefined();
    const spans = a.services.map(interval);
    expect(Math.max(...spans.map((s: readonly number[]) => s[0]!)), JSON.stringify(spans)).toBeLessThan(Math.min(...spans.map((s: readonly number[]) => s[1]!)));
    expect(summary(a)).toEqual(summary(b));
    // Something to compare: DynamoDB and Kinesis depart within 30 sequences.
    expect(a.services.slice(0, 2).map((s: any) => s.divergences.length > 0)).toEqual([true, true]);
    // Side by side, each service had a moto process of its own (one after another, one for all), all stopped after.
    expect(a.emulatorPerService).toBe(true);
    expect(b.emulatorPerService).toBeUndefined();
    expect(side.stdout).toMatch(/services side by side \(an emulator process each\)/);
    const started = (stderr: string) => [...stderr.matchAll(/\[target\] moto \S+ on (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
    const urls = started(side.stderr);
    expect(new Set(urls).size, side.stderr).toBe(3);
    expect(started(serial.stderr)).toHaveLength(1);
    // Each entry's reproducer names the process its service ran on.
    const endpointOf = (d: any) => /--endpoint-url '?(http:[^' ]+)/.exec(d.reproducer.join('\n'))?.[1];
    const named = a.services.slice(0, 2).map((s: any) => endpointOf(s.divergences[0]));
    expect(new Set(named).size).toBe(2);
    for (const u of named) expect(urls).toContain(u);
    for (const u of urls) await expect(fetch(`${u}/moto-api/`)).rejects.toThrow();
  }, 300_000);

  it('reference: one after another, whatever --concurrency says', async () => {
    const out = join(state, 'reference');
    const r = await runCli(['run', '--target', 'reference', '--services', 'kinesis,xray', '--seed', '7', '--runs', '10', '--concurrency', '4', '--failures', 'off', '--out', out], 120_000, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const json = results(out);
    expect(json.sideBySide).toBeUndefined();
    const [first, second] = json.services.map(interval);
    expect(second[0]).toBeGreaterThanOrEqual(first[1]);
  }, 120_000);
});
