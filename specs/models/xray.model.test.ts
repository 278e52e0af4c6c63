import { describe, expect, it } from 'vitest';
import { xrayInitialState, xrayModel, xrayModelFrom } from '../../models/xray/model.js';
import { XRAY_RULES, XRAY_SWITCHES } from '../../models/xray/rules.js';
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
