import { describe, expect, it } from 'vitest';
import { runMutants } from '../harness/mutation-score.js';
import { allMutants } from '../harness/reference/server.js';
import type { ServiceName } from '../models/types.js';
import { SEED } from './support/reference.js';

const services = [...new Set(allMutants().map((m) => m.service))] as ServiceName[];

describe('seeded bugs in the reference server', () => {
  it('has at least 8 DynamoDB mutants, each named for a different rule', () => {
    const ddb = allMutants().filter((m) => m.service === 'dynamodb');
    expect(ddb.length).toBeGreaterThanOrEqual(8);
    expect(new Set(ddb.map((m) => m.name)).size).toBe(ddb.length);
  });

  for (const service of services) {
    it(`catches every ${service} mutant within the default budget with at most 5 calls`, async () => {
      const outcomes = await runMutants({ services: [service], runs: 200, seed: SEED, region: 'us-east-1' });
      const missed = outcomes.filter((o) => !o.caught).map((o) => o.name);
      expect(missed).toEqual([]);
      for (const o of outcomes) {
        expect(o.verdict, o.name).toBe('fail');
        expect(o.calls, `${o.name} shrunk to ${o.calls} calls`).toBeLessThanOrEqual(5);
      }
    });
  }
});
