import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SsmCommand, simplifySsm, ssmCommands } from '../../services/ssm/commands.js';
import { ssmAdapter } from '../../services/ssm/adapter.js';
import { Checker } from '../../models/checker.js';
import { symbolView } from '../../models/match.js';
import { defaultSwitches, type JsonObject, type ModelContext } from '../../models/types.js';
import { opsItemGroupArn, parameterArn, ssmInitialState, ssmModel, type SsmState } from '../../services/ssm/model.js';
import { SSM_RULES, SSM_SWITCHES } from '../../services/ssm/rules.js';
import { ACCOUNT, REGION, call, checkerFor, err, okOut, policy } from './support.js';

const ctx = { account: ACCOUNT, region: REGION };
const OPS = opsItemGroupArn(ctx);
const PARAM = '/pc/shared';
const PARAM_ARN = parameterArn(ctx, PARAM);
const DOC1 = policy('p1', 'arn:aws:iam::111122223333:root', 'ssm:GetParameter');
const DOC2 = policy('p2', 'arn:aws:iam::444455556666:root', 'ssm:GetParameter');
const DOC3 = policy('p3', 'arn:aws:iam::777788889999:root', 'ssm:GetParameter');

type C = Checker<SsmState>;

function advancedParameter(switches: Record<string, string> = {}): C {
  const c = checkerFor(ssmModel, switches);
  expect(call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Advanced' }, okOut({ Version: 1, Tier: 'Advanced' }))).toEqual({
    status: 'match',
    rules: ['ssm.putparameter.create'],
  });
  return c;
}

/** A parameter with policies (id, hash) = (id-1, hash-1) for DOC1 and (id-2, hash-2) for DOC2. */
function twoPolicies(switches: Record<string, string> = {}): C {
  const c = advancedParameter(switches);
  expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-1' }))).toEqual({
    status: 'match',
    rules: ['ssm.put.create'],
  });
  expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC2 }, okOut({ PolicyId: 'id-2', PolicyHash: 'hash-2' })).status).toBe('match');
  return c;
}

const entry = (id: string, hash: string, doc: string) => ({ PolicyId: id, PolicyHash: hash, Policy: doc });

describe('ssm rules and switches', () => {
  it('are prefixed and every switch default is one of its values', () => {
    for (const id of Object.keys(SSM_RULES)) expect(id.startsWith('ssm.')).toBe(true);
    for (const s of SSM_SWITCHES) {
      expect(s.name.startsWith('ssm.')).toBe(true);
      expect(s.values).toContain(s.default);
    }
  });

  it('throws on an unknown operation', () => {
    expect(() => call(checkerFor(ssmModel), 'GetParameter', {}, okOut())).toThrow(/unknown operation/);
  });
});

describe('OpsItemGroup', () => {
  it('always exists, starts empty and holds at most one policy', () => {
    const c = checkerFor(ssmModel);
    expect(call(c, 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [] }))).toEqual({ status: 'match', rules: ['ssm.get.list'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC1 }, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-1' }))).toEqual({
      status: 'match',
      rules: ['ssm.put.create'],
    });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC2 }, okOut({ PolicyId: 'id-2', PolicyHash: 'hash-2' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.put.opsitemgroup-limit',
    });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC2 }, err('ResourcePolicyLimitExceededException'))).toEqual({
      status: 'match',
      rules: ['ssm.put.opsitemgroup-limit'],
    });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] })).status).toBe('match');
  });

  it('an empty listing must not show a policy', () => {
    expect(call(checkerFor(ssmModel), 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [entry('x', 'y', DOC1)] }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.get.list',
    });
  });
});

