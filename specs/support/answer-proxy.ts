import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, or answer it itself (the server never sees it). */
export type ProxyAnswer = 'forward' | { status: number; contentType: string; body: string };

export interface AnswerProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real HTTP proxy in front of a real server that answers chosen requests itself, the way an emulator that
 * lacks an operation (or gets one wrong now and then) would. `operation` is the X-Amz-Target operation for the
 * JSON protocols, or the request path for restJson (X-Ray: `/PutResourcePolicy`).
 */
export async function startAnswerProxy(upstream: string, decide: (operation: string, nth: number) => ProxyAnswer): Promise<AnswerProxy> {
  const seen = new Map<string, number>();
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' ? (target.split('.').pop() ?? target) : (req.url ?? '/').split('?')[0]!;
      const nth = (seen.get(operation) ?? 0) + 1;
      seen.set(operation, nth);
      const answer = decide(operation, nth);
      if (answer !== 'forward') {
        res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
        return;
      }
      const forward = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const unknownOperation = (): ProxyAnswer => ({
  status: 400,
  contentType: 'application/x-amz-json-1.1',
  body: JSON.stringify({ __type: 'UnknownOperationException', message: 'not implemented here' }),
});

export const htmlNotFound = (): ProxyAnswer => ({ status: 404, contentType: 'text/html', body: '<html><body><h1>404 Not Found</h1></body></html>' });
