import { ruleTable, type Switch } from '../../models/types.js';

export const XRAY_RULES = ruleTable([
  ['xray.put.invalid-request', 'assumed', '§4.2, §4.3, §4.5', 'PutResourcePolicy with a PolicyName missing or outside 1..128 chars of [\\w+=,.@-], or a PolicyDocument missing or empty, is rejected (code: switch xray.putValidationError; SDK v3 does not enforce required members)'],
  ['xray.policy.too-large', 'documented', '§4.2, §4.5, §4.6', 'A PolicyDocument over 5 KB (switch xray.policySizeLimit) is rejected with PolicySizeLimitExceededException'],
  ['xray.policy.malformed', 'documented', '§4.3, §4.5', 'A PolicyDocument that is not JSON or not a policy is rejected with MalformedPolicyDocumentException'],
  ['xray.put.revision-zero-exists', 'documented', '§4.3, §4.5', 'PutResourcePolicy with PolicyRevisionId "0" (create only) while the policy exists: InvalidPolicyRevisionIdException'],
  ['xray.put.revision-mismatch', 'documented', '§4.3, §4.5', 'PutResourcePolicy with a PolicyRevisionId that is not the current one: InvalidPolicyRevisionIdException'],
  ['xray.put.revision-without-policy', 'assumed', '§4.5', 'PutResourcePolicy with a PolicyRevisionId other than "0" for a name without a policy (switch xray.putRevisionWithoutPolicy)'],
  ['xray.put.count-limit', 'documented', '§4.4, §4.5, §4.6', 'Creating a 6th policy in the account: PolicyCountLimitExceededException (updating one of 5 is fine)'],
  ['xray.policy.lockout', 'documented', '§4.3, §4.5', 'A document that would stop the caller from calling PutResourcePolicy needs BypassPolicyLockoutCheck=true, else LockoutPreventionException (approximated: a Deny to "*" of xray:PutResourcePolicy without condition)'],
  ['xray.put.create', 'documented', '§4.2, §4.4, §4.5', 'PutResourcePolicy for a new name creates it and returns it as provided, with a revision id (format: switch xray.revisionFormat) and LastUpdatedTime'],
  ['xray.put.update', 'documented', '§4.4, §4.5', 'PutResourcePolicy for an existing name replaces the document and returns a new revision id (format: switch xray.revisionFormat)'],
  ['xray.put.identical', 'assumed', '§4.5', 'PutResourcePolicy with the document the policy already has (revision: switch xray.identicalPolicy)'],
  ['xray.list.all', 'documented', '§4.2, §4.5', 'ListResourcePolicies returns every policy of the account (at most 5) with its current revision id, in any order, without NextToken'],
  ['xray.list.next-token', 'assumed', '§4.2, §4.5', 'ListResourcePolicies with a NextToken ("not currently supported"): switch xray.listNextToken'],
  ['xray.delete.invalid-request', 'documented', '§4.2, §4.3', 'DeleteResourcePolicy with a PolicyName missing ("missing required parameters") or outside 1..128 chars of [\\w+=,.@-]: InvalidRequestException'],
  ['xray.delete.revision-mismatch', 'documented', '§4.3, §4.5', 'DeleteResourcePolicy with a PolicyRevisionId that is not the current one: InvalidPolicyRevisionIdException'],
  ['xray.delete.removes', 'documented', '§4.5', 'DeleteResourcePolicy removes the policy; 200 with an empty body'],
  ['xray.delete.missing', 'assumed', '§4.5, §6.4', 'DeleteResourcePolicy of a name without a policy (switch xray.deleteMissing)'],
  ['xray.throttled', 'documented', '§4.3', 'Any call may be refused with ThrottledException (HTTP 429), changing nothing'],
]);

export const XRAY_SWITCHES: readonly Switch[] = [
  {
    name: 'xray.revisionFormat',
    spec: '§4.4, §6.4',
    summary: 'revision ids: "1" then +1 per update (counter), or opaque values each different from the previous one',
    values: ['counter', 'opaque'],
    default: 'counter',
  },
  {
    name: 'xray.putValidationError',
    spec: '§4.3, §4.5',
    summary: 'error code of PutResourcePolicy for an invalid PolicyName or empty PolicyDocument',
    values: ['InvalidRequestException', 'ValidationException'],
    default: 'InvalidRequestException',
  },
  {
    name: 'xray.putRevisionWithoutPolicy',
    spec: '§4.5, §6.4',
    summary: 'PutResourcePolicy with a PolicyRevisionId other than "0" for a name without a policy: refused, or created as if no revision were given',
    values: ['InvalidPolicyRevisionIdException', 'create'],
    default: 'InvalidPolicyRevisionIdException',
  },
  {
    name: 'xray.identicalPolicy',
    spec: '§4.5',
    summary: 'PutResourcePolicy with the current document: still a new revision, or unchanged (same revision)',
    values: ['increments', 'unchanged'],
    default: 'increments',
  },
  {
    name: 'xray.listNextToken',
    spec: '§4.5, §6.4',
    summary: 'ListResourcePolicies with a NextToken: ignored, or refused',
    values: ['ignored', 'InvalidRequestException'],
    default: 'ignored',
  },
  {
    name: 'xray.deleteMissing',
    spec: '§4.5, §6.4',
    summary: 'DeleteResourcePolicy of a name without a policy: idempotent = success without PolicyRevisionId and InvalidPolicyRevisionIdException with one; ok = always success; else that error code (ResourceNotFoundException with its HTTP 404, the others 400)',
    values: ['idempotent', 'ok', 'InvalidPolicyRevisionIdException', 'InvalidRequestException', 'ResourceNotFoundException'],
    default: 'idempotent',
  },
  {
    name: 'xray.policySizeLimit',
    spec: '§4.2, §4.6',
    summary: 'bytes in "5 KB"',
    values: ['5120', '5000'],
    default: '5120',
  },
];
