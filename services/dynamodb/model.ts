import { fail, ok, stepByOperation } from '../../models/branches.js';
import { jsonEqual, parseJsonOrUndefined } from '../../models/match.js';
import { deniesCaller, deniesEveryone, duplicateSid, equivalentPolicies, inspectPolicy, isPublic, policyBytes, type PolicyShape } from '../../models/policy-document.js';
import type { Branch, Json, JsonObject, ModelContext, Pattern, Request, ServiceModel, StringFormat } from '../../models/types.js';
import { DYNAMODB_RULES, DYNAMODB_SWITCHES, REVISION_FORMAT } from './rules.js';

export interface DdbPolicy {
  doc: string;
  /** Symbol of the revision id the service invented. */
  rev: string;
  /** Attached by CreateTable: the first answer that shows whether it is there is evidence about CreateTable. */
  fromCreate?: boolean;
}

/**
 * A resource whose policy changed in this sequence: its change window (spec §7.3: 15 s on AWS, longer than a
 * sequence takes) may still be open, so a changing write may be refused.
 */
interface Windowed {
  changed?: true;
  /**
   * The change was a PutResourcePolicy or DeleteResourcePolicy: what §7.3 observed opening the window. (Whether a
   * CreateTable's ResourcePolicy opens one too is not recorded: a refusal after it is allowed, never required.)
   */
  policyWritten?: true;
}

/** What a (possibly lagging) read may show for one resource. */
export type DdbView = { policy: DdbPolicy | null } | { tableMissing: true };

export interface DdbTable extends Windowed {
  name: string;
  policy: DdbPolicy | null;
  /** Symbol bound to the LatestStreamArn, when the table has a stream. */
  stream: string | null;
  recreated: boolean;
}

export interface DdbStream extends Windowed {
  sym: string;
  table: string;
  policy: DdbPolicy | null;
  tableDeleted: boolean;
}

export interface DdbState {
  seq: number;
  tables: Record<string, DdbTable>;
  deletedNames: string[];
  streams: DdbStream[];
  /**
   * Earlier views a lagging Get may still return, per resource key (kept in both modes: in eventual mode they are
   * allowed answers within the lag bound; otherwise they name a stale read as such).
   */
  pending: Record<string, DdbView[]>;
}

/** Not sent to the target: a pause of the lag bound (the harness then judges reads made after it as `late`). */
export const SETTLE = '$Settle';
export const NO_POLICY = 'NO_POLICY';
export const INDEX_NAME = 'gsi1';
const MAX_ARN = 1283;
/** What the earlier reading of the lockout check (ddb.lockoutCheck=validation) looked for. */
const POLICY_ACTIONS = ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'];
/** Actions of a stream resource policy (spec §1.6, [DDB-STREAM]). */
export const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
/** Actions on the policy itself: they apply to tables and streams alike. */
const POLICY_MANAGEMENT_ACTIONS = ['dynamodb:PutResourcePolicy', 'dynamodb:GetResourcePolicy', 'dynamodb:DeleteResourcePolicy'];

type ResourceKind = 'table' | 'stream';
type Found = { kind: 'table'; key: string; table: DdbTable } | { kind: 'stream'; key: string; stream: DdbStream };
type Resolved = Found | { kind: 'error'; branch: (s: DdbState) => Branch<DdbState> };

