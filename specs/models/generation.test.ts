/**
 * Sequence generation: the per-focus command arbitraries are built once (generators/focus.ts), and that changes no
 * generated value. Each service's sequences are compared, for the same seeds, with the build they replaced — the
 * command arbitrary rebuilt inside `.chain` for every sequence — both the values drawn and what fast-check shrinks
 * a failing one to. And the revision values a conditional write may send keep their format.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revisionChoice } from '../../generators/revision.js';
import type { Consistency } from '../../models/types.js';
import { isRace, withRaceAtEnd } from '../../generators/race.js';
import { dynamodbCommand, dynamodbCommands, dynamodbRace, type DdbSlot } from '../../services/dynamodb/commands.js';
import { kinesisCommand, kinesisCommands, type KinSlot } from '../../services/kinesis/commands.js';
import { ssmCommand, ssmCommands, ssmRace } from '../../services/ssm/commands.js';
import { xrayCommand, xrayCommands, xrayRace } from '../../services/xray/commands.js';

/** The old build: the command arbitrary made anew for every sequence drawn. */
function rebuiltPerSequence<F, C>(foci: readonly F[], command: (focus: F) => fc.Arbitrary<C>, maxLength: number): fc.Arbitrary<C[]> {
  return fc.constantFrom(...foci).chain((focus) => fc.array(command(focus), { minLength: 1, maxLength, size: 'max' }));
}

type Case = { service: string; prebuilt: (c: Consistency) => fc.Arbitrary<unknown[]>; old: (c: Consistency) => fc.Arbitrary<unknown[]> };
/** The sequences before races existed: what the nightly expectations were found with. */
const withoutRaces: Record<string, (c: Consistency) => fc.Arbitrary<unknown[]>> = {
  dynamodb: (c) => rebuiltPerSequence<DdbSlot, unknown>(['t0', 't1', 't2'], (f) => dynamodbCommand(c, f), 14),
  kinesis: () => rebuiltPerSequence<KinSlot, unknown>(['s0', 's1', 's2'], (f) => kinesisCommand(f), 14),
  ssm: (c) => rebuiltPerSequence(['p0', 'p0', 'p0', 'p1', 'p2', 'ops', 'ops'] as const, (f) => ssmCommand(c, f), 14),
  xray: (c) => rebuiltPerSequence(['a', 'b', 'f0'] as const, (f) => xrayCommand(c, f), 12),
};
/** The old build, with a race appended as the services append theirs (Kinesis has no conditional write to race). */
const races: Record<string, () => fc.Arbitrary<never>> = { dynamodb: dynamodbRace as never, ssm: ssmRace as never, xray: xrayRace as never };
const old = (service: string) => (c: Consistency) => (races[service] ? withRaceAtEnd(withoutRaces[service]!(c), races[service]()) : withoutRaces[service]!(c));

const CASES: Case[] = [
  { service: 'dynamodb', prebuilt: (c) => dynamodbCommands(c), old: old('dynamodb') },
  { service: 'kinesis', prebuilt: (c) => kinesisCommands(c), old: old('kinesis') },
  { service: 'ssm', prebuilt: (c) => ssmCommands(c), old: old('ssm') },
  { service: 'xray', prebuilt: (c) => xrayCommands(c), old: old('xray') },
];

/** A property most sequences break, so that fast-check shrinks: no sequence of four calls or more. */
const short = (commands: unknown[]) => commands.length < 4;

describe('sequences with the per-focus arbitraries built once', () => {
  for (const { service, prebuilt, old } of CASES) {
    for (const consistency of ['strict', 'eventual'] as const) {
      it(`${service} (${consistency}): the same values for the same seed as the per-sequence build`, () => {
        for (const seed of [1, 20261123]) {
          expect(fc.sample(prebuilt(consistency), { seed, numRuns: 150 })).toEqual(fc.sample(old(consistency), { seed, numRuns: 150 }));
        }
      });
    }

    it(`${service}: shrinks a failing sequence to the same one, by the same path`, () => {
      const run = (arb: fc.Arbitrary<unknown[]>) => {
        const d = fc.check(fc.property(arb, short), { seed: 42, numRuns: 100 });
        return { counterexample: d.counterexample, path: d.counterexamplePath, shrinks: d.numShrinks };
      };
      const a = run(prebuilt('strict'));
      expect(a.counterexample).not.toBeNull();
      expect(a).toEqual(run(old('strict')));
    });
  }

  for (const service of ['dynamodb', 'ssm', 'xray']) {
    it(`${service}: races are only appended — without them, a seed draws the sequences it drew before races existed`, () => {
      for (const seed of [1, 20261123]) {
        const drawn = fc.sample(CASES.find((c) => c.service === service)!.prebuilt('strict'), { seed, numRuns: 200 });
        expect(drawn.some((commands) => commands.some(isRace))).toBe(true);
        expect(drawn.every((commands) => commands.slice(0, -1).every((c) => !isRace(c)))).toBe(true);
        expect(drawn.map((commands) => commands.filter((c) => !isRace(c)))).toEqual(fc.sample(withoutRaces[service]!('strict'), { seed, numRuns: 200 }));
      }
    });
  }

  it('the comparison can fail: another seed draws other sequences', () => {
    expect(fc.sample(dynamodbCommands('strict'), { seed: 1, numRuns: 20 })).not.toEqual(fc.sample(dynamodbCommands('strict'), { seed: 2, numRuns: 20 }));
  });
});

describe('revision choices', () => {
  it('random revisions are 13 decimal digits, and not all alike', () => {
    const values = fc
      .sample(revisionChoice(['NO_POLICY']), { seed: 3, numRuns: 2000 })
      .flatMap((r) => (r.kind === 'random' ? [r.value] : []));
    expect(values.length).toBeGreaterThan(50);
    for (const v of values) expect(v).toMatch(/^[0-9]{13}$/);
    expect(new Set(values).size).toBeGreaterThan(values.length / 2);
  });
});
