import { clone, fail, ok } from '../branches.js';
import { jsonEqual, parseJsonOrUndefined } from '../match.js';
import { deniesEveryone, inspectPolicy, isPublic, policyBytes } from '../policy-document.js';
import type { Branch, Json, JsonObject, ModelContext, Pattern, Request, ServiceModel } from '../types.js';
import { DYNAMODB_RULES, DYNAMODB_SWITCHES } from './rules.js';

export interface DdbPolicy {
  doc: string;
  /** Symbol of the revision id the service invented. */
  rev: string;
  /** Attached by CreateTable: what a later call shows about it is evidence about CreateTable. */
  fromCreate?: boolean;
}

/** What a (possibly lagging) read may show for one resource. */
export type DdbView = { policy: DdbPolicy | null } | { tableMissing: true };

export interface DdbTable {
  name: string;
  policy: DdbPolicy | null;
  /** Symbol bound to the LatestStreamArn, when the table has a stream. */
  stream: string | null;
  recreated: boolean;
}

export interface DdbStream {
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
  /** Eventual mode only: earlier views a Get may still return, per resource key. */
  pending: Record<string, DdbView[]>;
}

/** Not sent to the target: the harness waits for eventual consistency to settle. */
export const SETTLE = '$Settle';
export const NO_POLICY = 'NO_POLICY';
export const INDEX_NAME = 'gsi1';
const MAX_ARN = 1283;
const POLICY_ACTIONS = ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'];

type Resolved =
  | { kind: 'table'; key: string; table: DdbTable }
  | { kind: 'stream'; key: string; stream: DdbStream }
  | { kind: 'error'; branch: (s: DdbState) => Branch<DdbState> };

export function tableArn(ctx: Pick<ModelContext, 'region' | 'account'>, name: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${name}`;
}

function resolve(state: DdbState, arn: string, ctx: ModelContext): Resolved {
  if (arn.length < 1 || arn.length > MAX_ARN) {
    return { kind: 'error', branch: (s) => fail('ddb.arn.length', s, 'ValidationException') };
  }
  const prefix = `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/`;
  const malformed = { kind: 'error' as const, branch: (s: DdbState) => fail('ddb.arn.malformed', s, ctx.switches['ddb.malformedArnError']!) };
  if (!arn.startsWith(prefix)) return malformed;
  const parts = arn.slice(prefix.length).split('/');
  const name = parts[0]!;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) return malformed;
  const table = state.tables[name];
  if (parts.length === 1) {
    return table
      ? { kind: 'table', key: `table:${name}`, table }
      : { kind: 'error', branch: (s) => fail('ddb.table.not-found', s, 'ResourceNotFoundException') };
  }
  if (parts.length === 3 && parts[1] === 'index' && parts[2]) {
    if (!table) return { kind: 'error', branch: (s) => fail('ddb.table.not-found', s, 'ResourceNotFoundException') };
    return { kind: 'error', branch: (s) => fail('ddb.arn.index', s, ctx.switches['ddb.indexArnError']!) };
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

/** Apply `change` to the resource a resolved ARN names, inside a copy of the state. */
function withResource(state: DdbState, r: Extract<Resolved, { key: string }>, change: (holder: { policy: DdbPolicy | null }) => void): DdbState {
  const next = clone(state);
  const holder = r.kind === 'table' ? next.tables[r.table.name]! : next.streams.find((x) => x.sym === r.stream.sym)!;
  change(holder);
  return next;
}

function currentPolicy(r: Extract<Resolved, { key: string }>): DdbPolicy | null {
  return r.kind === 'table' ? r.table.policy : r.stream.policy;
}

/**
 * Label for an answer that only says "this resource holds policies like a table does": on a stream, that is
 * what the stream rules are about, so a target without stream policies shows one divergence, not one per call.
 */
function successRule(r: Extract<Resolved, { key: string }>, rule: string): string {
  if (r.kind !== 'stream') return rule;
  return r.stream.tableDeleted ? 'ddb.stream.outlives-table' : 'ddb.stream.supported';
}

/** Calls that only show whether CreateTable really attached its policy are about that rule. */
function aboutPolicy(policy: DdbPolicy | null, rule: string): string {
  return policy?.fromCreate ? 'ddb.createtable.with-policy' : rule;
}

type RevisionCheck = 'match' | 'mismatch' | 'unknown';

function compareRevision(policy: DdbPolicy, value: string, ctx: ModelContext): RevisionCheck {
  const bound = ctx.symbols.valueOf(policy.rev);
  if (bound !== undefined) return bound === value ? 'match' : 'mismatch';
  return ctx.symbols.symbolOf(value) !== undefined ? 'mismatch' : 'unknown';
}

function fresh(state: DdbState, kind: string): string {
  state.seq += 1;
  return `${kind}#${state.seq}`;
}

