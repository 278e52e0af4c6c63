import { describe, expect, it } from 'vitest';
import { DDB_STREAM_VOCABULARY, DDB_VOCABULARY, type DdbCommand, simplifyDynamodbCommand } from '../../services/dynamodb/commands.js';
import { type PolicyGen, renderPolicy } from '../../generators/policy.js';
import { dynamodbAdapter, foreignTableArn } from '../../services/dynamodb/adapter.js';
import { type DdbState, dynamodbModel, tableArn } from '../../services/dynamodb/model.js';
import { DYNAMODB_RULES, DYNAMODB_SWITCHES } from '../../services/dynamodb/rules.js';
import { symbolView } from '../../models/match.js';
import { canonicalPolicyText, canonicallyEqual, equivalentPolicies } from '../../models/policy-document.js';
import { defaultSwitches, isSettled, type JsonObject, type ModelContext, type Request } from '../../models/types.js';
import { ACCOUNT, REGION, call, checkerFor, err, okOut } from './support.js';

const ids = { account: ACCOUNT, region: REGION };
const T = 'orders';
const ARN = tableArn(ids, T);
const STREAM = `${ARN}/stream/2024-02-12T18:57:26.492`;
const OTHER = '111122223333';

const statement = (extra: Record<string, unknown> = {}) => ({
  Sid: 'Grant',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
  Action: ['dynamodb:GetItem'],
  Resource: ARN,
  ...extra,
});
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements.length ? statements : [statement()] });
const DOC = doc();
const DOC2 = doc(statement({ Sid: 'Other', Action: 'dynamodb:Query' }));
const STREAM_DOC = doc(statement({ Action: 'dynamodb:GetRecords', Resource: STREAM }));

const table = (stream = false, policy?: string) => ({
  TableName: T,
  ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
  ...(policy !== undefined ? { ResourcePolicy: policy } : {}),
});
const created = (stream = false) => okOut({ TableArn: ARN, TableStatus: 'ACTIVE', ...(stream ? { LatestStreamArn: STREAM } : {}) });

function withTable(switches: Record<string, string> = {}, stream = false) {
  const c = checkerFor(dynamodbModel, switches);
  expect(call(c, 'CreateTable', table(stream), created(stream))).toEqual({ status: 'match', rules: ['ddb.createtable.create'] });
  return c;
}

function withPolicy(switches: Record<string, string> = {}, document = DOC, rev = '1700000000001') {
  const c = withTable(switches);
  expect(call(c, 'PutResourcePolicy', { ResourceArn: ARN, Policy: document }, okOut({ RevisionId: rev }))).toEqual({ status: 'match', rules: ['ddb.put.create'] });
  return c;
}

const put = (Policy: string, extra: JsonObject = {}) => ({ ResourceArn: ARN, Policy, ...extra });

describe('dynamodb rules and switches', () => {
  it('are prefixed, each switch default is one of its values, and what §7 answered is settled', () => {
    for (const id of Object.keys(DYNAMODB_RULES)) expect(id.startsWith('ddb.')).toBe(true);
    for (const s of DYNAMODB_SWITCHES) expect(s.values).toContain(s.default);
    const settled = DYNAMODB_SWITCHES.filter(isSettled).map((s) => [s.name, s.default]);
    expect(Object.fromEntries(settled)).toEqual({
      'ddb.changeWindow': 'window',
      'ddb.malformedArnError': 'ValidationException',
      'ddb.indexArnError': 'ValidationException',
      'ddb.policySizeLimit': '20480',
      'ddb.identicalPolicy': 'equivalent',
      'ddb.getPolicyForm': 'canonical',
      'ddb.lockoutCheck': 'access-denied',
      'ddb.deleteRevisionId': 'either',
    });
    expect(DYNAMODB_SWITCHES.find((s) => s.name === 'ddb.createTableCheckOrder')?.evidence).toBeUndefined();
  });

  it('keep the earlier readings reachable as values', () => {
    const values = Object.fromEntries(DYNAMODB_SWITCHES.map((s) => [s.name, s.values]));
    expect(values['ddb.identicalPolicy']).toEqual(expect.arrayContaining(['exact-bytes', 'same-json']));
    expect(values['ddb.getPolicyForm']).toContain('verbatim');
    expect(values['ddb.lockoutCheck']).toContain('validation');
    expect(values['ddb.deleteRevisionId']).toEqual(expect.arrayContaining(['removed-policy', 'new', 'absent', 'any']));
  });

  it('label what §7 confirms aws-observed', () => {
    for (const id of ['ddb.arn.malformed', 'ddb.arn.index', 'ddb.policy.too-large', 'ddb.policy.public', 'ddb.policy.self-lockout', 'ddb.policy.invalid-action', 'ddb.delete.removes', 'ddb.deletetable.drops-policy']) {
      expect(DYNAMODB_RULES[id]?.evidence, id).toBe('aws-observed');
      expect(DYNAMODB_RULES[id]?.spec, id).toMatch(/§7\.\d+/);
    }
    expect(DYNAMODB_RULES['ddb.get.policy']?.summary).toMatch(/canonical/);
  });
});

