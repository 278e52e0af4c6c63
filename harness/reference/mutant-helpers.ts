import type { Branch, JsonObject, ModelContext, Outcome, Request } from '../../models/types.js';
import type { Memory, Mutant, StepFn } from './engine.js';
import type { HttpResponse } from './protocol.js';

type Step<S> = NonNullable<Mutant<S>['step']>;
type Respond = NonNullable<Mutant['respond']>;

/** One seeded bug as its service's mutants.ts lists it: `serviceMutants` fills in the service. */
export type MutantEntry<S> = Omit<Mutant<S>, 'service'>;

/** A service's seeded bugs, each given the service's name (in the place `Mutant` declares it). */
export function serviceMutants<S>(service: string, entries: readonly MutantEntry<S>[]): Mutant<S>[] {
  return entries.map(({ name, ...rest }) => ({ name, service, ...rest }));
}

/** What one call of a mutant's `step` was asked, and the model's own answer to it (`branches`). */
export interface StepCall<S> {
  original: StepFn<S>;
  state: S;
  request: Request;
  ctx: ModelContext;
  memory: Memory;
  branches: Branch<S>[];
}

/**
 * The step of most seeded bugs: "where the model's first branch is under rule X, answer Y". Where it is under one
 * of `rules`, `instead` answers (undefined: the model's answer stands); everywhere else the model answers.
 */
export function onFirstRule<S>(rules: string | readonly string[], instead: (answer: Branch<S>, call: StepCall<S>) => Branch<S>[] | undefined): Step<S> {
  const wanted: readonly string[] = typeof rules === 'string' ? [rules] : rules;
  return (original, state, request, ctx, memory) => {
    const branches = original(state, request, ctx);
    const answer = branches[0];
    if (!answer || !wanted.includes(answer.rule)) return branches;
    return instead(answer, { original, state, request, ctx, memory, branches }) ?? branches;
  };
}

/** A step where the model judges another request than the one the client sent (`as` returns the one it judges). */
export function judgedAs<S>(as: (request: Request, state: S, ctx: ModelContext) => Request): Step<S> {
  return (original, state, request, ctx) => original(state, as(request, state, ctx), ctx);
}

/** A step where the model judges every request under another value of one of its switches. */
export function underSwitch<S>(name: string, value: string): Step<S> {
  return (original, state, request, ctx) => original(state, request, { ...ctx, switches: { ...ctx.switches, [name]: value } });
}

/**
 * The model's branches for `request` with `standIn` (a document it accepts) as input `member`, each holding the
 * document the client really sent (`real`) in its next state: a mutant that skips a check on the document.
 */
export function judgedWithStandIn<S>(call: Pick<StepCall<S>, 'original' | 'state' | 'request' | 'ctx'>, member: string, standIn: string, real: string): Branch<S>[] {
  return call.original(call.state, withInput(call.request, { [member]: standIn }), call.ctx).map((b) => ({ ...b, next: rewriteDoc(b.next, standIn, real) }));
}

/** A `respond` that rewrites the successes of `operations` (returning the outcome as it is leaves it). */
export function onSuccessOf(
  operations: string | readonly string[],
  rewrite: (outcome: Extract<Outcome, { kind: 'ok' }>, request: Request, memory: Memory) => Outcome,
): Respond {
  const wanted: readonly string[] = typeof operations === 'string' ? [operations] : operations;
  return (request, outcome, memory) => (wanted.includes(request.operation) && outcome.kind === 'ok' ? rewrite(outcome, request, memory) : outcome);
}

/** A `respond` that answers `rewrite`'s outcome where `operation` answered the error `code`. */
export function onErrorOf(operation: string, code: string, rewrite: (outcome: Extract<Outcome, { kind: 'error' }>) => Outcome): Respond {
  return (request, outcome) => (request.operation === operation && outcome.kind === 'error' && outcome.code === code ? rewrite(outcome) : outcome);
}

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

/** A valid policy document granting `action` to one account: what a mutant hands the model instead of the client's. */
export function standInPolicy(sid: string, action: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: action, Resource: '*' }],
  });
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
