import type { Branch, JsonObject, Request } from '../../models/types.js';
import type { HttpResponse } from './protocol.js';

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

/**
 * An error that changed the state anyway: `answer`'s rule and error, with the state `effect` (the first branch
 * of the same request carried out with its check ignored) leaves. Without an effect, just `answer`.
 */
export function errorWithEffect<S>(answer: Branch<S>, effect: readonly Branch<S>[]): Branch<S> {
  const done = effect.find((b) => b.expect.kind === 'ok');
  return done ? { ...answer, next: done.next, ...(done.assume ? { assume: { ...answer.assume, ...done.assume } } : {}) } : answer;
}

/** A success that changed nothing: `answer`'s rule and output, with the state as it was before. */
export function successWithoutEffect<S>(answer: Branch<S>, before: S): Branch<S> {
  return { ...answer, next: before };
}

/** Thrown by a mutant's `step`: the reference server answers it as a 500 InternalServerError (JSON) with this message. */
export class MutantCrash extends Error {
  override name = 'MutantCrash';
}

export function crash(message: string): never {
  throw new MutantCrash(message);
}

/** The error page a web framework or proxy sends for an unhandled exception: HTML, no AWS error shape. */
export function htmlErrorPage(status: number, title: string, detail: string): HttpResponse {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = `<!doctype html>\n<html lang="en">\n<head><title>${status} ${escape(title)}</title></head>\n<body>\n<h1>${escape(title)}</h1>\n<p>${escape(detail)}</p>\n</body>\n</html>\n`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}
