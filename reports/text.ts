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

/**
 * One line with everything the target said: an error's code, status and whole message (newlines shown as ⏎), a
 * fault's or unsupported answer's whole reason. For JUnit and other places that must not cut anything.
 */
export function describeObservationFull(o: Observation): string {
  const oneLine = (s: string) => s.replace(/\r?\n/g, ' ⏎ ');
  switch (o.kind) {
    case 'ok':
      return `ok ${JSON.stringify(o.output)}`;
    case 'error':
      return `${o.code} (HTTP ${o.status})${o.message !== undefined && o.message !== '' ? `: ${oneLine(o.message)}` : ''}`;
    case 'fault':
      return `fault${o.status !== undefined ? ` (HTTP ${o.status})` : ''}: ${oneLine(o.reason)}`;
    case 'unsupported':
      return `unsupported${o.status !== undefined ? ` (HTTP ${o.status})` : ''}: ${oneLine(o.reason)}`;
  }
}

/** Length in UTF-8 bytes (what the services' size limits count). */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}
