/**
 * Pure: how the checker judges DynamoDB's lagging views by when a read was made (Lag), and the change window's
 * refusals (spec §7.1, §7.3). The harness side (polling, re-sending) is specs/eventual.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Checker } from '../../models/checker.js';
import { defaultSwitches, type Consistency, type Lag } from '../../models/types.js';
import { retryAfter } from '../../harness/adapter-kit.js';
import { dynamodbAdapter } from '../../services/dynamodb/adapter.js';
import { dynamodbModel, tableArn } from '../../services/dynamodb/model.js';
import { ACCOUNT, REGION, err, okOut } from './support.js';

const ARN = tableArn({ account: ACCOUNT, region: REGION }, 'orders');
const doc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'dynamodb:GetItem', Resource: ARN }] });

function afterPut(consistency: Consistency, switches: Record<string, string> = {}) {
  const c = new Checker(dynamodbModel, { switches: { ...defaultSwitches(dynamodbModel.switches), ...switches }, consistency, account: ACCOUNT, region: REGION });
  c.observe({ operation: 'CreateTable', input: { TableName: 'orders' } }, okOut({ TableArn: ARN, TableStatus: 'ACTIVE' }));
  expect(c.observe({ operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: doc('A') } }, okOut({ RevisionId: '1' })).status).toBe('match');
  return c;
}
const get = { operation: 'GetResourcePolicy', input: { ResourceArn: ARN } };
/** What a lagging Get shows after a first Put: no policy yet. */
const STALE = err('PolicyNotFoundException');

describe('lagging views, judged by when the read was made', () => {
  it('peek tells the committed answer from a lagging view and from neither, observing nothing', () => {
    const c = afterPut('strict');
    expect(c.peek(get, okOut({ Policy: doc('A'), RevisionId: '1' }))).toBe('fresh');
    expect(c.peek(get, STALE)).toBe('stale');
    expect(c.peek(get, err('ResourceNotFoundException'))).toBe('none');
    expect(c.allowed(get).map((a) => a.rule)).toEqual(['ddb.get.policy']);
  });

  const cases: Array<[Consistency, Lag | undefined, object]> = [
    ['eventual', undefined, { status: 'match', rules: ['ddb.get.stale-view'] }],
    ['eventual', 'within', { status: 'match', rules: ['ddb.get.stale-view'] }],
    ['eventual', 'late', { status: 'diverged', rule: 'ddb.get.stale-after-bound', stale: true }],
    ['eventual', 'flipped', { status: 'diverged', rule: 'ddb.get.monotonic', stale: true }],
    ['strict', 'late', { status: 'diverged', rule: 'ddb.get.read-your-writes', stale: true }],
  ];
  for (const [consistency, lag, verdict] of cases) {
    it(`${consistency}, lag ${lag ?? 'not given'}: ${JSON.stringify(verdict)}`, () => {
      expect(afterPut(consistency).observe(get, STALE, undefined, { lag })).toMatchObject(verdict);
    });
  }

  it('a lagging view that never gave way (lasting), or one in strict mode with no evidence of lag, is judged as the state', () => {
    for (const [consistency, lag] of [['eventual', 'lasting'], ['strict', 'lasting'], ['strict', undefined]] as const) {
      const verdict = afterPut(consistency).observe(get, STALE, undefined, { lag });
      expect(verdict.status).toBe('diverged');
      expect(verdict).not.toHaveProperty('stale');
      expect((verdict as { rule: string }).rule).toBe('ddb.get.policy');
    }
  });
});

