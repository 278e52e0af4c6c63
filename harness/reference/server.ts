import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Listening, listenHttp } from './listen.js';
import type { Outcome, Request, ServiceName } from '../../models/types.js';
import { SERVICES } from '../../services/index.js';
import type { ReferenceCodec } from './codec.js';
import { type EngineSizes, type Mutant, type PruneOptions, ReferenceEngine } from './engine.js';
import { type HttpRequest, type HttpResponse, signingRegion } from './protocol.js';
import { answerSts, isStsRequest } from './sts.js';

export const REFERENCE_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';

export interface ReferenceServerOptions {
  port?: number;
  mutant?: string;
  /** Account-level state a target already holds before the suite runs (X-Ray), keyed by service. */
  initialState?: Partial<Record<ServiceName, unknown>>;
  /** The services it speaks, with their seeded bugs (default: services/index.ts) — a test may add its own. */
  services?: ReadonlyArray<{ codec: ReferenceCodec; mutants: readonly Mutant[] }>;
  /**
   * Forgetting the bindings nothing refers to any more (engine.ts): on by default; `prune: false` keeps everything,
   * to compare answers with (specs), `sweepFloor` lets a spec see sweeps after a few requests.
   */
  pruning?: PruneOptions;
  /** The account the server plays: in ARNs it accepts and invents, and the one STS GetCallerIdentity names (default REFERENCE_ACCOUNT). */
  account?: string;
}

export type RunningReference = Listening;

/** Every seeded bug of the given services (default: all), service by service. */
export function allMutants(services: ReadonlyArray<{ mutants: readonly Mutant[] }> = SERVICES): Mutant[] {
  return services.flatMap((s) => [...s.mutants]);
}

export function findMutant(name: string, services?: ReadonlyArray<{ mutants: readonly Mutant[] }>): Mutant | undefined {
  return allMutants(services).find((m) => m.name === name);
}

/** All services on one port, as moto does; one state per service and region, as AWS does. */
export class ReferenceServer {
  private readonly engines = new Map<string, ReferenceEngine<unknown>>();
  private readonly mutant?: Mutant;

  private readonly services: ReadonlyArray<{ codec: ReferenceCodec; mutants: readonly Mutant[] }>;

  constructor(private readonly options: ReferenceServerOptions = {}) {
    this.services = options.services ?? SERVICES;
    if (options.mutant) {
      const mutant = findMutant(options.mutant, this.services);
      if (!mutant) throw new Error(`unknown mutant "${options.mutant}"; \`policy-conformance mutants --list\` lists them`);
      this.mutant = mutant;
    }
  }

  /** The account the server plays. */
  get account(): string {
    return this.options.account ?? REFERENCE_ACCOUNT;
  }

  reset(): void {
    this.engines.clear();
  }

  private engine(codec: ReferenceCodec, region: string): ReferenceEngine<unknown> {
    const key = `${codec.service}:${region}`;
    let engine = this.engines.get(key);
    if (!engine) {
      const mutant = this.mutant?.service === codec.service ? this.mutant : undefined;
      engine = new ReferenceEngine(codec.model, codec.invent, { account: this.account, region }, mutant, this.options.initialState?.[codec.service], this.options.pruning);
      this.engines.set(key, engine);
    }
    return engine;
  }

  /** What each engine (service:region) holds. */
  sizes(): Record<string, EngineSizes> {
    return Object.fromEntries([...this.engines].map(([key, engine]) => [key, engine.sizes()]));
  }

  handle(http: HttpRequest): HttpResponse {
    const routed = this.route(http);
    return 'status' in routed ? routed : this.finish(routed, () => routed.engine.decide(routed.request)());
  }

  /**
   * As `handle`, but a race mutant's check-then-write lets other requests in between its check and its write
   * (Mutant.checkThenWrite): what the server on a port does.
   */
  async handleConcurrently(http: HttpRequest): Promise<HttpResponse> {
    const routed = this.route(http);
    if ('status' in routed) return routed;
    const gap = routed.engine.gapBefore(routed.request);
    if (gap === 0) return this.finish(routed, () => routed.engine.decide(routed.request)());
    let decided: () => Outcome & { rule: string };
    try {
      decided = routed.engine.decide(routed.request);
    } catch (error) {
      decided = () => {
        throw error;
      };
    }
    await new Promise((resolve) => setTimeout(resolve, gap));
    return this.finish(routed, decided);
  }