describe('an OpsItemGroup that already holds a policy (account-wide state read before the run)', () => {
  const existing = { PolicyId: 'foreign-id', PolicyHash: 'foreign-hash', Policy: DOC3 };
  const start = () =>
    new Checker(ssmModel, { switches: defaultSwitches(ssmModel.switches), consistency: 'strict', account: ACCOUNT, region: REGION }, ssmInitialState([existing]));

  it('lists it with exactly its id and hash, and counts it towards the limit of one', () => {
    const c = start();
    expect(call(c, 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [] }))).toMatchObject({ status: 'diverged', rule: 'ssm.get.list' });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [entry('other-id', 'foreign-hash', DOC3)] }))).toMatchObject({ status: 'diverged' });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [entry('foreign-id', 'foreign-hash', DOC3)] }))).toEqual({ status: 'match', rules: ['ssm.get.list'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC1 }, err('ResourcePolicyLimitExceededException'))).toEqual({
      status: 'match',
      rules: ['ssm.put.opsitemgroup-limit'],
    });
  });

  it('an unknown PolicyId is not taken for it (its id is known, not a symbol still to bind)', () => {
    const c = start();
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: OPS, PolicyId: 'mine', PolicyHash: 'foreign-hash' }, okOut())).toMatchObject({
      status: 'diverged',
      rule: 'ssm.policy-id.not-found',
    });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: OPS, PolicyId: 'foreign-id', PolicyHash: 'stale' }, err('ResourcePolicyConflictException')).status).toBe('match');
    expect(call(c, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC2, PolicyId: 'foreign-id', PolicyHash: 'foreign-hash' }, okOut({ PolicyId: 'foreign-id', PolicyHash: 'new-hash' }))).toEqual({
      status: 'match',
      rules: ['ssm.put.update'],
    });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: OPS }, okOut({ Policies: [entry('foreign-id', 'new-hash', DOC2)] })).status).toBe('match');
  });

  it("an empty account gives the model's initial state", () => {
    expect(ssmInitialState([])).toEqual(ssmModel.initial());
  });
});

describe('update and delete by PolicyId + PolicyHash', () => {
  it('an update keeps the PolicyId and returns a new PolicyHash', () => {
    const c = twoPolicies();
    const update = { ResourceArn: PARAM_ARN, Policy: DOC3, PolicyId: 'id-1', PolicyHash: 'hash-1' };
    expect(call(c, 'PutResourcePolicy', update, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-1' }))).toMatchObject({ status: 'diverged', rule: 'ssm.put.update' });
    expect(call(c, 'PutResourcePolicy', update, okOut({ PolicyId: 'id-9', PolicyHash: 'hash-3' }))).toMatchObject({ status: 'diverged', rule: 'ssm.put.update' });
    expect(call(c, 'PutResourcePolicy', update, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-3' }))).toEqual({ status: 'match', rules: ['ssm.put.update'] });
    const listing = okOut({ Policies: [entry('id-2', 'hash-2', DOC2), entry('id-1', 'hash-3', DOC3)] });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, listing)).toEqual({ status: 'match', rules: ['ssm.get.list'] });
    const stale = okOut({ Policies: [entry('id-2', 'hash-2', DOC2), entry('id-1', 'hash-1', DOC1)] });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, stale)).toMatchObject({ status: 'diverged', rule: 'ssm.get.list' });
  });

  it('a stale hash conflicts, an unknown id is not found', () => {
    const c = twoPolicies();
    call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC3, PolicyId: 'id-1', PolicyHash: 'hash-1' }, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-3' }));
    const stale = { ResourceArn: PARAM_ARN, Policy: DOC1, PolicyId: 'id-1', PolicyHash: 'hash-1' };
    expect(call(c, 'PutResourcePolicy', stale, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-4' }))).toMatchObject({ status: 'diverged', rule: 'ssm.policy-hash.conflict' });
    expect(call(c, 'PutResourcePolicy', stale, err('ResourcePolicyConflictException'))).toEqual({ status: 'match', rules: ['ssm.policy-hash.conflict'] });
    const unknown = { ResourceArn: PARAM_ARN, PolicyId: 'id-7', PolicyHash: 'hash-2' };
    expect(call(c, 'DeleteResourcePolicy', unknown, err('ResourcePolicyConflictException'))).toMatchObject({ status: 'diverged', rule: 'ssm.policy-id.not-found' });
    expect(call(c, 'DeleteResourcePolicy', unknown, err('ResourcePolicyNotFoundException'))).toEqual({ status: 'match', rules: ['ssm.policy-id.not-found'] });
  });

  it('delete removes one policy; deleting it again is not found', () => {
    const c = twoPolicies();
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-2', PolicyHash: 'hash-1' }, okOut())).toMatchObject({
      status: 'diverged',
      rule: 'ssm.policy-hash.conflict',
    });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-2', PolicyHash: 'hash-2' }, err('ResourcePolicyConflictException'))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.delete.removes',
    });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-2', PolicyHash: 'hash-2' }, okOut())).toEqual({ status: 'match', rules: ['ssm.delete.removes'] });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-2', PolicyHash: 'hash-2' }, okOut())).toMatchObject({
      status: 'diverged',
      rule: 'ssm.policy-id.not-found',
    });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] })).status).toBe('match');
  });

  it('only one of PolicyId and PolicyHash is refused (switch ssm.partialUpdateError)', () => {
    const c = twoPolicies();
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC3, PolicyId: 'id-1' }, err('ResourcePolicyInvalidParameterException'))).toEqual({
      status: 'match',
      rules: ['ssm.put.partial-id-hash'],
    });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC3, PolicyHash: 'hash-1' }, okOut({ PolicyId: 'id-3', PolicyHash: 'h' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.put.partial-id-hash',
    });
  });

  it('an identical update gives a new hash by default, the same one under switch "same"', () => {
    const same = { ResourceArn: PARAM_ARN, Policy: DOC1, PolicyId: 'id-1', PolicyHash: 'hash-1' };
    expect(call(twoPolicies(), 'PutResourcePolicy', same, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-1' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.put.update-identical',
    });
    expect(call(twoPolicies({ 'ssm.identicalUpdateHash': 'same' }), 'PutResourcePolicy', same, okOut({ PolicyId: 'id-1', PolicyHash: 'hash-1' }))).toEqual({
      status: 'match',
      rules: ['ssm.put.update-identical'],
    });
  });

  it('ids of a policy created by a lost call are learnt from a listing', () => {
    const c = advancedParameter();
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, { kind: 'fault', reason: 'timeout' }).status).toBe('indeterminate');
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, okOut({ Policies: [entry('id-x', 'hash-x', DOC1)] })).status).toBe('match');
    expect(c.agreedBindings).toEqual({ 'policyId#1': 'id-x', 'policyHash#2': 'hash-x' });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-x', PolicyHash: 'wrong' }, okOut())).toMatchObject({
      status: 'diverged',
      rule: 'ssm.policy-hash.conflict',
    });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-x', PolicyHash: 'hash-x' }, okOut()).status).toBe('match');
  });

  it('an update naming a policy whose ids were never seen may succeed or fail', () => {
    const c = advancedParameter();
    call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, { kind: 'fault', reason: 'timeout' });
    const update = { ResourceArn: PARAM_ARN, Policy: DOC2, PolicyId: 'id-x', PolicyHash: 'hash-x' };
    expect(call(c, 'PutResourcePolicy', update, okOut({ PolicyId: 'id-x', PolicyHash: 'hash-y' }))).toEqual({ status: 'match', rules: ['ssm.put.update'] });
    expect(c.agreedBindings).toMatchObject({ 'policyId#1': 'id-x', 'policyHash#2': 'hash-x' });
  });
});

