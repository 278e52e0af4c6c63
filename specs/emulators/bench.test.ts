/**
 * `npm run bench -- --quick` end to end (the reference server, moto, the mutants, the latency proxy): it exits 0 and
 * its JSON has every figure, each consistent with the others. No timing is asserted: the machine is shared.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../services/index.js';
import { REPO, runProcess } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-bench-spec-'));
const file = join(scratch, 'bench.json');
let report: any;
let run: Awaited<ReturnType<typeof runProcess>>;

beforeAll(async () => {
  run = await runProcess(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--out', file], { cwd: REPO, timeoutMs: 400_000 });
  if (run.code === 0) report = JSON.parse(readFileSync(file, 'utf8'));
}, 420_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const positive = (n: unknown) => expect(typeof n === 'number' && Number.isFinite(n) && n > 0, `${n} is a positive number`).toBe(true);

/** A suite-vs-loop comparison: its rates are those of its parts, and its ratio theirs. */
function checkComparison(scenario: { suite: any; plain: any; comparison: any }, services: string[]) {
  const { suite, plain, comparison } = scenario;
  expect(comparison.services, JSON.stringify(suite.services)).toEqual(services);
  for (const s of suite.services.filter((x: any) => services.includes(x.service))) {
    const about = JSON.stringify(s);
    expect(s.judgedPolicyCalls, about).toBeGreaterThan(0);
    // A judged policy call is one request of the judged phase: never more of them than that phase's requests.
    expect(s.judgedPolicyCalls, about).toBeLessThanOrEqual(s.requests.judged);
    expect(s.requests.total).toBe(['discovery', 'fixture', 'judged', 'idle', 'cleanup', 'bookkeeping'].reduce((n, k) => n + s.requests[k], 0));
    expect(Math.abs(s.requestsPerJudgedCall - s.requests.total / s.judgedPolicyCalls), about).toBeLessThan(0.05);
    // The JSON's seconds are rounded to the millisecond and its rate to 0.1: the rate lies in the interval the rounded
    // seconds allow, widened by the rate's own rounding.
    expect(s.judgedPolicyCallsPerSec, about).toBeGreaterThanOrEqual(s.judgedPolicyCalls / (s.seconds + 0.0005) - 0.05);
    expect(s.judgedPolicyCallsPerSec, about).toBeLessThanOrEqual(s.judgedPolicyCalls / Math.max(s.seconds - 0.0005, 1e-9) + 0.05);
    expect(s.sequences).toBeGreaterThan(0);
  }
  for (const p of plain.services.filter((x: any) => services.includes(x.service))) {
    expect(p.policyCalls % 3).toBe(0);
    expect(p.requests).toBeGreaterThanOrEqual(p.policyCalls);
    positive(p.policyCallsPerSec);
  }
  positive(comparison.suiteJudgedPolicyCallsPerSec);
  positive(comparison.plainPolicyCallsPerSec);
  const about = JSON.stringify(comparison);
  // The suite's rate over its services: their judged calls over their time together — side by side, the span from
  // the first start to the last end, not the sum of their times (which counts the overlap more than once).
  const mine = suite.services.filter((x: any) => services.includes(x.service));
  const judged = mine.reduce((n: number, x: any) => n + x.judgedPolicyCalls, 0);
  const span = suite.sideBySide
    ? Math.max(...mine.map((x: any) => x.startedAfter + x.seconds)) - Math.min(...mine.map((x: any) => x.startedAfter))
    : mine.reduce((n: number, x: any) => n + x.seconds, 0);
  const err = 0.001 * mine.length; // each service's two figures rounded to the millisecond
  expect(comparison.suiteJudgedPolicyCallsPerSec, about).toBeGreaterThanOrEqual(judged / (span + err) - 0.05);
  expect(comparison.suiteJudgedPolicyCallsPerSec, about).toBeLessThanOrEqual(judged / Math.max(span - err, 1e-9) + 0.05);
  // The ratio (rounded to 0.01) against the ratio of the two rates (each rounded to 0.1): apart by at most the rounding.
  const plainRate = comparison.plainPolicyCallsPerSec;
  const slack = 0.005 + (0.05 * (1 + comparison.ratio)) / Math.max(plainRate - 0.05, 1e-9) + 1e-9;
  expect(Math.abs(comparison.ratio - comparison.suiteJudgedPolicyCallsPerSec / plainRate), about).toBeLessThanOrEqual(slack);
  expect(comparison.requestsPerJudgedCall, about).toBeGreaterThanOrEqual(1);
  expect(comparison.perService.map((s: any) => s.service), about).toEqual(services);
}

