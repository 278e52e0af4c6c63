/**
 * Linearizability of racing writes (models/linearizability.ts, Checker.observeRace) on a register with a
 * conditional write: `Put` with `expect: "empty"` succeeds only while the register is empty (ExpectedRevisionId
 * NO_POLICY, PolicyRevisionId "0"), and with `expect: <value>` only while it holds that value (a revision, a hash).
 */
import { describe, expect, it } from 'vitest';
import { fail, ok } from '../../models/branches.js';
import { Checker, replayOffline } from '../../models/checker.js';
import { linearize } from '../../models/linearizability.js';
import type { Branch, Observation, Request, ServiceModel } from '../../models/types.js';

interface Reg {
  value: string | null;
}

const register: ServiceModel<Reg> = {
  service: 'toy',
  rules: {
    'toy.put.write': { id: 'toy.put.write', evidence: 'assumed', spec: '', summary: '' },
    'toy.put.conflict': { id: 'toy.put.conflict', evidence: 'assumed', spec: '', summary: '' },
    'toy.put.invalid': { id: 'toy.put.invalid', evidence: 'assumed', spec: '', summary: '' },
    'toy.race.linearizable': { id: 'toy.race.linearizable', evidence: 'assumed', spec: '', summary: '' },
  },
  switches: [],
  initial: () => ({ value: null }),
  step(state, request): Branch<Reg>[] {
    const { value, expect: expected } = request.input as { value?: string; expect?: string };
    if (request.operation === 'Get') return [state.value === null ? fail('toy.get.empty', state, 'NotFound') : ok('toy.get.value', state, { Value: { eq: state.value } })];
    if (value === 'bad') return [fail('toy.put.invalid', state, 'ValidationException')];
    const holds = expected === undefined || (expected === 'empty' ? state.value === null : state.value === expected);
    return holds ? [ok('toy.put.write', { value: value! })] : [fail('toy.put.conflict', state, 'Conflict')];
  },
};

const settings = { switches: {}, consistency: 'strict' as const, account: '123456789012', region: 'us-east-1' };
const put = (value: string, expected?: string): Request => ({ operation: 'Put', input: { value, ...(expected !== undefined ? { expect: expected } : {}) } });
const okay: Observation = { kind: 'ok', output: {} };
const conflict: Observation = { kind: 'error', code: 'Conflict', status: 400 };

describe('linearize (the search)', () => {
  // The states: a counter; op i adds i+1, and is explained only when the counter is below a bound.
  const apply = (n: number, op: number) => (n + op + 1 <= 3 ? n + op + 1 : null);

  it('follows every order and returns each distinct end', () => {
    const r = linearize(0, 2, apply, String);
    expect(r.ends).toEqual([3]);
    expect(r.explained).toEqual([true, true]);
  });

  it('no order explains all: no end, but each op explained somewhere', () => {
    const r = linearize(1, 2, apply, String);
    expect(r.ends).toEqual([]);
    expect(r.explained).toEqual([true, true]);
  });

  it('keeps real-time order: an op that answered before another was sent comes first', () => {
    const seen: number[][] = [];
    const track = (path: number[], op: number) => (seen.push([...path, op]), [...path, op]);
    linearize<number[]>([], 3, track, (p) => p.join(','), (a, b) => a === 0 && b === 2);
    const complete = seen.filter((p) => p.length === 3).map((p) => p.join(''));
    expect(complete.sort()).toEqual(['012', '021', '102']);
  });
});

describe('Checker.observeRace', () => {
  it('two racing create-only writes that both succeed depart on the race rule', () => {
    const c = new Checker(register, settings);
    const v = c.observeRace([{ request: put('a', 'empty'), observation: okay }, { request: put('b', 'empty'), observation: okay }], 'toy.race.linearizable');
    expect(v).toMatchObject({ status: 'diverged', rule: 'toy.race.linearizable' });
  });

  it('one winner: linearizable, and the state afterwards is the winner\'s in every world', () => {
    const c = new Checker(register, settings);
    const v = c.observeRace([{ request: put('a', 'empty'), observation: conflict }, { request: put('b', 'empty'), observation: okay }], 'toy.race.linearizable');
    expect(v).toEqual({ status: 'match', rules: expect.arrayContaining(['toy.put.write', 'toy.put.conflict', 'toy.race.linearizable']) });
    expect(c.observe({ operation: 'Get', input: {} }, { kind: 'ok', output: { Value: 'b' } }).status).toBe('match');
    expect(c.observe({ operation: 'Get', input: {} }, { kind: 'ok', output: { Value: 'a' } }).status).toBe('diverged');
  });

  it('unconditional writes that both succeed: either may have come last, and a read afterwards may show either', () => {
    for (const last of ['a', 'b']) {
      const c = new Checker(register, settings);
      expect(c.observeRace([{ request: put('a'), observation: okay }, { request: put('b'), observation: okay }], 'toy.race.linearizable').status).toBe('match');
      expect(c.observe({ operation: 'Get', input: {} }, { kind: 'ok', output: { Value: last } }).status).toBe('match');
    }
  });

  it('an answer no order explains is that write\'s own departure, not a race', () => {
    const c = new Checker(register, settings);
    const v = c.observeRace([{ request: put('bad'), observation: okay }, { request: put('b'), observation: okay }], 'toy.race.linearizable');
    expect(v).toMatchObject({ status: 'diverged', rule: 'toy.put.invalid', write: 0 });
  });

  it('a fault among the writes keeps every possibility, and only those', () => {
    const fault: Observation = { kind: 'fault', reason: 'timeout', cause: 'timeout' };
    const race = (checker: Checker<Reg>, expected?: string) =>
      checker.observeRace([{ request: put('a', expected), observation: fault }, { request: put('b', expected), observation: okay }], 'toy.race.linearizable');
    const after = (expected: string | undefined, value: string) => {
      const c = new Checker(register, settings);
      expect(race(c, expected).status).toBe('match');
      return c.observe({ operation: 'Get', input: {} }, { kind: 'ok', output: { Value: value } }).status;
    };
    // Unconditional: the faulted write may have landed before or after b, or not at all.
    expect([after(undefined, 'a'), after(undefined, 'b')]).toEqual(['match', 'match']);
    // Create-only: b succeeded, so a cannot have created the value, whatever the order.
    expect([after('empty', 'a'), after('empty', 'b')]).toEqual(['diverged', 'match']);
  });

  it('replayOffline judges steps with one `race` value together, and sequentially without it', () => {
    const both = [
      { operation: 'Put', input: put('a', 'empty').input, outcome: okay, race: 0 },
      { operation: 'Put', input: put('b', 'empty').input, outcome: okay, race: 0 },
    ];
    expect(replayOffline(register, settings, undefined, both).divergence).toMatchObject({ at: 1, verdict: { rule: 'toy.race.linearizable' } });
    const sequential = both.map(({ race: _race, ...step }) => step);
    expect(replayOffline(register, settings, undefined, sequential).divergence).toMatchObject({ at: 1, verdict: { rule: 'toy.put.conflict' } });
    const oneWins = [both[0]!, { ...both[1]!, outcome: conflict }];
    expect(replayOffline(register, settings, undefined, oneWins).divergence).toBeNull();
  });
});
