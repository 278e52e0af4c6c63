import { defineRule, type Rule, type Switch } from '../../models/types.js';

const rule = defineRule;

export const SSM_RULES: Record<string, Rule> = Object.fromEntries(
  [
    rule('ssm.input.invalid', 'assumed', '§3.2, §3.6', 'A constraint violation (ResourceArn missing or outside 20..2048, blank Policy, MaxResults outside 1..50, missing PolicyId/PolicyHash on Delete; SDK v3 does not enforce required members) is rejected (code: switch ssm.validationError)'),
    rule('ssm.arn.unsupported', 'assumed', '§3.4, §3.6', 'A ResourceArn that is neither this account/region\'s OpsItemGroup nor one of its parameters is rejected (code: switch ssm.invalidArnError)'),
    rule('ssm.parameter.not-found', 'documented', '§3.3, §3.6', 'Put/GetResourcePolicies/Delete on a parameter ARN whose parameter does not exist: ResourceNotFoundException'),
    rule('ssm.parameter.standard-tier', 'documented', '§3.4, §3.6', 'Only Advanced-tier parameters can be shared: a policy on a Standard-tier parameter is rejected (code: switch ssm.standardTierError)'),
    rule('ssm.policy.too-large', 'documented', '§3.3, §3.7', 'A policy larger than 1024 bytes is rejected with ResourcePolicyLimitExceededException (limit: switch ssm.policySizeLimit)'),
    rule('ssm.policy.malformed', 'documented', '§3.3, §3.6', 'A policy that is not JSON or not a policy is rejected with MalformedResourcePolicyDocumentException'),
    rule('ssm.put.partial-id-hash', 'assumed', '§3.6', 'PutResourcePolicy with only one of PolicyId and PolicyHash is rejected (code: switch ssm.partialUpdateError)'),
    rule('ssm.put.opsitemgroup-limit', 'documented', '§3.3, §3.7', 'Creating a second policy on the OpsItemGroup: ResourcePolicyLimitExceededException'),
    rule('ssm.put.parameter-limit', 'assumed', '§3.7', 'Creating a policy beyond the per-parameter limit (switch ssm.parameterPolicyLimit; none by default): ResourcePolicyLimitExceededException'),
    rule('ssm.put.create', 'documented', '§3.6', 'PutResourcePolicy without PolicyId/PolicyHash creates a policy and returns a new PolicyId and a PolicyHash'),
    rule('ssm.put.update', 'documented', '§3.6', 'PutResourcePolicy with the current PolicyId and PolicyHash replaces the document; same PolicyId, new PolicyHash'),
    rule('ssm.put.update-identical', 'assumed', '§3.5, §3.6', 'Updating a policy with the document it already has (returned PolicyHash: switch ssm.identicalUpdateHash)'),
    rule('ssm.policy-id.not-found', 'documented', '§3.3, §3.6', 'Put (update) or Delete with a PolicyId the resource does not have: ResourcePolicyNotFoundException'),
    rule('ssm.policy-hash.conflict', 'documented', '§3.3, §3.6', 'Put (update) or Delete with a PolicyHash that is not the stored one: ResourcePolicyConflictException'),
    rule('ssm.get.list', 'assumed', '§3.2, §3.6', 'GetResourcePolicies (full listing, the harness follows NextToken) returns exactly the attached policies with the PolicyId/PolicyHash Put returned and the document as sent, in any order'),
    rule('ssm.get.page', 'documented', '§3.2', 'A raw page of GetResourcePolicies holds at most MaxResults policies not returned by earlier pages of the same listing; no NextToken only when nothing remains'),
    rule('ssm.get.page-unknown-token', 'assumed', '§3.2', 'A NextToken of a listing whose policies changed since, or never seen, gives a page the model does not constrain'),
    rule('ssm.get.bad-token', 'assumed', '§3.2', 'A NextToken the model cannot tie to a listing may be refused (InvalidNextToken, or switch ssm.validationError)'),
    rule('ssm.delete.removes', 'documented', '§3.6', 'DeleteResourcePolicy with the current PolicyId and PolicyHash removes the policy; 200 with an empty body'),
    rule('ssm.rate-limited', 'documented', '§3.3, §3.6', 'Excessive Put/Delete calls may be refused with MalformedResourcePolicyDocumentException (only when switch ssm.rateLimitErrors is on)'),
    rule('ssm.putparameter.create', 'assumed', '§3.5', 'PutParameter of a new name creates it: Version 1, the requested Tier'),
    rule('ssm.putparameter.exists', 'assumed', '§3.5', 'PutParameter of an existing name without Overwrite=true: ParameterAlreadyExists'),
    rule('ssm.putparameter.overwrite', 'assumed', '§3.5', 'PutParameter with Overwrite=true bumps Version, may raise the tier, keeps policies'),
    rule('ssm.putparameter.downgrade', 'assumed', '§3.5', 'An Advanced-tier parameter cannot be overwritten as Standard: ValidationException'),
    rule('ssm.deleteparameter.not-found', 'assumed', '§3.5', 'DeleteParameter of a name that does not exist: ParameterNotFound'),
    rule('ssm.deleteparameter.delete', 'assumed', '§3.5', 'DeleteParameter removes the parameter and its policies'),
    rule('ssm.deleteparameter.drops-policies', 'assumed', '§3.5', 'A parameter created again after DeleteParameter of a parameter of that name that held policies starts without them'),
  ].map((r) => [r.id, r]),
);

