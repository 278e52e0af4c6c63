import type { Json, JsonObject, Observation } from '../../models/types.js';
import { observeError, sleep } from '../observe.js';

/** Drop undefined members, so a request or output records only what was really there. */
export function compact(record: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, Json>;
}

/** The named members of an SDK output, as plain data. */
export function pick(output: object, keys: string[]): JsonObject {
  const o = output as Record<string, unknown>;
  return compact(Object.fromEntries(keys.map((k) => [k, o[k]])));
}

/** Run one SDK interaction and normalize its result or error. */
export async function tryCall(call: () => Promise<JsonObject>, knownCodes: ReadonlySet<string>): Promise<Observation> {
  try {
    return { kind: 'ok', output: await call() };
  } catch (error) {
    return observeError(error, knownCodes);
  }
}

/**
 * For the read-only tail of a compound call (a waiter, a Describe after a Create): retry faults and throttles
 * here, because retrying the whole compound call would repeat its write.
 */
export async function withReadRetries<T>(read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const cause = (error as { cause?: unknown; reason?: unknown }).cause ?? error;
      // A waiter that ran out of time already waited its whole budget: repeating it only multiplies the wait.
      const waiterGaveUp = (error as { name?: string }).name === 'TimeoutError' || (error as { name?: string }).name === 'AbortError';
      if (waiterGaveUp || attempt >= attempts || observeError(cause, new Set()).kind !== 'fault') throw error;
      await sleep(Math.min(100 * 2 ** attempt, 2000));
    }
  }
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