describe('parameters', () => {
  it('a Standard-tier parameter cannot hold a policy (switch ssm.standardTierError)', () => {
    const c = checkerFor(ssmModel);
    call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Standard' }, okOut({ Version: 1, Tier: 'Standard' }));
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, okOut({ PolicyId: 'a', PolicyHash: 'b' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.parameter.standard-tier',
    });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, err('ResourcePolicyInvalidParameterException'))).toEqual({
      status: 'match',
      rules: ['ssm.parameter.standard-tier'],
    });
    expect(call(c, 'PutParameter', { Name: PARAM, Value: 'w', Type: 'String', Tier: 'Advanced', Overwrite: true }, okOut({ Version: 2, Tier: 'Advanced' })).status).toBe('match');
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, okOut({ PolicyId: 'a', PolicyHash: 'b' })).status).toBe('match');
  });

  it('a missing parameter: ResourceNotFoundException', () => {
    const c = checkerFor(ssmModel);
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, okOut({ Policies: [] }))).toMatchObject({ status: 'diverged', rule: 'ssm.parameter.not-found' });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }, err('ResourceNotFoundException'))).toEqual({
      status: 'match',
      rules: ['ssm.parameter.not-found'],
    });
  });

  it('a parameter created again starts without policies', () => {
    const c = twoPolicies();
    expect(call(c, 'DeleteParameter', { Name: PARAM }, okOut())).toEqual({ status: 'match', rules: ['ssm.deleteparameter.delete'] });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, err('ResourceNotFoundException')).status).toBe('match');
    call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Advanced' }, okOut({ Version: 1, Tier: 'Advanced' }));
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.deleteparameter.drops-policies',
    });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, okOut({ Policies: [] }))).toEqual({ status: 'match', rules: ['ssm.deleteparameter.drops-policies'] });
  });

  it('PutParameter lifecycle: exists without Overwrite, no downgrade, version bump', () => {
    const c = advancedParameter();
    expect(call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Advanced' }, okOut({ Version: 2, Tier: 'Advanced' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.putparameter.exists',
    });
    expect(call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Standard', Overwrite: true }, err('ValidationException'))).toEqual({
      status: 'match',
      rules: ['ssm.putparameter.downgrade'],
    });
    expect(call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Advanced', Overwrite: true }, okOut({ Version: 3, Tier: 'Advanced' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.putparameter.overwrite',
    });
    expect(call(c, 'DeleteParameter', { Name: '/pc/other' }, err('ParameterNotFound'))).toEqual({ status: 'match', rules: ['ssm.deleteparameter.not-found'] });
  });
});

