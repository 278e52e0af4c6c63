import type { Expect, Json, JsonObject, Outcome, Pattern, SymbolView } from './types.js';

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
  if ('eq' in pattern) return jsonEqual(pattern.eq, actual) ? bindings : null;
  if ('json' in pattern) {
    if (typeof actual !== 'string') return null;
    const parsed = parseJsonOrUndefined(actual);
    return parsed !== undefined && jsonEqual(pattern.json, parsed) ? bindings : null;
  }
  if ('absent' in pattern) return actual === undefined || actual === null ? bindings : null;
  if ('present' in pattern) return actual === undefined || actual === null ? null : bindings;
  if (typeof actual !== 'string' || actual.length === 0) return null;
  for (const other of pattern.distinctFrom ?? []) {
    if (bindings[other] === actual) return null;
  }
  const bound = bindings[pattern.sym];
  if (bound !== undefined) return bound === actual ? bindings : null;
  return { ...bindings, [pattern.sym]: actual };
}

export function matchOutcome(expect: Expect, actual: Outcome, bindings: Bindings): Bindings | null {
  if (expect.kind === 'error') {
    return actual.kind === 'error' && actual.code === expect.code && actual.status === expect.status ? bindings : null;
  }
  if (actual.kind !== 'ok') return null;
  let current: Bindings | null = bindings;
  for (const [field, pattern] of Object.entries(expect.output)) {
    current = matchPattern(pattern, actual.output[field], current);
    if (current === null) return null;
  }
  return current;
}

/** An expectation as plain data for reports, with bound symbols shown with their values. */
export function renderExpect(expect: Expect, bindings: Bindings): Json {
  if (expect.kind === 'error') return { kind: 'error', code: expect.code, status: expect.status };
  const output: JsonObject = {};
  for (const [field, pattern] of Object.entries(expect.output)) {
    if ('eq' in pattern) output[field] = pattern.eq;
    else if ('json' in pattern) output[field] = { jsonEqualTo: pattern.json };
    else if ('absent' in pattern) output[field] = '<absent>';
    else if ('present' in pattern) output[field] = '<present>';
    else {
      const bound = bindings[pattern.sym];
      const differentFrom = (pattern.distinctFrom ?? []).map((s) => bindings[s] ?? s);
      output[field] = {
        symbol: pattern.sym,
        ...(bound !== undefined ? { equals: bound } : { unbound: true }),
        ...(differentFrom.length ? { differentFrom } : {}),
      };
    }
  }
  return { kind: 'ok', output };
}
