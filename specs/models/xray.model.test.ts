import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simplifyXray, type XrayCommand, xrayCommands } from '../../services/xray/commands.js';
import { xrayAdapter } from '../../services/xray/adapter.js';
import { symbolView } from '../../models/match.js';
import { defaultSwitches, type JsonObject, type ModelContext } from '../../models/types.js';
import { type XrayState, xrayInitialState, xrayModel, xrayModelFrom } from '../../services/xray/model.js';
import { XRAY_RULES, XRAY_SWITCHES } from '../../services/xray/rules.js';
import { call, checkerFor, err, okOut, policy } from './support.js';

const DOC = policy('a', 'arn:aws:iam::111122223333:root', 'xray:PutTraceSegments');
const DOC2 = policy('b', 'arn:aws:iam::444455556666:root', 'xray:GetSamplingRules');
const T = 1700000000;

const put = (name: string, doc: string, extra: Record<string, string | boolean> = {}) => ({ PolicyName: name, PolicyDocument: doc, ...extra });
const stored = (name: string, doc: string, rev: string) => okOut({ PolicyName: name, PolicyDocument: doc, PolicyRevisionId: rev, LastUpdatedTime: T });
const listed = (name: string, doc: string, rev: string) => ({ PolicyName: name, PolicyDocument: doc, PolicyRevisionId: rev, LastUpdatedTime: T });

describe('xray rules and switches', () => {
  it('are prefixed and every switch default is one of its values', () => {
    for (const id of Object.keys(XRAY_RULES)) expect(id.startsWith('xray.')).toBe(true);
    for (const s of XRAY_SWITCHES) {
      expect(s.name.startsWith('xray.')).toBe(true);
      expect(s.values).toContain(s.default);
    }
  });

  it('throws on an unknown operation', () => {
    expect(() => call(checkerFor(xrayModel), 'GetTraceSummaries', {}, okOut())).toThrow(/unknown operation/);
  });
});

describe('PutResourcePolicy revisions (counter format, the default)', () => {
  it('creates with "1", then increments; returns the document as provided', () => {
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'))).toEqual({ status: 'match', rules: ['xray.put.create'] });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC2, '1'))).toMatchObject({ status: 'diverged', rule: 'xray.put.update' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC, '2'))).toMatchObject({ status: 'diverged', rule: 'xray.put.update' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC2, '2'))).toEqual({ status: 'match', rules: ['xray.put.update'] });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC2, '3'))).toEqual({ status: 'match', rules: ['xray.put.identical'] });
  });

  it('needs a LastUpdatedTime', () => {
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', put('p', DOC), okOut({ PolicyName: 'p', PolicyDocument: DOC, PolicyRevisionId: '1' }))).toMatchObject({
      status: 'diverged',
      rule: 'xray.put.create',
    });
  });

  it('an identical document keeps the revision under switch xray.identicalPolicy=unchanged', () => {
    const c = checkerFor(xrayModel, { 'xray.identicalPolicy': 'unchanged' });
    call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'));
    expect(call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '2'))).toMatchObject({ status: 'diverged', rule: 'xray.put.identical' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'))).toEqual({ status: 'match', rules: ['xray.put.identical'] });
  });

  it('"0" is create-only', () => {
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', put('p', DOC, { PolicyRevisionId: '0' }), stored('p', DOC, '1'))).toEqual({ status: 'match', rules: ['xray.put.create'] });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2, { PolicyRevisionId: '0' }), stored('p', DOC2, '2'))).toMatchObject({
      status: 'diverged',
      rule: 'xray.put.revision-zero-exists',
    });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2, { PolicyRevisionId: '0' }), err('InvalidPolicyRevisionIdException'))).toEqual({
      status: 'match',
      rules: ['xray.put.revision-zero-exists'],
    });
  });

  it('a revision id that is not the current one is refused', () => {
    const c = checkerFor(xrayModel);
    call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'));
    expect(call(c, 'PutResourcePolicy', put('p', DOC2, { PolicyRevisionId: '7' }), stored('p', DOC2, '2'))).toMatchObject({
      status: 'diverged',
      rule: 'xray.put.revision-mismatch',
    });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2, { PolicyRevisionId: '1' }), err('InvalidPolicyRevisionIdException'))).toMatchObject({
      status: 'diverged',
      rule: 'xray.put.update',
    });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2, { PolicyRevisionId: '1' }), stored('p', DOC2, '2')).status).toBe('match');
  });

  it('a revision id for a name without policy: switch xray.putRevisionWithoutPolicy', () => {
    expect(call(checkerFor(xrayModel), 'PutResourcePolicy', put('p', DOC, { PolicyRevisionId: '3' }), stored('p', DOC, '1'))).toMatchObject({
      status: 'diverged',
      rule: 'xray.put.revision-without-policy',
    });
    const c = checkerFor(xrayModel, { 'xray.putRevisionWithoutPolicy': 'create' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC, { PolicyRevisionId: '3' }), stored('p', DOC, '1'))).toEqual({ status: 'match', rules: ['xray.put.create'] });
  });
});

