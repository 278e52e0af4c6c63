/**
 * Eventual mode against the AWS-like simulator (harness/aws-like/: DynamoDB's observed lag, spec §7.1, on a scaled
 * clock): judged reads are polled until they show the write, the staleness figures measure the simulator's lag,
 * stale reads are departures of their own kind where they may not be, and the simulator's consistency mutants are
 * caught. Real HTTP, real SigV4-signed SDK calls, nothing leaves 127.0.0.1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningAwsLike, startAwsLike } from '../harness/aws-like/server.js';
import { replayWitness, runService } from '../harness/runner.js';
import { replayOffline } from '../models/checker.js';
import { startReference } from '../harness/reference/server.js';
import type { DdbCommand } from '../services/dynamodb/commands.js';
import { jsonError, startProxy } from './support/proxy.js';
import { endpointAt } from './support/reference.js';
import type { StalenessFigure } from '../models/results.js';
import { type Consistency, defaultSwitches } from '../models/types.js';
import { renderMarkdown } from '../reports/markdown.js';
import { runSummary } from '../reports/summary.js';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';

const CREDENTIALS = { accessKeyId: 'AKIDEVENTUALSPEC', secretAccessKey: 'eventual-spec-secret' };
/** The simulator's 1–2.7 s lags last 50–137 ms. */
const SCALE = 0.05;
/** The lag bound scaled as the clock is (spec §7.1: about 3 s covers every sample). */
const BOUND_MS = Math.round(3000 * SCALE);
/**
 * What a measurement may differ from the drawn lags by: one poll interval (20 ms here) and a request's round trip,
 * which on a loaded 2-core machine can take a hundred milliseconds.
 */
const SLACK_MS = 150;

