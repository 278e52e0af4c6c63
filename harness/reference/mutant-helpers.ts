import type { JsonObject, Request } from '../../models/types.js';

/** The same request with some input members set (or replaced). */
export function withInput(request: Request, changes: JsonObject): Request {
  return { ...request, input: { ...request.input, ...changes } };
}

/** The same request without some input members. */
export function without(request: Request, ...keys: string[]): Request {
  const input: JsonObject = { ...request.input };
  for (const k of keys) delete input[k];
  return { ...request, input };
}

/**
 * Swap a document inside a model state: a mutant that handed the model a stand-in document stores the one the
 * client really sent.
 */
export function rewriteDoc<S>(state: S, from: string, to: string): S {
  const json = JSON.stringify(state).split(JSON.stringify(from).slice(1, -1)).join(JSON.stringify(to).slice(1, -1));
  return JSON.parse(json) as S;
}
