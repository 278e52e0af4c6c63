import { afterEach, describe, expect, it } from 'vitest';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';
import { startReference } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { type Action, type Proxy, startProxy } from './support/proxy.js';
import { endpointAt, options } from './support/reference.js';

const WRITES = new Set(['PutResourcePolicy', 'DeleteResourcePolicy', 'CreateTable', 'DeleteTable']);
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function behindProxy(decide: (operation: string, nth: number) => Action, mutant?: string): Promise<Proxy> {
  const ref = await startReference(mutant ? { mutant } : {});
  const proxy = await startProxy(ref.url, (r) => decide(r.operation, r.nth));
  cleanup.push(ref.stop, proxy.stop);
  return proxy;
}

describe('infrastructure faults are never verdicts about conformance', () => {
  it('a write that took effect but answered 500 (or dropped the connection) is indeterminate, not a divergence', async () => {
    const proxy = await behindProxy((op, nth) => (WRITES.has(op) && op !== 'CreateTable' && nth % 9 === 0 ? (nth % 2 ? 'error-after' : 'drop-after') : 'forward'));
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options({ runs: 120 }));
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBeGreaterThan(5);
  });

  it('a read that faults is retried, and throttled calls are retried with backoff', async () => {
    const proxy = await behindProxy((op, nth) => (op === 'GetResourcePolicy' && nth % 3 === 1 ? 'service-unavailable' : nth % 4 === 1 ? 'throttle' : 'forward'));
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options({ runs: 15, retryBaseMs: 5 }));
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBeGreaterThan(10);
  });

  it('persistent 503s end the run with the infrastructure verdict, never pass or fail', async () => {
    const proxy = await behindProxy((op) => (op === 'PutResourcePolicy' || op === 'GetResourcePolicy' ? 'service-unavailable' : 'forward'));
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options({ runs: 50 }));
    expect(result.verdict).toBe('infra');
    expect(result.reason).toMatch(/failed after retries/);
    expect(result.divergences).toEqual([]);
  });

  it('a target that answers nothing at all is infra at discovery', async () => {
    const proxy = await behindProxy(() => 'service-unavailable');
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options({ runs: 5 }));
    expect(result.verdict).toBe('infra');
    expect(result.calls).toBe(0);
  });

  it('crashes on one input, sent by sequences at once, are a crash entry, not a target that stopped answering', async () => {
    // As moto 5.2.5 does to a DynamoDB PutResourcePolicy without a ResourceArn: an HTML 500, here to each policy
    // operation without one. Eight sequences at once send such commands, each different (none a confirmed crash
    // yet); the proxy holds their answers back until three are waiting (or a second has passed), so that they come
    // one after another, as they did from moto at --concurrency 8 (its DynamoDB run at seed 20261123 ended `infra`).
    const ref = await startReference();
    const crashes = (r: { operation: string; body: string }) => /ResourcePolicy$/.test(r.operation) && !('ResourceArn' in JSON.parse(r.body || '{}'));
    let held: Array<() => void> = [];
    const release = () => {
      for (const r of held) r();
      held = [];
    };
    const holdBack = () => {
      const answered = new Promise<void>((resolve) => held.push(resolve));
      if (held.length >= 3) release();
      else setTimeout(release, 1000);
      return answered;
    };
    const page = { status: 500, headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>500 Internal Server Error</title>' };
    const proxy = await startProxy(ref.url, (r) => (crashes(r) ? { ...page, after: holdBack() } : 'forward'));
    cleanup.push(ref.stop, proxy.stop);
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options({ runs: 200, concurrency: 8, maxDivergences: 30 }));
    expect(result.verdict, result.reason).toBe('fail');
    expect(new Set(result.divergences.map((d) => `${d.rule} ${d.kind}`))).toEqual(new Set(['ddb.input.missing crash']));
    expect(proxy.count('answer')).toBeGreaterThan(3);
  }, 120_000);

  it('a target that stops answering mid-run, at --concurrency 8, still ends infra', async () => {
    const ref = await startReference();
    const proxy = await startProxy(ref.url, (r) => (r.nthOverall > 300 ? 'html-500' : 'forward'));
    cleanup.push(ref.stop, proxy.stop);
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options({ runs: 200, concurrency: 8 }));
    expect(result.verdict).toBe('infra');
    expect(result.reason).toMatch(/in a row failed after retries/);
    expect(result.divergences).toEqual([]);
  }, 120_000);

  it('faults do not hide a real bug: a mutant behind a faulty proxy is still caught', async () => {
    const proxy = await behindProxy((op, nth) => (op === 'DeleteResourcePolicy' && nth % 7 === 0 ? 'error-after' : 'forward'), 'ddb-ignore-no-policy-sentinel');
    const result = await runService(dynamodbAdapter, endpointAt(proxy.url), options());
    expect(result.verdict).toBe('fail');
    expect(result.divergences[0]!.rule).toBe('ddb.put.no-policy-expected');
  });
});
