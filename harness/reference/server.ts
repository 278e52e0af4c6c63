import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceName } from '../../models/types.js';
import type { ReferenceCodec } from './codec.js';
import { type Mutant, ReferenceEngine } from './engine.js';
import { type HttpRequest, type HttpResponse, signingRegion } from './protocol.js';
import { REFERENCE_CODECS } from './services.js';

export const REFERENCE_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';

export interface ReferenceServerOptions {
  port?: number;
  mutant?: string;
  /** Account-level state a target already holds before the suite runs (X-Ray), keyed by service. */
  initialState?: Partial<Record<ServiceName, unknown>>;
}

export interface RunningReference {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function allMutants(): Mutant[] {
  return REFERENCE_CODECS.flatMap((c) => c.mutants as Mutant[]);
}

export function findMutant(name: string): Mutant | undefined {
  return allMutants().find((m) => m.name === name);
}

/** All services on one port, as moto does; one state per service and region, as AWS does. */
export class ReferenceServer {
  private readonly engines = new Map<string, ReferenceEngine<unknown>>();
  private readonly mutant?: Mutant;

  constructor(private readonly options: ReferenceServerOptions = {}) {
    if (options.mutant) {
      const mutant = findMutant(options.mutant);
      if (!mutant) throw new Error(`unknown mutant "${options.mutant}"; \`policy-conformance mutants --list\` lists them`);
      this.mutant = mutant;
    }
  }

  reset(): void {
    this.engines.clear();
  }

  private engine(codec: ReferenceCodec, region: string): ReferenceEngine<unknown> {
    const key = `${codec.service}:${region}`;
    let engine = this.engines.get(key);
    if (!engine) {
      const mutant = this.mutant?.service === codec.service ? this.mutant : undefined;
      engine = new ReferenceEngine(codec.model, codec.invent, { account: REFERENCE_ACCOUNT, region }, mutant, this.options.initialState?.[codec.service]);
      this.engines.set(key, engine);
    }
    return engine;
  }

  handle(http: HttpRequest): HttpResponse {
    if (http.method === 'POST' && http.path === '/_reset') {
      this.reset();
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    }
    for (const codec of REFERENCE_CODECS) {
      const operation = codec.route(http);
      if (operation === null) continue;
      const request = codec.decode(operation, http);
      if ('status' in request) return request;
      const engine = this.engine(codec, signingRegion(http.headers) ?? DEFAULT_REGION);
      const direct = codec.serveDirectly?.(request, engine.view());
      let outcome;
      try {
        outcome = direct ?? engine.handle(request);
      } catch (error) {
        return codec.encodeError('InternalServerError', 500, error instanceof Error ? error.message : String(error));
      }
      codec.after?.(request, outcome, engine.view());
      if (outcome.kind === 'error') {
        const rule = 'rule' in outcome ? ` (rule ${String(outcome.rule)})` : '';
        return codec.encodeError(outcome.code, outcome.status, `${outcome.message ?? outcome.code}${rule}`);
      }
      return codec.encodeOk(request, outcome.output, engine.view());
    }
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ __type: 'UnknownOperationException', message: `no service here answers ${http.method} ${http.path}` }),
    };
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<RunningReference> {
    const server: Server = createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    return {
      url: `http://${host}:${actual}`,
      port: actual,
      stop: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = this.handle({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(response.status, { ...response.headers, 'x-amzn-requestid': `ref-${Date.now().toString(36)}`, 'content-length': Buffer.byteLength(response.body) });
    res.end(response.body);
  }
}

export async function startReference(options: ReferenceServerOptions = {}): Promise<RunningReference & { server: ReferenceServer }> {
  const server = new ReferenceServer(options);
  const running = await server.listen(options.port ?? 0);
  return { ...running, server };
}