describe('the change window (spec §7.3, switch ddb.changeWindow)', () => {
  const replace = { operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: doc('B') } };
  it('refuses a changing write on a resource changed in the sequence, with either code, in either mode', () => {
    for (const consistency of ['strict', 'eventual'] as const) {
      for (const code of ['ResourceInUseException', 'ThrottlingException']) {
        expect(afterPut(consistency).observe(replace, err(code))).toEqual({ status: 'match', rules: ['ddb.put.window'] });
      }
      const del = afterPut(consistency);
      expect(del.observe({ operation: 'DeleteResourcePolicy', input: { ResourceArn: ARN } }, err('ThrottlingException'))).toEqual({ status: 'match', rules: ['ddb.put.window'] });
    }
  });

  it('does not allow a refusal on a resource whose policy never changed, nor of an equivalent re-put', () => {
    const fresh = new Checker(dynamodbModel, { switches: defaultSwitches(dynamodbModel.switches), consistency: 'eventual', account: ACCOUNT, region: REGION });
    fresh.observe({ operation: 'CreateTable', input: { TableName: 'orders' } }, okOut({ TableArn: ARN, TableStatus: 'ACTIVE' }));
    expect(fresh.observe({ operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: doc('A') } }, err('ResourceInUseException')).status).toBe('diverged');
    expect(afterPut('strict').observe({ operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: doc('A') } }, err('ThrottlingException')).status).toBe('diverged');
  });

  it('inside a window measured open, a refusal is the only answer to a changing write; an equivalent re-put still succeeds', () => {
    const open = { windowOpen: true };
    // A Put of another document, or a removing Delete, that succeeded although the window was surely open: ddb.put.window.
    expect(afterPut('strict').observe(replace, okOut({ RevisionId: '2' }), undefined, open)).toMatchObject({ status: 'diverged', rule: 'ddb.put.window' });
    expect(afterPut('strict').observe({ operation: 'DeleteResourcePolicy', input: { ResourceArn: ARN } }, okOut({ RevisionId: '1' }), undefined, open)).toMatchObject({ status: 'diverged', rule: 'ddb.put.window' });
    expect(afterPut('eventual').observe(replace, err('ThrottlingException'), undefined, open)).toEqual({ status: 'match', rules: ['ddb.put.window'] });
    expect(afterPut('strict').observe({ operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: doc('A') } }, okOut({ RevisionId: '1' }), undefined, open).status).toBe('match');
    // Not measured: the success stays allowed (an emulator need not keep the window).
    expect(afterPut('strict').observe(replace, okOut({ RevisionId: '2' })).status).toBe('match');
    // A policy CreateTable attached: whether it opens a window is not recorded, so nothing is required after it.
    const created = new Checker(dynamodbModel, { switches: defaultSwitches(dynamodbModel.switches), consistency: 'strict', account: ACCOUNT, region: REGION });
    created.observe({ operation: 'CreateTable', input: { TableName: 'orders', ResourcePolicy: doc('A') } }, okOut({ TableArn: ARN, TableStatus: 'ACTIVE' }));
    expect(created.observe(replace, okOut({ RevisionId: '2' }), undefined, open).status).toBe('match');
    // The earlier reading requires nothing either.
    expect(afterPut('strict', { 'ddb.changeWindow': 'eventual-cooldown' }).observe(replace, okOut({ RevisionId: '2' }), undefined, open).status).toBe('match');
  });

  it('keeps the earlier reading as a switch value: only ResourceInUseException, only in eventual mode', () => {
    const old = { 'ddb.changeWindow': 'eventual-cooldown' };
    expect(afterPut('eventual', old).observe(replace, err('ResourceInUseException'))).toEqual({ status: 'match', rules: ['ddb.put.cooldown'] });
    expect(afterPut('eventual', old).observe(replace, err('ThrottlingException')).status).toBe('diverged');
    expect(afterPut('strict', old).observe(replace, err('ResourceInUseException')).status).toBe('diverged');
  });

  it('the adapter re-sends window refusals of policy writes, at the time the throttle names', () => {
    const message = 'The resource-based policy was modified within the previous 15000 milliseconds. Please try again after 2026-10-09T12:00:15.123Z.';
    expect(retryAfter(message)).toBe(Date.parse('2026-10-09T12:00:15.123Z'));
    expect(retryAfter('Rate of requests exceeds the allowed throughput.')).toBeUndefined();
    expect(dynamodbAdapter.windowRefusal!(replace, { kind: 'error', code: 'ThrottlingException', status: 400, message })).toEqual({ retryAt: Date.parse('2026-10-09T12:00:15.123Z') });
    expect(dynamodbAdapter.windowRefusal!(replace, err('ResourceInUseException'))).toEqual({});
    expect(dynamodbAdapter.windowRefusal!(get, err('ResourceInUseException'))).toBeUndefined();
    expect(dynamodbAdapter.windowRefusal!(replace, err('ValidationException'))).toBeUndefined();
  });
});