describe('input and document checks', () => {
  it('constraint violations use switch ssm.validationError; other ARNs ssm.invalidArnError', () => {
    const c = advancedParameter();
    expect(call(c, 'PutResourcePolicy', { ResourceArn: 'arn:aws:ssm:x', Policy: DOC1 }, err('ValidationException'))).toEqual({ status: 'match', rules: ['ssm.input.invalid'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: '   ' }, err('ResourcePolicyInvalidParameterException'))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.input.invalid',
    });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN, MaxResults: 51 }, err('ValidationException')).status).toBe('match');
    const other = `arn:aws:ssm:${REGION}:${ACCOUNT}:document/mydoc`;
    expect(call(c, 'GetResourcePolicies', { ResourceArn: other }, err('ResourcePolicyInvalidParameterException'))).toEqual({ status: 'match', rules: ['ssm.arn.unsupported'] });
    expect(call(c, 'GetResourcePolicies', { ResourceArn: other }, okOut({ Policies: [] }))).toMatchObject({ status: 'diverged', rule: 'ssm.arn.unsupported' });
  });

  it('over 1024 bytes: ResourcePolicyLimitExceededException (switch ssm.policySizeLimit)', () => {
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'ssm:GetParameter', Resource: '*', Sid: 'x'.repeat(1000) }] });
    expect(call(advancedParameter(), 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: big }, err('ResourcePolicyLimitExceededException'))).toEqual({
      status: 'match',
      rules: ['ssm.policy.too-large'],
    });
    expect(call(advancedParameter(), 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: big }, okOut({ PolicyId: 'a', PolicyHash: 'b' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.policy.too-large',
    });
    expect(call(advancedParameter({ 'ssm.policySizeLimit': '2048' }), 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: big }, okOut({ PolicyId: 'a', PolicyHash: 'b' })).status).toBe('match');
  });

  it('a malformed document: MalformedResourcePolicyDocumentException', () => {
    expect(call(advancedParameter(), 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: '{"Statement":[]}' }, err('MalformedResourcePolicyDocumentException'))).toEqual({
      status: 'match',
      rules: ['ssm.policy.malformed'],
    });
    expect(call(advancedParameter(), 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: 'nope' }, okOut({ PolicyId: 'a', PolicyHash: 'b' }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.policy.malformed',
    });
  });

  it('rate-limit errors are allowed only under switch ssm.rateLimitErrors=on', () => {
    const args = { ResourceArn: PARAM_ARN, Policy: DOC1 };
    expect(call(advancedParameter(), 'PutResourcePolicy', args, err('MalformedResourcePolicyDocumentException'))).toMatchObject({ status: 'diverged', rule: 'ssm.put.create' });
    expect(call(advancedParameter({ 'ssm.rateLimitErrors': 'on' }), 'PutResourcePolicy', args, err('MalformedResourcePolicyDocumentException'))).toEqual({
      status: 'match',
      rules: ['ssm.rate-limited'],
    });
  });
});

