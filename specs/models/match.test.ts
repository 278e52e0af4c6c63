import { describe, expect, it } from 'vitest';
import { ok } from '../../models/branches.js';
import { Checker } from '../../models/checker.js';
import { matchOutcome, matchOutcomeAll, matchPattern, matchPatternAll, renderExpect } from '../../models/match.js';
import type { Pattern, ServiceModel } from '../../models/types.js';

const item = (id: string, doc: string): Record<string, Pattern> => ({ Id: { sym: id }, Doc: { eq: doc } });

describe('scalar patterns (unchanged)', () => {
  it('eq, json, absent, present and sym behave as before', () => {
    expect(matchPattern({ eq: 'a' }, 'a', {})).toEqual({});
    expect(matchPattern({ eq: 'a' }, 'b', {})).toBeNull();
    expect(matchPattern({ json: { a: 1 } }, '{ "a": 1 }', {})).toEqual({});
    expect(matchPattern({ json: { a: 1 } }, '{"a":2}', {})).toBeNull();
    expect(matchPattern({ absent: true }, undefined, {})).toEqual({});
    expect(matchPattern({ present: true }, undefined, {})).toBeNull();
    expect(matchPattern({ sym: 'x' }, 'v', {})).toEqual({ x: 'v' });
    expect(matchPattern({ sym: 'x' }, 'w', { x: 'v' })).toBeNull();
    expect(matchPattern({ sym: 'y', distinctFrom: ['x'] }, 'v', { x: 'v' })).toBeNull();
    expect(matchPatternAll({ sym: 'x' }, '', {})).toEqual([]);
  });
});

