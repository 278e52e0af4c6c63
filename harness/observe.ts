import type { FaultCause, Observation } from '../models/types.js';

/** Codes a target uses to say it does not implement an operation at all (below HTTP 500). */
const UNSUPPORTED_CODES = new Set([
  'UnknownOperationException',
  'UnknownOperation',
  'InvalidAction',
  'NotImplemented',
  'NotImplementedException',
  'UnsupportedOperation',
  'UnsupportedOperationException',
]);

/** AWS's transient server-side codes: whatever status they come with, the call may be repeated later. */
const SERVER_ERROR_CODES = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
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

const REQUEST_TIMEOUT_CODES = new Set(['RequestTimeout', 'RequestTimeoutException']);

/** Statuses by which HTTP itself says "no such resource or method here". */
const NOT_HERE_STATUSES = new Set([404, 405, 501]);

/** Node / undici error codes of a connection that could not be made or was cut. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ABORT_ERR', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * What the SDK throws when a body is not the JSON it expected: JSON.parse's SyntaxError (HTML, a body cut short),
 * which the SDK re-throws with "Deserialization error: …" appended and the response's status.
 */
const UNPARSEABLE_MESSAGES = /Deserialization error|Unexpected end of JSON|Unexpected token|Unterminated string|is not valid JSON|in JSON at position|truncated/i;

export interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  /** A body member named "error", which the SDK copies onto the exception (ministack's error bodies). */
  error?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttled requests were not carried out, so they are the one kind of failed write that is safe to repeat. */
export function isThrottle(observation: Observation): boolean {
  return observation.kind === 'fault' && observation.cause === 'throttle';
}

/** A server error: a 5xx, or an answer that is no AWS answer at all (what a crash is made of). */
export function isServerError(observation: Observation): boolean {
  return observation.kind === 'fault' && (observation.cause === 'server-error' || observation.cause === 'unparseable');
}

/** Whether an observation is a call that ran out of time (the target may still be working on it). */
export function isTimeout(observation: Observation): boolean {
  return observation.kind === 'fault' && observation.cause === 'timeout';
}

/**
 * The transport-level reason a call failed, if it did not end in an answer the SDK read to its end: the socket
 * could not be opened, was cut (even after the status line came: a body cut by a reset), or ran out of time.
 * Smithy renames ECONNRESET/EPIPE errors `TimeoutError`, so the Node error code decides before the name.
 */
export function transportCause(error: unknown): 'timeout' | 'connection' | undefined {
  for (let e = error as SdkErrorLike | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as SdkErrorLike | undefined, depth++) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && CONNECTION_CODES.has(code)) return 'connection';
    if (code && TIMEOUT_CODES.has(code)) return 'timeout';
    if (/socket hang up/i.test(e.message ?? '')) return 'connection';
    // smithy's connection timeout, socket (inactivity) timeout and request timeout; an aborted call.
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  }
  return undefined;
}

function fault(cause: FaultCause, reason: string, status: number | undefined): Observation {
  return status === undefined ? { kind: 'fault', cause, reason } : { kind: 'fault', cause, reason, status };
}

/**
 * Turn whatever an SDK call threw into an observation; nothing is ever thrown past this. In order:
 * no answer (timeout, connection) → fault; throttling → fault; AWS's transient server codes and HTTP ≥ 500 (but a
 * 501 without a known code) → fault; a body the SDK cannot parse, except on 404/405/501 → fault; HTTP 404/405/501
 * without a known code, the "no such operation" codes and the "cannot route" messages below 500 → unsupported;
 * every other 4xx → the target's answer, with its whole message.
 */
export function observeError(error: unknown, knownCodes: ReadonlySet<string>): Observation {
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  const code = e.name ?? 'Error';
  const message = typeof e.message === 'string' ? e.message : String(e.message ?? '');
  const what = `${code}${e.code && e.code !== code ? ` (${e.code})` : ''}: ${firstLine(message)}`;

  const transport = transportCause(e);
  if (transport) return fault(transport, `${transport === 'timeout' ? 'timed out' : 'connection failed'}${status ? ` after HTTP ${status}` : ''}: ${what}`, status);
  // No status and no transport error: nothing came back that the SDK could attach to a response.
  if (status === undefined) return fault('connection', `no HTTP response: ${what}`, undefined);

  // AWS's code for "the request took too long to arrive" (the SDK's retry strategy counts it as transient).
  if (REQUEST_TIMEOUT_CODES.has(code)) return fault('timeout', `timed out: HTTP ${status}: ${what}`, status);
  if (THROTTLE_CODES.has(code) || status === 429) return fault('throttle', `throttled: HTTP ${status}: ${what}`, status);
  if (SERVER_ERROR_CODES.has(code)) return fault('server-error', `HTTP ${status}: ${what}`, status);

  const said = [message, typeof e.error === 'string' ? e.error : undefined].find((m) => m && UNSUPPORTED_MESSAGES.test(m));
  if (said && status < 500) return { kind: 'unsupported', reason: `${code}: ${firstLine(said)}`, status };

  const unparseable = code === 'SyntaxError' || UNPARSEABLE_MESSAGES.test(message);
  const notHere = NOT_HERE_STATUSES.has(status) && (unparseable || !knownCodes.has(code));
  if (notHere) return { kind: 'unsupported', reason: `HTTP ${status}: ${what}`, status };
  // A server error page that is not AWS-shaped (HTML, plain text) is told apart: from an operation that never
  // answered like AWS it may mean "not implemented here" (moto), which the runner decides by how it recurs.
  if (status >= 500) return fault(unparseable ? 'unparseable' : 'server-error', `HTTP ${status}: ${what}`, status);
  if (unparseable) return fault('unparseable', `unreadable answer: HTTP ${status}: ${what}`, status);
  if (UNSUPPORTED_CODES.has(code)) return { kind: 'unsupported', reason: `HTTP ${status}: ${what}`, status };
  if (status >= 400) return { kind: 'error', code, status, message };
  // A 1xx/2xx/3xx the SDK refused without a parse error (a redirect, say): not an AWS answer either way.
  return fault('unparseable', `unexpected answer: HTTP ${status}: ${what}`, status);
}

/** For `reason` strings only (never for a target's error message): the first line, at most 300 characters. */
function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.slice(0, 300);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
