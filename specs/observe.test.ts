/**
 * How the harness classifies what a target answers, end to end: each case is a real HTTP answer (from the proxy
 * in front of the embedded reference server), read by the real SDK client of each service through the real
 * adapter's `send`, so the service's own known codes and the SDK's own error parsing decide, as in a run.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import type { Sequence } from '../harness/service.js';
import { SERVICES, serviceNamed } from '../services/index.js';
import type { Observation, Request, ServiceName } from '../models/types.js';
import { type Action, type FixedAnswer, type Proxy, startProxy } from './support/proxy.js';
import { endpointAt } from './support/reference.js';

/** One read per service: answered by the reference when forwarded, never changes anything. */
const READS: Record<ServiceName, Request> = {
  dynamodb: { operation: 'GetResourcePolicy', input: { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/observe' } },
  kinesis: { operation: 'GetResourcePolicy', input: { ResourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/observe' } },
  ssm: { operation: 'GetResourcePolicies', input: { ResourceArn: 'arn:aws:ssm:us-east-1:123456789012:parameter/observe', MaxResults: 5 } },
  xray: { operation: 'ListResourcePolicies', input: {} },
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FixedAnswer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const html = (status: number): FixedAnswer => ({ status, headers: { 'content-type': 'text/html' }, body: `<!DOCTYPE html><html><body><h1>${status}</h1><p>nginx</p></body></html>` });
const empty = (status: number): FixedAnswer => ({ status, body: '' });

const LONG_MESSAGE = `1 validation error detected: Value at 'policy' failed to satisfy constraint:\n  Member must have length less than or equal to 20480\n${'detail '.repeat(80)}\nlast line`;

type Expected = Partial<Extract<Observation, { kind: 'fault' }>> | Partial<Extract<Observation, { kind: 'unsupported' }>> | Partial<Extract<Observation, { kind: 'error' }>>;

const CASES: Array<[name: string, action: Action, expected: Expected]> = [
  // Server errors: never a verdict, whatever the body.
  ['HTML 500 page', 'html-500', { kind: 'fault', cause: 'unparseable', status: 500 }],
  ['500 InternalFailure (JSON)', 'json-internal-failure', { kind: 'fault', cause: 'server-error', status: 500 }],
  ['400 InternalFailure (JSON)', 'json-internal-failure-400', { kind: 'fault', cause: 'server-error', status: 400 }],
  ['503 ServiceUnavailable', 'service-unavailable', { kind: 'fault', cause: 'server-error', status: 503 }],
  ['400 InternalServerException', json(400, { __type: 'InternalServerException', message: 'oops' }), { kind: 'fault', cause: 'server-error', status: 400 }],
  ['500 InternalError', json(500, { __type: 'InternalError', message: 'oops' }), { kind: 'fault', cause: 'server-error', status: 500 }],
  ['400 ServiceUnavailableException', json(400, { __type: 'ServiceUnavailableException', message: 'later' }), { kind: 'fault', cause: 'server-error', status: 400 }],
  ['404 InternalServerError', json(404, { __type: 'InternalServerError', message: 'oops' }), { kind: 'fault', cause: 'server-error', status: 404 }],
  ['502 with no body', empty(502), { kind: 'fault', cause: 'server-error', status: 502 }],
  ['504 HTML page', html(504), { kind: 'fault', cause: 'unparseable', status: 504 }],
  ['500 with a service code', json(500, { __type: 'ResourceNotFoundException', message: 'crashed while saying so' }), { kind: 'fault', cause: 'server-error', status: 500 }],
  // Throttling.
  ['the protocol throttling error', 'throttle', { kind: 'fault', cause: 'throttle' }],
  ['429 with no body', empty(429), { kind: 'fault', cause: 'throttle', status: 429 }],
  ['400 ProvisionedThroughputExceededException', json(400, { __type: 'ProvisionedThroughputExceededException', message: 'slow down' }), { kind: 'fault', cause: 'throttle', status: 400 }],
  // Bodies the SDK cannot read, on statuses that say nothing about the route.
  ["the server's answer cut in half", 'truncate', { kind: 'fault', cause: 'unparseable' }],
  ['200 HTML page', html(200), { kind: 'fault', cause: 'unparseable', status: 200 }],
  ['200 truncated JSON', json(200, '{"Policy": "{\\"Version'), { kind: 'fault', cause: 'unparseable', status: 200 }],
  ['400 HTML page', html(400), { kind: 'fault', cause: 'unparseable', status: 400 }],
  ['400 truncated JSON error', json(400, '{"__type": "ResourceNotFoundExc'), { kind: 'fault', cause: 'unparseable', status: 400 }],
  ['302 redirect', { status: 302, headers: { location: '/elsewhere' }, body: '' }, { kind: 'fault', cause: 'unparseable', status: 302 }],
  // No such operation here.
  ['404 HTML page', html(404), { kind: 'unsupported', status: 404 }],
  ['404 with an unknown code', json(404, { __type: 'NotFound', message: 'no route' }), { kind: 'unsupported', status: 404 }],
  ['404 with no body', empty(404), { kind: 'unsupported', status: 404 }],
  ['405 HTML page', html(405), { kind: 'unsupported', status: 405 }],
  ['405 MethodNotAllowed', json(405, { __type: 'MethodNotAllowed', message: 'POST not allowed' }), { kind: 'unsupported', status: 405 }],
  ['501 NotImplemented', json(501, { __type: 'NotImplemented', message: 'not yet' }), { kind: 'unsupported', status: 501 }],
  ['501 with no body', empty(501), { kind: 'unsupported', status: 501 }],
  ['400 UnknownOperationException', json(400, { __type: 'UnknownOperationException', message: '' }), { kind: 'unsupported', status: 400 }],
  ['400 InvalidAction', json(400, { __type: 'InvalidAction', message: 'no such action' }), { kind: 'unsupported', status: 400 }],
  ['400 UnsupportedOperation', json(400, { __type: 'UnsupportedOperation', message: 'nope' }), { kind: 'unsupported', status: 400 }],
  ['400 NotImplementedException', json(400, { __type: 'NotImplementedException', message: 'nope' }), { kind: 'unsupported', status: 400 }],
  [
    'AccessDenied "Unable to determine service/operation name"',
    json(400, { __type: 'AccessDeniedException', Message: 'Unable to determine service/operation name to be authorized' }),
    { kind: 'unsupported', status: 400 },
  ],
  ["ministack's {error: Unsupported service}", json(400, { error: 'Unsupported service: xray' }), { kind: 'unsupported', status: 400 }],
  // Answers: judged by the model, with the target's whole message.
  ['404 ResourceNotFoundException (a real answer)', json(404, { __type: 'ResourceNotFoundException', message: 'no such thing' }), { kind: 'error', code: 'ResourceNotFoundException', status: 404, message: 'no such thing' }],
  [
    'another AccessDeniedException',
    json(400, { __type: 'AccessDeniedException', message: 'User is not authorized to perform this action' }),
    { kind: 'error', code: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform this action' },
  ],
  ['400 ValidationException, long and multi-line', json(400, { __type: 'ValidationException', message: LONG_MESSAGE }), { kind: 'error', code: 'ValidationException', status: 400, message: LONG_MESSAGE }],
  ['400 with a code no service has', json(400, { __type: 'FooException', message: 'line one\nline two' }), { kind: 'error', code: 'FooException', status: 400, message: 'line one\nline two' }],
  ['403 with a prefixed code', json(403, { __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'bad token' }), { kind: 'error', code: 'UnrecognizedClientException', status: 403 }],
  ['400 with no body', empty(400), { kind: 'error', status: 400 }],
  // No answer at all.
  ['connection reset before the server saw it', 'reset-before', { kind: 'fault', cause: 'connection' }],
  ['connection reset after the server carried it out', 'drop-after', { kind: 'fault', cause: 'connection' }],
  ['never answered', 'stall', { kind: 'fault', cause: 'timeout' }],
  ['headers, then no body', 'stall-body', { kind: 'fault', cause: 'timeout' }],
  ['a body that never ends', 'trickle', { kind: 'fault', cause: 'timeout' }],
];

/** Short, so the stall cases end quickly; the other cases are answered in milliseconds. */
const DEADLINE_MS = 700;

let proxy: Proxy;
let current: Action = 'forward';
const stops: Array<() => Promise<void>> = [];
const sequences = new Map<ServiceName, Sequence<unknown>>();
const closers: Array<() => void> = [];

beforeAll(async () => {
  const ref = await startReference();
  proxy = await startProxy(ref.url, () => current);
  stops.push(ref.stop, proxy.stop);
  for (const adapter of SERVICES.map((s) => s.adapter)) {
    const connection = adapter.connect({ ...endpointAt(proxy.url), requestDeadlineMs: DEADLINE_MS }, { settleMs: 0, waitSeconds: 5 });
    closers.push(() => connection.close());
    sequences.set(adapter.service, connection.sequence('observe', { account: '123456789012', region: 'us-east-1' }));
  }
});
afterAll(async () => {
  for (const close of closers) close();
  for (const stop of stops.reverse()) await stop();
});

describe.each(SERVICES.map((s) => s.name))('%s: what the SDK reads from an answer, classified', (service) => {
  it('a real answer from the server is an answer', async () => {
    current = 'forward';
    const o = await sequences.get(service)!.send(READS[service]!);
    expect(['ok', 'error']).toContain(o.kind);
  });

  it.each(CASES)('%s', async (_name, action, expected) => {
    current = action;
    const o = await sequences.get(service)!.send(READS[service]!);
    expect(o).toMatchObject(expected);
    if (o.kind === 'fault' || o.kind === 'unsupported') expect(o.reason.length).toBeGreaterThan(0);
  });
});

describe('a connection nobody accepts', () => {
  it.each(SERVICES.map((s) => s.name))('%s: connection refused is a connection fault', async (service) => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const adapter = SERVICES.map((s) => s.adapter).find((a) => a.service === service)!;
    const connection = adapter.connect(endpointAt(`http://127.0.0.1:${port}`), { settleMs: 0, waitSeconds: 5 });
    try {
      const o = await connection.sequence('observe', { account: '123456789012', region: 'us-east-1' }).send(READS[service]!);
      expect(o).toMatchObject({ kind: 'fault', cause: 'connection' });
    } finally {
      connection.close();
    }
  });
});