describe('npm run bench -- --quick', () => {
  it('exits 0 and writes its JSON', () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toMatch(/suite judged\/s/);
    expect(report.quick).toBe(true);
    expect(new Date(report.date).toString()).not.toBe('Invalid Date');
    expect(report.machine.node).toBe(process.version);
    positive(report.machine.cores);
  });

  it('measures generation for every service', () => {
    expect(report.generation.map((g: any) => g.service)).toEqual(SERVICE_NAMES);
    for (const g of report.generation) {
      expect(g.sequences).toBe(200);
      expect(g.commands).toBeGreaterThanOrEqual(g.sequences);
    }
  });

  it('compares the suite with the plain loop on the reference, for all four services', () => {
    checkComparison(report.reference, [...SERVICE_NAMES]);
    expect(report.reference.suite.total.verdicts, JSON.stringify(report.reference.suite.services)).toEqual(SERVICE_NAMES.map(() => 'pass'));
  });

  it('on moto, over the services moto implements (its SSM and X-Ray policy operations are missing)', () => {
    // A service whose first departure came before any policy call was answered has no rate to compare (--quick stops
    // at the first departure): the comparison covers exactly the services with judged policy calls and a plain loop.
    const compared = report.moto.suite.services
      .filter((s: any) => s.judgedPolicyCalls > 0 && report.moto.plain.services.some((p: any) => p.service === s.service && !p.error))
      .map((s: any) => s.service);
    expect(compared.length).toBeGreaterThan(0);
    expect(['dynamodb', 'kinesis']).toEqual(expect.arrayContaining(compared));
    checkComparison(report.moto, compared);
    expect(report.moto.suite.targetVersion).toMatch(/^\d+\.\d+/);
    // Its services side by side, each on a moto process of its own (the reference behind the proxy is one target).
    expect([report.moto.suite.sideBySide, report.moto.suite.emulatorPerService]).toEqual([true, true]);
    expect(report.latency.suite.emulatorPerService).toBe(false);
    for (const s of ['ssm', 'xray']) expect(report.moto.plain.services.find((p: any) => p.service === s).error).toBeTruthy();
    expect(typeof report.moto.underSixtySeconds).toBe('boolean');
  });

  it('times the first divergence of one mutant per service, each caught', () => {
    expect(report.mutants.mutants.map((m: any) => m.service)).toEqual(SERVICE_NAMES);
    expect(report.mutants.caught).toBe(SERVICE_NAMES.length);
    positive(report.mutants.medianSeconds);
    expect(Object.keys(report.mutants.perService)).toEqual(SERVICE_NAMES);
    // Where that time went: every caught mutant's run explored and found something to shrink or explain.
    for (const m of report.mutants.mutants) expect(Object.keys(m.split), m.name).toContain('explore');
    positive(report.mutants.splitSeconds.explore);
    const split = Object.values(report.mutants.splitSeconds as Record<string, number>).reduce((n, x) => n + x, 0);
    const total = report.mutants.mutants.reduce((n: number, m: any) => n + m.seconds, 0);
    expect(split).toBeLessThanOrEqual(total + 0.05 * report.mutants.mutants.length);
  });

  it('runs both through the 20 ms proxy, which answered every one of their requests', () => {
    expect(report.latency.delayMs).toBe(20);
    // The target across the network is not in the suite's process (a remote region does not share its event loop).
    expect(report.latency.targetInOwnProcess).toBe(true);
    // A URL target at the default concurrency: its services ran side by side, and their times overlap.
    expect(report.latency.suite.sideBySide).toBe(true);
    const ran = report.latency.suite.services;
    expect(ran.some((s: any) => s.startedAfter > 0 && s.startedAfter < ran[0].seconds), JSON.stringify(ran)).toBe(true);
    checkComparison(report.latency, [...SERVICE_NAMES]);
    const plainRequests = report.latency.plain.services.reduce((n: number, p: any) => n + p.requests, 0);
    expect(report.latency.answeredByProxy).toBeGreaterThanOrEqual(plainRequests + report.latency.suite.total.requests.total);
  });

  it('says which of the issue\'s targets are met', () => {
    for (const k of ['referenceRatioAtLeast085', 'motoRatioAtLeast085', 'motoDefaultRunUnder60s', 'latencyRatioAtLeast3']) expect(typeof report.targets[k]).toBe('boolean');
  });
});
