import type { Branch, Pattern } from './types.js';

export function ok<S>(rule: string, next: S, output: Record<string, Pattern> = {}): Branch<S> {
  return { rule, next, expect: { kind: 'ok', output } };
}

export function fail<S>(rule: string, next: S, code: string, status = 400): Branch<S> {
  return { rule, next, expect: { kind: 'error', code, status } };
}

/** A deep copy of plain-data model state, so a branch can change it without touching the original. */
export function clone<S>(state: S): S {
  return structuredClone(state);
}
