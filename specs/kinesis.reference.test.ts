import { describe, expect, it } from 'vitest';
import { kinesisAdapter } from '../harness/adapters/kinesis.js';
import { runAgainstReference } from './support/reference.js';

/**
 * Rules the reference server cannot show in strict mode, with the reason:
 * - kin.rate-limited: LimitExceededException is always the model's last alternative, and the reference answers with
 *   the first one, so a conforming reference never throttles.
 * - kin.register.limit: needs 21 consumers on one stream (20 RegisterStreamConsumer calls before the failing one);
 *   the generator registers at most two consumer names per stream, which keeps sequences short and AWS cheap.
 */
const UNREACHABLE = ['kin.rate-limited', 'kin.register.limit'];

describe('Kinesis suite against the embedded reference target (real HTTP, real SDK)', () => {
  it('conforms in strict mode and reaches every strict-mode rule within the default budget', async () => {
    const result = await runAgainstReference(kinesisAdapter);
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBe(0);
    expect(result.unsupportedOperations).toEqual([]);
    const expected = Object.keys(kinesisAdapter.model.rules).filter((r) => !UNREACHABLE.includes(r));
    expect(expected.filter((r) => !result.rulesReached.includes(r))).toEqual([]);
  });

  it('also conforms when judged in eventual mode (Kinesis is modelled read-your-writes)', async () => {
    const result = await runAgainstReference(kinesisAdapter, { consistency: 'eventual', runs: 60 });
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
  });
});