describe('raw pages of GetResourcePolicies', () => {
  const page = (max?: number, token?: string) => ({ ResourceArn: PARAM_ARN, ...(max ? { MaxResults: max } : {}), ...(token ? { NextToken: token } : {}) });

  it('pages through every policy once, in any order', () => {
    const c = twoPolicies();
    expect(call(c, 'GetResourcePolicies', page(1), okOut({ Policies: [entry('id-2', 'hash-2', DOC2)], NextToken: 't1' }))).toEqual({ status: 'match', rules: ['ssm.get.page'] });
    expect(call(c, 'GetResourcePolicies', page(1, 't1'), okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] }))).toEqual({ status: 'match', rules: ['ssm.get.page'] });
  });

  it('diverges on a page over MaxResults, a repeated policy, or a missing NextToken while policies remain', () => {
    expect(
      call(twoPolicies(), 'GetResourcePolicies', page(1), okOut({ Policies: [entry('id-1', 'hash-1', DOC1), entry('id-2', 'hash-2', DOC2)] })),
    ).toMatchObject({ status: 'diverged', rule: 'ssm.get.page' });
    expect(call(twoPolicies(), 'GetResourcePolicies', page(1), okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] }))).toMatchObject({
      status: 'diverged',
      rule: 'ssm.get.page',
    });
    const c = twoPolicies();
    call(c, 'GetResourcePolicies', page(1), okOut({ Policies: [entry('id-1', 'hash-1', DOC1)], NextToken: 't1' }));
    expect(call(c, 'GetResourcePolicies', page(1, 't1'), okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] }))).toMatchObject({ status: 'diverged', rule: 'ssm.get.page' });
    expect(call(c, 'GetResourcePolicies', page(1, 't1'), okOut({ Policies: [] }))).toMatchObject({ status: 'diverged', rule: 'ssm.get.page' });
  });

  it('allows a NextToken on a last or empty page', () => {
    const c = twoPolicies();
    expect(call(c, 'GetResourcePolicies', page(5), okOut({ Policies: [], NextToken: 't0' })).status).toBe('match');
    expect(call(c, 'GetResourcePolicies', page(5, 't0'), okOut({ Policies: [entry('id-1', 'hash-1', DOC1), entry('id-2', 'hash-2', DOC2)], NextToken: 't1' })).status).toBe('match');
    expect(call(c, 'GetResourcePolicies', page(5, 't1'), okOut({ Policies: [] })).status).toBe('match');
  });

  it('a token from before a change gives an unconstrained page', () => {
    const c = twoPolicies();
    call(c, 'GetResourcePolicies', page(1), okOut({ Policies: [entry('id-1', 'hash-1', DOC1)], NextToken: 't1' }));
    call(c, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-2', PolicyHash: 'hash-2' }, okOut());
    expect(call(c, 'GetResourcePolicies', page(1, 't1'), okOut({ Policies: [entry('id-1', 'hash-1', DOC1)] }))).toEqual({
      status: 'match',
      rules: ['ssm.get.page-unknown-token'],
    });
  });

  it('offers the likeliest page first (the answer a reference server gives)', () => {
    const policies = [1, 2, 3].map((n) => ({ id: `policyId#${n}`, hash: `policyHash#${n}`, doc: policy(`p${n}`) }));
    const state: SsmState = {
      seq: 9,
      opsItemGroup: [],
      parameters: { [PARAM]: { name: PARAM, tier: 'Advanced', version: 1, policies, recreated: false } },
      deletedNames: [],
      cursors: [],
    };
    const ctx = { switches: defaultSwitches(ssmModel.switches), consistency: 'strict' as const, account: ACCOUNT, region: REGION, symbols: symbolView({}) };
    const ids = (n: number[]) => n.map((i) => ({ PolicyId: { sym: `policyId#${i}` }, PolicyHash: { sym: `policyHash#${i}` }, Policy: { eq: policy(`p${i}`) } }));
    const first = ssmModel.step(state, { operation: 'GetResourcePolicies', input: page(2) }, ctx)[0]!;
    expect(first.expect).toEqual({ kind: 'ok', output: { Policies: { setOf: ids([1, 2]) }, NextToken: { sym: 'nextToken#10' } } });
    expect(first.next.cursors).toEqual([{ token: 'nextToken#10', resource: `parameter:${PARAM}`, returned: ['policyId#1', 'policyId#2'] }]);
    const all = ssmModel.step(state, { operation: 'GetResourcePolicies', input: page(3) }, ctx);
    expect(all[0]!.expect).toEqual({ kind: 'ok', output: { Policies: { setOf: ids([1, 2, 3]) }, NextToken: { absent: true } } });
    // every subset of at most 3 of 3 policies, with a NextToken, plus the full page without one
    expect(all).toHaveLength(8 + 1);
  });
});

