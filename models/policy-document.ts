import type { Json, JsonObject } from './types.js';

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Size as AWS counts it: UTF-8 bytes of the document as sent, whitespace included. */
export function policyBytes(document: string): number {
  return Buffer.byteLength(document, 'utf8');
}

export type PolicyShape =
  | { valid: false; problem: 'not-json' | 'not-an-object' | 'no-statement' | 'bad-statement' }
  | { valid: true; statements: Statement[] };

export interface Statement {
  effect: 'Allow' | 'Deny';
  principals: string[];
  actions: string[];
  hasCondition: boolean;
  /** The statement's Sid, when it has one. */
  sid?: string;
  /** Whether it names its resources (Resource or NotResource). */
  hasResource?: boolean;
  /** Its Condition block, when it has one. */
  condition?: JsonObject;
}

/** A resource-policy grammar check: what an IAM validator rejects before looking at meaning. */
export function inspectPolicy(document: string): PolicyShape {
  const parsed = parseJson(document);
  if (parsed === undefined) return { valid: false, problem: 'not-json' };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { valid: false, problem: 'not-an-object' };
  const raw = (parsed as JsonObject).Statement;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  if (list.length === 0) return { valid: false, problem: 'no-statement' };
  const statements: Statement[] = [];
  for (const s of list) {
    const statement = readStatement(s);
    if (!statement) return { valid: false, problem: 'bad-statement' };
    statements.push(statement);
  }
  return { valid: true, statements };
}

function readStatement(s: Json): Statement | undefined {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return undefined;
  const { Effect, Principal, Action, Condition, Sid, Resource, NotResource } = s as JsonObject;
  if (Effect !== 'Allow' && Effect !== 'Deny') return undefined;
  const actions = stringList(Action);
  const principals = principalList(Principal);
  if (!actions?.length || !principals?.length) return undefined;
  const hasCondition = !!Condition && typeof Condition === 'object';
  return {
    effect: Effect,
    principals,
    actions,
    hasCondition,
    ...(typeof Sid === 'string' ? { sid: Sid } : {}),
    hasResource: Resource !== undefined || NotResource !== undefined,
    ...(isObject(Condition) ? { condition: Condition } : {}),
  };
}

function stringList(v: Json | undefined): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function principalList(v: Json | undefined): string[] | undefined {
  if (v === '*') return ['*'];
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const value of Object.values(v)) {
    const list = stringList(value);
    if (!list) return undefined;
    out.push(...list);
  }
  return out;
}

/** Block Public Access: an Allow to everyone with no restricting condition. */
export function isPublic(shape: PolicyShape): boolean {
  return shape.valid && shape.statements.some((s) => s.effect === 'Allow' && s.principals.includes('*') && !s.hasCondition);
}

export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return re.test(action);
}

/** An explicit Deny, to everyone, of an action that manages the policy itself. */
export function deniesEveryone(shape: PolicyShape, managementActions: readonly string[]): boolean {
  return (
    shape.valid &&
    shape.statements.some(
      (s) => s.effect === 'Deny' && s.principals.includes('*') && !s.hasCondition && s.actions.some((p) => managementActions.some((a) => actionMatches(p, a))),
    )
  );
}

/** Condition keys that only narrow a statement down to principals (it still covers the caller it names). */
const PRINCIPAL_SCOPING_KEYS = new Set(['aws:principalarn', 'aws:principalaccount']);

/**
 * Whether a statement's condition still covers the caller: none, or one that only scopes by principal
 * (aws:PrincipalArn, aws:PrincipalAccount) to values naming the caller's account. Other conditions cannot be
 * evaluated here, so they do not count as covering.
 */
function conditionCoversCaller(condition: JsonObject | undefined, account: string): boolean {
  if (!condition) return true;
  return Object.values(condition).every(
    (byKey) =>
      isObject(byKey) &&
      Object.entries(byKey).every(([key, value]) => {
        const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
        return PRINCIPAL_SCOPING_KEYS.has(key.toLowerCase()) && values.length > 0 && values.every((v) => typeof v === 'string' && (v === '*' || v.includes(account)));
      }),
  );
}

/**
 * An explicit Deny of `action` whose principals cover the caller (spec §7.8): `*`, the caller's account id or its
 * root ARN (which stands for every principal of the account), unconditioned or scoped by principal to the caller.
 */
export function deniesCaller(shape: PolicyShape, action: string, account: string): boolean {
  if (!shape.valid) return false;
  const caller = new Set(['*', account, `arn:aws:iam::${account}:root`]);
  return shape.statements.some(
    (s) => s.effect === 'Deny' && s.principals.some((p) => caller.has(p)) && conditionCoversCaller(s.condition, account) && s.actions.some((p) => actionMatches(p, action)),
  );
}

