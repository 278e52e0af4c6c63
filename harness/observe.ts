import type { Observation } from '../models/types.js';

/** Codes a target uses to say it does not implement an operation at all. */
const UNSUPPORTED_CODES = new Set([
  'UnknownOperationException',
  'UnknownOperation',
  'InvalidAction',
  'NotImplemented',
  'NotImplementedException',
  'UnsupportedOperation',
  'UnsupportedOperationException',
  'InternalFailure',
]);

/**
 * What targets say, whatever the error code, when they cannot map a request to a service or operation they serve:
 * AWS's (and kinesis-local's) AccessDeniedException for an X-Amz-Target it cannot route, ministack's
 * `{"error": "Unsupported service: xray"}` (no code at all).
 */
const UNSUPPORTED_MESSAGES = /Unable to determine service\/operation name to be authorized|^Unsupported service: /i;

const THROTTLE_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

export interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  /** A body member named "error", which the SDK copies onto the exception (ministack's error bodies). */
  error?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttled requests were not carried out, so they are the one kind of failed write that is safe to repeat. */
export function isThrottle(observation: Observation): boolean {
  return observation.kind === 'fault' && observation.reason.startsWith('throttled');
}

/** Turn whatever an SDK call threw into an observation; nothing is ever thrown past this. */
export function observeError(error: unknown, knownCodes: ReadonlySet<string>): Observation {
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  const code = e.name ?? 'Error';
  if (status === undefined) {
    return { kind: 'fault', reason: `no HTTP response: ${e.code ?? code}: ${firstLine(e.message)}` };
  }
  if (THROTTLE_CODES.has(code) || status === 429) return { kind: 'fault', reason: `throttled: ${code}`, status };
  const said = [e.message, typeof e.error === 'string' ? e.error : undefined].find((m) => m && UNSUPPORTED_MESSAGES.test(m));
  if (said && status < 500) return { kind: 'unsupported', reason: `${code}: ${firstLine(said)}`, status };
  if (knownCodes.has(code) && status < 500) return { kind: 'error', code, status, message: firstLine(e.message) };
  // A body the SDK cannot even parse (an HTML error page) on these statuses means "no such operation here".
  const unparseable = code === 'SyntaxError' || /Deserialization error|Unexpected token/i.test(e.message ?? '');
  if (UNSUPPORTED_CODES.has(code) || status === 501 || status === 404 || status === 405 || (unparseable && status === 500)) {
    return { kind: 'unsupported', reason: `${code}: ${firstLine(e.message)}`, status };
  }
  if (status >= 500) return { kind: 'fault', reason: `HTTP ${status}: ${code}: ${firstLine(e.message)}`, status };
  return { kind: 'error', code, status, message: firstLine(e.message) };
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.slice(0, 300);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