export function tableArn(ctx: Pick<ModelContext, 'region' | 'account'>, name: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${name}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** LatestStreamArn as documented: `<table ARN>/stream/<label>`, 37..1024 characters (spec §1.2, §1.8). */
export function streamArnFormat(ctx: Pick<ModelContext, 'region' | 'account'>, table: string): StringFormat {
  return { minLength: 37, maxLength: 1024, pattern: `${escapeRegExp(tableArn(ctx, table))}/stream/[^/]+` };
}

function revision(sym: string, distinctFrom?: string[]): Pattern {
  return { sym, ...(distinctFrom ? { distinctFrom } : {}), format: REVISION_FORMAT };
}

function resolve(state: DdbState, arn: string, ctx: ModelContext): Resolved {
  if (arn.length < 1 || arn.length > MAX_ARN) {
    return { kind: 'error', branch: (s) => fail('ddb.arn.length', s, 'ValidationException') };
  }
  const prefix = `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/`;
  const malformed = { kind: 'error' as const, branch: (s: DdbState) => fail('ddb.arn.malformed', s, ctx.switches['ddb.malformedArnError']!) };
  // A bare name, another partition, account, region or service (spec §7.6).
  if (!arn.startsWith(prefix)) return malformed;
  const parts = arn.slice(prefix.length).split('/');
  const name = parts[0]!;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) return malformed;
  // An index ARN is refused for what it is, before the table is looked up (spec §7.6: ValidationException).
  if (parts.length === 3 && parts[1] === 'index' && parts[2]) {
    return { kind: 'error', branch: (s) => fail('ddb.arn.index', s, ctx.switches['ddb.indexArnError']!) };
  }
  const table = state.tables[name];
  if (parts.length === 1) {
    return table
      ? { kind: 'table', key: `table:${name}`, table }
      : { kind: 'error', branch: (s) => fail('ddb.table.not-found', s, 'ResourceNotFoundException') };
  }
  if (parts.length === 3 && parts[1] === 'stream' && parts[2]) {
    const sym = ctx.symbols.symbolOf(arn);
    const stream = sym ? state.streams.find((x) => x.sym === sym) : undefined;
    return stream
      ? { kind: 'stream', key: `stream:${stream.sym}`, stream }
      : { kind: 'error', branch: (s) => fail('ddb.stream.not-found', s, 'ResourceNotFoundException') };
  }
  return malformed;
}

/**
 * Apply `change` to the resource a resolved ARN names, in a new state. Copy-on-write: only the path to that resource
 * (the state object, its table map or stream list, the resource) is copied; everything else is shared with `state`,
 * which is never changed (the checker keeps both). Keys keep their order, so the state's JSON is what a deep copy
 * changed in place would give.
 */
function withResource(state: DdbState, r: Found, change: (holder: DdbTable | DdbStream) => void): DdbState {
  if (r.kind === 'table') {
    const table = { ...state.tables[r.table.name]! };
    change(table);
    return { ...state, tables: { ...state.tables, [table.name]: table } };
  }
  const streams = state.streams.map((x) => (x.sym === r.stream.sym ? { ...x } : x));
  change(streams.find((x) => x.sym === r.stream.sym)!);
  return { ...state, streams };
}

function holderOf(r: Found): DdbTable | DdbStream {
  return r.kind === 'table' ? r.table : r.stream;
}

/** The streams with those of table `name` marked as outliving it (the same list when there are none). */
function tableGone(streams: DdbStream[], name: string): DdbStream[] {
  const live = (s: DdbStream) => s.table === name && !s.tableDeleted;
  return streams.some(live) ? streams.map((s) => (live(s) ? { ...s, tableDeleted: true } : s)) : streams;
}

/** `pending` without the views of `key` (the same object when it has none). */
function withoutPending(pending: DdbState['pending'], key: string): DdbState['pending'] {
  if (!(key in pending)) return pending;
  const rest = { ...pending };
  delete rest[key];
  return rest;
}

function currentPolicy(r: Found): DdbPolicy | null {
  return r.kind === 'table' ? r.table.policy : r.stream.policy;
}

/**
 * On a stream, answers that show "this resource holds its own policy, like a table does" — a first policy attached,
 * what a Get shows, a Delete with nothing to delete — are about the stream rules (after its table was deleted:
 * outlives-table), so a target without stream policies shows one divergence, not one per rule. Answers whose point is
 * their content (the RevisionId an identical or replacing Put, or a Delete, returns) keep their own rule.
 */
const STREAM_REVEALING = new Set(['ddb.put.create', 'ddb.get.policy', 'ddb.get.no-policy', 'ddb.delete.no-policy']);

function successRule(r: Found, rule: string): string {
  if (r.kind !== 'stream' || !STREAM_REVEALING.has(rule)) return rule;
  return r.stream.tableDeleted ? 'ddb.stream.outlives-table' : 'ddb.stream.supported';
}

/**
 * Answers that only show whether CreateTable really attached its policy (the document a Get shows or its
 * PolicyNotFoundException) are about that rule — until one has shown it (the policy's RevisionId is then bound).
 * Nothing else is relabelled: what a Put or Delete returns says nothing about it on its own.
 */
function aboutPolicy(policy: DdbPolicy | null, rule: string, ctx: ModelContext): string {
  return policy?.fromCreate && ctx.symbols.valueOf(policy.rev) === undefined ? 'ddb.createtable.with-policy' : rule;
}

