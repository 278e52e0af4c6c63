import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type FaultAction = 'forward' | 'error-before' | 'error-after' | 'drop-after' | 'throttle';

export interface FaultProxy {
  url: string;
  /** Requests seen, by X-Amz-Target operation. */
  seen: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * A real HTTP proxy in front of a real server that injects infrastructure faults: a 503 before the request
 * reaches the server, a 500 or a dropped connection after the server carried it out, or a throttling error.
 */
export async function startFaultProxy(upstream: string, decide: (operation: string, nth: number) => FaultAction): Promise<FaultProxy> {
  const seen = new Map<string, number>();
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? req.url ?? '');
      const operation = target.split('.').pop() ?? target;
      const nth = (seen.get(operation) ?? 0) + 1;
      seen.set(operation, nth);
      const action = decide(operation, nth);
      if (action === 'error-before') {
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'injected' }));
        return;
      }
      if (action === 'throttle') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazon.coral.availability#ThrottlingException', message: 'injected' }));
        return;
      }
      const forward = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        const body: Buffer[] = [];
        upRes.on('data', (c) => body.push(c));
        upRes.on('end', () => {
          if (action === 'drop-after') return void req.socket.destroy();
          if (action === 'error-after') {
            res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected' }));
            return;
          }
          res.writeHead(upRes.statusCode ?? 500, upRes.headers).end(Buffer.concat(body));
        });
      });
      forward.on('error', () => res.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