  /** The service, engine and decoded request an HTTP request is for, or the response it gets without them. */
  private route(http: HttpRequest): HttpResponse | { codec: ReferenceCodec; engine: ReferenceEngine<unknown>; request: Request } {
    if (http.method === 'POST' && http.path === '/_reset') {
      this.reset();
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    }
    if (isStsRequest(http)) return answerSts(http, this.account);
    for (const { codec } of this.services) {
      const operation = codec.route(http);
      if (operation === null) continue;
      const request = codec.decode(operation, http);
      if ('status' in request) return request;
      return { codec, engine: this.engine(codec, signingRegion(http.headers) ?? DEFAULT_REGION), request };
    }
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ __type: 'UnknownOperationException', message: `no service here answers ${http.method} ${http.path}` }),
    };
  }

  /**
   * What the engine would answer a request of one of the models' operations now, without carrying it out
   * (ReferenceEngine.preview); undefined when no service here serves it or its body cannot be read.
   */
  preview(http: HttpRequest): { kind: 'ok' } | { kind: 'error'; code: string } | undefined {
    for (const { codec } of this.services) {
      const operation = codec.route(http);
      if (operation === null) continue;
      const request = codec.decode(operation, http);
      return 'status' in request ? undefined : this.engine(codec, signingRegion(http.headers) ?? DEFAULT_REGION).preview(request);
    }
    return undefined;
  }

  /** The wire form of what the engine decided, as the mutant's `http` hook leaves it. */
  private finish({ codec, engine, request }: { codec: ReferenceCodec; engine: ReferenceEngine<unknown>; request: Request }, decided: () => Outcome & { rule: string }): HttpResponse {
    const { answer, response } = this.answer(codec, engine, request, decided);
    const mutant = this.mutant?.service === codec.service ? this.mutant : undefined;
    const wire = mutant?.http ? mutant.http(request, answer, response, engine.mutantMemory) : response;
    // Once everything that may read this request's bindings has run (codec, mutant), not in between.
    engine.sweep();
    return wire;
  }

  /** The engine's answer to one decoded request, and its wire form; an exception in the engine is a 500. */
  private answer(codec: ReferenceCodec, engine: ReferenceEngine<unknown>, request: Request, decided: () => Outcome & { rule: string }): { answer?: Outcome & { rule?: string }; response: HttpResponse } {
    let outcome: Outcome & { rule?: string };
    try {
      outcome = codec.serveDirectly?.(request, engine.view()) ?? decided();
    } catch (error) {
      return { response: codec.encodeError('InternalServerError', 500, error instanceof Error ? error.message : String(error)) };
    }
    codec.after?.(request, outcome, engine.view());
    if (outcome.kind === 'error') {
      const rule = outcome.rule !== undefined ? ` (rule ${outcome.rule})` : '';
      return { answer: outcome, response: codec.encodeError(outcome.code, outcome.status, `${outcome.message ?? outcome.code}${rule}`) };
    }
    return { answer: outcome, response: codec.encodeOk(request, outcome.output, engine.view()) };
  }

  listen(port = 0, host = '127.0.0.1'): Promise<RunningReference> {
    return listenHttp((req, res) => this.serve(req, res), port, host);
  }


  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await this.handleConcurrently({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(response.status, { ...response.headers, 'x-amzn-requestid': `ref-${Date.now().toString(36)}`, 'content-length': Buffer.byteLength(response.body) });
    res.end(response.body);
  }
}

export async function startReference(options: ReferenceServerOptions = {}): Promise<RunningReference & { server: ReferenceServer }> {
  const server = new ReferenceServer(options);
  const running = await server.listen(options.port ?? 0);
  return { ...running, server };
}
