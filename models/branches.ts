import type { Branch, JsonObject, ModelContext, Pattern, ServiceModel } from './types.js';

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

/** How a model answers one operation: its branches for `input` in `state`. */
export type OperationStep<S> = (state: S, input: JsonObject, ctx: ModelContext) => Branch<S>[];

/** A model's `step` from one entry per operation; a request for any other operation is a bug of the caller's. */
export function stepByOperation<S>(service: string, steps: Readonly<Record<string, OperationStep<S>>>): ServiceModel<S>['step'] {
  return (state, request, ctx) => {
    const step = Object.hasOwn(steps, request.operation) ? steps[request.operation] : undefined;
    if (!step) throw new Error(`${service} model: unknown operation ${request.operation}`);
    return step(state, request.input, ctx);
  };
}
