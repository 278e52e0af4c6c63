/**
 * A real HTTP proxy in front of a real server (the embedded reference, an emulator) that decides, request by
 * request, whether to pass it on, to answer it itself (the way an emulator lacking an operation would), or to
 * misbehave the way infrastructure does: error pages, transient AWS errors, throttling, resets before or after the
 * server carried the request out, bodies cut short, answers that never come or never end.
 */
import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyRequest {
  /** The operation, whatever the protocol: X-Amz-Target's last part (awsJson), the URL path's (X-Ray's restJson1). */
  operation: string;
  /** The signing name of the service (SigV4 credential scope), e.g. `dynamodb`, `kinesis`, `ssm`, `xray`. */
  service: string;
  /** 1 for the first request of this service's operation, 2 for the second … */
  nth: number;
  /** 1 for the first request the proxy saw, whatever its operation. */
  nthOverall: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer the proxy gives itself; the server never sees the request. */
export interface FixedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Answer only once this settles (answers held back to arrive together, one after another). */
  after?: Promise<unknown>;
}

export type FaultKind =
  /** An HTML error page with status 500, as a load balancer or a crashing framework sends. Not forwarded. */
  | 'html-500'
  /** `500 InternalFailure` in the protocol's JSON (AWS's routine transient error). Not forwarded. */
  | 'json-internal-failure'
  /** The same with status 400 (AWS's own InternalFailure comes with either). Not forwarded. */
  | 'json-internal-failure-400'
  /** `503 ServiceUnavailable` JSON. Not forwarded. */
  | 'service-unavailable'
  /** The protocol's throttling error (awsJson: 400 ThrottlingException; restJson1: 429 ThrottledException). Not forwarded. */
  | 'throttle'
  /** Forwarded, then answered `500 InternalServerError`: the request took effect. */
  | 'error-after'
  /** Connection reset before the request reaches the server. */
  | 'reset-before'
  /** Forwarded, then the connection is reset instead of the answer: the request took effect. */
  | 'drop-after'
  /** Forwarded, then only the first half of the server's body is sent, framed as if it were whole, with its status. */
  | 'truncate'
  /** Accepted and never answered (not forwarded). */
  | 'stall'
  /** Forwarded, then the server's status and headers are sent and the body never comes. */
  | 'stall-body'
  /** Forwarded, then status, headers and a body of whitespace that never ends (a byte every 100 ms). */
  | 'trickle';

export const FAULT_KINDS: readonly FaultKind[] = [
  'html-500',
  'json-internal-failure',
  'json-internal-failure-400',
  'service-unavailable',
  'throttle',
  'error-after',
  'reset-before',
  'drop-after',
  'truncate',
  'stall',
  'stall-body',
  'trickle',
];

export type Action = 'forward' | FaultKind | FixedAnswer;

export interface ProxyLogEntry {
  operation: string;
  service: string;
  nth: number;
  nthOverall: number;
  action: 'forward' | FaultKind | 'answer';
}

export interface Proxy {
  url: string;
  port: number;
  /** Every request seen, in order, with what the proxy did with it. */
  log: ProxyLogEntry[];
  /** How many requests were met with each action. */
  count(action: ProxyLogEntry['action']): number;
  /** Replace the decision function (e.g. to start stalling mid-run). */
  decide(decide: (request: ProxyRequest) => Action): void;
  stop(): Promise<void>;
}

/** The awsJson X-Amz-Target prefixes of the four services, for requests that carry no SigV4 scope. */
const TARGET_PREFIXES: Record<string, string> = { DynamoDB_20120810: 'dynamodb', Kinesis_20131202: 'kinesis', AmazonSSM: 'ssm' };

function describe(req: IncomingMessage): { operation: string; service: string } {
  const target = req.headers['x-amz-target'];
  const path = (req.url ?? '/').split('?')[0]!;
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  if (typeof target === 'string' && target.includes('.')) {
    const [prefix, operation] = [target.slice(0, target.lastIndexOf('.')), target.slice(target.lastIndexOf('.') + 1)];
    return { operation, service: scope?.[1] ?? TARGET_PREFIXES[prefix] ?? prefix };
  }
  // restJson1 (X-Ray): POST /PutResourcePolicy, /ListResourcePolicies, /DeleteResourcePolicy …
  return { operation: decodeURIComponent(path.split('/').filter(Boolean)[0] ?? ''), service: scope?.[1] ?? 'unknown' };
}

/** The response content type the client expects: the one it sent (awsJson 1.0/1.1, restJson1's application/json). */
function jsonType(req: ProxyRequest): string {
  const sent = req.headers['content-type'];
  return typeof sent === 'string' && sent.includes('json') ? sent : 'application/json';
}

const restJson = (req: ProxyRequest) => !req.headers['x-amz-target'];