/** Drive the model by its first (most likely) branch, as the reference server does; `bindings` are the symbol values seen. */
function drive(requests: Array<[string, JsonObject]>, bindings: Record<string, string> = {}, switches: Record<string, string> = {}): { state: SsmState; ctx: ModelContext } {
  const mctx: ModelContext = { switches: { ...defaultSwitches(ssmModel.switches), ...switches }, consistency: 'strict', ...ctx, symbols: symbolView(bindings) };
  let state = ssmModel.initial();
  for (const [operation, input] of requests) state = ssmModel.step(state, { operation, input }, mctx)[0]!.next;
  return { state, ctx: mctx };
}

const effectsOf = (state: SsmState, operation: string, input: JsonObject, c: ModelContext) => ssmModel.effects!(state, { operation, input }, c);
const firstRule = (state: SsmState, operation: string, input: JsonObject, c: ModelContext) => ssmModel.step(state, { operation, input }, c)[0]!.rule;

/** p0 Advanced with one policy (id-1, hash-1) = DOC1, p1 Standard, the OpsItemGroup with one policy (id-3, hash-4) = DOC3. */
function world() {
  return drive(
    [
      ['PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Advanced' }],
      ['PutParameter', { Name: '/pc/standard', Value: 'v', Type: 'String', Tier: 'Standard' }],
      ['PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC1 }],
      ['PutResourcePolicy', { ResourceArn: OPS, Policy: DOC3 }],
    ],
    { 'policyId#1': 'id-1', 'policyHash#2': 'hash-1', 'policyId#3': 'id-3', 'policyHash#4': 'hash-4' },
  );
}

describe('effects: a write carried out with its checks ignored', () => {
  it('Put with a stale PolicyHash: the document written, under a new hash', () => {
    const { state, ctx: c } = world();
    const stale = { ResourceArn: PARAM_ARN, Policy: DOC2, PolicyId: 'id-1', PolicyHash: 'stale' };
    expect(firstRule(state, 'PutResourcePolicy', stale, c)).toBe('ssm.policy-hash.conflict');
    const [after, ...more] = effectsOf(state, 'PutResourcePolicy', stale, c);
    expect(more).toEqual([]);
    const [p] = after!.parameters[PARAM]!.policies;
    expect(p).toEqual({ id: 'policyId#1', hash: `policyHash#${after!.seq}`, doc: DOC2 });
    expect(after!.seq).toBeGreaterThan(state.seq);
  });

  it('Put over the OpsItemGroup limit, or on a Standard-tier parameter: the policy created', () => {
    const { state, ctx: c } = world();
    expect(firstRule(state, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC1 }, c)).toBe('ssm.put.opsitemgroup-limit');
    const [ops] = effectsOf(state, 'PutResourcePolicy', { ResourceArn: OPS, Policy: DOC1 }, c);
    expect(ops!.opsItemGroup.map((p) => p.doc)).toEqual([DOC3, DOC1]);
    const standard = parameterArn(ctx, '/pc/standard');
    expect(firstRule(state, 'PutResourcePolicy', { ResourceArn: standard, Policy: DOC1 }, c)).toBe('ssm.parameter.standard-tier');
    const [std] = effectsOf(state, 'PutResourcePolicy', { ResourceArn: standard, Policy: DOC1 }, c);
    expect(std!.parameters['/pc/standard']!.policies.map((p) => p.doc)).toEqual([DOC1]);
    // A malformed document is written as sent, too.
    const [bad] = effectsOf(state, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: 'nope' }, c);
    expect(bad!.parameters[PARAM]!.policies.map((p) => p.doc)).toEqual([DOC1, 'nope']);
  });

  it('a partial update may be read as a create or as an update of the policy its PolicyId names', () => {
    const { state, ctx: c } = world();
    const partial = effectsOf(state, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC2, PolicyId: 'id-1' }, c);
    expect(partial.map((s) => s.parameters[PARAM]!.policies.map((p) => p.doc))).toEqual([[DOC1, DOC2], [DOC2]]);
    expect(effectsOf(state, 'PutResourcePolicy', { ResourceArn: PARAM_ARN, Policy: DOC2, PolicyHash: 'hash-1' }, c)).toHaveLength(1);
  });

  it('Delete with a stale hash: removed; an unknown PolicyId, a missing resource or a read: no effect', () => {
    const { state, ctx: c } = world();
    const [after] = effectsOf(state, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-1', PolicyHash: 'stale' }, c);
    expect(after!.parameters[PARAM]!.policies).toEqual([]);
    expect(effectsOf(state, 'DeleteResourcePolicy', { ResourceArn: PARAM_ARN, PolicyId: 'id-9', PolicyHash: 'hash-1' }, c)).toEqual([]);
    expect(effectsOf(state, 'DeleteResourcePolicy', { ResourceArn: OPS, PolicyId: 'id-1', PolicyHash: 'hash-1' }, c)).toEqual([]);
    expect(effectsOf(state, 'PutResourcePolicy', { ResourceArn: parameterArn(ctx, '/pc/none'), Policy: DOC1 }, c)).toEqual([]);
    expect(effectsOf(state, 'PutResourcePolicy', { Policy: DOC1 }, c)).toEqual([]);
    expect(effectsOf(state, 'PutResourcePolicy', { ResourceArn: 'arn:aws:ssm:x', Policy: DOC1 }, c)).toEqual([]);
    expect(effectsOf(state, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, c)).toEqual([]);
    expect(effectsOf(state, 'DeleteParameter', { Name: '/pc/none' }, c)).toEqual([]);
  });

  it('PutParameter of an existing name without Overwrite, or a downgrade: overwritten; DeleteParameter: gone with its policies', () => {
    const { state, ctx: c } = world();
    expect(firstRule(state, 'PutParameter', { Name: PARAM, Value: 'w', Type: 'String', Tier: 'Standard' }, c)).toBe('ssm.putparameter.exists');
    const [over] = effectsOf(state, 'PutParameter', { Name: PARAM, Value: 'w', Type: 'String', Tier: 'Standard' }, c);
    expect(over!.parameters[PARAM]).toMatchObject({ version: 2, tier: 'Standard', policies: [{ doc: DOC1 }] });
    const [gone] = effectsOf(state, 'DeleteParameter', { Name: PARAM }, c);
    expect(gone!.parameters[PARAM]).toBeUndefined();
    expect(gone!.deletedNames).toEqual([PARAM]);
  });
});