describe('canonical form and equivalence (§7.4)', () => {
  const spaced = JSON.stringify(JSON.parse(DOC), null, 2);
  const reordered = JSON.stringify({ Statement: [{ Resource: ARN, Action: 'dynamodb:GetItem', Principal: { AWS: [OTHER] }, Effect: 'Allow', Sid: 'Grant' }], Version: '2012-10-17' });

  it('is minified, in a fixed key order, with one-element lists collapsed and account ids as root ARNs', () => {
    const expected = `{"Version":"2012-10-17","Statement":[{"Sid":"Grant","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${OTHER}:root"},"Action":"dynamodb:GetItem","Resource":"${ARN}"}]}`;
    expect(canonicalPolicyText(DOC)).toBe(expected);
    expect(canonicalPolicyText(spaced)).toBe(expected);
    expect(canonicalPolicyText(reordered)).toBe(expected);
  });

  it('reads a missing Version back as 2008-10-17, and keeps longer lists and non-JSON as they are', () => {
    const { Version: _, ...noVersion } = JSON.parse(DOC);
    expect(JSON.parse(canonicalPolicyText(JSON.stringify(noVersion))!).Version).toBe('2008-10-17');
    const two = doc(statement({ Action: ['dynamodb:GetItem', 'dynamodb:Query'] }));
    expect(JSON.parse(canonicalPolicyText(two)!).Statement[0].Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(canonicalPolicyText('not json')).toBeUndefined();
    expect(canonicallyEqual('not json', 'not json')).toBe(true);
    expect(canonicallyEqual('not json', 'not  json')).toBe(false);
  });

  it('treats whitespace, key order, list forms and account ids as the same document, but not a missing Version', () => {
    expect(equivalentPolicies(DOC, spaced)).toBe(true);
    expect(equivalentPolicies(DOC, reordered)).toBe(true);
    expect(equivalentPolicies(DOC, DOC2)).toBe(false);
    const { Version: _, ...noVersion } = JSON.parse(DOC);
    expect(equivalentPolicies(DOC, JSON.stringify(noVersion))).toBe(false);
    expect(equivalentPolicies(JSON.stringify({ ...JSON.parse(DOC), Version: '2008-10-17' }), JSON.stringify(noVersion))).toBe(false);
    // ... although Get reads both back alike.
    expect(canonicallyEqual(JSON.stringify(noVersion), JSON.stringify({ ...JSON.parse(DOC), Version: '2008-10-17' }))).toBe(true);
  });

  it('an equivalent re-Put is a no-op returning the same RevisionId', () => {
    const c = withPolicy();
    expect(call(c, 'PutResourcePolicy', put(spaced), okOut({ RevisionId: '1700000000001' }))).toEqual({ status: 'match', rules: ['ddb.put.identical'] });
    expect(call(c, 'PutResourcePolicy', put(reordered), okOut({ RevisionId: '1700000000002' }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.identical' });
  });

  it('a document without Version replaces the one that states it', () => {
    const c = withPolicy();
    const { Version: _, ...noVersion } = JSON.parse(DOC);
    expect(call(c, 'PutResourcePolicy', put(JSON.stringify(noVersion)), okOut({ RevisionId: '1700000000001' }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.replace' });
    expect(call(c, 'PutResourcePolicy', put(JSON.stringify(noVersion)), okOut({ RevisionId: '1700000000002' }))).toEqual({ status: 'match', rules: ['ddb.put.replace'] });
    const back = canonicalPolicyText(JSON.stringify(noVersion))!;
    expect(back).toContain('"Version":"2008-10-17"');
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: back, RevisionId: '1700000000002' }))).toEqual({ status: 'match', rules: ['ddb.get.policy'] });
  });

  it('the earlier readings stay reachable: exact-bytes and same-json', () => {
    const bytes = withPolicy({ 'ddb.identicalPolicy': 'exact-bytes' });
    expect(call(bytes, 'PutResourcePolicy', put(spaced), okOut({ RevisionId: '1700000000002' }))).toEqual({ status: 'match', rules: ['ddb.put.replace'] });
    const json = withPolicy({ 'ddb.identicalPolicy': 'same-json' });
    expect(call(json, 'PutResourcePolicy', put(spaced), okOut({ RevisionId: '1700000000001' }))).toEqual({ status: 'match', rules: ['ddb.put.identical'] });
    expect(call(json, 'PutResourcePolicy', put(reordered), okOut({ RevisionId: '1700000000001' }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.replace' });
  });

  it('Get accepts any document canonically equal to the stored one, and nothing else', () => {
    const c = withPolicy({}, spaced);
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: canonicalPolicyText(spaced)!, RevisionId: '1700000000001' }))).toEqual({ status: 'match', rules: ['ddb.get.policy'] });
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: spaced, RevisionId: '1700000000001' })).status).toBe('match');
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: DOC2, RevisionId: '1700000000001' }))).toMatchObject({ status: 'diverged', rule: 'ddb.get.policy' });
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: DOC, RevisionId: '1700000000009' }))).toMatchObject({ status: 'diverged', rule: 'ddb.get.policy' });
  });

  it('verbatim demands the stored bytes', () => {
    const c = withPolicy({ 'ddb.getPolicyForm': 'verbatim' }, spaced);
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: DOC, RevisionId: '1700000000001' }))).toMatchObject({ status: 'diverged', rule: 'ddb.get.policy' });
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: spaced, RevisionId: '1700000000001' })).status).toBe('match');
  });
});

