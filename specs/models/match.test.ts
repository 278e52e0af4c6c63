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

describe('policy (a document canonically equal to this one)', () => {
  const stored = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Principal: { AWS: ['111122223333'] }, Action: ['dynamodb:GetItem'], Resource: '*' }] });
  const canonical = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"dynamodb:GetItem","Resource":"*"}]}';

  it('matches the stored bytes, the canonical form and any other equivalent writing, binding nothing', () => {
    expect(matchPattern({ policy: stored }, stored, { x: '1' })).toEqual({ x: '1' });
    expect(matchPattern({ policy: stored }, canonical, {})).toEqual({});
    expect(matchPattern({ policy: stored }, JSON.stringify(JSON.parse(stored), null, 2), {})).toEqual({});
  });

  it('rejects another document, a missing or non-string value', () => {
    expect(matchPattern({ policy: stored }, canonical.replace('GetItem', 'Query'), {})).toBeNull();
    expect(matchPattern({ policy: stored }, canonical.replace('"Version":"2012-10-17",', ''), {})).toBeNull();
    expect(matchPattern({ policy: stored }, undefined, {})).toBeNull();
    expect(matchPattern({ policy: stored }, JSON.parse(stored), {})).toBeNull();
  });

  it('reads a missing Version as "2008-10-17", and compares text that is not a JSON object byte for byte', () => {
    const bare = JSON.stringify({ Statement: JSON.parse(stored).Statement });
    expect(matchPattern({ policy: bare }, canonical.replace('2012-10-17', '2008-10-17'), {})).toEqual({});
    expect(matchPattern({ policy: 'not json' }, 'not json', {})).toEqual({});
    expect(matchPattern({ policy: 'not json' }, 'not  json', {})).toBeNull();
  });

  it('works inside outcomes and renders as the canonical form', () => {
    expect(matchOutcome({ kind: 'ok', output: { Policy: { policy: stored } } }, { kind: 'ok', output: { Policy: canonical } }, {})).toEqual({});
    expect(renderExpect({ kind: 'ok', output: { Policy: { policy: stored } } }, {})).toEqual({ kind: 'ok', output: { Policy: { policyEquivalentTo: canonical } } });
    expect(renderExpect({ kind: 'ok', output: { Policy: { policy: 'x' } } }, {})).toEqual({ kind: 'ok', output: { Policy: { policyEquivalentTo: 'x' } } });
  });
});

describe('formats on sym and present', () => {
  const format = { minLength: 1, maxLength: 255 };

  it('a value outside the documented format never matches, whatever it would bind', () => {
    expect(matchPattern({ sym: 'r', format }, 'x'.repeat(255), {})).toEqual({ r: 'x'.repeat(255) });
    expect(matchPattern({ sym: 'r', format }, 'x'.repeat(256), {})).toBeNull();
    expect(matchPattern({ present: true, format }, '', {})).toBeNull();
    expect(matchPattern({ present: true, format }, 'a', {})).toEqual({});
    expect(matchPattern({ present: true }, '', {})).toEqual({});
  });

  it('anchors a pattern to the whole value', () => {
    const arn = { pattern: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/[^/]+' };
    expect(matchPattern({ sym: 's', format: arn }, 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000', {})).not.toBeNull();
    expect(matchPattern({ sym: 's', format: arn }, 'x-arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/l', {})).toBeNull();
    expect(matchPattern({ sym: 's', format: arn }, 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/l/x', {})).toBeNull();
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
