import { fail, type OperationStep, ok, stepByOperation } from '../../models/branches.js';
import { deniesEveryone, inspectPolicy, policyBytes } from '../../models/policy-document.js';
import type { Branch, Json, JsonObject, ModelContext, Pattern, Request, ServiceModel } from '../../models/types.js';
import { XRAY_RULES, XRAY_SWITCHES } from './rules.js';

/** A revision id: known outright (counter format, or present before the run), or a symbol the service invented. */
export type XrayRevision = { value: string } | { sym: string };

export interface XrayPolicy {
  name: string;
  doc: string;
  rev: XrayRevision;
}

/** X-Ray resource policies are account-wide (per Region): there is no resource to create or delete. */
export interface XrayState {
  seq: number;
  policies: Record<string, XrayPolicy>;
}

export interface XrayExistingPolicy {
  PolicyName: string;
  PolicyDocument: string;
  PolicyRevisionId: string;
}

export const MAX_POLICIES = 5;
export const CREATE_ONLY = '0';
const NAME = /^[\w+=,.@-]{1,128}$/;
const POLICY_ACTIONS = ['xray:PutResourcePolicy'];

/** A state starting from the policies already in the account (they count towards the limit of 5). */
export function xrayInitialState(existing: readonly XrayExistingPolicy[]): XrayState {
  const policies: Record<string, XrayPolicy> = {};
  for (const p of existing) policies[p.PolicyName] = { name: p.PolicyName, doc: p.PolicyDocument, rev: { value: p.PolicyRevisionId } };
  return { seq: 0, policies };
}