type RevisionCheck = 'match' | 'mismatch' | 'unknown';

function compareRevision(policy: DdbPolicy, value: string, ctx: ModelContext): RevisionCheck {
  const bound = ctx.symbols.valueOf(policy.rev);
  if (bound !== undefined) return bound === value ? 'match' : 'mismatch';
  return ctx.symbols.symbolOf(value) !== undefined ? 'mismatch' : 'unknown';
}

/** A new symbol; `state` is a copy the caller owns (only its `seq` changes). */
function fresh(state: DdbState, kind: string): string {
  state.seq += 1;
  return `${kind}#${state.seq}`;
}

/** Add a view a lagging read may still show; `state` is a copy the caller owns, its `pending` is replaced, not changed. */
function pushView(state: DdbState, key: string, view: DdbView): void {
  const list = state.pending[key] ?? [];
  state.pending = { ...state.pending, [key]: list.some((v) => jsonEqual(v as unknown as Json, view as unknown as Json)) ? list : [...list, view] };
}

/** An action that does not apply to the kind of resource the policy is for (spec §7.7); wildcards apply to all. */
function foreignAction(shape: PolicyShape, kind: ResourceKind): boolean {
  if (!shape.valid) return false;
  const is = (list: readonly string[], action: string) => list.some((a) => a.toLowerCase() === action.toLowerCase());
  return shape.statements.some((s) =>
    s.actions.some((a) => {
      if (a.includes('*')) return false;
      return kind === 'table' ? is(STREAM_ACTIONS, a) : !is(STREAM_ACTIONS, a) && !is(POLICY_MANAGEMENT_ACTIONS, a);
    }),
  );
}

interface Problem {
  rule: string;
  code: string;
}

/** Rejections that depend on the document (and the kind of resource it is for), in the order AWS is assumed to check them. */
function documentProblem(doc: string, confirm: boolean, kind: ResourceKind, ctx: ModelContext): Problem | null {
  const invalid = (rule: string): Problem => ({ rule, code: 'ValidationException' });
  if (policyBytes(doc) > Number(ctx.switches['ddb.policySizeLimit'])) return invalid('ddb.policy.too-large');
  const shape = inspectPolicy(doc);
  if (!shape.valid) return invalid(shape.problem === 'not-json' ? 'ddb.policy.not-json' : 'ddb.policy.invalid-grammar');
  // Spec §7.7: every statement names its resources; Sids are unique. (A bare account-id Principal fails inspectPolicy.)
  if (shape.statements.some((s) => !s.hasResource) || duplicateSid(shape) !== undefined) return invalid('ddb.policy.invalid-grammar');
  if (foreignAction(shape, kind)) return invalid('ddb.policy.invalid-action');
  if (isPublic(shape)) return invalid('ddb.policy.public');
  if (!confirm) {
    if (ctx.switches['ddb.lockoutCheck'] === 'validation') {
      if (deniesEveryone(shape, POLICY_ACTIONS)) return invalid('ddb.policy.self-lockout');
    } else if (deniesCaller(shape, 'dynamodb:PutResourcePolicy', ctx.account)) {
      return { rule: 'ddb.policy.self-lockout', code: 'AccessDeniedException' };
    }
  }
  return null;
}

function sameDocument(a: string, b: string, ctx: ModelContext): boolean {
  switch (ctx.switches['ddb.identicalPolicy']) {
    case 'exact-bytes':
      return a === b;
    case 'same-json': {
      const pa = parseJsonOrUndefined(a);
      return pa !== undefined && jsonEqual(pa, parseJsonOrUndefined(b));
    }
    default:
      return equivalentPolicies(a, b);
  }
}

/** The Policy a Get may show for a stored document. */
function documentPattern(doc: string, ctx: ModelContext): Pattern {
  return ctx.switches['ddb.getPolicyForm'] === 'verbatim' ? { eq: doc } : { policy: doc };
}