describe('setOf', () => {
  it('matches the elements in any order and binds the symbols inside', () => {
    const pattern: Pattern = { setOf: [item('a', 'A'), item('b', 'B')] };
    const actual = [
      { Id: 'id-2', Doc: 'B' },
      { Id: 'id-1', Doc: 'A' },
    ];
    expect(matchPattern(pattern, actual, {})).toEqual({ a: 'id-1', b: 'id-2' });
  });

  it('needs exactly as many elements as records', () => {
    const pattern: Pattern = { setOf: [item('a', 'A')] };
    expect(matchPattern(pattern, [], {})).toBeNull();
    expect(matchPattern(pattern, [{ Id: '1', Doc: 'A' }, { Id: '2', Doc: 'A' }], {})).toBeNull();
  });

  it('treats an absent list as empty, and only as empty', () => {
    expect(matchPattern({ setOf: [] }, undefined, {})).toEqual({});
    expect(matchPattern({ setOf: [] }, null, {})).toEqual({});
    expect(matchPattern({ setOf: [] }, [], {})).toEqual({});
    expect(matchPattern({ setOf: [item('a', 'A')] }, undefined, {})).toBeNull();
  });

  it('rejects what is not a list of objects', () => {
    expect(matchPattern({ setOf: [] }, 'x', {})).toBeNull();
    expect(matchPattern({ setOf: [] }, {}, {})).toBeNull();
    expect(matchPattern({ setOf: [{ Id: { present: true } }] }, ['x'], {})).toBeNull();
  });

  it('ignores fields a record does not name, but checks the ones it names', () => {
    const pattern: Pattern = { setOf: [item('a', 'A')] };
    expect(matchPattern(pattern, [{ Id: '1', Doc: 'A', LastUpdatedTime: 5 }], {})).toEqual({ a: '1' });
    expect(matchPattern(pattern, [{ Id: '1' }], {})).toBeNull();
    expect(matchPattern({ setOf: [{ Token: { absent: true } }] }, [{ Token: 't' }], {})).toBeNull();
  });

  it('respects symbols bound before, and each element is used once', () => {
    const pattern: Pattern = { setOf: [item('a', 'A'), item('b', 'A')] };
    expect(matchPattern(pattern, [{ Id: '1', Doc: 'A' }, { Id: '2', Doc: 'A' }], { a: '2' })).toEqual({ a: '2', b: '1' });
    expect(matchPattern(pattern, [{ Id: '1', Doc: 'A' }, { Id: '1', Doc: 'A' }], { a: '1', b: '2' })).toBeNull();
  });

  it('backtracks when a first pairing leaves a later record without a partner', () => {
    const pattern: Pattern = { setOf: [{ V: { sym: 'x' } }, { V: { eq: '1' } }] };
    expect(matchPattern(pattern, [{ V: '1' }, { V: '2' }], {})).toEqual({ x: '2' });
  });

  it('honours distinctFrom inside elements', () => {
    const pattern: Pattern = { setOf: [{ H: { sym: 'new', distinctFrom: ['old'] } }] };
    expect(matchPattern(pattern, [{ H: 'h1' }], { old: 'h1' })).toBeNull();
    expect(matchPattern(pattern, [{ H: 'h2' }], { old: 'h1' })).toEqual({ old: 'h1', new: 'h2' });
  });

  it('returns every distinct pairing when several fit', () => {
    const pattern: Pattern = { setOf: [item('a', 'A'), item('b', 'A')] };
    const all = matchPatternAll(pattern, [{ Id: '1', Doc: 'A' }, { Id: '2', Doc: 'A' }], {});
    expect(all).toHaveLength(2);
    expect(all).toContainEqual({ a: '1', b: '2' });
    expect(all).toContainEqual({ a: '2', b: '1' });
  });

  it('nests', () => {
    const pattern: Pattern = { setOf: [{ Inner: { setOf: [{ V: { sym: 'v' } }] } }] };
    expect(matchPattern(pattern, [{ Inner: [{ V: 'z' }] }], {})).toEqual({ v: 'z' });
  });

  it('matchOutcome(All) apply it to output fields', () => {
    const expectOk = { kind: 'ok' as const, output: { List: { setOf: [item('a', 'A')] }, Next: { absent: true as const } } };
    expect(matchOutcome(expectOk, { kind: 'ok', output: { List: [{ Id: '9', Doc: 'A' }] } }, {})).toEqual({ a: '9' });
    expect(matchOutcomeAll(expectOk, { kind: 'ok', output: { List: [{ Id: '9', Doc: 'A' }], Next: 't' } }, {})).toEqual([]);
    expect(matchOutcomeAll(expectOk, { kind: 'error', code: 'X', status: 400 }, {})).toEqual([]);
  });

  it('renders with bound symbols shown', () => {
    const rendered = renderExpect({ kind: 'ok', output: { List: { setOf: [item('a', 'A'), item('b', 'B')] } } }, { a: 'id-1' });
    expect(rendered).toEqual({
      kind: 'ok',
      output: {
        List: {
          setOf: [
            { Id: { symbol: 'a', equals: 'id-1' }, Doc: 'A' },
            { Id: { symbol: 'b', unbound: true }, Doc: 'B' },
          ],
        },
      },
    });
  });
});

describe('Checker with ambiguous set pairings', () => {
  // A toy service: "List" shows two items with the same document and ids the model never saw.
  const toy: ServiceModel<{ n: number }> = {
    service: 'ssm',
    rules: {},
    switches: [],
    initial: () => ({ n: 0 }),
    step(state, request) {
      if (request.operation === 'List') return [ok('toy.list', state, { Items: { setOf: [item('first', 'A'), item('second', 'A')] } })];
      if (request.operation === 'Show') return [ok('toy.show', state, { First: { sym: 'first' } })];
      throw new Error('unknown');
    },
  };
  const settings = { switches: {}, consistency: 'strict' as const, account: '123456789012', region: 'us-east-1' };

  it('keeps a world per pairing, so a later observation of either one still matches', () => {
    for (const first of ['1', '2']) {
      const checker = new Checker(toy, settings);
      const listing = { kind: 'ok' as const, output: { Items: [{ Id: '1', Doc: 'A' }, { Id: '2', Doc: 'A' }] } };
      expect(checker.observe({ operation: 'List', input: {} }, listing).status).toBe('match');
      expect(checker.worldCount).toBe(2);
      expect(checker.observe({ operation: 'Show', input: {} }, { kind: 'ok', output: { First: first } })).toEqual({ status: 'match', rules: ['toy.show'] });
      expect(checker.agreedBindings).toEqual({ first, second: first === '1' ? '2' : '1' });
      expect(checker.observe({ operation: 'Show', input: {} }, { kind: 'ok', output: { First: '3' } }).status).toBe('diverged');
    }
  });
});