describe('PutResourcePolicy revisions (opaque format)', () => {
  it('binds the revision, which each update must change', () => {
    const c = checkerFor(xrayModel, { 'xray.revisionFormat': 'opaque' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, 'r-a'))).toEqual({ status: 'match', rules: ['xray.put.create'] });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC2, 'r-a'))).toMatchObject({ status: 'diverged', rule: 'xray.put.update' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC2, 'r-b')).status).toBe('match');
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [listed('p', DOC2, 'r-a')] }))).toMatchObject({ status: 'diverged', rule: 'xray.list.all' });
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [listed('p', DOC2, 'r-b')] })).status).toBe('match');
  });

  it('after a lost Put, a conditional delete may name the unseen revision', () => {
    const c = checkerFor(xrayModel, { 'xray.revisionFormat': 'opaque' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC), { kind: 'fault', reason: 'timeout' }).status).toBe('indeterminate');
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: 'r-z' }, okOut())).toEqual({ status: 'match', rules: ['xray.delete.removes'] });
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [] })).status).toBe('match');
  });
});

describe('document checks', () => {
  it('size, grammar and name', () => {
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(5200), Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'xray:*', Resource: '*' }] });
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', put('p', big), err('PolicySizeLimitExceededException'))).toEqual({ status: 'match', rules: ['xray.policy.too-large'] });
    expect(call(c, 'PutResourcePolicy', put('p', big), stored('p', big, '1'))).toMatchObject({ status: 'diverged', rule: 'xray.policy.too-large' });
    expect(call(c, 'PutResourcePolicy', put('p', '{"Statement":"x"}'), err('MalformedPolicyDocumentException'))).toEqual({ status: 'match', rules: ['xray.policy.malformed'] });
    expect(call(c, 'PutResourcePolicy', put('p', 'nope'), err('InvalidRequestException'))).toMatchObject({ status: 'diverged', rule: 'xray.policy.malformed' });
    expect(call(c, 'PutResourcePolicy', put('bad name', DOC), err('InvalidRequestException'))).toEqual({ status: 'match', rules: ['xray.put.invalid-request'] });
    expect(call(c, 'PutResourcePolicy', put('x'.repeat(129), DOC), stored('x'.repeat(129), DOC, '1'))).toMatchObject({ status: 'diverged', rule: 'xray.put.invalid-request' });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'a/b' }, err('InvalidRequestException'))).toEqual({ status: 'match', rules: ['xray.delete.invalid-request'] });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: '' }, okOut())).toMatchObject({ status: 'diverged', rule: 'xray.delete.invalid-request' });
  });

  it('lockout: a Deny to everyone of xray:PutResourcePolicy needs BypassPolicyLockoutCheck', () => {
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'xray:*', Resource: '*' }] });
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', put('p', lockout), stored('p', lockout, '1'))).toMatchObject({ status: 'diverged', rule: 'xray.policy.lockout' });
    expect(call(c, 'PutResourcePolicy', put('p', lockout), err('LockoutPreventionException'))).toEqual({ status: 'match', rules: ['xray.policy.lockout'] });
    expect(call(c, 'PutResourcePolicy', put('p', lockout, { BypassPolicyLockoutCheck: true }), stored('p', lockout, '1'))).toEqual({
      status: 'match',
      rules: ['xray.put.create'],
    });
  });
});

describe('account-wide limit of 5', () => {
  const existing = ['e1', 'e2', 'e3', 'e4', 'e5'].map((n) => ({ PolicyName: n, PolicyDocument: DOC, PolicyRevisionId: '4' }));

  it('counts policies already in the account', () => {
    expect(xrayInitialState(existing).policies.e1).toEqual({ name: 'e1', doc: DOC, rev: { value: '4' } });
    const c = checkerFor(xrayModelFrom(existing));
    expect(call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'))).toMatchObject({ status: 'diverged', rule: 'xray.put.count-limit' });
    expect(call(c, 'PutResourcePolicy', put('p', DOC), err('PolicyCountLimitExceededException'))).toEqual({ status: 'match', rules: ['xray.put.count-limit'] });
    expect(call(c, 'PutResourcePolicy', put('e3', DOC2, { PolicyRevisionId: '4' }), stored('e3', DOC2, '5'))).toEqual({ status: 'match', rules: ['xray.put.update'] });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'e1' }, okOut()).status).toBe('match');
    expect(call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1')).status).toBe('match');
  });

  it('the sixth new name in an empty account is refused', () => {
    const c = checkerFor(xrayModel);
    for (const n of ['a', 'b', 'c', 'd', 'e']) expect(call(c, 'PutResourcePolicy', put(n, DOC), stored(n, DOC, '1')).status).toBe('match');
    expect(call(c, 'PutResourcePolicy', put('f', DOC), err('PolicyCountLimitExceededException')).status).toBe('match');
  });
});