describe('size (§7.5)', () => {
  it('20 480 bytes are accepted, 20 481 are a ValidationException', () => {
    const pad = (bytes: number) => `${DOC.slice(0, -1)}${' '.repeat(bytes - DOC.length)}}`;
    expect(call(withTable(), 'PutResourcePolicy', put(pad(20480)), okOut({ RevisionId: '1' }))).toEqual({ status: 'match', rules: ['ddb.put.create'] });
    expect(call(withTable(), 'PutResourcePolicy', put(pad(20481)), err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.policy.too-large'] });
    expect(call(withTable(), 'PutResourcePolicy', put(pad(20481)), err('LimitExceededException'))).toMatchObject({ status: 'diverged', rule: 'ddb.policy.too-large' });
  });
});

describe('ARN forms (§7.6)', () => {
  const cases: Array<[string, string, string]> = [
    ['a bare table name', T, 'ddb.arn.malformed'],
    ['another account', foreignTableArn(ids, T, 'account'), 'ddb.arn.malformed'],
    ['another region', foreignTableArn(ids, T, 'region'), 'ddb.arn.malformed'],
    ['another partition', foreignTableArn(ids, T, 'partition'), 'ddb.arn.malformed'],
    ['an index of the table', `${ARN}/index/gsi1`, 'ddb.arn.index'],
    ['an index of a table that does not exist', `${tableArn(ids, 'missing')}/index/gsi1`, 'ddb.arn.index'],
  ];
  for (const [what, arn, rule] of cases) {
    it(`${what}: ValidationException on Put, Get and Delete`, () => {
      const c = withTable();
      expect(call(c, 'PutResourcePolicy', { ResourceArn: arn, Policy: DOC }, err('ValidationException'))).toEqual({ status: 'match', rules: [rule] });
      expect(call(c, 'GetResourcePolicy', { ResourceArn: arn }, err('ValidationException'))).toEqual({ status: 'match', rules: [rule] });
      expect(call(c, 'DeleteResourcePolicy', { ResourceArn: arn }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule });
    });
  }

  it('the foreign ARNs keep the local name and change only one part', () => {
    expect(foreignTableArn(ids, T, 'account')).toBe(`arn:aws:dynamodb:${REGION}:${OTHER}:table/${T}`);
    expect(foreignTableArn({ account: OTHER, region: REGION }, T, 'account')).toBe(`arn:aws:dynamodb:${REGION}:444455556666:table/${T}`);
    expect(foreignTableArn(ids, T, 'region')).toBe(`arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/${T}`);
    expect(foreignTableArn(ids, T, 'partition')).toBe(`arn:aws-cn:dynamodb:${REGION}:${ACCOUNT}:table/${T}`);
  });

  it('a missing, wrong-case or deleted table: ResourceNotFoundException, Delete included', () => {
    const c = withTable();
    const upper = tableArn(ids, T.toUpperCase());
    expect(call(c, 'GetResourcePolicy', { ResourceArn: upper }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['ddb.table.not-found'] });
    expect(call(c, 'DeleteTable', { TableName: T }, okOut())).toEqual({ status: 'match', rules: ['ddb.deletetable.delete'] });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: ARN }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['ddb.table.not-found'] });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: ARN }, okOut())).toMatchObject({ status: 'diverged', rule: 'ddb.table.not-found' });
  });

  it('the earlier readings are switch values', () => {
    const c = withTable({ 'ddb.malformedArnError': 'ResourceNotFoundException', 'ddb.indexArnError': 'ResourceNotFoundException' });
    expect(call(c, 'GetResourcePolicy', { ResourceArn: T }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['ddb.arn.malformed'] });
    expect(call(c, 'GetResourcePolicy', { ResourceArn: `${ARN}/index/gsi1` }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['ddb.arn.index'] });
  });

  it('a missing required member: ValidationException before anything else', () => {
    const c = withTable();
    expect(call(c, 'PutResourcePolicy', { Policy: DOC }, err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.input.missing'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: ARN }, err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.input.missing'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: tableArn(ids, 'missing') }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'ddb.input.missing' });
    expect(call(c, 'GetResourcePolicy', {}, err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.input.missing'] });
  });
});