const running: RunningAwsLike[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function simulator(seed: number, mutant?: string, lifecycle = false): Promise<RunningAwsLike> {
  // Lifecycle timing off unless asked for: it is specs/aws-like-server.test.ts's subject; here each CreateTable would
  // cost a waiter's one-second poll, many times over while shrinking.
  const sim = await startAwsLike({ credentials: CREDENTIALS, timeScale: SCALE, seed, foreign: false, lifecycle, ...(mutant ? { mutant } : {}) });
  running.push(sim);
  expect(new URL(sim.url).hostname).toBe('127.0.0.1');
  return sim;
}

/** The simulator's change window in real time (15 s, scaled), as `--window-ms` tells a run against it. */
const WINDOW_MS = Math.round(15_000 * SCALE);

function run(sim: RunningAwsLike, consistency: Consistency, seed: number, runs: number, setAside: string[] = [], windowMs?: number) {
  return runService(dynamodbAdapter, { url: sim.url, region: 'us-east-1', credentials: CREDENTIALS }, { runs, seed, consistency, settleMs: BOUND_MS, maxDivergences: 1, setAside, replayBase: '--target aws', ...(windowMs ? { windowMs } : {}) });
}


// Concurrent: each test has its own simulator and spends its time waiting (the simulator's table lifecycle costs
// every sequence about a second per table: the SDK waiter re-checks after 1 s at the earliest).
describe.concurrent('eventual mode against the AWS-like simulator (DynamoDB lag, spec §7.1)', () => {
  it('passes over several seeds with no false divergence, and its staleness figures match the simulated lag', async ({ expect }) => {
    const seeds = [3, 5, 8];
    const results = await Promise.all(
      seeds.map(async (seed) => {
        const sim = await simulator(seed);
        // The window measured as on AWS: a changing write sent right after another must be refused, and is.
        return { result: await run(sim, 'eventual', seed, 20, [], WINDOW_MS), drawn: sim.server.visibility.drawn.map((d) => d.lagMs * SCALE) };
      }),
    );
    for (const { result } of results) {
      expect(result.divergences, JSON.stringify(result.divergences.map((d) => d.rule))).toEqual([]);
      expect(result.verdict).toBe('pass');
      expect(result.staleness?.boundMs).toBe(BOUND_MS);
    }
    const figures: StalenessFigure[] = results.flatMap(({ result }) => result.staleness!.figures);
    const drawn = results.flatMap((r) => r.drawn);
    const stale = figures.filter((f) => f.visibleMs);
    // Some reads were stale at first, and none was stale after the bound or flipped back (the simulator lags within it).
    expect(stale.length).toBeGreaterThan(0);
    expect(figures.reduce((n, f) => n + f.late + f.flippedBack, 0)).toBe(0);
    // Every measured visibility lies within what the simulator drew (measured from the write's answer, polled).
    for (const f of stale) {
      expect(f.visibleMs!.max, `${f.write} ${f.resource}`).toBeLessThanOrEqual(Math.max(...drawn) + SLACK_MS);
      expect(f.visibleMs!.p50, `${f.write} ${f.resource}`).toBeGreaterThanOrEqual(Math.min(...drawn) - 30);
      expect(f.visibleMs!.p50).toBeLessThanOrEqual(f.visibleMs!.p95);
    }
    // Writes to policies lag; reads after CreateTable or DeleteTable do not in the simulator (it lags policy slots only).
    expect(stale.every((f) => f.write === 'PutResourcePolicy' || f.write === 'DeleteResourcePolicy')).toBe(true);
    const [first] = results;
    const result = { target: 'aws', seed: 3, consistency: 'eventual' as const, startedAt: new Date(0).toISOString(), services: [first!.result] };
    expect(renderMarkdown(result)).toContain('| write | read | resource | reads | stale at first |');
    expect(runSummary(result, 'out')).toMatch(/staleness \(bound 150 ms\): \d+ of \d+ reads after a write stale at first/);
  }, 300_000);

  it('lends pooled fixtures once their window and the lag bound have passed since their reset, with no false divergence', async ({ expect }) => {
    // Tables take (scaled) time to become ACTIVE, as on AWS: making a fixture afresh takes longer than waiting for a
    // pooled one, so fixtures are lent; four sequences at once, as on --target aws.
    // With the window measured (the reset waits for it, and the next sequence for the window its Delete opened) and
    // without (the next sequence waits the lag bound: a read may show the removed policy until then).
    const cases = [
      { seed: 6, windowMs: WINDOW_MS },
      { seed: 9, windowMs: WINDOW_MS },
      { seed: 7, windowMs: 0 },
      { seed: 11, windowMs: 0 },
    ];
    const results = await Promise.all(
      cases.map(async ({ seed, windowMs }) => {
        const sim = await simulator(seed, undefined, true);
        return runService(dynamodbAdapter, { url: sim.url, region: 'us-east-1', credentials: CREDENTIALS }, { runs: 24, seed, consistency: 'eventual', settleMs: BOUND_MS, windowMs, concurrency: 4, maxDivergences: 1, replayBase: '--target aws' });
      }),
    );
    for (const r of results) {
      expect(r.divergences, JSON.stringify(r.divergences.map((d) => [d.rule, d.steps.map((s) => [s.operation, s.reused, s.outcome.kind])]))).toEqual([]);
      expect(r.verdict, r.reason).toBe('pass');
      expect(r.staleness!.figures.reduce((n, f) => n + f.late + f.flippedBack, 0)).toBe(0);
    }
    expect(results.reduce((n, r) => n + r.fixtures!.reused, 0)).toBeGreaterThan(0);
  }, 300_000);

  it('in strict mode, reports the stale reads it meets as consistency departures, labelled as such', async ({ expect }) => {
    const sim = await simulator(2);
    const result = await run(sim, 'strict', 2, 60);
    expect(result.verdict).toBe('fail');
    expect(result.divergences.map((d) => [d.rule, d.kind])).toEqual([['ddb.get.read-your-writes', 'stale-read']]);
    const d = result.divergences[0]!;
    // The witness: a write, then the read that showed the state before it (and showed the write when polled).
    expect(d.steps.at(-1)).toMatchObject({ operation: 'GetResourcePolicy', lag: 'late' });
    expect(d.steps.at(-1)!.polled).toBeGreaterThan(0);
    expect(renderMarkdown({ target: 'aws', seed: 2, consistency: 'strict', startedAt: new Date(0).toISOString(), services: [result] })).toContain('stale read (consistency)');
  }, 300_000);

  it('catches a read that flips back (aws-read-flips-back) as a stale read on ddb.get.monotonic', async ({ expect }) => {
    const sim = await simulator(2, 'aws-read-flips-back');
    // The simulator's answer to a request without a required member departs on its own (its matter, not this one's).
    const result = await run(sim, 'eventual', 2, 100, ['ddb.input.missing']);
    const flipped = result.divergences.find((d) => d.rule === 'ddb.get.monotonic');
    expect(flipped?.kind).toBe('stale-read');
    expect(flipped!.steps.at(-1)).toMatchObject({ operation: 'GetResourcePolicy', lag: 'flipped' });
  }, 300_000);

  it('catches a conditional write checked against the visible state (aws-condition-on-visible) as a wrong answer', async ({ expect }) => {
    const sim = await simulator(2, 'aws-condition-on-visible');
    const result = await run(sim, 'eventual', 2, 100);
    expect(result.verdict).toBe('fail');
    expect(result.divergences).toHaveLength(1);
    expect(result.divergences[0]!.kind).toBe('wrong-answer');
    expect(result.divergences[0]!.steps.at(-1)!.operation).toBe('PutResourcePolicy');
  }, 300_000);
});

describe('the change window measured (spec §7.3, --window-ms)', () => {
  it('catches a simulator that does not keep the window (aws-no-window) on ddb.put.window, as a wrong answer that replays', async () => {
    const sim = await simulator(4, 'aws-no-window');
    const result = await run(sim, 'eventual', 4, 60, ['ddb.input.missing'], WINDOW_MS);
    expect(result.verdict, result.reason).toBe('fail');
    const d = result.divergences.find((x) => x.rule === 'ddb.put.window');
    expect(d, JSON.stringify(result.divergences.map((x) => x.rule))).toBeDefined();
    expect(d!.kind ?? 'wrong-answer').toBe('wrong-answer');
    expect(d!.reproducibility?.label ?? 'reproducible').toBe('reproducible');
    // The witness ends in a changing write the target took although it came right after another change.
    const last = d!.steps.at(-1)!;
    expect(last).toMatchObject({ windowOpen: true });
    expect(['PutResourcePolicy', 'DeleteResourcePolicy']).toContain(last.operation);
    expect(last.outcome.kind).toBe('ok');
    // Judged again offline from its steps alone (the measurement is part of each step): the same departure.
    const offline = replayOffline(dynamodbAdapter.model as never, { switches: defaultSwitches(dynamodbAdapter.model.switches), consistency: 'eventual', account: sim.server.account, region: 'us-east-1' }, undefined, d!.steps);
    expect(offline.divergence?.verdict).toMatchObject({ status: 'diverged', rule: 'ddb.put.window' });
  }, 300_000);

  it('without a measured window the same simulator passes: a refusal is allowed there, not required', async () => {
    const sim = await simulator(4, 'aws-no-window');
    const result = await run(sim, 'eventual', 4, 20, ['ddb.input.missing']);
    expect(result.divergences.map((x) => x.rule)).not.toContain('ddb.put.window');
  }, 300_000);
});

describe('the change window (spec §7.3): refused, waited out, sent again', () => {
  const put = (variant: number): DdbCommand => ({ op: 'PutResourcePolicy', target: { kind: 'table', slot: 't0' }, policy: { kind: 'valid', variant, whitespace: 0 } });

  /** The reference server behind a proxy that answers the second policy Put with the window's refusal, `refusals` times. */
  async function windowed(answer: 'window' | 'plain-throttle', refusals = 1) {
    const ref = await startReference();
    let refused = 0;
    const proxy = await startProxy(ref.url, (r) => {
      if (r.operation !== 'PutResourcePolicy' || r.nth < 2 || refused >= refusals) return 'forward';
      refused++;
      if (answer === 'plain-throttle') return 'throttle';
      const after = new Date(Date.now() + 300).toISOString();
      return jsonError(r, 400, 'com.amazonaws.dynamodb.v20120810#ThrottlingException', `The resource-based policy was modified within the previous 15000 milliseconds. Please try again after ${after}.`);
    });
    running.push({ stop: async () => (await proxy.stop(), await ref.stop()) } as RunningAwsLike);
    return proxy;
  }

  it('a refusal of a changing Put is an allowed answer: the harness waits until the time it names and sends it again as a new step', async () => {
    const proxy = await windowed('window');
    const replay = await replayWitness(dynamodbAdapter, endpointAt(proxy.url), { commands: [put(0), put(1)], switches: {}, consistency: 'strict' }, { settleMs: 0, waitSeconds: 5 });
    expect(replay.status).toBe('conforms');
    const puts = replay.steps.filter((s) => s.operation === 'PutResourcePolicy');
    expect(puts.map((s) => (s.outcome.kind === 'error' ? s.outcome.code : s.outcome.kind))).toEqual(['ok', 'ThrottlingException', 'ok']);
    expect(puts[1]!.windowWaitMs).toBeGreaterThan(150);
    expect(puts[1]!.windowWaitMs).toBeLessThanOrEqual(300);
    expect(puts[2]!.input).toEqual(puts[1]!.input);
  });

  it('a throttle without the window message stays infrastructure: retried, never an answer', async () => {
    const proxy = await windowed('plain-throttle');
    const replay = await replayWitness(dynamodbAdapter, endpointAt(proxy.url), { commands: [put(0), put(1)], switches: {}, consistency: 'strict' }, { settleMs: 0, waitSeconds: 5 });
    expect(replay.status).toBe('conforms');
    expect(replay.steps.filter((s) => s.operation === 'PutResourcePolicy').map((s) => s.outcome.kind)).toEqual(['ok', 'ok']);
    expect(proxy.count('throttle')).toBe(1);
  });
});