describe('ListResourcePolicies', () => {
  it('lists every policy in any order, without NextToken', () => {
    const c = checkerFor(xrayModelFrom([{ PolicyName: 'old', PolicyDocument: DOC2, PolicyRevisionId: '9' }]));
    call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'));
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [listed('p', DOC, '1'), listed('old', DOC2, '9')] }))).toEqual({
      status: 'match',
      rules: ['xray.list.all'],
    });
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [listed('p', DOC, '1')] }))).toMatchObject({ status: 'diverged', rule: 'xray.list.all' });
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [listed('p', DOC, '1'), listed('old', DOC2, '9')], NextToken: 'n' }))).toMatchObject({
      status: 'diverged',
      rule: 'xray.list.all',
    });
  });

  it('NextToken: ignored by default, refused under switch', () => {
    expect(call(checkerFor(xrayModel), 'ListResourcePolicies', { NextToken: 'abc' }, okOut({ ResourcePolicies: [] })).status).toBe('match');
    const c = checkerFor(xrayModel, { 'xray.listNextToken': 'InvalidRequestException' });
    expect(call(c, 'ListResourcePolicies', { NextToken: 'abc' }, okOut({ ResourcePolicies: [] }))).toMatchObject({ status: 'diverged', rule: 'xray.list.next-token' });
  });
});

describe('DeleteResourcePolicy', () => {
  it('removes; a wrong revision is refused', () => {
    const c = checkerFor(xrayModel);
    call(c, 'PutResourcePolicy', put('p', DOC), stored('p', DOC, '1'));
    call(c, 'PutResourcePolicy', put('p', DOC2), stored('p', DOC2, '2'));
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: '1' }, okOut())).toMatchObject({ status: 'diverged', rule: 'xray.delete.revision-mismatch' });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: '1' }, err('InvalidPolicyRevisionIdException')).status).toBe('match');
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: '2' }, err('InvalidPolicyRevisionIdException'))).toMatchObject({
      status: 'diverged',
      rule: 'xray.delete.removes',
    });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: '2' }, okOut())).toEqual({ status: 'match', rules: ['xray.delete.removes'] });
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [listed('p', DOC2, '2')] }))).toMatchObject({ status: 'diverged', rule: 'xray.list.all' });
  });

  it('a missing policy (switch xray.deleteMissing): idempotent without revision, refused with one', () => {
    const c = checkerFor(xrayModel);
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p' }, okOut())).toEqual({ status: 'match', rules: ['xray.delete.missing'] });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: '1' }, okOut())).toMatchObject({ status: 'diverged', rule: 'xray.delete.missing' });
    expect(call(c, 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: '1' }, err('InvalidPolicyRevisionIdException')).status).toBe('match');
    const strict = checkerFor(xrayModel, { 'xray.deleteMissing': 'ResourceNotFoundException' });
    expect(call(strict, 'DeleteResourcePolicy', { PolicyName: 'p' }, okOut())).toMatchObject({ status: 'diverged', rule: 'xray.delete.missing' });
    expect(call(strict, 'DeleteResourcePolicy', { PolicyName: 'p' }, err('ResourceNotFoundException', 400))).toMatchObject({ status: 'diverged', rule: 'xray.delete.missing' });
    expect(call(strict, 'DeleteResourcePolicy', { PolicyName: 'p' }, err('ResourceNotFoundException', 404)).status).toBe('match');
  });
});

describe('throttling', () => {
  it('ThrottledException is HTTP 429 and changes nothing', () => {
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', put('p', DOC), err('ThrottledException', 429))).toEqual({ status: 'match', rules: ['xray.throttled'] });
    expect(call(c, 'ListResourcePolicies', {}, err('ThrottledException', 400))).toMatchObject({ status: 'diverged', rule: 'xray.list.all' });
    expect(call(c, 'ListResourcePolicies', {}, okOut({ ResourcePolicies: [] })).status).toBe('match');
  });
});

