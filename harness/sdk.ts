import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where and as whom the SDK clients talk. */
export interface Endpoint {
  /**
   * The one URL every client calls (the reference, an emulator, a URL target). Absent (the `aws` target): each
   * client resolves its own, the SDK's standard way — AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the shared
   * config's endpoint_url (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), else the region's public endpoint.
   */
  url?: string;
  /** What journals, leases and `sweep` know the endpoint by (see {@link endpointId}); default: the url. */
  id?: string;
  region: string;
  /** Fixed keys, or a provider (the SDK's credential chain: env, shared config and SSO profiles, web identity). */
  credentials: Credentials | (() => Promise<Credentials>);
  /**
   * Longest one SDK call (one HTTP exchange: connect, send, headers, whole body) may take before it ends as a
   * timeout fault. Absent: {@link defaultDeadlineMs} of the URL.
   */
  requestDeadlineMs?: number;
  /** Told of every HTTP request a client made from this endpoint sends (the run's request tally). */
  onRequest?: () => void;
  /** Told of every HTTP exchange whole, the answer's body included (`--record`; see harness/record.ts). */
  onExchange?: (exchange: Exchange) => void;
  /**
   * Told, for every request, which service (its SigV4 signing name: dynamodb, sts, …) went to which origin — how
   * the `aws` target's report names the endpoints the SDK resolved.
   */
  onEndpointUsed?: (service: string, origin: string) => void;
}

/** One HTTP request and what came back, as `Endpoint.onExchange` is told of it. */
export interface Exchange {
  startedAt: number;
  durationMs: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  status?: number;
  response?: string;
  /** What ended the exchange before a whole answer came (a timeout, a reset). */
  error?: string;
}

/** The name journals, leases and `sweep` match an endpoint by. */
export function endpointId(endpoint: Pick<Endpoint, 'url' | 'id'>): string {
  const id = endpoint.id ?? endpoint.url;
  if (id === undefined) throw new Error('an endpoint without a url needs an id');
  return id;
}

export const DUMMY_CREDENTIALS: Credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A target on this machine answers in milliseconds; AWS itself (or a remote emulator) gets more slack. */
export const LOCAL_DEADLINE_MS = 5_000;
export const REMOTE_DEADLINE_MS = 15_000;
/** TCP connect (no TLS) on this machine is immediate; across a network it may take a few round trips. */
const LOCAL_CONNECT_MS = 2_000;
const REMOTE_CONNECT_MS = 5_000;

/** Whether a URL names this machine (127.0.0.0/8, ::1, localhost and its subdomains); no URL (the SDK resolves it) is remote. */
export function isLocalUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function defaultDeadlineMs(url: string | undefined): number {
  return isLocalUrl(url) ? LOCAL_DEADLINE_MS : REMOTE_DEADLINE_MS;
}

export interface ClientTimeouts {
  /** Per-request deadline (see {@link Endpoint.requestDeadlineMs}); wins over the endpoint's. */
  deadlineMs?: number;
  /** TCP connect budget (at most the deadline). */
  connectionMs?: number;
}

