import type { Rule, Switch } from '../types.js';

const rule = (id: string, evidence: Rule['evidence'], spec: string, summary: string): Rule => ({ id, evidence, spec, summary });

export const DYNAMODB_RULES: Record<string, Rule> = Object.fromEntries(
  [
    rule('ddb.arn.length', 'documented', '§1.2', 'ResourceArn must be 1..1283 characters; otherwise ValidationException'),
    rule('ddb.arn.malformed', 'assumed', '§1.5', 'A ResourceArn that is not a DynamoDB table or stream ARN of this account and region is rejected (code: switch ddb.malformedArnError)'),
    rule('ddb.arn.index', 'assumed', '§1.4, §1.5', 'An index ARN cannot hold a policy (code: switch ddb.indexArnError)'),
    rule('ddb.table.not-found', 'aws-verified', '§1.3', 'Put/Get/DeleteResourcePolicy on a table that does not exist: ResourceNotFoundException'),
    rule('ddb.stream.not-found', 'assumed', '§1.5', 'A stream ARN that names no stream of this account: ResourceNotFoundException'),
    rule('ddb.stream.outlives-table', 'documented', '§1.5', 'A stream policy can still be modified or deleted after its table is deleted'),
    rule('ddb.put.no-policy-expected', 'aws-verified', '§1.3, §1.5', 'ExpectedRevisionId=NO_POLICY while a policy exists: PolicyNotFoundException'),
    rule('ddb.put.revision-mismatch', 'aws-verified', '§1.3, §1.5', 'ExpectedRevisionId that is not the current revision: PolicyNotFoundException'),
    rule('ddb.put.revision-without-policy', 'documented', '§1.5', 'ExpectedRevisionId (other than NO_POLICY) while no policy exists: PolicyNotFoundException'),
    rule('ddb.policy.too-large', 'documented', '§1.5, §1.6', 'A policy over 20 KB, whitespace counted, is rejected with ValidationException (limit: switch ddb.policySizeLimit; code assumed)'),
    rule('ddb.policy.not-json', 'aws-verified', '§1.3, §1.5', 'A policy that is not JSON is rejected with ValidationException'),
    rule('ddb.policy.invalid-grammar', 'aws-verified', '§1.3, §1.5', 'JSON that is not a policy (no Statement, bad Effect/Principal/Action) is rejected with ValidationException'),
    rule('ddb.policy.public', 'documented', '§1.5, §1.6', 'Block Public Access: an Allow to "*" without a condition is rejected (code assumed ValidationException)'),
    rule('ddb.policy.self-lockout', 'documented', '§1.2, §1.5', 'A policy denying everyone the policy actions needs ConfirmRemoveSelfResourceAccess=true (code assumed ValidationException)'),
    rule('ddb.put.identical', 'aws-verified', '§1.5', 'Putting the document already attached returns the same RevisionId and changes nothing'),
    rule('ddb.put.create', 'documented', '§1.5', 'Putting a policy on a resource without one attaches it and returns a RevisionId'),
    rule('ddb.put.replace', 'documented', '§1.5', 'Putting a different document replaces the policy and returns a different RevisionId'),
    rule('ddb.put.cooldown', 'documented', '§1.6', 'In eventual mode, a change within 15 s of the previous one may be refused with ResourceInUseException'),
    rule('ddb.get.no-policy', 'aws-verified', '§1.5', 'GetResourcePolicy on a resource without a policy: PolicyNotFoundException'),
    rule('ddb.get.policy', 'aws-verified', '§1.5', 'GetResourcePolicy returns the stored document byte for byte and the RevisionId Put returned'),
    rule('ddb.get.stale-view', 'documented', '§1.7', 'In eventual mode, a Get may still show what was visible before the last writes'),
    rule('ddb.delete.no-policy', 'documented', '§1.5', 'DeleteResourcePolicy without ExpectedRevisionId on a resource without a policy succeeds with no RevisionId'),
    rule('ddb.delete.revision-mismatch', 'aws-verified', '§1.3, §1.5', 'DeleteResourcePolicy with a stale or unknown ExpectedRevisionId: PolicyNotFoundException'),
    rule('ddb.delete.revision-without-policy', 'documented', '§1.5', 'DeleteResourcePolicy with ExpectedRevisionId on a resource without a policy: PolicyNotFoundException'),
    rule('ddb.delete.removes', 'documented', '§1.5', 'DeleteResourcePolicy removes the policy (returned RevisionId: switch ddb.deleteRevisionId)'),
    rule('ddb.createtable.create', 'documented', '§1.5', 'CreateTable creates an ACTIVE table without a policy; with a stream, DescribeTable shows LatestStreamArn'),
    rule('ddb.createtable.with-policy', 'documented', '§1.5', 'CreateTable with ResourcePolicy attaches exactly that document'),
    rule('ddb.createtable.exists', 'documented', '§1.5', 'CreateTable of an existing table name: ResourceInUseException'),
    rule('ddb.createtable.policy-invalid', 'assumed', '§1.5', 'CreateTable with an invalid or oversized ResourcePolicy: ValidationException'),
    rule('ddb.deletetable.not-found', 'documented', '§1.3', 'DeleteTable of a table that does not exist: ResourceNotFoundException'),
    rule('ddb.deletetable.delete', 'documented', '§1.5', 'DeleteTable removes the table; its stream outlives it'),
    rule('ddb.deletetable.drops-policy', 'assumed', '§1.4', 'A table re-created after DeleteTable starts without a policy'),
  ].map((r) => [r.id, r]),
);

export const DYNAMODB_SWITCHES: readonly Switch[] = [
  {
    name: 'ddb.malformedArnError',
    spec: '§1.5',
    summary: 'error code for a ResourceArn that is not a table or stream ARN',
    values: ['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException'],
    default: 'ValidationException',
  },
  {
    name: 'ddb.indexArnError',
    spec: '§1.5',
    summary: 'error code for an index ARN',
    values: ['ValidationException', 'ResourceNotFoundException'],
    default: 'ValidationException',
  },
  {
    name: 'ddb.policySizeLimit',
    spec: '§1.5',
    summary: 'bytes in "20 KB"',
    values: ['20480', '20000'],
    default: '20480',
  },
  {
    name: 'ddb.identicalPolicy',
    spec: '§1.5',
    summary: 'what counts as the same document for keeping the RevisionId',
    values: ['exact-bytes', 'same-json'],
    default: 'exact-bytes',
  },
  {
    name: 'ddb.deleteRevisionId',
    spec: '§1.5',
    summary: 'RevisionId returned by DeleteResourcePolicy when a policy was removed',
    values: ['removed-policy', 'absent', 'any'],
    default: 'removed-policy',
  },
];
