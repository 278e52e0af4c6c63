import { defineRule, type Rule, type StringFormat, type Switch } from '../../models/types.js';

const rule = defineRule;

/** PolicyRevisionId: a string of 1..255 characters (spec §1.2); a value outside that is never AWS's answer. */
export const REVISION_FORMAT: StringFormat = { minLength: 1, maxLength: 255 };

export const DYNAMODB_RULES: Record<string, Rule> = Object.fromEntries(
  [
    rule('ddb.input.missing', 'assumed', '§0.2, §1.5', 'A request without a required member (ResourceArn; Policy for PutResourcePolicy) is rejected with ValidationException before anything else is looked at (the SDK sends it as given)'),
    rule('ddb.arn.length', 'documented', '§1.2', 'ResourceArn must be 1..1283 characters; otherwise ValidationException'),
    rule('ddb.arn.malformed', 'aws-observed', '§1.5, §7.6', 'A ResourceArn that is not a DynamoDB table or stream ARN of this partition, account and region (a bare table name, another account, region, partition or service) is rejected with ValidationException (code: switch ddb.malformedArnError)'),
    rule('ddb.arn.index', 'aws-observed', '§1.4, §1.5, §7.6', 'An index ARN cannot hold a policy: ValidationException, whether or not the table exists (code: switch ddb.indexArnError)'),
    rule('ddb.table.not-found', 'aws-verified', '§1.3, §7.6', 'Put/Get/DeleteResourcePolicy on a table that does not exist (never created, deleted, other letter case): ResourceNotFoundException'),
    rule('ddb.stream.not-found', 'assumed', '§1.5', 'A stream ARN that names no stream of this account: ResourceNotFoundException'),
    rule('ddb.stream.supported', 'aws-observed', '§1.2, §1.5, §7.11', 'A stream ARN holds its own policy, separate from its table\'s: Put attaches one, Get shows it (or PolicyNotFoundException), Delete without one succeeds, as on a table'),
    rule('ddb.stream.outlives-table', 'documented', '§1.5', 'A stream policy can still be modified or deleted after its table is deleted (Put attaches, Get shows, Delete succeeds as before)'),
    rule('ddb.put.no-policy-expected', 'aws-verified', '§1.3, §1.5', 'ExpectedRevisionId=NO_POLICY while a policy exists: PolicyNotFoundException'),
    rule('ddb.put.revision-mismatch', 'aws-verified', '§1.3, §1.5, §7.2', 'ExpectedRevisionId that is not the current revision: PolicyNotFoundException'),
    rule('ddb.put.revision-without-policy', 'documented', '§1.5', 'ExpectedRevisionId (other than NO_POLICY) while no policy exists: PolicyNotFoundException'),
    rule('ddb.policy.too-large', 'aws-observed', '§1.5, §1.6, §7.5', 'A policy over 20 480 bytes (20 KB), whitespace counted, is rejected with ValidationException (limit: switch ddb.policySizeLimit)'),
    rule('ddb.policy.not-json', 'aws-verified', '§1.3, §1.5', 'A policy that is not JSON is rejected with ValidationException'),
    rule('ddb.policy.invalid-grammar', 'aws-verified', '§1.3, §1.5, §7.7', 'JSON that is not a valid policy is rejected with ValidationException: no Statement, a bad Effect/Principal/Action, a bare account-id string as Principal, a statement without Resource, duplicate Sids'),
    rule('ddb.policy.invalid-action', 'aws-observed', '§1.6, §7.7', 'Actions that do not apply to the resource the policy is for (stream actions in a table policy, table actions in a stream policy) are rejected with ValidationException'),
    rule('ddb.policy.public', 'aws-observed', '§1.5, §1.6, §7.7', 'Block Public Access: an Allow to "*" without a condition is rejected with ValidationException'),
    rule('ddb.policy.self-lockout', 'aws-observed', '§1.2, §1.5, §7.8', 'A Deny of dynamodb:PutResourcePolicy covering the caller (Principal "*", the caller\'s account id or root ARN) without ConfirmRemoveSelfResourceAccess=true: AccessDeniedException (HTTP 400); with the flag it is accepted; a Deny of DeleteResourcePolicy alone is not checked (switch ddb.lockoutCheck)'),
    rule('ddb.put.identical', 'aws-verified', '§1.5, §7.4', 'Putting a document equivalent to the one attached (other whitespace or key order, one-element lists, account-id principals; not a missing Version) returns the same RevisionId and changes nothing (switch ddb.identicalPolicy)'),
    rule('ddb.put.create', 'documented', '§1.5', 'Putting a policy on a resource without one attaches it and returns a RevisionId of 1..255 characters'),
    rule('ddb.put.replace', 'documented', '§1.5', 'Putting a different document replaces the policy and returns a different RevisionId of 1..255 characters'),
    rule('ddb.put.cooldown', 'documented', '§1.6', 'In eventual mode, a change within 15 s of the previous one may be refused with ResourceInUseException'),
    rule('ddb.get.no-policy', 'aws-verified', '§1.5', 'GetResourcePolicy on a resource without a policy: PolicyNotFoundException'),
    rule('ddb.get.policy', 'aws-verified', '§1.5, §7.4', 'GetResourcePolicy returns a document canonically equal to the stored one (AWS answers the canonical form: minified, fixed key order, one-element lists collapsed, account ids as root ARNs, a missing Version as "2008-10-17"; switch ddb.getPolicyForm) and the RevisionId Put returned'),
    rule('ddb.get.stale-view', 'documented', '§1.7', 'In eventual mode, a Get may still show what was visible before the last writes'),
    rule('ddb.delete.no-policy', 'aws-observed', '§1.5, §7.9', 'DeleteResourcePolicy without ExpectedRevisionId on a resource without a policy succeeds with no RevisionId'),
    rule('ddb.delete.revision-mismatch', 'aws-verified', '§1.3, §1.5, §7.2', 'DeleteResourcePolicy with a stale or unknown ExpectedRevisionId: PolicyNotFoundException'),
    rule('ddb.delete.revision-without-policy', 'aws-observed', '§1.5, §7.9', 'DeleteResourcePolicy with ExpectedRevisionId on a resource without a policy: PolicyNotFoundException'),
    rule('ddb.delete.removes', 'aws-observed', '§1.5, §7.9', 'DeleteResourcePolicy removes the policy and returns a RevisionId of 1..255 characters, the removed policy\'s or a new one (switch ddb.deleteRevisionId)'),
    rule('ddb.createtable.create', 'documented', '§1.5', 'CreateTable creates an ACTIVE table without a policy; with a stream, DescribeTable shows LatestStreamArn <table ARN>/stream/<label>'),
    rule('ddb.createtable.with-policy', 'documented', '§1.5', 'CreateTable with ResourcePolicy attaches exactly that document (judged on the answers that show whether it is attached: the first Get, a NO_POLICY Put)'),
    rule('ddb.createtable.exists', 'documented', '§1.5', 'CreateTable of an existing table name: ResourceInUseException'),
    rule('ddb.createtable.policy-invalid', 'assumed', '§1.5', 'CreateTable with an invalid or oversized ResourcePolicy: ValidationException'),
    rule('ddb.deletetable.not-found', 'documented', '§1.3', 'DeleteTable of a table that does not exist: ResourceNotFoundException'),
    rule('ddb.deletetable.delete', 'documented', '§1.5', 'DeleteTable removes the table; its stream outlives it'),
    rule('ddb.deletetable.drops-policy', 'aws-observed', '§1.4, §7.10', 'A table re-created after DeleteTable starts without a policy'),
  ].map((r) => [r.id, r]),
);