describe('document validation (§7.7)', () => {
  const rejected: Array<[string, string, string]> = [
    ['a statement without Resource', doc({ ...statement(), Resource: undefined }), 'ddb.policy.invalid-grammar'],
    ['duplicate Sids', doc(statement(), statement({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } })), 'ddb.policy.invalid-grammar'],
    ['a bare account id as Principal', doc(statement({ Principal: OTHER })), 'ddb.policy.invalid-grammar'],
    ['stream actions in a table policy', doc(statement({ Action: ['dynamodb:GetItem', 'dynamodb:GetRecords'] })), 'ddb.policy.invalid-action'],
    ['an Allow to "*"', doc(statement({ Principal: '*' })), 'ddb.policy.public'],
    ['an Allow to {"AWS": "*"}', doc(statement({ Principal: { AWS: '*' } })), 'ddb.policy.public'],
  ];
  for (const [what, document, rule] of rejected) {
    it(`${what}: ValidationException`, () => {
      expect(call(withTable(), 'PutResourcePolicy', put(document), err('ValidationException'))).toEqual({ status: 'match', rules: [rule] });
      expect(call(withTable(), 'PutResourcePolicy', put(document), okOut({ RevisionId: '1' }))).toMatchObject({ status: 'diverged', rule });
    });
  }

  const accepted: Array<[string, string]> = [
    ['a Resource naming another table', doc(statement({ Resource: tableArn(ids, 'elsewhere') }))],
    ['Resource "*"', doc(statement({ Resource: '*' }))],
    ["this table's index", doc(statement({ Resource: [ARN, `${ARN}/index/*`] }))],
    ['an account id inside {"AWS": …}', doc(statement({ Principal: { AWS: OTHER } }))],
    ['policy actions and wildcards', doc(statement({ Action: ['dynamodb:*', 'dynamodb:GetResourcePolicy'] }))],
  ];
  for (const [what, document] of accepted) {
    it(`${what}: accepted`, () => {
      expect(call(withTable(), 'PutResourcePolicy', put(document), okOut({ RevisionId: '1' }))).toEqual({ status: 'match', rules: ['ddb.put.create'] });
    });
  }

  it('a stream policy takes stream actions, not table actions', () => {
    const c = withTable({}, true);
    expect(call(c, 'PutResourcePolicy', { ResourceArn: STREAM, Policy: DOC }, err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.policy.invalid-action'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: STREAM, Policy: STREAM_DOC }, okOut({ RevisionId: '1' }))).toEqual({ status: 'match', rules: ['ddb.stream.supported'] });
  });

  it('CreateTable refuses the same documents', () => {
    const c = checkerFor(dynamodbModel);
    expect(call(c, 'CreateTable', table(false, doc({ ...statement(), Resource: undefined })), err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.createtable.policy-invalid'] });
    expect(call(c, 'CreateTable', table(false, doc(statement({ Action: 'dynamodb:GetRecords' }))), err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.createtable.policy-invalid'] });
  });
});

describe('self-lockout (§7.8)', () => {
  const deny = (principal: unknown, action: string | string[], extra: Record<string, unknown> = {}) =>
    doc({ Effect: 'Deny', Principal: principal, Action: action, Resource: ARN, ...extra }, statement());
  const PUT = 'dynamodb:PutResourcePolicy';

  it('a Deny of PutResourcePolicy covering the caller: AccessDeniedException (400) without the flag, accepted with it', () => {
    for (const principal of [{ AWS: '*' }, '*', { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: ACCOUNT }]) {
      const document = deny(principal, PUT);
      expect(call(withTable(), 'PutResourcePolicy', put(document), err('AccessDeniedException', 400))).toEqual({ status: 'match', rules: ['ddb.policy.self-lockout'] });
      expect(call(withTable(), 'PutResourcePolicy', put(document), err('ValidationException'))).toMatchObject({ status: 'diverged', rule: 'ddb.policy.self-lockout' });
      expect(call(withTable(), 'PutResourcePolicy', put(document, { ConfirmRemoveSelfResourceAccess: true }), okOut({ RevisionId: '1' }))).toEqual({ status: 'match', rules: ['ddb.put.create'] });
    }
  });

  it('also when scoped to the caller by aws:PrincipalArn; not for another account or DeleteResourcePolicy alone', () => {
    const scoped = deny('*', PUT, { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:*` } } });
    expect(call(withTable(), 'PutResourcePolicy', put(scoped), err('AccessDeniedException'))).toEqual({ status: 'match', rules: ['ddb.policy.self-lockout'] });
    for (const document of [deny({ AWS: `arn:aws:iam::${OTHER}:root` }, PUT), deny({ AWS: '*' }, 'dynamodb:DeleteResourcePolicy'), deny('*', PUT, { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) {
      expect(call(withTable(), 'PutResourcePolicy', put(document), okOut({ RevisionId: '1' }))).toEqual({ status: 'match', rules: ['ddb.put.create'] });
    }
  });

  it('the earlier reading: a Deny to everyone of Put or Delete, ValidationException', () => {
    const old = { 'ddb.lockoutCheck': 'validation' };
    expect(call(withTable(old), 'PutResourcePolicy', put(deny({ AWS: '*' }, 'dynamodb:DeleteResourcePolicy')), err('ValidationException'))).toEqual({ status: 'match', rules: ['ddb.policy.self-lockout'] });
    expect(call(withTable(old), 'PutResourcePolicy', put(deny({ AWS: ACCOUNT }, PUT)), okOut({ RevisionId: '1' }))).toEqual({ status: 'match', rules: ['ddb.put.create'] });
  });
});

describe('DeleteResourcePolicy RevisionId (§7.9) and formats', () => {
  const deleteWith = (switches: Record<string, string>, output: JsonObject) => call(withPolicy(switches), 'DeleteResourcePolicy', { ResourceArn: ARN }, okOut(output));

  it("default: the removed policy's RevisionId or a new one, never empty, absent or over 255 characters", () => {
    expect(deleteWith({}, { RevisionId: '1700000000001' })).toEqual({ status: 'match', rules: ['ddb.delete.removes'] });
    expect(deleteWith({}, { RevisionId: '1700000000002' })).toEqual({ status: 'match', rules: ['ddb.delete.removes'] });
    for (const bad of [{ RevisionId: '' }, {}, { RevisionId: 'x'.repeat(256) }] as JsonObject[]) expect(deleteWith({}, bad)).toMatchObject({ status: 'diverged', rule: 'ddb.delete.removes' });
  });

  it('each reading as a value; any = any value of the documented format, so not ""', () => {
    expect(deleteWith({ 'ddb.deleteRevisionId': 'removed-policy' }, { RevisionId: '1700000000002' }).status).toBe('diverged');
    expect(deleteWith({ 'ddb.deleteRevisionId': 'new' }, { RevisionId: '1700000000001' }).status).toBe('diverged');
    expect(deleteWith({ 'ddb.deleteRevisionId': 'new' }, { RevisionId: '1700000000002' }).status).toBe('match');
    expect(deleteWith({ 'ddb.deleteRevisionId': 'absent' }, {}).status).toBe('match');
    expect(deleteWith({ 'ddb.deleteRevisionId': 'any' }, { RevisionId: 'anything' }).status).toBe('match');
    expect(deleteWith({ 'ddb.deleteRevisionId': 'any' }, { RevisionId: '' })).toMatchObject({ status: 'diverged', rule: 'ddb.delete.removes' });
  });

  it('on a resource that never had a policy: 200 without RevisionId', () => {
    expect(call(withTable(), 'DeleteResourcePolicy', { ResourceArn: ARN }, okOut())).toEqual({ status: 'match', rules: ['ddb.delete.no-policy'] });
    expect(call(withTable(), 'DeleteResourcePolicy', { ResourceArn: ARN }, okOut({ RevisionId: '1' }))).toMatchObject({ status: 'diverged', rule: 'ddb.delete.no-policy' });
  });

  it('Put and Get RevisionIds are 1..255 characters; LatestStreamArn is <table ARN>/stream/<label>', () => {
    expect(call(withTable(), 'PutResourcePolicy', put(DOC), okOut({ RevisionId: '' }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.create' });
    expect(call(withTable(), 'PutResourcePolicy', put(DOC), okOut({ RevisionId: 'r'.repeat(256) }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.create' });
    expect(call(withTable(), 'PutResourcePolicy', put(DOC), okOut({ RevisionId: 'r'.repeat(255) })).status).toBe('match');
    const c = checkerFor(dynamodbModel);
    const elsewhere = `${tableArn(ids, 'other')}/stream/2024-02-12T18:57:26.492`;
    expect(call(c, 'CreateTable', table(true), okOut({ TableArn: ARN, TableStatus: 'ACTIVE', LatestStreamArn: elsewhere }))).toMatchObject({ status: 'diverged', rule: 'ddb.createtable.create' });
    expect(call(c, 'CreateTable', table(true), okOut({ TableArn: ARN, TableStatus: 'ACTIVE', LatestStreamArn: `${ARN}/stream/` }))).toMatchObject({ status: 'diverged' });
    expect(call(c, 'CreateTable', table(true), created(true)).status).toBe('match');
  });
});

describe('attribution', () => {
  it('CreateTable is blamed only for the answers of a Get that show whether it attached its policy', () => {
    const missing = checkerFor(dynamodbModel);
    call(missing, 'CreateTable', table(false, DOC), created());
    expect(call(missing, 'GetResourcePolicy', { ResourceArn: ARN }, err('PolicyNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'ddb.createtable.with-policy' });

    // A NO_POLICY Put that succeeds is its own rule's departure: whether the policy was missing (CreateTable's
    // fault) or the sentinel ignored is for the runner to find out, by reading the policy just before it.
    const noPolicy = checkerFor(dynamodbModel);
    call(noPolicy, 'CreateTable', table(false, DOC), created());
    expect(call(noPolicy, 'PutResourcePolicy', put(DOC2, { ExpectedRevisionId: 'NO_POLICY' }), okOut({ RevisionId: '1' }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.no-policy-expected' });

    const deleting = checkerFor(dynamodbModel);
    call(deleting, 'CreateTable', table(false, DOC), created());
    expect(call(deleting, 'DeleteResourcePolicy', { ResourceArn: ARN }, okOut({ RevisionId: '' }))).toMatchObject({ status: 'diverged', rule: 'ddb.delete.removes' });

    const shown = checkerFor(dynamodbModel);
    call(shown, 'CreateTable', table(false, DOC), created());
    expect(call(shown, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: DOC, RevisionId: '7' }))).toEqual({ status: 'match', rules: ['ddb.createtable.with-policy'] });
    expect(call(shown, 'PutResourcePolicy', put(DOC2, { ExpectedRevisionId: 'NO_POLICY' }), okOut({ RevisionId: '8' }))).toMatchObject({ status: 'diverged', rule: 'ddb.put.no-policy-expected' });
  });

  it('on a stream, the stream rules cover what shows it holds policies, not the RevisionIds of later writes', () => {
    const c = withTable({}, true);
    expect(call(c, 'GetResourcePolicy', { ResourceArn: STREAM }, err('PolicyNotFoundException'))).toEqual({ status: 'match', rules: ['ddb.stream.supported'] });
    expect(call(c, 'PutResourcePolicy', { ResourceArn: STREAM, Policy: STREAM_DOC }, okOut({ RevisionId: '5' }))).toEqual({ status: 'match', rules: ['ddb.stream.supported'] });
    expect(call(c, 'DeleteResourcePolicy', { ResourceArn: STREAM }, okOut({ RevisionId: '' }))).toMatchObject({ status: 'diverged', rule: 'ddb.delete.removes' });
    const gone = withTable({}, true);
    expect(call(gone, 'GetResourcePolicy', { ResourceArn: STREAM }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'ddb.stream.supported' });
  });

  it('a re-created table starts without a policy (§7.10)', () => {
    const c = withPolicy();
    call(c, 'DeleteTable', { TableName: T }, okOut());
    call(c, 'CreateTable', table(), created());
    expect(call(c, 'GetResourcePolicy', { ResourceArn: ARN }, okOut({ Policy: DOC, RevisionId: '1700000000001' }))).toMatchObject({ status: 'diverged', rule: 'ddb.deletetable.drops-policy' });
  });
});

/** Drive the model by its first branch (as the reference server does); `bindings` are the symbol values seen. */
function drive(requests: Array<[string, JsonObject]>, bindings: Record<string, string> = {}): { state: DdbState; ctx: ModelContext } {
  const ctx: ModelContext = { switches: defaultSwitches(dynamodbModel.switches), consistency: 'strict', ...ids, symbols: symbolView(bindings) };
  let state = dynamodbModel.initial();
  for (const [operation, input] of requests) state = dynamodbModel.step(state, { operation, input }, ctx)[0]!.next;
  return { state, ctx };
}

const effects = (state: DdbState, request: Request, ctx: ModelContext) => dynamodbModel.effects!(state, request, ctx);

describe('effects: what a write leaves with its checks ignored', () => {
  const base = () => drive([['CreateTable', table(true)]], { 'stream#1': STREAM });

  it('Put of an invalid, oversized, public or lockout document, or with a failing revision: that document attached', () => {
    const { state, ctx } = base();
    for (const [document, extra] of [
      ['not json', {}],
      [doc(statement({ Principal: '*' })), {}],
      [`${DOC.slice(0, -1)}${' '.repeat(20481)}}`, {}],
      [doc({ Effect: 'Deny', Principal: '*', Action: 'dynamodb:PutResourcePolicy', Resource: ARN }), {}],
      [DOC, { ExpectedRevisionId: 'stale' }],
    ] as Array<[string, JsonObject]>) {
      const [after, ...more] = effects(state, { operation: 'PutResourcePolicy', input: put(document, extra) }, ctx);
      expect(more).toEqual([]);
      expect(after!.tables[T]!.policy).toMatchObject({ doc: document });
      expect(after!.tables[T]!.policy!.rev).not.toBe(state.tables[T]!.policy?.rev);
    }
    const [onStream] = effects(state, { operation: 'PutResourcePolicy', input: { ResourceArn: STREAM, Policy: DOC } }, ctx);
    expect(onStream!.streams[0]!.policy?.doc).toBe(DOC);
    expect(onStream!.tables[T]!.policy).toBeNull();
  });

  it('nothing when the ARN names nothing the state has, a member is missing, the document is the same, or for reads', () => {
    const { state, ctx } = drive([['CreateTable', table()], ['PutResourcePolicy', put(DOC)]]);
    const nothing: Request[] = [
      { operation: 'PutResourcePolicy', input: { ResourceArn: tableArn(ids, 'missing'), Policy: DOC } },
      { operation: 'PutResourcePolicy', input: { ResourceArn: foreignTableArn(ids, T, 'account'), Policy: DOC2 } },
      { operation: 'PutResourcePolicy', input: { ResourceArn: `${ARN}/index/gsi1`, Policy: DOC2 } },
      { operation: 'PutResourcePolicy', input: { Policy: DOC2 } },
      { operation: 'PutResourcePolicy', input: put(JSON.stringify(JSON.parse(DOC), null, 1)) },
      { operation: 'GetResourcePolicy', input: { ResourceArn: ARN } },
      { operation: 'DeleteTable', input: { TableName: 'missing' } },
      { operation: '$Settle', input: {} },
    ];
    for (const request of nothing) {
      expect(effects(state, request, ctx), JSON.stringify(request)).toEqual([]);
    }
  });

  it('Delete with a failing ExpectedRevisionId: the policy removed (nothing to do without one)', () => {
    const { state, ctx } = drive([['CreateTable', table()], ['PutResourcePolicy', put(DOC)]], { 'rev#1': '1' });
    const [after] = effects(state, { operation: 'DeleteResourcePolicy', input: { ResourceArn: ARN, ExpectedRevisionId: '2' } }, ctx);
    expect(after!.tables[T]!.policy).toBeNull();
    const empty = drive([['CreateTable', table()]]);
    expect(effects(empty.state, { operation: 'DeleteResourcePolicy', input: { ResourceArn: ARN, ExpectedRevisionId: '2' } }, empty.ctx)).toEqual([]);
  });

  it('CreateTable of an existing name, or with an invalid policy: the table as asked, with that policy', () => {
    const { state, ctx } = base();
    const [replaced] = effects(state, { operation: 'CreateTable', input: table(false, 'not json') }, ctx);
    expect(replaced!.tables[T]).toMatchObject({ policy: { doc: 'not json', fromCreate: true }, stream: null, recreated: true });
    expect(replaced!.streams[0]!.tableDeleted).toBe(true);
    const fresh = drive([]);
    const [made] = effects(fresh.state, { operation: 'CreateTable', input: table(false, doc(statement({ Principal: '*' }))) }, fresh.ctx);
    expect(made!.tables[T]!.policy?.doc).toContain('"Principal":"*"');
    expect(made!.tables[T]!.recreated).toBe(false);
  });

  it('DeleteTable: the table gone, its stream left', () => {
    const { state, ctx } = base();
    const [after] = effects(state, { operation: 'DeleteTable', input: { TableName: T } }, ctx);
    expect(after!.tables[T]).toBeUndefined();
    expect(after!.streams[0]).toMatchObject({ tableDeleted: true });
  });
});

describe('focus', () => {
  it('shows the table or stream a request names, with its policy and revision id', () => {
    const { state, ctx } = drive([['CreateTable', table(true)], ['PutResourcePolicy', put(DOC)]], { 'stream#1': STREAM, 'rev#2': '1700000000002' });
    expect(dynamodbModel.focus!(state, { operation: 'GetResourcePolicy', input: { ResourceArn: ARN } }, ctx)).toMatchObject({
      resourceArn: ARN,
      table: T,
      exists: true,
      latestStreamArn: STREAM,
      policy: { document: DOC, revisionId: '1700000000002', revisionSymbol: 'rev#2' },
    });
    expect(dynamodbModel.focus!(state, { operation: 'PutResourcePolicy', input: { ResourceArn: STREAM, Policy: DOC } }, ctx)).toMatchObject({ stream: 'stream#1', table: T, policy: null });
    expect(dynamodbModel.focus!(state, { operation: 'GetResourcePolicy', input: { ResourceArn: T } }, ctx)).toEqual({ resourceArn: T, names: null, answer: 'ddb.arn.malformed' });
    expect(dynamodbModel.focus!(state, { operation: 'DeleteTable', input: { TableName: 'gone' } }, ctx)).toEqual({ table: 'gone', exists: false, deletedBefore: false });
  });
});

describe('generated documents the model classifies as §7 says', () => {
  const render = (gen: PolicyGen, resource = ARN, vocabulary = DDB_VOCABULARY) => renderPolicy(gen, resource, vocabulary);
  /** The model's first answer to a Put of `document` on a fresh table with a stream. */
  const answer = (document: string, resource = ARN) => {
    const { state, ctx } = drive([['CreateTable', table(true)]], { 'stream#1': STREAM });
    return dynamodbModel.step(state, { operation: 'PutResourcePolicy', input: { ResourceArn: resource, Policy: document } }, ctx)[0]!;
  };

  it('invalid variants are refused under their rule', () => {
    expect(answer(render({ kind: 'invalid', variant: 'no-resource' })).rule).toBe('ddb.policy.invalid-grammar');
    expect(answer(render({ kind: 'invalid', variant: 'duplicate-sid' })).rule).toBe('ddb.policy.invalid-grammar');
    expect(answer(render({ kind: 'invalid', variant: 'bare-account-principal' })).rule).toBe('ddb.policy.invalid-grammar');
    expect(answer(render({ kind: 'invalid', variant: 'foreign-actions' })).rule).toBe('ddb.policy.invalid-action');
    expect(answer(render({ kind: 'invalid', variant: 'foreign-actions' }, STREAM, DDB_STREAM_VOCABULARY), STREAM).rule).toBe('ddb.policy.invalid-action');
    expect(answer(render({ kind: 'valid', variant: 2, whitespace: 0 }, STREAM, DDB_STREAM_VOCABULARY), STREAM).rule).toBe('ddb.stream.supported');
  });

  it('restated forms are equivalent to the valid document, except no-version', () => {
    for (const variant of [0, 1, 2]) {
      const valid = render({ kind: 'valid', variant, whitespace: 0 });
      for (const form of ['pretty', 'reordered', 'list-forms', 'account-id-principal'] as const) {
        const restated = render({ kind: 'restated', variant, form });
        expect(restated).not.toBe(valid);
        expect(equivalentPolicies(valid, restated), `${variant} ${form}`).toBe(true);
      }
      expect(equivalentPolicies(valid, render({ kind: 'restated', variant, form: 'no-version' }))).toBe(false);
      expect(answer(render({ kind: 'restated', variant, form: 'no-version' })).rule).toBe('ddb.put.create');
    }
  });

  it('scoped lockouts and other resources', () => {
    expect(answer(render({ kind: 'lockout' })).expect).toEqual({ kind: 'error', code: 'AccessDeniedException', status: 400 });
    expect(answer(render({ kind: 'lockout-scoped', variant: 'caller-account' })).rule).toBe('ddb.policy.self-lockout');
    expect(answer(render({ kind: 'lockout-scoped', variant: 'caller-account-id' })).rule).toBe('ddb.policy.self-lockout');
    expect(answer(render({ kind: 'lockout-scoped', variant: 'delete-only' })).rule).toBe('ddb.put.create');
    for (const variant of ['other-table', 'wildcard', 'index'] as const) expect(answer(render({ kind: 'other-resource', variant })).rule).toBe('ddb.put.create');
  });
});

describe('simplify', () => {
  it('makes one field one step plainer each, in a fixed order', () => {
    const command: DdbCommand = {
      op: 'PutResourcePolicy',
      target: { kind: 'stream', slot: 't1' },
      policy: { kind: 'malformed', variant: 'not-json' },
      expected: { kind: 'stale' },
      confirm: true,
      omit: 'Policy',
    };
    const steps = simplifyDynamodbCommand(command);
    expect(steps.map((s) => s.change)).toEqual([
      'Policy: omitted → sent',
      'target: stream t1 → table t1',
      'policy: malformed not-json → valid',
      'expected revision: stale → none',
      'confirm: true → absent',
    ]);
    expect(steps[0]!.command).not.toHaveProperty('omit');
    expect(steps[1]!.command).toMatchObject({ target: { kind: 'table', slot: 't1' }, policy: command.policy });
    expect(steps[2]!.command).toMatchObject({ policy: { kind: 'valid', variant: 0, whitespace: 0 } });
    expect(steps[3]!.command).not.toHaveProperty('expected');
    expect(steps[4]!.command).not.toHaveProperty('confirm');
    expect(command.target).toEqual({ kind: 'stream', slot: 't1' });
  });

  it('malformed and foreign targets become a plain table; CreateTable loses its policy, then its stream', () => {
    // The slot's table first, then t1 (exists from the start, no stream, no policy): the plainest.
    expect(simplifyDynamodbCommand({ op: 'GetResourcePolicy', target: { kind: 'malformed', variant: 'bare-name' } }).map((s) => s.change)).toEqual([
      'target: malformed bare-name → table t0',
      'target: malformed bare-name → table t1',
    ]);
    expect(simplifyDynamodbCommand({ op: 'DeleteResourcePolicy', target: { kind: 'foreign', slot: 't2', differs: 'account' } })[0]!.command).toEqual({ op: 'DeleteResourcePolicy', target: { kind: 'table', slot: 't2' } });
    const create = simplifyDynamodbCommand({ op: 'CreateTable', slot: 't2', stream: true, policy: { kind: 'public' } });
    expect(create.map((s) => s.change)).toEqual(['policy: public → none', 'stream: true → false']);
    expect(create[0]!.command).toEqual({ op: 'CreateTable', slot: 't2', stream: true });
  });

  it('is empty for what is already plain, and is the adapter hook', () => {
    expect(simplifyDynamodbCommand({ op: 'PutResourcePolicy', target: { kind: 'table', slot: 't1' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } })).toEqual([]);
    expect(simplifyDynamodbCommand({ op: 'PutResourcePolicy', target: { kind: 'table', slot: 't0' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } }).map((s) => s.change)).toEqual(['target: table t0 → table t1']);
    expect(simplifyDynamodbCommand({ op: 'DeleteTable', slot: 't0' })).toEqual([]);
    expect(dynamodbAdapter.simplify).toBe(simplifyDynamodbCommand);
  });
});
