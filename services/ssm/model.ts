import { fail, ok, stepByOperation } from '../../models/branches.js';
import { inspectPolicy, policyBytes } from '../../models/policy-document.js';
import type { Branch, Json, JsonObject, ModelContext, Pattern, Request, ServiceModel } from '../../models/types.js';
import { SSM_RULES, SSM_SWITCHES } from './rules.js';

export interface SsmPolicy {
  /** Symbols of the PolicyId and the current PolicyHash the service invented. */
  id: string;
  hash: string;
  doc: string;
}

export type SsmTier = 'Standard' | 'Advanced';

export interface SsmParameter {
  name: string;
  tier: SsmTier;
  version: number;
  policies: SsmPolicy[];
  /**
   * Created again after a parameter of the same name was deleted while it held policies: only then does an empty
   * listing show that the old policies were dropped (a parameter deleted without any proves nothing).
   */
  recreated: boolean;
}

/** Where a raw GetResourcePolicies listing stands: the policies its earlier pages returned. */
export interface SsmCursor {
  /** Symbol bound to the NextToken the page returned. */
  token: string;
  resource: string;
  returned: string[];
}

export interface SsmState {
  seq: number;
  /** The account/region's OpsItemGroup always exists; it holds at most one policy. */
  opsItemGroup: SsmPolicy[];
  parameters: Record<string, SsmParameter>;
  /** Names of parameters that were deleted while they held policies. */
  deletedNames: string[];
  /** Listings whose resource has not changed since; any policy change of the resource drops them. */
  cursors: SsmCursor[];
  /** Values of symbols fixed before the run: the ids and hashes of policies the OpsItemGroup already held. */
  known?: Record<string, string>;
}

/** A policy the account's OpsItemGroup held before the run, as GetResourcePolicies lists it. */
export interface SsmExistingPolicy {
  PolicyId: string;
  PolicyHash: string;
  Policy: string;
}

const MIN_ARN = 20;
const MAX_ARN = 2048;
const MAX_RESULTS = 50;
/** More candidate policies than this and a raw page is not enumerated (2^n branches) but left unconstrained. */
export const MAX_ENUMERATED_PAGE = 10;
const CURSORS_PER_RESOURCE = 8;
const OPS_KEY = 'opsitemgroup';

export function opsItemGroupArn(ctx: Pick<ModelContext, 'region' | 'account'>): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.account}:opsitemgroup/default`;
}

export function parameterArn(ctx: Pick<ModelContext, 'region' | 'account'>, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/${name.replace(/^\//, '')}`;
}

type Resolved = { kind: 'resource'; key: string; parameter: SsmParameter | null; policies: SsmPolicy[] } | { kind: 'error'; rule: string; code: string };

/**
 * The state of an account whose OpsItemGroup already holds `existing` (the OpsItemGroup is account-wide, so a
 * real account may start with a policy the suite did not create). Their ids and hashes are known values.
 */
export function ssmInitialState(existing: readonly SsmExistingPolicy[]): SsmState {
  const known: Record<string, string> = {};
  const opsItemGroup = existing.map((p, i): SsmPolicy => {
    const policy = { id: `existingPolicyId#${i + 1}`, hash: `existingPolicyHash#${i + 1}`, doc: p.Policy };
    known[policy.id] = p.PolicyId;
    known[policy.hash] = p.PolicyHash;
    return policy;
  });
  return { seq: 0, opsItemGroup, parameters: {}, deletedNames: [], cursors: [], ...(existing.length ? { known } : {}) };
}

/** The value of a policy's id or hash symbol: fixed before the run, or bound by an observation. */
function valueOf(state: SsmState, symbol: string, ctx: ModelContext): string | undefined {
  return state.known?.[symbol] ?? ctx.symbols.valueOf(symbol);
}

/** How a policy's id or hash must look in an output. */
function symPattern(state: SsmState, symbol: string): Pattern {
  const value = state.known?.[symbol];
  return value !== undefined ? { eq: value } : { sym: symbol };
}