function str(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

function revPattern(rev: XrayRevision): Pattern {
  return 'value' in rev ? { eq: rev.value } : { sym: rev.sym };
}

/** The revision after `prev` (null: a new policy), written into `next`. */
function nextRevision(next: XrayState, prev: XrayRevision | null, ctx: ModelContext): { rev: XrayRevision; pattern: Pattern } {
  if (ctx.switches['xray.revisionFormat'] === 'counter') {
    if (prev === null) return { rev: { value: '1' }, pattern: { eq: '1' } };
    if ('value' in prev && /^\d+$/.test(prev.value)) {
      const value = String(Number(prev.value) + 1);
      return { rev: { value }, pattern: { eq: value } };
    }
  }
  next.seq += 1;
  const sym = `revision#${next.seq}`;
  return { rev: { sym }, pattern: prev && 'sym' in prev ? { sym, distinctFrom: [prev.sym] } : { sym } };
}

type RevisionCheck = 'match' | 'mismatch' | 'unknown';

/** Revision ids may repeat across policies, so an unbound one is never ruled out by other symbols' values. */
function compareRevision(rev: XrayRevision, sent: string, ctx: ModelContext): RevisionCheck {
  if ('value' in rev) return rev.value === sent ? 'match' : 'mismatch';
  const bound = ctx.symbols.valueOf(rev.sym);
  if (bound === undefined) return 'unknown';
  return bound === sent ? 'match' : 'mismatch';
}

function withAssume<S>(branch: Branch<S>, assume: Record<string, string> | undefined): Branch<S> {
  return assume ? { ...branch, assume } : branch;
}

/**
 * A conditional write's precondition on an existing policy: the failing branch, and whether (and under which
 * assumption about an unobserved revision id) the write may go on.
 */
function revisionGate(state: XrayState, policy: XrayPolicy, sent: string | undefined, ctx: ModelContext, rule: string): { stop: Branch<XrayState>[]; proceed: boolean; assume?: Record<string, string> } {
  if (sent === undefined) return { stop: [], proceed: true };
  const stop = [fail(rule, state, 'InvalidPolicyRevisionIdException')];
  const check = compareRevision(policy.rev, sent, ctx);
  if (check === 'match') return { stop: [], proceed: true };
  if (check === 'mismatch') return { stop, proceed: false };
  return { stop, proceed: true, assume: { [(policy.rev as { sym: string }).sym]: sent } };
}

function putResourcePolicy(state: XrayState, input: JsonObject, ctx: ModelContext): Branch<XrayState>[] {
  const name = str(input, 'PolicyName') ?? '';
  const doc = str(input, 'PolicyDocument') ?? '';
  const sent = str(input, 'PolicyRevisionId');
  if (!NAME.test(name) || doc.length === 0) return [fail('xray.put.invalid-request', state, ctx.switches['xray.putValidationError']!)];
  if (policyBytes(doc) > Number(ctx.switches['xray.policySizeLimit'])) return [fail('xray.policy.too-large', state, 'PolicySizeLimitExceededException')];
  const shape = inspectPolicy(doc);
  if (!shape.valid) return [fail('xray.policy.malformed', state, 'MalformedPolicyDocumentException')];

  const current = state.policies[name] ?? null;
  let stop: Branch<XrayState>[] = [];
  let assume: Record<string, string> | undefined;
  if (current && sent === CREATE_ONLY) return [fail('xray.put.revision-zero-exists', state, 'InvalidPolicyRevisionIdException')];
  if (current && sent !== undefined) {
    const gate = revisionGate(state, current, sent, ctx, 'xray.put.revision-mismatch');
    if (!gate.proceed) return gate.stop;
    ({ stop, assume } = gate);
  }
  if (!current && sent !== undefined && sent !== CREATE_ONLY && ctx.switches['xray.putRevisionWithoutPolicy'] !== 'create') {
    return [fail('xray.put.revision-without-policy', state, 'InvalidPolicyRevisionIdException')];
  }
  const go = (b: Branch<XrayState>): Branch<XrayState>[] => [withAssume(b, assume), ...stop];

  if (!current && Object.keys(state.policies).length >= MAX_POLICIES) return go(fail('xray.put.count-limit', state, 'PolicyCountLimitExceededException'));
  if (input.BypassPolicyLockoutCheck !== true && deniesEveryone(shape, POLICY_ACTIONS)) {
    return go(fail('xray.policy.lockout', state, 'LockoutPreventionException'));
  }
  const output = (rev: Pattern): Record<string, Pattern> => ({
    PolicyName: { eq: name },
    PolicyDocument: { eq: doc },
    PolicyRevisionId: rev,
    LastUpdatedTime: { present: true },
  });
  const identical = current !== null && current.doc === doc;
  if (identical && ctx.switches['xray.identicalPolicy'] === 'unchanged') return go(ok('xray.put.identical', state, output(revPattern(current.rev))));
  // Copy-on-write: the policy map is copied, the policies in it are shared with `state`, which stays as it was.
  const next = { ...state, policies: { ...state.policies } };
  const { rev, pattern } = nextRevision(next, current?.rev ?? null, ctx);
  next.policies[name] = { name, doc, rev };
  const rule = identical ? 'xray.put.identical' : current ? 'xray.put.update' : 'xray.put.create';
  return go(ok(rule, next, output(pattern)));
}

function listResourcePolicies(state: XrayState, input: JsonObject, ctx: ModelContext): Branch<XrayState>[] {
  if (input.NextToken !== undefined && input.NextToken !== null && ctx.switches['xray.listNextToken'] !== 'ignored') {
    return [fail('xray.list.next-token', state, ctx.switches['xray.listNextToken']!)];
  }
  const entries = Object.values(state.policies).map((p) => ({
    PolicyName: { eq: p.name },
    PolicyDocument: { eq: p.doc },
    PolicyRevisionId: revPattern(p.rev),
  }));
  return [ok('xray.list.all', state, { ResourcePolicies: { setOf: entries }, NextToken: { absent: true } })];
}

function deleteResourcePolicy(state: XrayState, input: JsonObject, ctx: ModelContext): Branch<XrayState>[] {
  const name = str(input, 'PolicyName') ?? '';
  const sent = str(input, 'PolicyRevisionId');
  if (!NAME.test(name)) return [fail('xray.delete.invalid-request', state, 'InvalidRequestException')];
  const current = state.policies[name];
  if (!current) {
    const mode = ctx.switches['xray.deleteMissing']!;
    if (mode === 'ok' || (mode === 'idempotent' && sent === undefined)) return [ok('xray.delete.missing', state)];
    const code = mode === 'idempotent' ? 'InvalidPolicyRevisionIdException' : mode;
    // X-Ray's ResourceNotFoundException carries @httpError(404); its other errors here are 400.
    return [fail('xray.delete.missing', state, code, code === 'ResourceNotFoundException' ? 404 : 400)];
  }
  const gate = revisionGate(state, current, sent, ctx, 'xray.delete.revision-mismatch');
  if (!gate.proceed) return gate.stop;
  const next = { ...state, policies: { ...state.policies } };
  delete next.policies[name];
  return [withAssume(ok('xray.delete.removes', next), gate.assume), ...gate.stop];
}

/**
 * The states a write leaves when carried out with its checks ignored: a policy written over the count limit, with a
 * mismatching revision id, with a lockout (or malformed, oversized) document, under a name outside the pattern; a
 * policy removed although the revision id does not match. Empty when it names nothing the state has.
 */
function effects(state: XrayState, request: Request, ctx: ModelContext): XrayState[] {
  const name = str(request.input, 'PolicyName');
  if (!name) return [];
  switch (request.operation) {
    case 'PutResourcePolicy': {
      const doc = str(request.input, 'PolicyDocument');
      if (doc === undefined) return [];
      const current = state.policies[name] ?? null;
      if (current?.doc === doc && ctx.switches['xray.identicalPolicy'] === 'unchanged') return [state];
      const next = { ...state, policies: { ...state.policies } };
      next.policies[name] = { name, doc, rev: nextRevision(next, current?.rev ?? null, ctx).rev };
      return [next];
    }
    case 'DeleteResourcePolicy': {
      if (!state.policies[name]) return [];
      const next = { ...state, policies: { ...state.policies } };
      delete next.policies[name];
      return [next];
    }
    default:
      return [];
  }
}

function policyView(p: XrayPolicy, ctx: ModelContext): Json {
  return { name: p.name, document: p.doc, revision: 'value' in p.rev ? p.rev.value : (ctx.symbols.valueOf(p.rev.sym) ?? null) };
}

/** The policy a Put or Delete names (with how many the account holds: the limit counts them all), or every policy for List. */
function focus(state: XrayState, request: Request, ctx: ModelContext): Json {
  const all = Object.values(state.policies);
  if (request.operation === 'ListResourcePolicies') return { policies: all.map((p) => policyView(p, ctx)) };
  const name = str(request.input, 'PolicyName');
  const policy = name === undefined ? undefined : state.policies[name];
  return { policyName: name ?? null, policy: policy ? policyView(policy, ctx) : null, policyCount: all.length };
}

/** Every X-Ray call may also be throttled, changing nothing (xray.throttled). */
function orThrottled(step: OperationStep<XrayState>): OperationStep<XrayState> {
  return (state, input, ctx) => [...step(state, input, ctx), fail('xray.throttled', state, 'ThrottledException', 429)];
}

/** X-Ray's resource policies per account (§ the count limit). */
const XRAY_POLICY_SLOTS = 5;
/** Rules only a policy the run created itself can reach (it never touches anyone else's). */
const NEEDS_OWN_POLICY = ['xray.put.create', 'xray.put.update', 'xray.put.identical', 'xray.put.revision-mismatch', 'xray.put.revision-zero-exists', 'xray.delete.removes', 'xray.delete.revision-mismatch'];

/** The X-Ray model, starting from the given policies already in the account. */
export function xrayModelFrom(existing: readonly XrayExistingPolicy[]): ServiceModel<XrayState> {
  return {
    service: 'xray',
    rules: XRAY_RULES,
    switches: XRAY_SWITCHES,
    initial: () => xrayInitialState(existing),
    sharedAtStart: (initial) => {
      const names = Object.keys(initial.policies);
      // With every slot taken no policy of the run's own can exist: whatever needs one is out of reach.
      if (names.length < XRAY_POLICY_SLOTS) return undefined;
      return { what: `all ${XRAY_POLICY_SLOTS} of the account's X-Ray resource policy slots were taken at the start (${names.join(', ')})`, blocks: NEEDS_OWN_POLICY };
    },
    effects,
    focus,
    step: stepByOperation('xray', {
      PutResourcePolicy: orThrottled(putResourcePolicy),
      ListResourcePolicies: orThrottled(listResourcePolicies),
      DeleteResourcePolicy: orThrottled(deleteResourcePolicy),
    }),
  };
}

export const xrayModel: ServiceModel<XrayState> = xrayModelFrom([]);
