import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisAdapter } from '../../harness/adapters/kinesis.js';
import { type ManagedProcess, startMoto } from '../../harness/emulators/moto.js';
import type { ServiceResult } from '../../harness/results.js';
import { runService } from '../../harness/runner.js';
import { endpointAt, options } from '../support/reference.js';

/** moto 5.2.5 answers these with a 500 HTML page (AttributeError) when the StreamARN names no stream. */
const CONSUMER_OPS = ['DeregisterStreamConsumer', 'DescribeStreamConsumer', 'RegisterStreamConsumer'];

describe('Kinesis suite against moto (docs/moto-dynamodb-observations.md, Kinesis section)', () => {
  let moto: ManagedProcess | undefined;
  let result: ServiceResult;

  beforeAll(async () => {
    moto = await startMoto();
    result = await runService(kinesisAdapter, endpointAt(moto.endpoint), options({ runs: 40, maxDivergences: 30 }));
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
  }, 30_000);

  it('fails on Kinesis rules only: no crash, no infrastructure verdict, no faults', () => {
    expect(result.verdict, result.reason).toBe('fail');
    expect(result.faults).toBe(0);
    expect(result.divergences.length).toBeGreaterThan(0);
    const rules = Object.keys(kinesisAdapter.model.rules);
    const switches = kinesisAdapter.model.switches.map((s) => s.name);
    for (const d of result.divergences) {
      expect(rules, d.rule).toContain(d.rule);
      if (d.explainedBy) expect(switches).toContain(d.explainedBy.switch);
      expect(d.calls, `${d.rule} shrunk to ${d.calls} calls`).toBeLessThanOrEqual(5);
    }
    // moto implements the consumer operations but crashes (HTML 500) on some inputs: those are divergences, not
    // "unsupported" operations.
    expect(result.unsupportedOperations).toEqual([]);
  });

  it('reports what moto is known to get wrong', () => {
    const found = result.divergences.map((d) => d.rule);
    expect(result.divergences.some((d) => d.actual.kind === 'error' && d.actual.code.startsWith('NonAwsError') && CONSUMER_OPS.includes(d.steps.at(-1)!.operation))).toBe(true);
    // Put stores any document on any ARN without checking either.
    expect(found).toContain('kin.policy.invalid');
    expect(found).toContain('kin.stream.not-found');
    // Policies are keyed by ARN and survive DeleteStream.
    expect(found).toContain('kin.deletestream.drops-policy');
    // Consumer ARNs carry no `:<creation timestamp>`, so a policy Put on one names nothing AWS would accept.
    expect(found).toContain('kin.arn.unknown');
  });
});
