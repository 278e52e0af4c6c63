import type { Json, JsonObject, Observation } from '../../models/types.js';
import { observeError } from '../observe.js';

/** Drop undefined members, so a request or output records only what was really there. */
export function compact(record: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, Json>;
}

/** Run one SDK interaction and normalize its result or error. */
export async function tryCall(call: () => Promise<JsonObject>, knownCodes: ReadonlySet<string>): Promise<Observation> {
  try {
    return { kind: 'ok', output: await call() };
  } catch (error) {
    return observeError(error, knownCodes);
  }
}