/** The first Sid that two statements share, if any. */
export function duplicateSid(shape: PolicyShape): string | undefined {
  if (!shape.valid) return undefined;
  const seen = new Set<string>();
  for (const s of shape.statements) {
    if (s.sid === undefined) continue;
    if (seen.has(s.sid)) return s.sid;
    seen.add(s.sid);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Canonical form (spec §7.4): how DynamoDB reads a document back, and what it treats as the same document.

/** The Version AWS reads back for a document that states none (spec §7.4). */
export const DEFAULT_POLICY_VERSION = '2008-10-17';

const TOP_ORDER = ['Version', 'Id', 'Statement'];
const STATEMENT_ORDER = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
const COLLAPSED = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);
const ACCOUNT_ID = /^\d{12}$/;

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Keys in `order` first (in that order), then the others sorted. */
function ordered(o: JsonObject, order: readonly string[], value: (key: string, v: Json) => Json): JsonObject {
  const out: JsonObject = {};
  const keys = [...order.filter((k) => k in o), ...Object.keys(o).filter((k) => !order.includes(k)).sort()];
  for (const k of keys) if (o[k] !== undefined) out[k] = value(k, o[k]!);
  return out;
}

/** A one-element list of strings as that string; other values unchanged. */
function collapse(v: Json): Json {
  return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : v;
}

/** Plain JSON with sorted keys, for members the canonical form does not know. */
function sortedDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (isObject(v)) return ordered(v, [], (_, x) => sortedDeep(x));
  return v;
}

function canonicalPrincipal(v: Json): Json {
  if (!isObject(v)) return v;
  return ordered(v, [], (key, value) => {
    const asRoot = (p: Json): Json => (key === 'AWS' && typeof p === 'string' && ACCOUNT_ID.test(p) ? `arn:aws:iam::${p}:root` : p);
    return collapse(Array.isArray(value) ? value.map(asRoot) : asRoot(value));
  });
}

function canonicalCondition(v: Json): Json {
  if (!isObject(v)) return sortedDeep(v);
  return ordered(v, [], (_, byKey) => (isObject(byKey) ? ordered(byKey, [], (__, value) => collapse(sortedDeep(value))) : sortedDeep(byKey)));
}

function canonicalStatement(s: Json): Json {
  if (!isObject(s)) return sortedDeep(s);
  return ordered(s, STATEMENT_ORDER, (key, v) => {
    if (key === 'Principal' || key === 'NotPrincipal') return canonicalPrincipal(v);
    if (key === 'Condition') return canonicalCondition(v);
    if (COLLAPSED.has(key)) return collapse(sortedDeep(v));
    return sortedDeep(v);
  });
}

/**
 * The canonical form of a document (spec §7.4): fixed key order, one-element lists as strings, account-id principals
 * as root ARNs, Statement always a list; with `fillVersion`, a missing Version as "2008-10-17" (how Get reads it
 * back). Undefined for text that is not a JSON object (nothing to canonicalise: such text compares byte for byte).
 */
export function canonicalPolicy(document: string, options: { fillVersion: boolean }): JsonObject | undefined {
  const parsed = parseJson(document);
  if (!isObject(parsed)) return undefined;
  const source: JsonObject = options.fillVersion && parsed.Version === undefined ? { ...parsed, Version: DEFAULT_POLICY_VERSION } : parsed;
  return ordered(source, TOP_ORDER, (key, v) => {
    if (key !== 'Statement') return sortedDeep(v);
    if (Array.isArray(v)) return v.map(canonicalStatement);
    return isObject(v) ? [canonicalStatement(v)] : sortedDeep(v);
  });
}

const textCache = new Map<string, string | null>();

/** The document as GetResourcePolicy returns it (minified canonical form); undefined when it is not a JSON object. */
export function canonicalPolicyText(document: string): string | undefined {
  let text = textCache.get(document);
  if (text === undefined) {
    const canonical = canonicalPolicy(document, { fillVersion: true });
    text = canonical === undefined ? null : JSON.stringify(canonical);
    if (textCache.size > 512) textCache.clear();
    textCache.set(document, text);
  }
  return text ?? undefined;
}

/** Whether `actual` reads back as `stored` does: equal canonical forms (text that is not a JSON object: equal bytes). */
export function canonicallyEqual(stored: string, actual: string): boolean {
  if (stored === actual) return true;
  const expected = canonicalPolicyText(stored);
  return expected !== undefined && canonicalPolicyText(actual) === expected;
}

/**
 * Whether re-putting `b` over `a` is a no-op (spec §7.4): equal canonical forms, where a missing Version is not the
 * same as a stated one (so it is not filled in). Text that is not a JSON object: equal bytes.
 */
export function equivalentPolicies(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = canonicalPolicy(a, { fillVersion: false });
  const cb = canonicalPolicy(b, { fillVersion: false });
  return ca !== undefined && cb !== undefined && JSON.stringify(ca) === JSON.stringify(cb);
}