export const DYNAMODB_SWITCHES: readonly Switch[] = [
  {
    name: 'ddb.malformedArnError',
    spec: '§1.5, §7.6',
    summary: 'error code for a ResourceArn that is not a table or stream ARN of this partition, account and region',
    values: ['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException'],
    default: 'ValidationException',
    evidence: 'aws-observed',
  },
  {
    name: 'ddb.indexArnError',
    spec: '§1.5, §7.6',
    summary: 'error code for an index ARN',
    values: ['ValidationException', 'ResourceNotFoundException'],
    default: 'ValidationException',
    evidence: 'aws-observed',
  },
  {
    name: 'ddb.policySizeLimit',
    spec: '§1.5, §7.5',
    summary: 'bytes in "20 KB"',
    values: ['20480', '20000'],
    default: '20480',
    evidence: 'aws-observed',
  },
  {
    name: 'ddb.identicalPolicy',
    spec: '§1.5, §7.4',
    summary:
      'what counts as the same document for keeping the RevisionId: equivalent = same canonical form (whitespace, key order, one-element lists, account-id principals; a missing Version is not the same as a stated one); exact-bytes; same-json = equal parsed JSON',
    values: ['equivalent', 'exact-bytes', 'same-json'],
    default: 'equivalent',
    evidence: 'aws-observed',
  },
  {
    name: 'ddb.getPolicyForm',
    spec: '§1.5, §7.4',
    summary: 'what GetResourcePolicy returns as Policy: canonical = any document canonically equal to the stored one (AWS returns the canonical form); verbatim = the stored bytes',
    values: ['canonical', 'verbatim'],
    default: 'canonical',
    evidence: 'aws-observed',
  },
  {
    name: 'ddb.lockoutCheck',
    spec: '§1.5, §7.8',
    summary:
      'self-lockout check without ConfirmRemoveSelfResourceAccess: access-denied = a Deny of PutResourcePolicy covering the caller gives AccessDeniedException; validation = a Deny to everyone of PutResourcePolicy or DeleteResourcePolicy gives ValidationException (the earlier reading)',
    values: ['access-denied', 'validation'],
    default: 'access-denied',
    evidence: 'aws-observed',
  },
  {
    name: 'ddb.createTableCheckOrder',
    spec: '§1.5',
    summary: 'CreateTable of an existing name with an invalid ResourcePolicy: which check answers',
    values: ['validate-first', 'exists-first'],
    default: 'validate-first',
  },
  {
    name: 'ddb.deleteRevisionId',
    spec: '§1.5, §7.9',
    summary:
      'RevisionId returned by DeleteResourcePolicy when a policy was removed: either = the removed policy\'s or a new one; removed-policy; new; absent; any = any value of 1..255 characters',
    values: ['either', 'removed-policy', 'new', 'absent', 'any'],
    default: 'either',
    evidence: 'aws-observed',
  },
];