describe('focus: the parameter or OpsItemGroup a request is about', () => {
  it('with ids and hashes as bound', () => {
    const { state, ctx: c } = world();
    const focus = (operation: string, input: JsonObject) => ssmModel.focus!(state, { operation, input }, c);
    expect(focus('GetResourcePolicies', { ResourceArn: PARAM_ARN })).toEqual({
      parameter: PARAM,
      exists: true,
      tier: 'Advanced',
      version: 1,
      policies: [{ policyId: 'id-1', policyHash: 'hash-1', policy: DOC1 }],
    });
    expect(focus('PutResourcePolicy', { ResourceArn: OPS, Policy: DOC1 })).toEqual({ opsItemGroup: [{ policyId: 'id-3', policyHash: 'hash-4', policy: DOC3 }] });
    expect(focus('DeleteParameter', { Name: '/pc/standard' })).toMatchObject({ parameter: '/pc/standard', tier: 'Standard', policies: [] });
    expect(focus('PutParameter', { Name: '/pc/none' })).toEqual({ parameter: '/pc/none', exists: false });
    expect(focus('GetResourcePolicies', { ResourceArn: parameterArn(ctx, '/pc/none') })).toEqual({ parameter: 'pc/none', exists: false });
    expect(focus('GetResourcePolicies', {})).toMatchObject({ resourceArn: null });
  });
});