function str(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * A request without a required member (spec §0.2: the SDK sends it as given; §1.5 step 1: DynamoDB's shape
 * validation answers ValidationException before anything else).
 */
function missingMember(input: JsonObject, members: readonly string[]): boolean {
  return members.some((m) => input[m] === undefined || input[m] === null);
}

/**
 * A conditional write's precondition. Returns the failing branches, or null to go on; an unobserved revision
 * id may or may not be the one sent, so both continuations are offered.
 */
function revisionGate(
  state: DdbState,
  policy: DdbPolicy | null,
  expected: string | undefined,
  ctx: ModelContext,
  rules: { mismatch: string; noPolicy: string; noPolicyExpected?: string },
): { stop: Branch<DdbState>[]; proceed: boolean; assume?: Record<string, string> } {
  if (expected === undefined) return { stop: [], proceed: true };
  if (expected === NO_POLICY && rules.noPolicyExpected) {
    // Not relabelled to CreateTable: whether that refusal shows a missing policy or an ignored NO_POLICY is for
    // the runner to find out (it reads the policy just before a departing write).
    return policy ? { stop: [fail(rules.noPolicyExpected, state, 'PolicyNotFoundException')], proceed: false } : { stop: [], proceed: true };
  }
  if (!policy) return { stop: [fail(rules.noPolicy, state, 'PolicyNotFoundException')], proceed: false };
  const check = compareRevision(policy, expected, ctx);
  if (check === 'match') return { stop: [], proceed: true };
  const stop = [fail(rules.mismatch, state, 'PolicyNotFoundException')];
  return check === 'mismatch' ? { stop, proceed: false } : { stop, proceed: true, assume: { [policy.rev]: expected } };
}

function putResourcePolicy(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  if (missingMember(input, ['ResourceArn', 'Policy'])) return [fail('ddb.input.missing', state, 'ValidationException')];
  const r = resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [r.branch(state)];
  const policy = currentPolicy(r);
  const gate = revisionGate(state, policy, str(input, 'ExpectedRevisionId'), ctx, {
    mismatch: 'ddb.put.revision-mismatch',
    noPolicy: 'ddb.put.revision-without-policy',
    noPolicyExpected: 'ddb.put.no-policy-expected',
  });
  // Which check AWS makes first, the window or the precondition, is not known (the AWS-like simulator: the window).
  if (!gate.proceed) return [...gate.stop, ...refusedFirst(state, r, ctx)];
  const doc = str(input, 'Policy') ?? '';
  const problem = documentProblem(doc, input.ConfirmRemoveSelfResourceAccess === true, r.kind, ctx);
  const assumed = (b: Branch<DdbState>): Branch<DdbState> => (gate.assume ? { ...b, assume: gate.assume } : b);
  if (problem) return [assumed(fail(problem.rule, state, problem.code)), ...gate.stop, ...refusedFirst(state, r, ctx)];
  if (policy && sameDocument(policy.doc, doc, ctx)) {
    return [assumed(ok(successRule(r, 'ddb.put.identical'), state, { RevisionId: revision(policy.rev) })), ...gate.stop, ...(gate.stop.length ? refusedFirst(state, r, ctx) : [])];
  }
  const next = { ...state };
  const rev = fresh(next, 'rev');
  const written = withResource(next, r, (h) => ((h.policy = { doc, rev }), (h.changed = true), (h.policyWritten = true)));
  pushView(written, r.key, { policy });
  const output: Record<string, Pattern> = { RevisionId: policy ? revision(rev, [policy.rev]) : revision(rev) };
  const branches = [needsClosedWindow(assumed(ok(successRule(r, policy ? 'ddb.put.replace' : 'ddb.put.create'), written, output)), r, ctx), ...gate.stop];
  return [...branches, ...windowRefusals(state, r, policy !== null, ctx)];
}

/**
 * A changing write's success on a resource whose policy a policy write changed in this sequence: possible only once its window
 * has closed, so it is no answer where the harness measured the window surely open (`Branch.windowClosed`, the
 * step's `windowOpen`: every write to the resource in this sequence sent less than a third of the window ago).
 * Switch ddb.changeWindow=window only.
 */
function needsClosedWindow(branch: Branch<DdbState>, r: Found, ctx: ModelContext): Branch<DdbState> {
  if (ctx.switches['ddb.changeWindow'] === 'eventual-cooldown') return branch;
  const holder = r.kind === 'table' ? r.table : r.stream;
  return holder.policyWritten ? { ...branch, windowClosed: true } : branch;
}

/**
 * A changing write (a different document, a Delete that removes one) the change window may refuse (spec §7.3,
 * switch ddb.changeWindow): `window`, on a resource whose policy changed in this sequence, ResourceInUseException
 * ("pending previous resource-based policy update") and then ThrottlingException ("… Please try again after …"),
 * in either mode; `eventual-cooldown` (the earlier reading), in eventual mode only, ResourceInUseException for a
 * write that replaces or removes a policy. Either refusal changes nothing; the harness waits and sends it again.
 */
function windowRefusals(state: DdbState, r: Found, hadPolicy: boolean, ctx: ModelContext): Branch<DdbState>[] {
  if (ctx.switches['ddb.changeWindow'] === 'eventual-cooldown') {
    return hadPolicy && ctx.consistency === 'eventual' ? [fail('ddb.put.cooldown', state, 'ResourceInUseException')] : [];
  }
  const holder = r.kind === 'table' ? r.table : r.stream;
  if (!holder.changed) return [];
  return [fail('ddb.put.window', state, 'ResourceInUseException'), fail('ddb.put.window', state, 'ThrottlingException')];
}

/**
 * The window's refusals where the write would fail anyway (a precondition, the document): whether AWS checks the
 * window first is not known, so a refusal there is allowed too (switch ddb.changeWindow=window only).
 */
function refusedFirst(state: DdbState, r: Found, ctx: ModelContext): Branch<DdbState>[] {
  return ctx.switches['ddb.changeWindow'] === 'eventual-cooldown' ? [] : windowRefusals(state, r, true, ctx);
}

function viewBranch(state: DdbState, view: DdbView, rule: string, noPolicyRule: string, ctx: ModelContext): Branch<DdbState> {
  if ('tableMissing' in view) return fail(rule, state, 'ResourceNotFoundException');
  if (!view.policy) return fail(noPolicyRule, state, 'PolicyNotFoundException');
  return ok(aboutPolicy(view.policy, rule, ctx), state, { Policy: documentPattern(view.policy.doc, ctx), RevisionId: revision(view.policy.rev) });
}

function getResourcePolicy(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  if (missingMember(input, ['ResourceArn'])) return [fail('ddb.input.missing', state, 'ValidationException')];
  const r = resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [r.branch(state)];
  const policy = currentPolicy(r);
  const noPolicyRule = r.kind === 'table' && r.table.recreated ? 'ddb.deletetable.drops-policy' : successRule(r, 'ddb.get.no-policy');
  const current = viewBranch(state, { policy }, successRule(r, 'ddb.get.policy'), noPolicyRule, ctx);
  const stale = (state.pending[r.key] ?? []).map((v): Branch<DdbState> => ({ ...viewBranch(state, v, 'ddb.get.stale-view', 'ddb.get.stale-view', ctx), stale: true }));
  return [current, ...stale];
}

/** The RevisionId answers of a Delete that removed `policy` (switch ddb.deleteRevisionId, spec §7.9). */
function deletedRevisions(policy: DdbPolicy, ctx: ModelContext): Pattern[] {
  const removed = revision(policy.rev);
  // Named after the removed revision: each policy is removed at most once, and both branches keep the same state.
  const renewed = revision(`${policy.rev}/after-delete`, [policy.rev]);
  switch (ctx.switches['ddb.deleteRevisionId']) {
    case 'removed-policy':
      return [removed];
    case 'new':
      return [renewed];
    case 'absent':
      return [{ absent: true }];
    case 'any':
      return [{ present: true, format: REVISION_FORMAT }];
    default:
      return [removed, renewed];
  }
}

function deleteResourcePolicy(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  if (missingMember(input, ['ResourceArn'])) return [fail('ddb.input.missing', state, 'ValidationException')];
  const r = resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [r.branch(state)];
  const policy = currentPolicy(r);
  const gate = revisionGate(state, policy, str(input, 'ExpectedRevisionId'), ctx, {
    mismatch: 'ddb.delete.revision-mismatch',
    noPolicy: 'ddb.delete.revision-without-policy',
  });
  if (!gate.proceed) return [...gate.stop, ...refusedFirst(state, r, ctx)];
  if (!policy) return [ok(successRule(r, 'ddb.delete.no-policy'), state, { RevisionId: { absent: true } })];
  const next = withResource(state, r, (h) => ((h.policy = null), (h.changed = true), (h.policyWritten = true)));
  pushView(next, r.key, { policy });
  const rule = successRule(r, 'ddb.delete.removes');
  const removed = deletedRevisions(policy, ctx).map((RevisionId) => needsClosedWindow({ ...ok(rule, next, { RevisionId }), ...(gate.assume ? { assume: gate.assume } : {}) }, r, ctx));
  return [...removed, ...gate.stop, ...windowRefusals(state, r, true, ctx)];
}

/** The state after CreateTable as asked (a table of that name, if any, replaced), and the stream symbol. */
function created(state: DdbState, input: JsonObject, ctx: ModelContext): { next: DdbState; stream: string | null; policy: DdbPolicy | null } {
  const name = str(input, 'TableName') ?? '';
  const resourcePolicy = str(input, 'ResourcePolicy');
  // Copy-on-write (see withResource): the table map is copied, the tables in it are shared.
  const next = { ...state, tables: { ...state.tables } };
  const replaced = next.tables[name];
  if (replaced) next.streams = tableGone(next.streams, name);
  const streamSpec = input.StreamSpecification as JsonObject | undefined;
  const stream = streamSpec?.StreamEnabled === true ? fresh(next, 'stream') : null;
  const policy = resourcePolicy === undefined ? null : { doc: resourcePolicy, rev: fresh(next, 'rev'), fromCreate: true };
  next.tables[name] = { name, policy, stream, recreated: !!replaced || next.deletedNames.includes(name), ...(policy ? { changed: true as const } : {}) };
  if (stream) next.streams = [...next.streams, { sym: stream, table: name, policy: null, tableDeleted: false }];
  next.pending = withoutPending(next.pending, `table:${name}`);
  if (policy) {
    pushView(next, `table:${name}`, { tableMissing: true });
    pushView(next, `table:${name}`, { policy: null });
  }
  return { next, stream, policy };
}

function createTable(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  const name = str(input, 'TableName') ?? '';
  const resourcePolicy = str(input, 'ResourcePolicy');
  const invalid = resourcePolicy !== undefined && documentProblem(resourcePolicy, true, 'table', ctx);
  const exists = !!state.tables[name];
  const existsFirst = ctx.switches['ddb.createTableCheckOrder'] === 'exists-first';
  if (exists && (existsFirst || !invalid)) return [fail('ddb.createtable.exists', state, 'ResourceInUseException')];
  if (invalid) return [fail('ddb.createtable.policy-invalid', state, 'ValidationException')];
  const { next, stream, policy } = created(state, input, ctx);
  const output: Record<string, Pattern> = {
    TableArn: { eq: tableArn(ctx, name) },
    TableStatus: { eq: 'ACTIVE' },
    LatestStreamArn: stream ? { sym: stream, format: streamArnFormat(ctx, name) } : { absent: true },
  };
  return [ok(policy ? 'ddb.createtable.with-policy' : 'ddb.createtable.create', next, output)];
}

function deleted(state: DdbState, name: string): DdbState {
  // Copy-on-write (see withResource): the table map and the lists that change are copied, nothing else.
  const tables = { ...state.tables };
  delete tables[name];
  return {
    ...state,
    tables,
    deletedNames: state.deletedNames.includes(name) ? state.deletedNames : [...state.deletedNames, name],
    streams: tableGone(state.streams, name),
    pending: withoutPending(state.pending, `table:${name}`),
  };
}

function deleteTable(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  const name = str(input, 'TableName') ?? '';
  const table = state.tables[name];
  if (!table) return [fail('ddb.deletetable.not-found', state, 'ResourceNotFoundException')];
  const branches = [ok('ddb.deletetable.delete', deleted(state, name))];
  // Spec §7.12: DeleteTable within 1–2 s of a policy write → ResourceInUseException ("has a pending resource-based
  // policy update"); nothing changes, and the harness sends it again (switch ddb.changeWindow=window only).
  if (table.changed && ctx.switches['ddb.changeWindow'] !== 'eventual-cooldown') branches.push(fail('ddb.deletetable.pending-policy', state, 'ResourceInUseException'));
  return branches;
}

/**
 * Conjecture hook: the states a write leaves when carried out with its checks ignored (the document attached
 * although it is invalid, oversized, public, a lockout or conditioned on a wrong revision; the policy removed
 * although the revision did not match; the table created as asked although the name is taken or its policy is
 * invalid; the table deleted). Empty when the request names nothing the state has, when it would change nothing,
 * and for reads.
 */
function effects(state: DdbState, request: Request, ctx: ModelContext): DdbState[] {
  const input = request.input;
  switch (request.operation) {
    case 'PutResourcePolicy': {
      const arn = str(input, 'ResourceArn');
      const doc = str(input, 'Policy');
      if (arn === undefined || doc === undefined) return [];
      const r = resolve(state, arn, ctx);
      if (r.kind === 'error') return [];
      const policy = currentPolicy(r);
      if (policy && sameDocument(policy.doc, doc, ctx)) return [];
      const next = { ...state };
      const rev = fresh(next, 'rev');
      return [withResource(next, r, (h) => (h.policy = { doc, rev }))];
    }
    case 'DeleteResourcePolicy': {
      const arn = str(input, 'ResourceArn');
      if (arn === undefined) return [];
      const r = resolve(state, arn, ctx);
      if (r.kind === 'error' || !currentPolicy(r)) return [];
      return [withResource(state, r, (h) => (h.policy = null))];
    }
    case 'CreateTable':
      return str(input, 'TableName') ? [created(state, input, ctx).next] : [];
    case 'DeleteTable': {
      const name = str(input, 'TableName');
      return name !== undefined && state.tables[name] ? [deleted(state, name)] : [];
    }
    default:
      return [];
  }
}

const SHOWN_DOCUMENT = 2000;

function describePolicy(policy: DdbPolicy | null, ctx: ModelContext): Json {
  if (!policy) return null;
  const bytes = policyBytes(policy.doc);
  return {
    document: policy.doc.length <= SHOWN_DOCUMENT ? policy.doc : `${policy.doc.slice(0, 200)}… (${bytes} bytes)`,
    bytes,
    revisionId: ctx.symbols.valueOf(policy.rev) ?? null,
    revisionSymbol: policy.rev,
    ...(policy.fromCreate ? { attachedBy: 'CreateTable' } : {}),
  };
}

function describeTable(state: DdbState, name: string, ctx: ModelContext): Json {
  const table = state.tables[name];
  if (!table) return { table: name, exists: false, deletedBefore: state.deletedNames.includes(name) };
  return {
    table: name,
    exists: true,
    policy: describePolicy(table.policy, ctx),
    latestStreamArn: table.stream ? (ctx.symbols.valueOf(table.stream) ?? table.stream) : null,
    recreated: table.recreated,
    ...(ctx.consistency === 'eventual' && state.pending[`table:${name}`]?.length ? { staleViews: state.pending[`table:${name}`]!.length } : {}),
  };
}

/** Focus hook: the table or stream a request is about, with its policy (revision ids shown with their values). */
function focus(state: DdbState, request: Request, ctx: ModelContext): Json {
  const input = request.input;
  switch (request.operation) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicy':
    case 'DeleteResourcePolicy': {
      const arn = str(input, 'ResourceArn');
      if (arn === undefined) return { resourceArn: null };
      const r = resolve(state, arn, ctx);
      if (r.kind === 'error') return { resourceArn: arn, names: null, answer: r.branch(state).rule };
      if (r.kind === 'table') return { resourceArn: arn, ...(describeTable(state, r.table.name, ctx) as JsonObject) };
      const s = r.stream;
      return {
        resourceArn: arn,
        stream: s.sym,
        table: s.table,
        tableDeleted: s.tableDeleted,
        policy: describePolicy(s.policy, ctx),
        ...(ctx.consistency === 'eventual' && state.pending[r.key]?.length ? { staleViews: state.pending[r.key]!.length } : {}),
      };
    }
    case 'CreateTable':
    case 'DeleteTable':
      return describeTable(state, str(input, 'TableName') ?? '', ctx);
    default:
      return state as unknown as Json;
  }
}

export const dynamodbModel: ServiceModel<DdbState> = {
  service: 'dynamodb',
  rules: DYNAMODB_RULES,
  switches: DYNAMODB_SWITCHES,
  initial: () => ({ seq: 0, tables: {}, deletedNames: [], streams: [], pending: {} }),
  step: stepByOperation('dynamodb', {
    PutResourcePolicy: putResourcePolicy,
    GetResourcePolicy: getResourcePolicy,
    DeleteResourcePolicy: deleteResourcePolicy,
    CreateTable: createTable,
    DeleteTable: deleteTable,
    // A pause only: whether a read made after it may still lag is the harness's to say (it knows the time).
    [SETTLE]: (state) => [ok('model.settle', state)],
  }),
  effects,
  focus,
  consistencyRules: { strict: 'ddb.get.read-your-writes', late: 'ddb.get.stale-after-bound', flipped: 'ddb.get.monotonic' },
};
