import type { Observation } from '../models/types.js';

/** One-line description of what a target answered. */
export function describeObservation(o: Observation): string {
  switch (o.kind) {
    case 'ok':
      return `ok ${abbreviate(JSON.stringify(o.output), 160)}`;
    case 'error':
      return `${o.code} (HTTP ${o.status})`;
    case 'fault':
      return `fault: ${o.reason}`;
    case 'unsupported':
      return `unsupported: ${o.reason}`;
  }
}

/** Long policy documents make unreadable reports: keep the start and the length. */
export function abbreviate(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

export function describeInput(input: Record<string, unknown>): string {
  return Object.entries(input)
    .map(([k, v]) => `${k}=${abbreviate(typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v), 90)}`)
    .join(' ');
}