/** The error a call that ran past its deadline ends with: `code` ETIMEDOUT, as smithy's own request timeout. */
export function deadlineError(deadlineMs: number, phase: string): Error {
  return Object.assign(new Error(`policy-conformance: no complete answer within the ${deadlineMs} ms request deadline (${phase})`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}

/**
 * smithy's NodeHttpHandler (4.14) bounds an exchange only until the response headers arrive:
 * - `connectionTimeout` bounds the TCP connect (a target that never accepts: a full backlog, a blackhole);
 * - `requestTimeout` runs from the start of `handle()` and is cleared when the headers arrive; without
 *   `throwOnRequestTimeout` it only logs a warning, with it the request is destroyed with a TimeoutError (ETIMEDOUT);
 * - `socketTimeout` is an inactivity timeout, which a target that trickles a byte now and then never trips.
 * Nothing of smithy's bounds the body once the headers are in: `handle()` resolves with the live body stream and
 * the deserializer reads it later. So this handler adds one thing of its own: a timer, armed when `handle()`
 * resolves with whatever is left of the deadline, that destroys the body stream with a TimeoutError if it has not
 * ended by then; the deserializer then rejects with that error (a 200 whose body stalls or never ends is a
 * timeout, not a parse error). A per-call `abortSignal` would not do: waiters and paginators call `send` without one.
 */
class DeadlineHttpHandler extends NodeHttpHandler {
  constructor(
    private readonly deadlineMs: number,
    connectionMs: number,
    private readonly onRequest?: () => void,
    private readonly onExchange?: (exchange: Exchange) => void,
    private readonly onEndpointUsed?: (service: string, origin: string) => void,
  ) {
    super({ connectionTimeout: connectionMs, requestTimeout: deadlineMs, throwOnRequestTimeout: true });
  }

  override async handle(...[request, options = {}]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const started = Date.now();
    this.onRequest?.();
    if (this.onEndpointUsed) this.onEndpointUsed(signingName(request.headers) ?? request.hostname, originOf(request));
    if (this.onExchange) return this.recorded(started, request, options);
    return this.bounded(started, await super.handle(request, options));
  }

  /**
   * The exchange read whole before the SDK sees it, so its body can be kept: the body is read here under the same
   * deadline (the timer destroys it if it does not end) and handed on as a fresh stream. Only when recording.
   */
  private async recorded(started: number, ...[request, options = {}]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const sentBody = bodyText(request.body);
    const sent = {
      startedAt: started,
      method: request.method,
      url: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`,
      headers: { ...request.headers },
      ...(sentBody !== undefined ? { body: sentBody } : {}),
    };
    let status: number | undefined;
    try {
      const result = this.bounded(started, await super.handle(request, options));
      status = result.response.statusCode;
      const chunks: Buffer[] = [];
      const body = result.response.body as Readable | undefined;
      if (body && typeof body[Symbol.asyncIterator] === 'function') for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      const bytes = Buffer.concat(chunks);
      result.response.body = Readable.from([bytes], { objectMode: false });
      this.onExchange!({ ...sent, durationMs: Date.now() - started, status, response: bytes.toString('utf8') });
      return result;
    } catch (error) {
      this.onExchange!({ ...sent, durationMs: Date.now() - started, ...(status !== undefined ? { status } : {}), error: `${(error as Error).name}: ${(error as Error).message}` });
      // The body broke off after the headers: said with the status, as the SDK says it when its deserializer meets
      // the same error (harness/observe.ts reports "after HTTP <status>"), so a recorded run judges as a plain one.
      if (status !== undefined && error && typeof error === 'object' && !('$metadata' in error)) Object.assign(error, { $metadata: { httpStatusCode: status } });
      throw error;
    }
  }

  /** The deadline for the body (see the class comment). */
  private bounded(started: number, result: Awaited<ReturnType<NodeHttpHandler['handle']>>): Awaited<ReturnType<NodeHttpHandler['handle']>> {
    const body = result.response.body as Partial<IncomingMessage> | undefined;
    if (body && typeof body.destroy === 'function' && typeof body.once === 'function' && !body.readableEnded && !body.destroyed) {
      const left = Math.max(0, this.deadlineMs - (Date.now() - started));
      const timer = setTimeout(() => {
        if (!body.readableEnded) body.destroy!(deadlineError(this.deadlineMs, `HTTP ${result.response.statusCode} headers came, the body did not end`));
      }, left);
      // Never keep the process alive for a body nobody reads any more.
      timer.unref();
      body.once('close', () => clearTimeout(timer));
    }
    return result;
  }
}

/** The service a signed request is for: the signing name in its SigV4 credential scope (key/date/region/service/aws4_request). */
function signingName(headers: Record<string, string>): string | undefined {
  const auth = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  return auth ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth)?.[1] : undefined;
}

/** scheme://host[:port] of the request the handler is about to send (the endpoint the SDK resolved). */
function originOf(request: { protocol: string; hostname: string; port?: number }): string {
  const host = request.hostname.includes(':') && !request.hostname.startsWith('[') ? `[${request.hostname}]` : request.hostname;
  return `${request.protocol.replace(/:?$/, ':')}//${host}${request.port ? `:${request.port}` : ''}`;
}

/**
 * Configuration shared by every SDK client. Retries are off: a blind retry of a conditional write would turn a
 * fault into a false divergence, so the harness decides what to retry. HTTP/1.1 because local servers need it.
 * Every call ends within the deadline (plus timer slack), however the target misbehaves; see DeadlineHttpHandler.
 * Without a url no `endpoint` is passed: a client given one never reads AWS_ENDPOINT_URL & co. (smithy sets
 * `isCustomEndpoint` and skips the configured-endpoint lookup).
 */
export function clientConfig(endpoint: Endpoint, timeouts: ClientTimeouts = {}) {
  const local = isLocalUrl(endpoint.url);
  const deadlineMs = timeouts.deadlineMs ?? endpoint.requestDeadlineMs ?? defaultDeadlineMs(endpoint.url);
  const connectionMs = Math.min(timeouts.connectionMs ?? (local ? LOCAL_CONNECT_MS : REMOTE_CONNECT_MS), deadlineMs);
  return {
    ...(endpoint.url !== undefined ? { endpoint: endpoint.url } : {}),
    region: endpoint.region,
    credentials: endpoint.credentials,
    maxAttempts: 1,
    requestHandler: new DeadlineHttpHandler(deadlineMs, connectionMs, endpoint.onRequest, endpoint.onExchange, endpoint.onEndpointUsed),
  };
}

/**
 * A request body as text: smithy's JSON protocols send a Uint8Array (JsonBytesStringAdapter in @smithy/core), the
 * query protocol a string. A stream (none of these services sends one) is not read here: undefined.
 */
function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
}
