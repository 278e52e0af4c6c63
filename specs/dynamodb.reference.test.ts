import { describe, expect, it } from 'vitest';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';
import { runAgainstReference } from './support/reference.js';

/**
 * Rules a strict target without a change window never reaches: stale views and cooldowns (eventual mode), window
 * refusals (AWS's 15 s window, spec §7.3), and the consistency rules only a stale read departs from.
 */
const EVENTUAL_ONLY = ['ddb.get.stale-view', 'ddb.put.cooldown', 'ddb.put.window', 'ddb.deletetable.pending-policy', 'ddb.get.read-your-writes', 'ddb.get.stale-after-bound', 'ddb.get.monotonic'];

describe('DynamoDB suite against the embedded reference target (real HTTP, real SDK)', () => {
  it('conforms in strict mode and reaches every strict-mode rule within the default budget', async () => {
    const result = await runAgainstReference(dynamodbAdapter);
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBe(0);
    const expected = Object.keys(dynamodbAdapter.model.rules).filter((r) => !EVENTUAL_ONLY.includes(r));
    expect(expected.filter((r) => !result.rulesReached.includes(r))).toEqual([]);
  });

  it('also conforms when judged in eventual mode (a strict target is one allowed behaviour)', async () => {
    const result = await runAgainstReference(dynamodbAdapter, { consistency: 'eventual', runs: 60 });
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
  });
});
