import { parseJsonOrUndefined } from './match.js';
import type { Json, JsonObject } from './types.js';

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
}

/** A resource-policy grammar check: what an IAM validator rejects before looking at meaning. */
export function inspectPolicy(document: string): PolicyShape {
  const parsed = parseJsonOrUndefined(document);
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
  const { Effect, Principal, Action, Condition } = s as JsonObject;
  if (Effect !== 'Allow' && Effect !== 'Deny') return undefined;
  const actions = stringList(Action);
  const principals = principalList(Principal);
  if (!actions?.length || !principals?.length) return undefined;
  return { effect: Effect, principals, actions, hasCondition: !!Condition && typeof Condition === 'object' };
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

function actionMatches(pattern: string, action: string): boolean {
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