describe('requests the SDK sends without a required member', () => {
  it('no ResourceArn: ssm.input.invalid (switch ssm.validationError), on every policy call', () => {
    const c = advancedParameter();
    expect(call(c, 'PutResourcePolicy', { Policy: DOC1 }, err('ValidationException'))).toEqual({ status: 'match', rules: ['ssm.input.invalid'] });
    expect(call(c, 'GetResourcePolicies', {}, okOut({ Policies: [] }))).toMatchObject({ status: 'diverged', rule: 'ssm.input.invalid' });
    expect(call(c, 'DeleteResourcePolicy', { PolicyId: 'a', PolicyHash: 'b' }, err('ValidationException')).status).toBe('match');
    const other = advancedParameter({ 'ssm.validationError': 'ResourcePolicyInvalidParameterException' });
    expect(call(other, 'GetResourcePolicies', {}, err('ResourcePolicyInvalidParameterException')).status).toBe('match');
  });

  it("another partition's parameter ARN names nothing here: ssm.arn.unsupported", () => {
    const cn = `arn:aws-cn:ssm:${REGION}:${ACCOUNT}:parameter/pc/shared`;
    expect(call(advancedParameter(), 'GetResourcePolicies', { ResourceArn: cn }, err('ResourcePolicyInvalidParameterException'))).toEqual({
      status: 'match',
      rules: ['ssm.arn.unsupported'],
    });
  });

  it('the generator sends both now and then', () => {
    const commands = fc.sample(ssmCommands('strict'), { numRuns: 400, seed: 7 }).flat();
    const variants = commands.flatMap((c) => ('target' in c && c.target.kind === 'malformed' ? [c.target.variant] : []));
    expect(variants).toContain('missing');
    expect(variants).toContain('other-partition');
  });
});

describe("attribution: ssm.deleteparameter.drops-policies only where the answer shows the rule's fact", () => {
  it('not for a parameter whose predecessor held no policy', () => {
    const c = advancedParameter();
    call(c, 'DeleteParameter', { Name: PARAM }, okOut());
    call(c, 'PutParameter', { Name: PARAM, Value: 'v', Type: 'String', Tier: 'Advanced' }, okOut({ Version: 1, Tier: 'Advanced' }));
    expect(call(c, 'GetResourcePolicies', { ResourceArn: PARAM_ARN }, okOut({ Policies: [] }))).toEqual({ status: 'match', rules: ['ssm.get.list'] });
  });
});

describe('simplify: one field plainer at a time', () => {
  const plain = { kind: 'valid', variant: 0, whitespace: 0 } as const;

  it('Put: resource → p0, PolicyId/PolicyHash → none (a create), document → the plainest valid one', () => {
    const put: SsmCommand = { op: 'PutResourcePolicy', target: { kind: 'opsitemgroup' }, policy: { kind: 'blank' }, ref: { id: { kind: 'mine', pick: 1 }, hash: { kind: 'stale' } } };
    expect(simplifySsm(put)).toEqual([
      { change: 'target: opsitemgroup → parameter p0', command: { ...put, target: { kind: 'parameter', slot: 'p0' } } },
      { change: 'ref: PolicyId mine 1 + PolicyHash stale → none', command: { op: 'PutResourcePolicy', target: { kind: 'opsitemgroup' }, policy: { kind: 'blank' } } },
      { change: 'policy: blank → valid 0', command: { ...put, policy: plain } },
    ]);
    expect(simplifySsm({ op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p0' }, policy: plain })).toEqual([]);
  });

  it('Get: NextToken, then MaxResults → none; Delete: the first policy with its current hash', () => {
    const get: SsmCommand = { op: 'GetResourcePolicies', target: { kind: 'parameter', slot: 'p0' }, page: { max: 1, token: { kind: 'last' } } };
    expect(simplifySsm(get)).toEqual([
      { change: 'page: MaxResults 1 + NextToken last → MaxResults 1', command: { ...get, page: { max: 1 } } },
      { change: 'page: MaxResults 1 + NextToken last → NextToken last', command: { ...get, page: { token: { kind: 'last' } } } },
    ]);
    expect(simplifySsm({ op: 'GetResourcePolicies', target: { kind: 'parameter', slot: 'p0' }, page: { max: 2 } })).toEqual([
      { change: 'page: MaxResults 2 → none', command: { op: 'GetResourcePolicies', target: { kind: 'parameter', slot: 'p0' } } },
    ]);
    const del: SsmCommand = { op: 'DeleteResourcePolicy', target: { kind: 'malformed', variant: 'missing' }, ref: { id: { kind: 'omitted' }, hash: { kind: 'random', value: 'ab' } } };
    expect(simplifySsm(del).map((s) => s.change)).toEqual(['target: malformed missing → parameter p0', 'ref.id: omitted → mine 0', 'ref.hash: random → current']);
    expect(simplifySsm({ op: 'PutParameter', slot: 'p1', tier: 'Standard' })).toEqual([{ change: 'tier: Standard → Advanced', command: { op: 'PutParameter', slot: 'p1', tier: 'Advanced' } }]);
  });

  it('is wired into the adapter', () => {
    expect(ssmAdapter.simplify).toBe(simplifySsm);
  });
});