function pushView(state: DdbState, key: string, view: DdbView, ctx: ModelContext): void {
  if (ctx.consistency !== 'eventual') return;
  const list = (state.pending[key] ??= []);
  if (!list.some((v) => jsonEqual(v as unknown as Json, view as unknown as Json))) list.push(view);
}

/** Rejections that depend on the document alone, in the order AWS is assumed to check them. */
function documentProblem(doc: string, confirm: boolean, ctx: ModelContext): string | null {
  if (policyBytes(doc) > Number(ctx.switches['ddb.policySizeLimit'])) return 'ddb.policy.too-large';
  const shape = inspectPolicy(doc);
  if (!shape.valid) return shape.problem === 'not-json' ? 'ddb.policy.not-json' : 'ddb.policy.invalid-grammar';
  if (isPublic(shape)) return 'ddb.policy.public';
  if (!confirm && deniesEveryone(shape, POLICY_ACTIONS)) return 'ddb.policy.self-lockout';
  return null;
}

function sameDocument(a: string, b: string, ctx: ModelContext): boolean {
  if (ctx.switches['ddb.identicalPolicy'] === 'same-json') {
    const pa = parseJsonOrUndefined(a);
    return pa !== undefined && jsonEqual(pa, parseJsonOrUndefined(b));
  }
  return a === b;
}

function str(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
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
    return policy ? { stop: [fail(aboutPolicy(policy, rules.noPolicyExpected), state, 'PolicyNotFoundException')], proceed: false } : { stop: [], proceed: true };
  }
  if (!policy) return { stop: [fail(rules.noPolicy, state, 'PolicyNotFoundException')], proceed: false };
  const check = compareRevision(policy, expected, ctx);
  if (check === 'match') return { stop: [], proceed: true };
  const stop = [fail(rules.mismatch, state, 'PolicyNotFoundException')];
  return check === 'mismatch' ? { stop, proceed: false } : { stop, proceed: true, assume: { [policy.rev]: expected } };
}

function putResourcePolicy(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  const r = resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [r.branch(state)];
  const policy = currentPolicy(r);
  const gate = revisionGate(state, policy, str(input, 'ExpectedRevisionId'), ctx, {
    mismatch: 'ddb.put.revision-mismatch',
    noPolicy: 'ddb.put.revision-without-policy',
    noPolicyExpected: 'ddb.put.no-policy-expected',
  });
  if (!gate.proceed) return gate.stop;
  const doc = str(input, 'Policy') ?? '';
  const problem = documentProblem(doc, input.ConfirmRemoveSelfResourceAccess === true, ctx);
  const assumed = (b: Branch<DdbState>): Branch<DdbState> => (gate.assume ? { ...b, assume: gate.assume } : b);
  if (problem) return [assumed(fail(problem, state, 'ValidationException')), ...gate.stop];
  if (policy && sameDocument(policy.doc, doc, ctx)) {
    return [assumed(ok(aboutPolicy(policy, successRule(r, 'ddb.put.identical')), state, { RevisionId: { sym: policy.rev } })), ...gate.stop];
  }
  const next = clone(state);
  const rev = fresh(next, 'rev');
  const written = withResource(next, r, (h) => (h.policy = { doc, rev }));
  pushView(written, r.key, { policy }, ctx);
  const output: Record<string, Pattern> = { RevisionId: policy ? { sym: rev, distinctFrom: [policy.rev] } : { sym: rev } };
  const branches = [assumed(ok(aboutPolicy(policy, successRule(r, policy ? 'ddb.put.replace' : 'ddb.put.create')), written, output)), ...gate.stop];
  if (policy && ctx.consistency === 'eventual') branches.push(fail('ddb.put.cooldown', state, 'ResourceInUseException'));
  return branches;
}

function viewBranch(state: DdbState, view: DdbView, rule: string, noPolicyRule: string): Branch<DdbState> {
  if ('tableMissing' in view) return fail(rule, state, 'ResourceNotFoundException');
  if (!view.policy) return fail(noPolicyRule, state, 'PolicyNotFoundException');
  return ok(aboutPolicy(view.policy, rule), state, { Policy: { eq: view.policy.doc }, RevisionId: { sym: view.policy.rev } });
}

function getResourcePolicy(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  const r = resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') {
    // Eventual mode: a table just created may still be invisible; that is a pending view of a resolvable table.
    return [r.branch(state)];
  }
  const policy = currentPolicy(r);
  const noPolicyRule = r.kind === 'table' && r.table.recreated ? 'ddb.deletetable.drops-policy' : successRule(r, 'ddb.get.no-policy');
  const current = viewBranch(state, { policy }, successRule(r, 'ddb.get.policy'), noPolicyRule);
  const stale = (state.pending[r.key] ?? []).map((v) => viewBranch(state, v, 'ddb.get.stale-view', 'ddb.get.stale-view'));
  return [current, ...stale];
}

