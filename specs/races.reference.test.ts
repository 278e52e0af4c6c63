/**
 * Races against the reference server over real HTTP: conditional writes sent to one resource at the same time are
 * judged by linearizability. A check-then-write that is not atomic (the race mutants) passes every sequence that
 * sends the same writes one after another and departs, under the service's race rule, once they are sent at once;
 * the reference itself passes both. And a race's writes feed the fixture pool's reset like any other write: a
 * fixture a race left holding a policy goes back to the pool without it (pool on or off, the same verdicts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServiceResult } from '../models/results.js';
import type { ServiceAdapter } from '../harness/service.js';
import type { DdbCommand } from '../services/dynamodb/commands.js';
import type { SsmCommand } from '../services/ssm/commands.js';
import type { XrayCommand } from '../services/xray/commands.js';
import { awsCliReproducer } from '../reports/reproducer.js';
import { serviceNamed } from '../services/index.js';
import { runAgainstReference } from './support/reference.js';

/** The service's adapter with its generated sequences replaced by `sequences` (drawn by fast-check from a fixed list). */
function withSequences<Cmd>(service: string, sequences: Cmd[][]): ServiceAdapter {
  const adapter = serviceNamed(service)!.adapter as ServiceAdapter<Cmd>;
  return { ...adapter, commands: () => (sequences.length === 1 ? fc.constant(sequences[0]!) : fc.constantFrom(...sequences)) } as ServiceAdapter;
}

const valid = (variant: number) => ({ kind: 'valid' as const, variant, whitespace: 0 });

const ddbPut = (variant: number): DdbCommand => ({ op: 'PutResourcePolicy', target: { kind: 'table', slot: 't1' }, policy: valid(variant), expected: { kind: 'sentinel', value: 'NO_POLICY' } });
const ssmUpdate = (variant: number): SsmCommand => ({ op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p0' }, policy: valid(variant), ref: { id: { kind: 'mine', pick: 0 }, hash: { kind: 'current' } } });
const xrayCreate = (variant: number): XrayCommand => ({ op: 'PutResourcePolicy', name: { kind: 'slot', slot: 'c' }, policy: valid(variant), revision: { kind: 'sentinel', value: '0' } });

const CASES: Array<{ service: string; mutant: string; rule: string; writes: unknown[] }> = [
  { service: 'dynamodb', mutant: 'ddb-put-check-then-write', rule: 'ddb.race.linearizable', writes: [ddbPut(0), ddbPut(1)] },
  { service: 'ssm', mutant: 'ssm-put-check-then-write', rule: 'ssm.race.linearizable', writes: [ssmUpdate(1), ssmUpdate(2)] },
  { service: 'xray', mutant: 'xray-put-check-then-write', rule: 'xray.race.linearizable', writes: [xrayCreate(0), xrayCreate(1)] },
];

const run = (adapter: ServiceAdapter, mutant?: string, fixturePool = true): Promise<ServiceResult> => runAgainstReference(adapter, { runs: 1, fixturePool }, mutant);

describe('races', () => {
  for (const { service, mutant, rule, writes } of CASES) {
    it(`${mutant}: one write after another passes; the same writes at once depart on ${rule}`, async () => {
      const sequential = await run(withSequences<unknown>(service, [writes]), mutant);
      expect(sequential.verdict).toBe('pass');
      const raced = await run(withSequences<unknown>(service, [[{ op: 'Race', writes }]]), mutant);
      expect(raced.verdict).toBe('fail');
      expect(raced.divergences.map((d) => d.rule)).toEqual([rule]);
      expect(raced.divergences[0]!.steps.filter((s) => s.race === 0)).toHaveLength(writes.length);
      // Its AWS CLI reproducer sends the racing writes in the background together, then waits for them.
      const script = awsCliReproducer(serviceNamed(service)!.cli, raced.divergences[0]!, { endpointUrl: 'http://127.0.0.1:1', region: 'us-east-1' });
      expect(script.filter((line) => line.endsWith(' &'))).toHaveLength(writes.length);
      expect(script.indexOf('wait')).toBeGreaterThan(script.findLastIndex((line) => line.endsWith(' &')));
      // The reference itself is linearizable: the same race passes, and reaches the race rule.
      const reference = await run(withSequences<unknown>(service, [[{ op: 'Race', writes }]]));
      expect(reference.verdict).toBe('pass');
      expect(reference.rulesReached).toContain(rule);
    }, 60_000);
  }

  it('a fixture a race left holding a policy is lent without it: the same verdicts with the pool on or off', async () => {
    // Every sequence reads t0's policy first (none, on a fixture as created); every other one then races two
    // NO_POLICY Puts on it (one wins: t0 keeps a policy). On a fixture lent after a reset that missed the race's
    // write, that first read would show a policy and depart. (The sequences differ, so none is recalled unrun.)
    const read: DdbCommand = { op: 'GetResourcePolicy', target: { kind: 'table', slot: 't0' } };
    const race = (n: number): DdbCommand => ({ op: 'Race', writes: [n, n + 1].map((v) => ({ ...(ddbPut(v) as Extract<DdbCommand, { op: 'PutResourcePolicy' }>), target: { kind: 'table' as const, slot: 't0' as const } })) });
    const sequences = Array.from({ length: 12 }, (_, n) => (n % 2 === 0 ? [read, race(n)] : Array.from({ length: n }, () => read)));
    const adapter = withSequences<DdbCommand>('dynamodb', sequences);
    const pooled = await runAgainstReference(adapter, { runs: 40 });
    const fresh = await runAgainstReference(adapter, { runs: 40, fixturePool: false });
    expect(pooled.fixtures!.reused).toBeGreaterThan(4);
    expect(pooled.verdict).toBe('pass');
    expect({ verdict: pooled.verdict, rules: pooled.rulesReached, departures: pooled.divergences }).toEqual({ verdict: fresh.verdict, rules: fresh.rulesReached, departures: fresh.divergences });
  }, 60_000);
});