function modelCtx(switches: Record<string, string> = {}, bindings: Record<string, string> = {}): ModelContext {
  return { switches: { ...defaultSwitches(xrayModel.switches), ...switches }, consistency: 'strict', account: '123456789012', region: 'us-east-1', symbols: symbolView(bindings) };
}

/** Five policies a..e, 'a' at revision 2 (DOC2), the others at 1 (DOC). */
function fullAccount(): XrayState {
  const c = modelCtx();
  let state = xrayModel.initial();
  const requests: Array<[string, JsonObject]> = [...['a', 'b', 'c', 'd', 'e'].map((n): [string, JsonObject] => ['PutResourcePolicy', put(n, DOC)]), ['PutResourcePolicy', put('a', DOC2)]];
  for (const [operation, input] of requests) state = xrayModel.step(state, { operation, input }, c)[0]!.next;
  return state;
}

const effectsOf = (state: XrayState, operation: string, input: JsonObject, c = modelCtx()) => xrayModel.effects!(state, { operation, input }, c);
const firstRule = (state: XrayState, operation: string, input: JsonObject, c = modelCtx()) => xrayModel.step(state, { operation, input }, c)[0]!.rule;

describe('effects: a write carried out with its checks ignored', () => {
  it('Put over the count limit: written (a sixth policy, revision "1")', () => {
    const state = fullAccount();
    expect(firstRule(state, 'PutResourcePolicy', put('f', DOC))).toBe('xray.put.count-limit');
    const [after, ...more] = effectsOf(state, 'PutResourcePolicy', put('f', DOC));
    expect(more).toEqual([]);
    expect(Object.keys(after!.policies)).toHaveLength(6);
    expect(after!.policies.f).toEqual({ name: 'f', doc: DOC, rev: { value: '1' } });
  });

  it('Put with a mismatching revision, or a lockout document: written with the next revision', () => {
    const state = fullAccount();
    expect(firstRule(state, 'PutResourcePolicy', put('a', DOC, { PolicyRevisionId: '1' }))).toBe('xray.put.revision-mismatch');
    expect(effectsOf(state, 'PutResourcePolicy', put('a', DOC, { PolicyRevisionId: '1' }))[0]!.policies.a).toEqual({ name: 'a', doc: DOC, rev: { value: '3' } });
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'xray:PutResourcePolicy', Resource: '*' }] });
    expect(firstRule(state, 'PutResourcePolicy', put('b', lockout))).toBe('xray.policy.lockout');
    expect(effectsOf(state, 'PutResourcePolicy', put('b', lockout))[0]!.policies.b).toEqual({ name: 'b', doc: lockout, rev: { value: '2' } });
  });

  it('opaque revisions: the effect takes a fresh symbol, as the success branch does', () => {
    const c = modelCtx({ 'xray.revisionFormat': 'opaque' });
    const created = xrayModel.step(xrayModel.initial(), { operation: 'PutResourcePolicy', input: put('a', DOC) }, c)[0]!.next;
    const [after] = effectsOf(created, 'PutResourcePolicy', put('a', DOC2, { PolicyRevisionId: 'stale' }), c);
    expect(after!.policies.a!.rev).toEqual({ sym: `revision#${after!.seq}` });
    expect(after!.seq).toBeGreaterThan(created.seq);
  });

  it('Delete with a mismatching revision: removed; a name without a policy, no name, or a List: no effect', () => {
    const state = fullAccount();
    expect(firstRule(state, 'DeleteResourcePolicy', { PolicyName: 'a', PolicyRevisionId: '1' })).toBe('xray.delete.revision-mismatch');
    expect(Object.keys(effectsOf(state, 'DeleteResourcePolicy', { PolicyName: 'a', PolicyRevisionId: '1' })[0]!.policies)).toEqual(['b', 'c', 'd', 'e']);
    expect(effectsOf(state, 'DeleteResourcePolicy', { PolicyName: 'zz' })).toEqual([]);
    expect(effectsOf(state, 'DeleteResourcePolicy', {})).toEqual([]);
    expect(effectsOf(state, 'PutResourcePolicy', { PolicyName: 'a' })).toEqual([]);
    expect(effectsOf(state, 'ListResourcePolicies', {})).toEqual([]);
  });
});