function deleteResourcePolicy(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  const r = resolve(state, str(input, 'ResourceArn') ?? '', ctx);
  if (r.kind === 'error') return [r.branch(state)];
  const policy = currentPolicy(r);
  const gate = revisionGate(state, policy, str(input, 'ExpectedRevisionId'), ctx, {
    mismatch: 'ddb.delete.revision-mismatch',
    noPolicy: 'ddb.delete.revision-without-policy',
  });
  if (!gate.proceed) return gate.stop;
  if (!policy) return [ok(successRule(r, 'ddb.delete.no-policy'), state, { RevisionId: { absent: true } })];
  const next = withResource(state, r, (h) => (h.policy = null));
  pushView(next, r.key, { policy }, ctx);
  const mode = ctx.switches['ddb.deleteRevisionId'];
  const revision: Pattern = mode === 'absent' ? { absent: true } : mode === 'any' ? { present: true } : { sym: policy.rev };
  const removed: Branch<DdbState> = { ...ok(aboutPolicy(policy, successRule(r, 'ddb.delete.removes')), next, { RevisionId: revision }), ...(gate.assume ? { assume: gate.assume } : {}) };
  const branches = [removed, ...gate.stop];
  if (ctx.consistency === 'eventual') branches.push(fail('ddb.put.cooldown', state, 'ResourceInUseException'));
  return branches;
}

function createTable(state: DdbState, input: JsonObject, ctx: ModelContext): Branch<DdbState>[] {
  const name = str(input, 'TableName') ?? '';
  const resourcePolicy = str(input, 'ResourcePolicy');
  const invalid = resourcePolicy !== undefined && documentProblem(resourcePolicy, true, ctx);
  const exists = !!state.tables[name];
  const existsFirst = ctx.switches['ddb.createTableCheckOrder'] === 'exists-first';
  if (exists && (existsFirst || !invalid)) return [fail('ddb.createtable.exists', state, 'ResourceInUseException')];
  if (invalid) return [fail('ddb.createtable.policy-invalid', state, 'ValidationException')];
  const next = clone(state);
  const streamSpec = input.StreamSpecification as JsonObject | undefined;
  const stream = streamSpec?.StreamEnabled === true ? fresh(next, 'stream') : null;
  const policy = resourcePolicy === undefined ? null : { doc: resourcePolicy, rev: fresh(next, 'rev'), fromCreate: true };
  next.tables[name] = { name, policy, stream, recreated: next.deletedNames.includes(name) };
  if (stream) next.streams.push({ sym: stream, table: name, policy: null, tableDeleted: false });
  delete next.pending[`table:${name}`];
  if (policy) {
    pushView(next, `table:${name}`, { tableMissing: true }, ctx);
    pushView(next, `table:${name}`, { policy: null }, ctx);
  }
  const output: Record<string, Pattern> = {
    TableArn: { eq: tableArn(ctx, name) },
    TableStatus: { eq: 'ACTIVE' },
    LatestStreamArn: stream ? { sym: stream } : { absent: true },
  };
  return [ok(policy ? 'ddb.createtable.with-policy' : 'ddb.createtable.create', next, output)];
}

function deleteTable(state: DdbState, input: JsonObject): Branch<DdbState>[] {
  const name = str(input, 'TableName') ?? '';
  const table = state.tables[name];
  if (!table) return [fail('ddb.deletetable.not-found', state, 'ResourceNotFoundException')];
  const next = clone(state);
  delete next.tables[name];
  if (!next.deletedNames.includes(name)) next.deletedNames.push(name);
  for (const s of next.streams) if (s.table === name) s.tableDeleted = true;
  delete next.pending[`table:${name}`];
  return [ok('ddb.deletetable.delete', next)];
}

export const dynamodbModel: ServiceModel<DdbState> = {
  service: 'dynamodb',
  rules: DYNAMODB_RULES,
  switches: DYNAMODB_SWITCHES,
  initial: () => ({ seq: 0, tables: {}, deletedNames: [], streams: [], pending: {} }),
  step(state: DdbState, request: Request, ctx: ModelContext): Branch<DdbState>[] {
    const input = request.input;
    switch (request.operation) {
      case 'PutResourcePolicy':
        return putResourcePolicy(state, input, ctx);
      case 'GetResourcePolicy':
        return getResourcePolicy(state, input, ctx);
      case 'DeleteResourcePolicy':
        return deleteResourcePolicy(state, input, ctx);
      case 'CreateTable':
        return createTable(state, input, ctx);
      case 'DeleteTable':
        return deleteTable(state, input);
      case SETTLE:
        return [ok('model.settle', { ...state, pending: {} })];
      default:
        throw new Error(`dynamodb model: unknown operation ${request.operation}`);
    }
  },
};
