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
    ['dynamodb', undefined],
  ] as const) {
    it(`${mutant ?? `${service}, unmutated`}: four at once find what one at a time finds`, async () => {
      const [one, four] = [await run(service, {}, mutant), await run(service, { concurrency: 4 }, mutant)];
      expect(found(four)).toEqual(found(one));
      // Account-wide state (SSM's OpsItemGroup, X-Ray's policies) is shared by every sequence: those stay one at a time.
      expect(four.concurrency).toBe(serviceNamed(service)!.adapter.accountWide ? undefined : 4);
      expect(one.concurrency).toBeUndefined();
      // Every request is counted once, in the phase of the sequence that sent it.
      const { total, ...phases } = four.requests!;
      expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBe(total);
    }, 120_000);
  }
});