describe('focus: the policy a request names (every policy for List)', () => {
  it('with its revision and the account-wide count', () => {
    const state = fullAccount();
    const focus = (operation: string, input: JsonObject) => xrayModel.focus!(state, { operation, input }, modelCtx());
    expect(focus('PutResourcePolicy', put('a', DOC))).toEqual({ policyName: 'a', policy: { name: 'a', document: DOC2, revision: '2' }, policyCount: 5 });
    expect(focus('DeleteResourcePolicy', { PolicyName: 'zz' })).toEqual({ policyName: 'zz', policy: null, policyCount: 5 });
    expect(focus('DeleteResourcePolicy', {})).toEqual({ policyName: null, policy: null, policyCount: 5 });
    expect((focus('ListResourcePolicies', {}) as { policies: unknown[] }).policies).toHaveLength(5);
    const opaque = modelCtx({ 'xray.revisionFormat': 'opaque' }, { 'revision#1': 'r-1' });
    const one = xrayModel.step(xrayModel.initial(), { operation: 'PutResourcePolicy', input: put('p', DOC) }, opaque)[0]!.next;
    expect(xrayModel.focus!(one, { operation: 'ListResourcePolicies', input: {} }, opaque)).toEqual({ policies: [{ name: 'p', document: DOC, revision: 'r-1' }] });
  });
});

describe('requests the SDK sends without a required member', () => {
  it('Put without PolicyDocument (or PolicyName): xray.put.invalid-request; Delete without PolicyName: xray.delete.invalid-request', () => {
    const c = checkerFor(xrayModel);
    expect(call(c, 'PutResourcePolicy', { PolicyName: 'p' }, err('InvalidRequestException'))).toEqual({ status: 'match', rules: ['xray.put.invalid-request'] });
    expect(call(c, 'PutResourcePolicy', { PolicyDocument: DOC }, stored('', DOC, '1'))).toMatchObject({ status: 'diverged', rule: 'xray.put.invalid-request' });
    expect(call(c, 'DeleteResourcePolicy', {}, err('InvalidRequestException'))).toEqual({ status: 'match', rules: ['xray.delete.invalid-request'] });
    expect(call(c, 'DeleteResourcePolicy', {}, okOut())).toMatchObject({ status: 'diverged', rule: 'xray.delete.invalid-request' });
  });

  it('the generator sends them now and then: PolicyDocument left out of a Put, PolicyName out of a Delete only', () => {
    const commands = fc.sample(xrayCommands('strict'), { numRuns: 150, seed: 7 }).flat();
    expect(commands.some((c) => c.op === 'PutResourcePolicy' && c.policy.kind === 'missing')).toBe(true);
    expect(commands.some((c) => c.op === 'DeleteResourcePolicy' && c.name.kind === 'invalid' && c.name.variant === 'missing')).toBe(true);
    // A Put that a lax target accepted without a name would leave a policy cleanup cannot find.
    expect(commands.some((c) => c.op === 'PutResourcePolicy' && c.name.kind === 'invalid' && (c.name.variant === 'missing' || c.name.variant === 'empty'))).toBe(false);
  });
});

describe('simplify: one field plainer at a time', () => {
  it('Put: name → slot a, revision → none, bypass → absent, document → the plainest valid one', () => {
    const put: XrayCommand = {
      op: 'PutResourcePolicy',
      name: { kind: 'invalid', variant: 'space' },
      policy: { kind: 'lockout' },
      revision: { kind: 'sentinel', value: '0' },
      bypass: false,
    };
    expect(simplifyXray(put)).toEqual([
      { change: 'name: invalid space → slot a', command: { ...put, name: { kind: 'slot', slot: 'a' } } },
      { change: 'revision: sentinel 0 → none', command: { op: 'PutResourcePolicy', name: put.name, policy: put.policy, bypass: false } },
      { change: 'bypass: false → absent', command: { op: 'PutResourcePolicy', name: put.name, policy: put.policy, revision: put.revision } },
      { change: 'policy: lockout → valid 0', command: { ...put, policy: { kind: 'valid', variant: 0, whitespace: 0 } } },
    ]);
    expect(simplifyXray({ op: 'PutResourcePolicy', name: { kind: 'slot', slot: 'f1' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } })).toEqual([]);
  });

  it('Delete: name and revision; List: NextToken', () => {
    const del: XrayCommand = { op: 'DeleteResourcePolicy', name: { kind: 'longest' }, revision: { kind: 'stale' } };
    expect(simplifyXray(del).map((s) => s.change)).toEqual(['name: longest → slot a', 'revision: stale → none']);
    expect(simplifyXray({ op: 'ListResourcePolicies', nextToken: true })).toEqual([{ change: 'nextToken: sent → absent', command: { op: 'ListResourcePolicies' } }]);
    expect(simplifyXray({ op: 'ListResourcePolicies' })).toEqual([]);
  });

  it('is wired into the adapter', () => {
    expect(xrayAdapter.simplify).toBe(simplifyXray);
  });
});
