import type { Json, JsonObject, Observation } from '../models/types.js';
import { observeError, type SdkErrorLike, sleep, transportCause } from './observe.js';

/** Drop undefined members, so a request or output records only what was really there. */
export function compact(record: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, Json>;
}

/** The named members of an SDK output, as plain data. */
export function pick(output: object, keys: string[]): JsonObject {
  const o = output as Record<string, unknown>;
  return compact(Object.fromEntries(keys.map((k) => [k, o[k]])));
}

/**
 * An error the harness would take for infrastructure (a throttle) that an operation answers as part of its
 * contract, by code and message (DynamoDB's change window, spec §7.3: ThrottlingException "… Please try again
 * after <time>"): such an answer is judged by the model like any other error.
 */
export interface ContractRefusal {
  code: string;
  message: RegExp;
}

/** Run one SDK interaction and normalize its result or error. */
export async function tryCall(call: () => Promise<JsonObject>, knownCodes: ReadonlySet<string>, refusals: readonly ContractRefusal[] = []): Promise<Observation> {
  try {
    return { kind: 'ok', output: await call() };
  } catch (error) {
    const e = error as SdkErrorLike;
    const status = e?.$metadata?.httpStatusCode;
    const message = typeof e?.message === 'string' ? e.message : '';
    if (status !== undefined && status < 500 && refusals.some((r) => r.code === e.name && r.message.test(message))) return { kind: 'error', code: e.name!, status, message };
    return observeError(error, knownCodes);
  }
}

/** The time a refusal says to try again after ("… Please try again after 2026-10-09T12:00:15.123Z"), as epoch ms. */
export function retryAfter(message: string | undefined): number | undefined {
  const m = /try again after\s+(\S+?)\.?(?:\s|$)/i.exec(message ?? '');
  const at = m ? Date.parse(m[1]!) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

/**
 * For the read-only tail of a compound call (a waiter, a Describe after a Create): retry faults and throttles
 * here, because retrying the whole compound call would repeat its write. A call that ran out of time is not
 * repeated: it already took a whole request deadline, and the runner decides when the target has stopped answering.
 */
export async function withReadRetries<T>(read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= attempts || waiterGaveUp(error)) throw error;
      const cause = (error as { cause?: unknown }).cause ?? error;
      const observed = observeError(cause, new Set());
      // A timed-out read is not repeated here: it already took a whole deadline, and whether the target has stopped
      // answering is the runner's call (two timeouts in a row), which a hidden repeat would only delay.
      if (observed.kind !== 'fault' || observed.cause === 'timeout') throw error;
      await sleep(Math.min(100 * 2 ** attempt, 2000));
    }
  }
}

/**
 * A waiter that ran out of time (or was aborted) already waited its whole budget: repeating it only multiplies the
 * wait. smithy's waiters throw `TimeoutError` / `AbortError` with a JSON summary ("Waiter has timed out", "Request
 * was aborted"); a request that ran past its deadline is also a `TimeoutError`, but with a code (ETIMEDOUT) or
 * smithy's handler message (and is not repeated either).
 */
function waiterGaveUp(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: string };
  if (e.name !== 'TimeoutError' && e.name !== 'AbortError') return false;
  return /Waiter has timed out|Request was aborted|"state":\s*"(TIMEOUT|ABORTED)"/.test(e.message ?? '');
}

/** SDK waiter settings for one target: first re-check after 1 s, at most every 5 s, within the target's budget. */
export interface WaitBudget {
  minDelay: number;
  maxDelay: number;
  maxWaitTime: number;
}

export function waiterBudget(waitSeconds: number): WaitBudget {
  return { minDelay: 1, maxDelay: 5, maxWaitTime: Math.max(1, waitSeconds) };
}

/**
 * A policy removed for the fixture pool, and the removal confirmed: `remove` (an error `nothing` says means there
 * was none counts as done), then `gone` read until it says so — a read may lag behind the write — for at most
 * `patienceMs`. False when the removal failed or could not be confirmed: the pool then does not lend the resource.
 */
export async function removeConfirmed(remove: () => Promise<unknown>, nothing: (error: unknown) => boolean, gone: () => Promise<boolean>, patienceMs: number): Promise<boolean> {
  try {
    await remove();
  } catch (error) {
    if (!nothing(error)) return false;
  }
  const until = Date.now() + patienceMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      if (await gone()) return true;
    } catch {
      return false;
    }
    if (Date.now() + wait > until) return false;
    await sleep(wait);
  }
}

/**
 * An SDK waiter that ends at its first poll that ran out of time, with that poll's error. smithy's generated
 * waiters poll again after any error until their budget is spent, so a target that stopped answering would cost a
 * whole wait budget (minutes on AWS) of timed-out polls before the runner could tell it is gone.
 */
export async function waitOrTimeout<C extends { send(...args: never[]): Promise<unknown> }, R>(
  client: C,
  wait: WaitBudget,
  waiter: (config: WaitBudget & { client: C; abortSignal: AbortSignal }) => Promise<R>,
): Promise<R> {
  const controller = new AbortController();
  let timedOut: unknown;
  const watched = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (...args: never[]) =>
        target.send(...args).catch((error: unknown) => {
          if (transportCause(error) === 'timeout') {
            timedOut ??= error;
            controller.abort();
          }
          throw error;
        });
    },
  });
  try {
    return await waiter({ ...wait, client: watched, abortSignal: controller.signal });
  } catch (error) {
    throw timedOut ?? error;
  }
}