/** A JSON error in the request's protocol: awsJson reads `__type`, restJson1 the `x-amzn-errortype` header. */
export function jsonError(req: ProxyRequest, status: number, code: string, message: string): FixedAnswer {
  return {
    status,
    headers: { 'content-type': jsonType(req), 'x-amzn-errortype': `${code}:http://internal.amazon.com/coral/com.amazon.coral.service/`, 'x-amzn-requestid': 'proxy' },
    body: JSON.stringify({ __type: code, message }),
  };
}

/** What a fault kind answers without the server (null: it needs the server's answer, or sends none). */
function cannedAnswer(kind: FaultKind, req: ProxyRequest): FixedAnswer | null {
  switch (kind) {
    case 'html-500':
      return { status: 500, headers: { 'content-type': 'text/html' }, body: '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>' };
    case 'json-internal-failure':
      return jsonError(req, 500, 'InternalFailure', 'injected: the request processing has failed because of an unknown error');
    case 'json-internal-failure-400':
      return jsonError(req, 400, 'InternalFailure', 'injected: the request processing has failed because of an unknown error');
    case 'service-unavailable':
      return jsonError(req, 503, 'ServiceUnavailable', 'injected: service unavailable');
    case 'throttle':
      return restJson(req) ? jsonError(req, 429, 'ThrottledException', 'injected: rate exceeded') : jsonError(req, 400, 'com.amazon.coral.availability#ThrottlingException', 'injected: rate exceeded');
    default:
      return null;
  }
}

/** Cut the connection with a TCP RST (the client sees ECONNRESET), not a FIN. */
function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function send(res: ServerResponse, answer: FixedAnswer): void {
  res.writeHead(answer.status, { 'content-length': String(Buffer.byteLength(answer.body)), ...answer.headers }).end(answer.body);
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Headers of the server's answer minus the framing ones, which the proxy sets for what it really sends. */
function unframed(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { 'content-length': _length, 'transfer-encoding': _encoding, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
}

/**
 * Start a proxy in front of `upstream`. `decide` sees every request (with its body) and says what to do with it;
 * the default forwards everything.
 */
export async function startProxy(upstream: string, decide: (request: ProxyRequest) => Action = () => 'forward'): Promise<Proxy> {
  const up = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const seen = new Map<string, number>();
  const log: ProxyLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let overall = 0;
  let decision = decide;

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const out = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502, headers: upRes.headers, body: Buffer.concat(chunks) }));
        upRes.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { operation, service } = describe(req);
      const key = `${service}:${operation}`;
      const nth = (seen.get(key) ?? 0) + 1;
      seen.set(key, nth);
      const request: ProxyRequest = { operation, service, nth, nthOverall: ++overall, method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: body.toString('utf8') };
      const action = decision(request);
      log.push({ operation, service, nth, nthOverall: request.nthOverall, action: typeof action === 'string' ? action : 'answer' });
      void act(action, request, req, res, body);
    });
  });

  async function act(action: Action, request: ProxyRequest, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    if (typeof action === 'object') {
      if (action.after) await action.after;
      return send(res, action);
    }
    const canned = action === 'forward' ? null : cannedAnswer(action, request);
    if (canned) return send(res, canned);
    if (action === 'reset-before') return reset(req.socket);
    if (action === 'stall') return; // the connection stays open, unanswered, until the client gives up or stop()
    let answer: Upstream;
    try {
      answer = await forward(req, body);
    } catch {
      return send(res, { status: 502, headers: { 'content-type': 'text/plain' }, body: 'proxy: upstream failed' });
    }
    switch (action) {
      case 'forward':
        res.writeHead(answer.status, { ...unframed(answer.headers), 'content-length': String(answer.body.length) }).end(answer.body);
        return;
      case 'error-after':
        return send(res, jsonError(request, 500, 'InternalServerError', 'injected after the request was carried out'));
      case 'drop-after':
        return reset(req.socket);
      case 'truncate': {
        const part = answer.body.subarray(0, Math.floor(answer.body.length / 2));
        res.writeHead(answer.status, { ...unframed(answer.headers), 'content-length': String(part.length) }).end(part);
        return;
      }
      case 'stall-body':
      case 'trickle': {
        // No content-length: chunked, so the client cannot tell the body is over until a last chunk that never comes.
        res.writeHead(answer.status, unframed(answer.headers));
        res.flushHeaders();
        if (action === 'trickle') {
          const timer = setInterval(() => res.write(' '), 100);
          timers.add(timer);
          res.on('close', () => {
            clearInterval(timer);
            timers.delete(timer);
          });
        }
        return;
      }
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    count: (action) => log.filter((e) => e.action === action).length,
    decide: (d) => {
      decision = d;
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        agent.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An awsJson `UnknownOperationException`, as an emulator answers an operation it does not implement. */
export const unknownOperation = (): FixedAnswer => ({
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: JSON.stringify({ __type: 'UnknownOperationException', message: 'not implemented here' }),
});

/** A web server's 404 page, as a target without a service at all answers. */
export const htmlNotFound = (): FixedAnswer => ({ status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' });
