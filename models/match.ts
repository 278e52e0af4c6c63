import { canonicallyEqual, canonicalPolicyText } from './policy-document.js';
import type { Expect, Json, JsonObject, Outcome, Pattern, StringFormat, SymbolView } from './types.js';

export type Bindings = Readonly<Record<string, string>>;

export function symbolView(bindings: Bindings): SymbolView {
  let reverse: Map<string, string> | undefined;
  return {
    valueOf: (symbol) => bindings[symbol],
    symbolOf: (value) => {
      reverse ??= new Map(Object.entries(bindings).map(([k, v]) => [v, k]));
      return reverse.get(value);
    },
  };
}

export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  if (keys.length !== Object.keys(bo).filter((k) => bo[k] !== undefined).length) return false;
  return keys.every((k) => jsonEqual(ao[k], bo[k]));
}

export function parseJsonOrUndefined(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Match one field; returns the (possibly extended) bindings, or null when it does not match. */
export function matchPattern(pattern: Pattern, actual: Json | undefined, bindings: Bindings): Bindings | null {
  return matchPatternAll(pattern, actual, bindings)[0] ?? null;
}

/**
 * Every way one field can match: no element when it does not, one for all patterns but `setOf`, which gives one
 * element per distinct set of bindings its pairings produce (so no candidate world is lost to an arbitrary pick).
 */
export function matchPatternAll(pattern: Pattern, actual: Json | undefined, bindings: Bindings): Bindings[] {
  if ('setOf' in pattern) return matchSet(pattern.setOf, actual, bindings);
  const one = matchSingle(pattern, actual, bindings);
  return one ? [one] : [];
}

function matchSingle(pattern: Exclude<Pattern, { setOf: unknown }>, actual: Json | undefined, bindings: Bindings): Bindings | null {
  if ('eq' in pattern) return jsonEqual(pattern.eq, actual) ? bindings : null;
  if ('json' in pattern) {
    if (typeof actual !== 'string') return null;
    const parsed = parseJsonOrUndefined(actual);
    return parsed !== undefined && jsonEqual(pattern.json, parsed) ? bindings : null;
  }
  if ('policy' in pattern) return typeof actual === 'string' && canonicallyEqual(pattern.policy, actual) ? bindings : null;
  if ('absent' in pattern) return actual === undefined || actual === null ? bindings : null;
  if ('present' in pattern) return actual === undefined || actual === null || !fitsFormat(pattern.format, actual) ? null : bindings;
  if (typeof actual !== 'string' || actual.length === 0 || !fitsFormat(pattern.format, actual)) return null;
  for (const other of pattern.distinctFrom ?? []) {
    if (bindings[other] === actual) return null;
  }
  const bound = bindings[pattern.sym];
  if (bound !== undefined) return bound === actual ? bindings : null;
  return { ...bindings, [pattern.sym]: actual };
}

const compiled = new Map<string, RegExp>();

/** Whether a returned value respects what the API documents for it (no format: anything). */
export function fitsFormat(format: StringFormat | undefined, actual: Json): boolean {
  if (!format) return true;
  if (typeof actual !== 'string') return false;
  if (format.minLength !== undefined && actual.length < format.minLength) return false;
  if (format.maxLength !== undefined && actual.length > format.maxLength) return false;
  if (format.pattern !== undefined) {
    let re = compiled.get(format.pattern);
    if (!re) compiled.set(format.pattern, (re = new RegExp(`^(?:${format.pattern})$`, 's')));
    if (!re.test(actual)) return false;
  }
  return true;
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function bindingsKey(b: Bindings): string {
  return JSON.stringify(Object.entries(b).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function uniqueBindings(list: Bindings[]): Bindings[] {
  if (list.length < 2) return list;
  const seen = new Map<string, Bindings>();
  for (const b of list) {
    const key = bindingsKey(b);
    if (!seen.has(key)) seen.set(key, b);
  }
  return [...seen.values()];
}

/** All fields of `fields` against one object; fields it does not name are not checked. */
function matchFields(fields: Record<string, Pattern>, actual: JsonObject, bindings: Bindings): Bindings[] {
  let current: Bindings[] = [bindings];
  for (const [field, pattern] of Object.entries(fields)) {
    current = uniqueBindings(current.flatMap((b) => matchPatternAll(pattern, actual[field], b)));
    if (current.length === 0) return [];
  }
  return current;
}

/** Guard against a pattern whose records all fit every element (n! pairings): that is a model bug. */
const MAX_SET_PAIRINGS = 4096;

function matchSet(items: Array<Record<string, Pattern>>, actual: Json | undefined, bindings: Bindings): Bindings[] {
  const list = actual === undefined || actual === null ? [] : actual;
  if (!Array.isArray(list) || list.length !== items.length || !list.every(isObject)) return [];
  const elements = list as JsonObject[];
  const used = elements.map(() => false);
  const results: Bindings[] = [];
  const walk = (i: number, current: Bindings): void => {
    const item = items[i];
    if (!item) {
      results.push(current);
      if (results.length > MAX_SET_PAIRINGS) throw new Error(`setOf pattern: more than ${MAX_SET_PAIRINGS} pairings; this is a model bug`);
      return;
    }
    elements.forEach((element, j) => {
      if (used[j]) return;
      for (const next of matchFields(item, element, current)) {
        used[j] = true;
        walk(i + 1, next);
        used[j] = false;
      }
    });
  };
  walk(0, bindings);
  return uniqueBindings(results);
}

/** Every set of bindings under which `actual` is what `expect` allows (empty when it is not). */
export function matchOutcomeAll(expect: Expect, actual: Outcome, bindings: Bindings): Bindings[] {
  if (expect.kind === 'error') {
    return actual.kind === 'error' && actual.code === expect.code && actual.status === expect.status ? [bindings] : [];
  }
  if (actual.kind !== 'ok') return [];
  return matchFields(expect.output, actual.output, bindings);
}

export function matchOutcome(expect: Expect, actual: Outcome, bindings: Bindings): Bindings | null {
  return matchOutcomeAll(expect, actual, bindings)[0] ?? null;
}

function renderPattern(pattern: Pattern, bindings: Bindings): Json {
  if ('eq' in pattern) return pattern.eq;
  if ('json' in pattern) return { jsonEqualTo: pattern.json };
  if ('policy' in pattern) return { policyEquivalentTo: canonicalPolicyText(pattern.policy) ?? pattern.policy };
  if ('absent' in pattern) return '<absent>';
  if ('present' in pattern) return pattern.format ? { present: true, format: pattern.format as unknown as Json } : '<present>';
  if ('setOf' in pattern) return { setOf: pattern.setOf.map((fields) => renderFields(fields, bindings)) };
  const bound = bindings[pattern.sym];
  const differentFrom = (pattern.distinctFrom ?? []).map((s) => bindings[s] ?? s);
  return {
    symbol: pattern.sym,
    ...(bound !== undefined ? { equals: bound } : { unbound: true }),
    ...(differentFrom.length ? { differentFrom } : {}),
    ...(pattern.format ? { format: pattern.format as unknown as Json } : {}),
  };
}

function renderFields(fields: Record<string, Pattern>, bindings: Bindings): JsonObject {
  const out: JsonObject = {};
  for (const [field, pattern] of Object.entries(fields)) out[field] = renderPattern(pattern, bindings);
  return out;
}

/** An expectation as plain data for reports, with bound symbols shown with their values. */
export function renderExpect(expect: Expect, bindings: Bindings): Json {
  if (expect.kind === 'error') return { kind: 'error', code: expect.code, status: expect.status };
  return { kind: 'ok', output: renderFields(expect.output, bindings) };
}
