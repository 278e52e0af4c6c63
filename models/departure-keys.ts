/**
 * The stable keys departures are known by (expectations files, matrix cells, reports): stable words only — service,
 * rule, the switch value that explains it, the departure's kind, or the unsupported operation.
 */
import type { DepartureKind } from './results.js';

/** A wrong answer keeps the key it always had; the other kinds say theirs, e.g. `… (error-with-side-effect)`. */
export function divergenceKey(service: string, rule: string, explainedBy?: { switch: string; value: string }, kind: DepartureKind = 'wrong-answer'): string {
  return `${service} rule ${rule}${explainedBy ? ` [${explainedBy.switch}=${explainedBy.value}]` : ''}${kind === 'wrong-answer' ? '' : ` (${kind})`}`;
}

export function unsupportedKey(service: string, operation?: string): string {
  return operation ? `${service} operation ${operation} unsupported` : `${service} service unsupported`;
}
