/**
 * The fixture pool and --concurrency change how much is sent, never what is found: against the reference server
 * over real HTTP, the same seed gives the same verdict, rules and departures (rule and witness) with the pool on or
 * off and with one or several sequences at once; a lent fixture is really not created again (counted at a proxy);
 * a target whose policy removal does not take (a seeded bug) gets no lent fixture, and the bug is still caught.
 */
import { describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import { type RunOptions, runService } from '../harness/runner.js';
import type { ServiceResult } from '../models/results.js';
import { serviceNamed } from '../services/index.js';
import { HistoryRecorder } from '../harness/record.js';
import type { HistoryRequest } from '../models/history.js';
import { type SsmCommand, touchesOpsItemGroup } from '../services/ssm/commands.js';
import { startProxy } from './support/proxy.js';
import { endpointAt, options } from './support/reference.js';

const RUNS = 40;

async function run(service: string, overrides: Partial<RunOptions>, mutant?: string): Promise<ServiceResult> {
  const ref = await startReference(mutant ? { mutant } : {});
  try {
    return await runService(serviceNamed(service)!.adapter, endpointAt(ref.url), options({ runs: RUNS, maxDivergences: 3, ...overrides }));
  } finally {
    await ref.stop();
  }
}

/** What a run found, without how it got there (calls, durations, names). */
function found(r: ServiceResult) {
  return {
    verdict: r.verdict,
    rules: r.rulesReached,
    departures: r.divergences.map((d) => ({ rule: d.rule, kind: d.kind, commands: d.commands })),
  };
}

describe('the fixture pool', () => {
  // X-Ray's fixture is its fill policies (account-wide): lent when a sequence wrote none of them.
  for (const service of ['dynamodb', 'kinesis', 'ssm', 'xray']) {
    it(`${service}: lends fixtures, sends fewer requests, finds the same`, async () => {
      const [pooled, fresh] = [await run(service, {}), await run(service, { fixturePool: false })];
      expect(found(pooled)).toEqual(found(fresh));
      expect(pooled.verdict).toBe('pass');
      expect(pooled.fixtures!.reused).toBeGreaterThan(0);
      expect(fresh.fixtures!.reused).toBe(0);
      expect(pooled.requests!.total).toBeLessThan(fresh.requests!.total);
      expect(pooled.requests!.fixture).toBeLessThan(fresh.requests!.fixture);
    }, 120_000);
  }

  it('a lent table is not created again: the pool sends as many fewer CreateTable requests as it lent tables', async () => {
    const creates = async (fixturePool: boolean) => {
      const ref = await startReference({});
      let n = 0;
      const proxy = await startProxy(ref.url, (req) => {
        if (String(req.headers['x-amz-target'] ?? '').endsWith('.CreateTable')) n++;
        return 'forward';
      });
      try {
        const r = await runService(serviceNamed('dynamodb')!.adapter, endpointAt(proxy.url), options({ runs: RUNS, fixturePool }));
        expect(r.verdict).toBe('pass');
        return { n, reused: r.fixtures!.reused };
      } finally {
        await proxy.stop();
        await ref.stop();
      }
    };
    const [pooled, fresh] = [await creates(true), await creates(false)];
    expect(pooled.reused).toBeGreaterThan(0);
    expect(fresh.n - pooled.n).toBe(pooled.reused);
  }, 120_000);

  for (const mutant of ['kin-delete-no-policy-succeeds', 'ssm-recreated-parameter-keeps-policies', 'ddb-ignore-expected-revision', 'xray-delete-policy-kept', 'xray-put-ignores-revision']) {
    const service = { ddb: 'dynamodb', kin: 'kinesis', ssm: 'ssm', xray: 'xray' }[mutant.split('-')[0]!]!;
    it(`${mutant}: caught the same with the pool on or off`, async () => {
      const [pooled, fresh] = [await run(service, {}, mutant), await run(service, { fixturePool: false }, mutant)];
      expect(pooled.verdict).toBe('fail');
      expect(found(pooled)).toEqual(found(fresh));
    }, 120_000);
  }

  it('a target whose policy removal does not take lends no fixture after the first reset, and is caught as without the pool', async () => {
    // ddb-delete-policy-kept: DeleteResourcePolicy answers success and keeps the policy, so the reset's Get shows it.
    const [pooled, fresh] = [await run('dynamodb', {}, 'ddb-delete-policy-kept'), await run('dynamodb', { fixturePool: false }, 'ddb-delete-policy-kept')];
    expect(pooled.verdict).toBe('fail');
    expect(found(pooled)).toEqual(found(fresh));
    expect(pooled.fixtures!.reused).toBeLessThanOrEqual(2);
  }, 120_000);
});

describe('--concurrency', () => {
  for (const [service, mutant] of [
    ['dynamodb', 'ddb-policy-survives-deletetable'],
    ['kinesis', 'kin-consumer-survives-deregister'],
    ['ssm', 'ssm-policy-hash-ignored'],
    ['ssm', 'ssm-opsitemgroup-unlimited'],
    ['ssm', undefined],
    ['xray', 'xray-delete-policy-kept'],
    ['dynamodb', undefined],
  ] as const) {
    it(`${mutant ?? `${service}, unmutated`}: four at once find what one at a time finds`, async () => {
      const [one, four] = [await run(service, {}, mutant), await run(service, { concurrency: 4 }, mutant)];
      expect(found(four)).toEqual(found(one));
      // X-Ray's policies are all account-wide (every one counts toward the limit of five): one at a time. SSM's
      // sequences on parameters alone run side by side; those on the OpsItemGroup take turns (the test below).
      expect(four.concurrency).toBe(service === 'xray' ? undefined : 4);
      expect(one.concurrency).toBeUndefined();
      // Every request is counted once, in the phase of the sequence that sent it.
      const { total, ...phases } = four.requests!;
      expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBe(total);
    }, 120_000);
  }

  it('ssm, four at once: sequences on the OpsItemGroup take turns, the others run beside them', async () => {
    const record = new HistoryRecorder({ target: 'reference', service: 'ssm' });
    const r = await run('ssm', { concurrency: 4, record });
    expect(r.verdict).toBe('pass');
    const history = record.history();
    const touching = new Set(history.sequences.filter((q) => (q.commands as unknown as SsmCommand[]).some(touchesOpsItemGroup)).map((q) => q.id));
    expect(touching.size).toBeGreaterThan(1);
    expect(history.sequences.length - touching.size).toBeGreaterThan(1);
    /** Per sequence, from its first to the end of its last request among those kept. */
    const spans = (keep: (q: HistoryRequest) => boolean) => {
      const out = new Map<string, { from: number; to: number }>();
      for (const q of history.requests!) {
        if (!q.sequence || !keep(q)) continue;
        const from = Date.parse(q.startedAt);
        const to = from + q.durationMs;
        const span = out.get(q.sequence);
        out.set(q.sequence, span ? { from: Math.min(span.from, from), to: Math.max(span.to, to) } : { from, to });
      }
      return [...out.entries()].sort((a, b) => a[1].from - b[1].from);
    };
    const overlap = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from < b.to && b.from < a.to;
    // The OpsItemGroup is asked about by one sequence at a time: no two sequences' requests on it interleave.
    const onOps = spans((q) => (q.body ?? '').includes(':opsitemgroup/'));
    expect(onOps.length).toBeGreaterThan(1);
    for (let i = 1; i < onOps.length; i++) expect(onOps[i]![1].from, `${onOps[i - 1]![0]} and ${onOps[i]![0]}`).toBeGreaterThanOrEqual(onOps[i - 1]![1].to);
    // And the turns are not the whole story: a sequence on parameters alone sent judged calls during one that touches it.
    const judged = spans((q) => q.phase === 'judged');
    const beside = judged.some(([a, sa]) => touching.has(a) && judged.some(([b, sb]) => !touching.has(b) && overlap(sa, sb)));
    expect(beside).toBe(true);
  }, 120_000);
});