function str(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

function fresh(state: SsmState, kind: string): string {
  state.seq += 1;
  return `${kind}#${state.seq}`;
}

function invalid(ctx: ModelContext): Extract<Resolved, { kind: 'error' }> {
  return { kind: 'error', rule: 'ssm.input.invalid', code: ctx.switches['ssm.validationError']! };
}

function resolve(state: SsmState, arn: string, ctx: ModelContext): Resolved {
  if (arn.length < MIN_ARN || arn.length > MAX_ARN) return invalid(ctx);
  if (arn === opsItemGroupArn(ctx)) return { kind: 'resource', key: OPS_KEY, parameter: null, policies: state.opsItemGroup };
  const prefix = parameterArn(ctx, '');
  if (!arn.startsWith(prefix)) return { kind: 'error', rule: 'ssm.arn.unsupported', code: ctx.switches['ssm.invalidArnError']! };
  const wanted = arn.slice(prefix.length);
  const parameter = Object.values(state.parameters).find((p) => p.name.replace(/^\//, '') === wanted);
  if (!parameter) return { kind: 'error', rule: 'ssm.parameter.not-found', code: 'ResourceNotFoundException' };
  return { kind: 'resource', key: `parameter:${parameter.name}`, parameter, policies: parameter.policies };
}

function policiesIn(state: SsmState, key: string): SsmPolicy[] {
  return key === OPS_KEY ? state.opsItemGroup : state.parameters[key.slice('parameter:'.length)]!.policies;
}

/**
 * Replace the policies of a resource in `state`, dropping the listings that no longer describe it. `state` is a
 * top-level copy the caller owns; copy-on-write: its members are replaced (the parameter map, the parameter), never
 * changed, so the state it was copied from stays as it was (the checker keeps both), and keys keep their order.
 */
function setPolicies(state: SsmState, key: string, policies: SsmPolicy[]): void {
  if (key === OPS_KEY) state.opsItemGroup = policies;
  else {
    const name = key.slice('parameter:'.length);
    state.parameters = { ...state.parameters, [name]: { ...state.parameters[name]!, policies } };
  }
  state.cursors = state.cursors.filter((c) => c.resource !== key);
}

function withAssume<S>(branch: Branch<S>, assume: Record<string, string> | undefined): Branch<S> {
  return assume ? { ...branch, assume } : branch;
}

/**
 * The policies a sent PolicyId may name: the one whose bound id it is, or else any whose id was never observed
 * (taken for granted through `assume`), in which case "not found" stays possible too.
 */
function locate(
  state: SsmState,
  policies: SsmPolicy[],
  id: string,
  ctx: ModelContext,
): { found: Array<{ policy: SsmPolicy; assume?: Record<string, string> }>; maybeMissing: boolean } {
  const exact = policies.find((p) => valueOf(state, p.id, ctx) === id);
  if (exact) return { found: [{ policy: exact }], maybeMissing: false };
  const unbound = policies.filter((p) => valueOf(state, p.id, ctx) === undefined);
  return { found: unbound.map((policy) => ({ policy, assume: { [policy.id]: id } })), maybeMissing: true };
}

/**
 * Branches of a write that names a policy by PolicyId + PolicyHash: not found, hash conflict, or `proceed`
 * (with the symbol values it takes for granted).
 */
function policyGate(
  state: SsmState,
  policies: SsmPolicy[],
  id: string,
  hash: string,
  ctx: ModelContext,
  proceed: (policy: SsmPolicy, assume: Record<string, string> | undefined) => Branch<SsmState>,
): Branch<SsmState>[] {
  const { found, maybeMissing } = locate(state, policies, id, ctx);
  const branches: Branch<SsmState>[] = maybeMissing ? [fail('ssm.policy-id.not-found', state, 'ResourcePolicyNotFoundException')] : [];
  for (const { policy, assume } of found) {
    const bound = valueOf(state, policy.hash, ctx);
    if (bound !== undefined) {
      branches.push(bound === hash ? proceed(policy, assume) : withAssume(fail('ssm.policy-hash.conflict', state, 'ResourcePolicyConflictException'), assume));
    } else {
      branches.push(withAssume(fail('ssm.policy-hash.conflict', state, 'ResourcePolicyConflictException'), assume));
      branches.push(proceed(policy, { ...assume, [policy.hash]: hash }));
    }
  }
  return branches;
}

function rateLimited(state: SsmState, ctx: ModelContext): Branch<SsmState>[] {
  return ctx.switches['ssm.rateLimitErrors'] === 'on' ? [fail('ssm.rate-limited', state, 'MalformedResourcePolicyDocumentException')] : [];
}

function putResourcePolicy(state: SsmState, input: JsonObject, ctx: ModelContext): Branch<SsmState>[] {
  const doc = str(input, 'Policy') ?? '';
  const arn = str(input, 'ResourceArn') ?? '';
  const r: Resolved = !/\S/.test(doc) ? invalid(ctx) : resolve(state, arn, ctx);
  if (r.kind === 'error') return [fail(r.rule, state, r.code)];
  if (r.parameter && r.parameter.tier !== 'Advanced') return [fail('ssm.parameter.standard-tier', state, ctx.switches['ssm.standardTierError']!)];
  if (policyBytes(doc) > Number(ctx.switches['ssm.policySizeLimit'])) return [fail('ssm.policy.too-large', state, 'ResourcePolicyLimitExceededException')];
  if (!inspectPolicy(doc).valid) return [fail('ssm.policy.malformed', state, 'MalformedResourcePolicyDocumentException')];
  const id = str(input, 'PolicyId');
  const hash = str(input, 'PolicyHash');
  if ((id === undefined) !== (hash === undefined)) {
    return [fail('ssm.put.partial-id-hash', state, ctx.switches['ssm.partialUpdateError']!)];
  }

  if (id === undefined || hash === undefined) {
    if (r.key === OPS_KEY && r.policies.length >= 1) return [fail('ssm.put.opsitemgroup-limit', state, 'ResourcePolicyLimitExceededException')];
    const limit = ctx.switches['ssm.parameterPolicyLimit'];
    if (r.parameter && limit !== 'none' && r.policies.length >= Number(limit)) {
      return [fail('ssm.put.parameter-limit', state, 'ResourcePolicyLimitExceededException')];
    }
    const next = { ...state };
    const policy = { id: fresh(next, 'policyId'), hash: fresh(next, 'policyHash'), doc };
    setPolicies(next, r.key, [...r.policies, policy]);
    const output: Record<string, Pattern> = {
      PolicyId: { sym: policy.id, distinctFrom: r.policies.map((p) => p.id) },
      PolicyHash: { sym: policy.hash },
    };
    return [ok('ssm.put.create', next, output)];
  }

  const update = (policy: SsmPolicy, assume: Record<string, string> | undefined): Branch<SsmState> => {
    const identical = policy.doc === doc;
    const mode = ctx.switches['ssm.identicalUpdateHash'];
    if (identical && mode === 'same') {
      return withAssume(ok('ssm.put.update-identical', state, { PolicyId: symPattern(state, policy.id), PolicyHash: symPattern(state, policy.hash) }), assume);
    }
    const next = { ...state };
    const newHash = fresh(next, 'policyHash');
    setPolicies(
      next,
      r.key,
      r.policies.map((p) => (p.id === policy.id ? { ...p, doc, hash: newHash } : p)),
    );
    const hashPattern: Pattern = identical && mode === 'any' ? { sym: newHash } : { sym: newHash, distinctFrom: [policy.hash] };
    const rule = identical ? 'ssm.put.update-identical' : 'ssm.put.update';
    return withAssume(ok(rule, next, { PolicyId: symPattern(state, policy.id), PolicyHash: hashPattern }), assume);
  };
  return policyGate(state, r.policies, id, hash, ctx, update);
}

function entry(state: SsmState, p: SsmPolicy): Record<string, Pattern> {
  return { PolicyId: symPattern(state, p.id), PolicyHash: symPattern(state, p.hash), Policy: { eq: p.doc } };
}

function subsets<T>(items: T[], max: number): T[][] {
  const out: T[][] = [];
  for (let mask = 0; mask < 1 << items.length; mask++) {
    const subset = items.filter((_, i) => mask & (1 << i));
    if (subset.length <= max) out.push(subset);
  }
  return out;
}

/**
 * Every page a listing may return next: any subset of what remains, up to `max`, each with a NextToken that
 * records what has been returned; without a NextToken only when nothing remains. The first branch is the most
 * likely page (the next `max` policies in creation order, NextToken iff more remain).
 */
function pageBranches(state: SsmState, key: string, remaining: SsmPolicy[], returned: string[], max: number): Branch<SsmState>[] {
  if (remaining.length > MAX_ENUMERATED_PAGE) return [ok('ssm.get.page', state, {})];
  const last = (page: SsmPolicy[]): Branch<SsmState> => ok('ssm.get.page', state, { Policies: { setOf: page.map((p) => entry(state, p)) }, NextToken: { absent: true } });
  const more = (page: SsmPolicy[]): Branch<SsmState> => {
    const next = { ...state };
    const token = fresh(next, 'nextToken');
    const others = next.cursors.filter((c) => c.resource === key);
    const keep = others.slice(Math.max(0, others.length - (CURSORS_PER_RESOURCE - 1)));
    next.cursors = [...next.cursors.filter((c) => c.resource !== key || keep.includes(c)), { token, resource: key, returned: [...returned, ...page.map((p) => p.id)] }];
    return ok('ssm.get.page', next, { Policies: { setOf: page.map((p) => entry(state, p)) }, NextToken: { sym: token } });
  };
  const likely = remaining.slice(0, max);
  const branches: Branch<SsmState>[] = [likely.length === remaining.length ? last(likely) : more(likely)];
  for (const page of subsets(remaining, max)) {
    const isLikely = page.length === likely.length && page.every((p, i) => p === likely[i]);
    if (page.length === remaining.length && !isLikely) branches.push(last(page));
    if (!(isLikely && page.length < remaining.length)) branches.push(more(page));
  }
  return branches;
}

function getResourcePolicies(state: SsmState, input: JsonObject, ctx: ModelContext): Branch<SsmState>[] {
  const maxResults = input.MaxResults;
  const token = str(input, 'NextToken');
  const badMax = maxResults !== undefined && maxResults !== null && (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS);
  const r: Resolved = badMax ? invalid(ctx) : resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [fail(r.rule, state, r.code)];
  if ((maxResults === undefined || maxResults === null) && token === undefined) {
    const rule = r.parameter?.recreated && r.policies.length === 0 ? 'ssm.deleteparameter.drops-policies' : 'ssm.get.list';
    const listing = ok(rule, state, { Policies: { setOf: r.policies.map((p) => entry(state, p)) }, NextToken: { absent: true } });
    // The drops-policies rule is about the policies a success lists; an error instead departs from the listing rule.
    return [rule === 'ssm.get.list' ? listing : { ...listing, errorRule: 'ssm.get.list' }];
  }
  const max = typeof maxResults === 'number' ? maxResults : Infinity;
  if (token === undefined) return pageBranches(state, r.key, r.policies, [], max);
  const cursors = state.cursors.filter((c) => c.resource === r.key && ctx.symbols.valueOf(c.token) === token);
  if (cursors.length === 0) {
    return [
      ok('ssm.get.page-unknown-token', state, {}),
      fail('ssm.get.bad-token', state, 'InvalidNextToken'),
      fail('ssm.get.bad-token', state, ctx.switches['ssm.validationError']!),
    ];
  }
  return cursors.flatMap((c) =>
    pageBranches(
      state,
      r.key,
      r.policies.filter((p) => !c.returned.includes(p.id)),
      c.returned,
      max,
    ),
  );
}

function deleteResourcePolicy(state: SsmState, input: JsonObject, ctx: ModelContext): Branch<SsmState>[] {
  const id = str(input, 'PolicyId');
  const hash = str(input, 'PolicyHash');
  const r: Resolved = id === undefined || hash === undefined ? invalid(ctx) : resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [fail(r.rule, state, r.code)];
  const remove = (policy: SsmPolicy, assume: Record<string, string> | undefined): Branch<SsmState> => {
    const next = { ...state };
    setPolicies(
      next,
      r.key,
      policiesIn(next, r.key).filter((p) => p.id !== policy.id),
    );
    return withAssume(ok('ssm.delete.removes', next), assume);
  };
  return policyGate(state, r.policies, id!, hash!, ctx, remove);
}

function putParameter(state: SsmState, input: JsonObject): Branch<SsmState>[] {
  const name = str(input, 'Name') ?? '';
  const requested = str(input, 'Tier');
  const existing = state.parameters[name];
  if (!existing) {
    const tier: SsmTier = requested === 'Advanced' ? 'Advanced' : 'Standard';
    const created: SsmParameter = { name, tier, version: 1, policies: [], recreated: state.deletedNames.includes(name) };
    // Copy-on-write (see setPolicies): the parameter map is copied, the parameters in it are shared.
    return [ok('ssm.putparameter.create', { ...state, parameters: { ...state.parameters, [name]: created } }, { Version: { eq: 1 }, Tier: { eq: tier } })];
  }
  if (input.Overwrite !== true) return [fail('ssm.putparameter.exists', state, 'ParameterAlreadyExists')];
  if (existing.tier === 'Advanced' && requested === 'Standard') return [fail('ssm.putparameter.downgrade', state, 'ValidationException')];
  const parameter = { ...existing };
  parameter.version += 1;
  if (requested === 'Advanced') parameter.tier = 'Advanced';
  const next = { ...state, parameters: { ...state.parameters, [name]: parameter } };
  return [ok('ssm.putparameter.overwrite', next, { Version: { eq: parameter.version }, Tier: { eq: parameter.tier } })];
}

/** Remove parameter `name` from `next` (a top-level copy the caller owns, as for setPolicies) with its policies and the listings of them. */
function dropParameter(next: SsmState, name: string): void {
  const had = next.parameters[name]!.policies.length > 0;
  const parameters = { ...next.parameters };
  delete parameters[name];
  next.parameters = parameters;
  next.cursors = next.cursors.filter((c) => c.resource !== `parameter:${name}`);
  if (had && !next.deletedNames.includes(name)) next.deletedNames = [...next.deletedNames, name];
}

function deleteParameter(state: SsmState, input: JsonObject): Branch<SsmState>[] {
  const name = str(input, 'Name') ?? '';
  if (!state.parameters[name]) return [fail('ssm.deleteparameter.not-found', state, 'ParameterNotFound')];
  const next = { ...state };
  dropParameter(next, name);
  return [ok('ssm.deleteparameter.delete', next)];
}

/** The state after an update of `policy` on resource `key` with `doc` (same hash only for an identical document under switch "same"). */
function updated(state: SsmState, key: string, policy: SsmPolicy, doc: string, ctx: ModelContext): SsmState {
  if (policy.doc === doc && ctx.switches['ssm.identicalUpdateHash'] === 'same') return state;
  const next = { ...state };
  const hash = fresh(next, 'policyHash');
  setPolicies(
    next,
    key,
    policiesIn(next, key).map((p) => (p.id === policy.id ? { ...p, doc, hash } : p)),
  );
  return next;
}

/**
 * The states a write leaves when carried out with its checks ignored: a policy created over the OpsItemGroup limit,
 * on a Standard-tier parameter, with a malformed or oversized document; a policy updated or removed although its
 * PolicyHash is stale (located by PolicyId alone); a partial update read as a create or as an update; a parameter
 * overwritten without Overwrite or downgraded. Empty when the request names nothing the state has.
 */
function effects(state: SsmState, request: Request, ctx: ModelContext): SsmState[] {
  const input = request.input;
  switch (request.operation) {
    case 'PutResourcePolicy':
    case 'DeleteResourcePolicy': {
      const arn = str(input, 'ResourceArn');
      const doc = request.operation === 'PutResourcePolicy' ? str(input, 'Policy') : null;
      if (arn === undefined || doc === undefined) return [];
      const r = resolve(state, arn, ctx);
      if (r.kind === 'error') return [];
      const id = str(input, 'PolicyId');
      const out: SsmState[] = [];
      if (doc !== null && (id === undefined || str(input, 'PolicyHash') === undefined)) {
        const next = { ...state };
        setPolicies(next, r.key, [...r.policies, { id: fresh(next, 'policyId'), hash: fresh(next, 'policyHash'), doc }]);
        out.push(next);
      }
      if (id !== undefined) {
        for (const { policy } of locate(state, r.policies, id, ctx).found) {
          if (doc !== null) {
            out.push(updated(state, r.key, policy, doc, ctx));
          } else {
            const next = { ...state };
            setPolicies(
              next,
              r.key,
              policiesIn(next, r.key).filter((p) => p.id !== policy.id),
            );
            out.push(next);
          }
        }
      }
      return out;
    }
    case 'PutParameter': {
      const name = str(input, 'Name');
      if (name === undefined) return [];
      const existing = state.parameters[name];
      if (!existing) return putParameter(state, input).map((b) => b.next);
      const parameter = { ...existing };
      parameter.version += 1;
      const tier = str(input, 'Tier');
      if (tier === 'Standard' || tier === 'Advanced') parameter.tier = tier;
      return [{ ...state, parameters: { ...state.parameters, [name]: parameter } }];
    }
    case 'DeleteParameter': {
      const name = str(input, 'Name');
      if (name === undefined || !state.parameters[name]) return [];
      const next = { ...state };
      dropParameter(next, name);
      return [next];
    }
    default:
      return [];
  }
}

function policyView(state: SsmState, p: SsmPolicy, ctx: ModelContext): Json {
  return { policyId: valueOf(state, p.id, ctx) ?? null, policyHash: valueOf(state, p.hash, ctx) ?? null, policy: p.doc };
}

function parameterView(state: SsmState, name: string, ctx: ModelContext): Json {
  const p = state.parameters[name];
  if (!p) return { parameter: name, exists: false };
  return {
    parameter: name,
    exists: true,
    tier: p.tier,
    version: p.version,
    policies: p.policies.map((x) => policyView(state, x, ctx)),
    ...(p.recreated ? { recreated: true } : {}),
  };
}

/** The parameter or OpsItemGroup a request is about, as the model believes it is (ids and hashes with their values). */
function focus(state: SsmState, request: Request, ctx: ModelContext): Json {
  const input = request.input;
  switch (request.operation) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicies':
    case 'DeleteResourcePolicy': {
      const arn = str(input, 'ResourceArn');
      if (arn === opsItemGroupArn(ctx)) return { opsItemGroup: state.opsItemGroup.map((p) => policyView(state, p, ctx)) };
      const prefix = parameterArn(ctx, '');
      if (arn === undefined || !arn.startsWith(prefix)) return { resourceArn: arn ?? null, names: 'no OpsItemGroup or parameter of this account and region' };
      const wanted = arn.slice(prefix.length);
      const parameter = Object.values(state.parameters).find((p) => p.name.replace(/^\//, '') === wanted);
      return parameter ? parameterView(state, parameter.name, ctx) : { parameter: wanted, exists: false };
    }
    case 'PutParameter':
    case 'DeleteParameter':
      return parameterView(state, str(input, 'Name') ?? '', ctx);
    default:
      return null;
  }
}

export const ssmModel: ServiceModel<SsmState> = {
  service: 'ssm',
  rules: SSM_RULES,
  switches: SSM_SWITCHES,
  initial: () => ({ seq: 0, opsItemGroup: [], parameters: {}, deletedNames: [], cursors: [] }),
  effects,
  focus,
  step: stepByOperation('ssm', {
    PutResourcePolicy: (state, input, ctx) => [...putResourcePolicy(state, input, ctx), ...rateLimited(state, ctx)],
    GetResourcePolicies: getResourcePolicies,
    DeleteResourcePolicy: (state, input, ctx) => [...deleteResourcePolicy(state, input, ctx), ...rateLimited(state, ctx)],
    PutParameter: putParameter,
    DeleteParameter: deleteParameter,
  }),
};