export const SSM_SWITCHES: readonly Switch[] = [
  {
    name: 'ssm.validationError',
    spec: '§3.6',
    summary: 'error code for an input constraint violation',
    values: ['ValidationException', 'ResourcePolicyInvalidParameterException'],
    default: 'ValidationException',
  },
  {
    name: 'ssm.invalidArnError',
    spec: '§3.6',
    summary: 'error code for a ResourceArn that is not an OpsItemGroup or parameter ARN of this account and region',
    values: ['ResourcePolicyInvalidParameterException', 'ValidationException', 'ResourceNotFoundException'],
    default: 'ResourcePolicyInvalidParameterException',
  },
  {
    name: 'ssm.standardTierError',
    spec: '§3.6, §6.3',
    summary: 'error code for PutResourcePolicy on a Standard-tier parameter',
    values: ['ResourcePolicyInvalidParameterException', 'ValidationException', 'MalformedResourcePolicyDocumentException'],
    default: 'ResourcePolicyInvalidParameterException',
  },
  {
    name: 'ssm.partialUpdateError',
    spec: '§3.6, §6.3',
    summary: 'error code for PutResourcePolicy with PolicyId but no PolicyHash or the reverse',
    values: ['ResourcePolicyInvalidParameterException', 'ResourcePolicyConflictException', 'ValidationException'],
    default: 'ResourcePolicyInvalidParameterException',
  },
  {
    name: 'ssm.policySizeLimit',
    spec: '§3.3, §3.7, §6.3',
    summary: 'bytes a policy document may have (documented as 1024; UNVERIFIED in practice)',
    values: ['1024', '2048', '5120', '20480'],
    default: '1024',
  },
  {
    name: 'ssm.parameterPolicyLimit',
    spec: '§3.7',
    summary: 'policies one parameter may hold (undocumented)',
    values: ['none', '1'],
    default: 'none',
  },
  {
    name: 'ssm.identicalUpdateHash',
    spec: '§3.5',
    summary: 'PolicyHash after an update with the same document: a new one (changes on every update), the same one (digest of the document), or either',
    values: ['new', 'same', 'any'],
    default: 'new',
  },
  {
    name: 'ssm.rateLimitErrors',
    spec: '§3.3, §3.6',
    summary: 'whether Put/Delete may answer MalformedResourcePolicyDocumentException for call rate (off: the harness paces calls, and a valid document must not be refused as malformed)',
    values: ['off', 'on'],
    default: 'off',
  },
];
