/**
 * The AWS-like simulator (`serve --aws-like`): the reference server behaving like one AWS region as spec §7 has
 * observed it. It wraps ReferenceServer's `handle` — the engine (the models' first branches) still decides every
 * answer on the committed state — and adds, in this order per request: SigV4 checking against its own credentials
 * (sigv4.ts), throttling at a seeded rate, resource lifecycle timing (lifecycle.ts), the 15-second window
 * (window.ts), lagging visibility of policy reads (visibility.ts). Each service's knowledge comes from its
 * services/<service>/aws-like.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Listening, listenHttp } from '../reference/listen.js';
import type { Request } from '../../models/types.js';
import { SERVICES } from '../../services/index.js';
import type { ServiceDefinition } from '../service.js';
import type { ReferenceCodec } from '../reference/codec.js';
import type { HttpRequest, HttpResponse } from '../reference/protocol.js';
import { findMutant, REFERENCE_ACCOUNT, ReferenceServer } from '../reference/server.js';
import { isStsRequest, stsError } from '../reference/sts.js';
import { type Clock, scaledClock } from './clock.js';
import { type AwsLikeMutant, awsLikeMutant } from './mutants.js';
import { type AwsLikeOptions, credentialsFromEnvironment, DEFAULT_SEED, optionsProblem } from './options.js';
import { type Random, randomStreams } from './random.js';
import type { AuthFailure, AwsLikeService, ForeignResource, InternalCall, LifecycleContext } from './service.js';
import { checkSignature, type SignatureCheck, type SignedHttpRequest, type SigningCredentials } from './sigv4.js';
import { PolicyWindow } from './window.js';
import { Lifecycle } from './lifecycle.js';
import { plantForeign } from './foreign.js';
import { type LagDistribution, lagDistribution, Visibility } from './visibility.js';

const DEFAULT_REGION = 'us-east-1';

/** STS's own codes for the same failures (awsQuery, HTTP 403; the expired code is assumed to be SignatureDoesNotMatch). */
const STS_AUTH_CODES: Record<AuthFailure, string> = {
  missing: 'MissingAuthenticationToken',
  'unknown-key': 'InvalidClientTokenId',
  'bad-signature': 'SignatureDoesNotMatch',
  expired: 'SignatureDoesNotMatch',
};

interface Served {
  definition: ServiceDefinition;
  codec: ReferenceCodec;
  aws: AwsLikeService;
}

export interface RunningAwsLike {
  url: string;
  port: number;
  stop(): Promise<void>;
  server: AwsLikeServer;
}

export class AwsLikeServer {
  readonly account: string;
  readonly region: string;
  readonly clock: Clock;
  readonly mutant?: AwsLikeMutant;
  private readonly inner: ReferenceServer;
  private readonly served: Served[];
  private readonly credentials: SigningCredentials;
  private readonly random: Record<'lag' | 'throttle' | 'window' | 'lifecycle', Random>;
  private readonly lags: Record<string, LagDistribution | undefined>;
  readonly visibility: Visibility;
  private readonly windows: Record<string, PolicyWindow | undefined>;
  private readonly lifecycles: Record<string, Lifecycle | undefined>;
  private readonly throttleRate: number;
  /** What the account held before the suite came (empty with `foreign: false`). */
  readonly foreign: ForeignResource[];

  constructor(options: AwsLikeOptions = {}) {
    const problem = optionsProblem(options, SERVICES.map((s) => s.name));
    if (problem) throw new Error(problem);
    const credentials = options.credentials ?? credentialsFromEnvironment();
    if (typeof credentials === 'string') throw new Error(credentials);
    this.credentials = credentials;
    this.account = options.account ?? REFERENCE_ACCOUNT;
    this.region = options.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
    this.clock = scaledClock(options.timeScale ?? 1);
    this.random = randomStreams(options.seed ?? DEFAULT_SEED, ['lag', 'throttle', 'window', 'lifecycle'] as const);
    this.throttleRate = options.throttleRate ?? 0;
    this.mutant = awsLikeMutant(options.mutant);
    const referenceMutant = options.mutant !== undefined && !this.mutant ? options.mutant : undefined;
    if (referenceMutant && !findMutant(referenceMutant)) throw new Error(`unknown mutant "${referenceMutant}"`);
    this.served = SERVICES.flatMap((definition) => {
      const aws = definition.awsLike;
      if (!aws) return [];
      return [{ definition, aws, codec: aws.codec?.(definition.codec, this.clock) ?? definition.codec }];
    });
    this.lags = Object.fromEntries(this.served.map(({ aws }) => [aws.service, lagDistribution(options.lag?.[aws.service] ?? aws.defaultLag)]));
    this.windows = Object.fromEntries(
      this.served.map(({ aws }) => [aws.service, aws.window ? new PolicyWindow(this.random.window, aws.window, !(this.mutant?.fault === 'no-window' && this.mutant.service === aws.service)) : undefined]),
    );
    this.lifecycles = Object.fromEntries(this.served.map(({ aws }) => [aws.service, aws.lifecycle && options.lifecycle !== false ? new Lifecycle(this.random.lifecycle, aws.lifecycle) : undefined]));
    this.visibility = new Visibility(this.random.lag);
    this.inner = new ReferenceServer({
      account: this.account,
      services: this.served.map(({ codec, definition }) => ({ codec, mutants: definition.mutants })),
      ...(referenceMutant ? { mutant: referenceMutant } : {}),
    });
    this.foreign = options.foreign === false ? [] : plantForeign(this.served.map((s) => s.aws), this.region, this.account, (aws, call) => this.call(aws, this.region, call));
  }

  /** The access key id it accepts (the secret is never shown). */
  get accessKeyId(): string {
    return this.credentials.accessKeyId;
  }

  /** One service's lifecycle timing (its drawn durations), if it has one. */
  lifecycle(service: string): Lifecycle | undefined {
    return this.lifecycles[service];
  }

  /** The lag distribution each service plays (simulated ms per change kind; undefined: read-your-writes). */
  lagDistributions(): Record<string, LagDistribution | undefined> {
    return { ...this.lags };
  }

  async handle(request: SignedHttpRequest): Promise<HttpResponse> {
    const http: HttpRequest = { method: request.method, path: request.path, headers: request.headers, body: request.body };
    const sts = isStsRequest(http);
    const target = sts ? undefined : this.route(http);
    // Nothing here answers it, signed or not (nor the reference server's POST /_reset: an AWS region has none).
    if (!sts && !target) return unknownOperation(http);
    const check: SignatureCheck = await checkSignature(request, this.credentials);
    if (check.kind !== 'ok') return sts ? stsError(STS_AUTH_CODES[check.kind], check.message, 403) : target!.served.aws.authError(check.kind, check.message);
    if (sts) return this.inner.handle(http);
    return this.serviceRequest(target!.served, target!.operation, http, check.region);
  }

  private route(http: HttpRequest): { served: Served; operation: string } | undefined {
    for (const served of this.served) {
      const operation = served.codec.route(http);
      if (operation !== null) return { served, operation };
    }
    return undefined;
  }

  /** An authenticated request to one service, through the behaviours in order. */
  private serviceRequest(served: Served, operation: string, http: HttpRequest, region: string): HttpResponse {
    const { aws, codec } = served;
    if (this.throttleRate > 0 && this.random.throttle.next() < this.throttleRate) return aws.throttled();
    const request = codec.decode(operation, http);
    if ('status' in request) return request;
    const now = this.clock.now();
    this.finishDeletions(now);
    const hooks = aws.lifecycle;
    const lifecycle = this.lifecycles[aws.service];
    const window = this.windows[aws.service];
    const ctx: LifecycleContext = {
      region,
      account: this.account,
      call: (call) => this.call(aws, region, call),
      pendingUpdate: (slotKey) => window?.pendingUpdate(`${region} ${slotKey}`, now) ?? false,
    };
    if (hooks && lifecycle) {
      const subject = hooks.subject(request, ctx);
      const refusal = subject && hooks.gate(request, subject, lifecycle.phase(region, subject, now), ctx);
      if (refusal) return refusal;
      const deletion = hooks.deleting(request, ctx);
      if (deletion) {
        lifecycle.begin(region, deletion.subject, 'deleting', now);
        return deletion.answer;
      }
    }
    const answer = this.policyRequest(served, request, http, region, now) ?? this.inner.handle(http);
    if (!hooks || !lifecycle) return answer;
    const created = answer.status === 200 ? hooks.created(request, answer, ctx) : undefined;
    if (created) lifecycle.begin(region, created, 'creating', now);
    return hooks.show(request, answer, (subject) => lifecycle.phase(region, subject, now), ctx);
  }

  /** Deletions whose DELETING has run out, carried out by the engine now; their slots start afresh. */
  private finishDeletions(now: number): void {
    for (const { aws } of this.served) {
      const lifecycle = this.lifecycles[aws.service];
      if (!lifecycle || !aws.lifecycle) continue;
      for (const { region, subject } of lifecycle.due(now)) {
        this.call(aws, region, aws.lifecycle.finishDelete(subject, region, this.account));
        for (const slot of aws.lifecycle.slotsOf(subject, region, this.account)) {
          this.visibility.forget(`${region} ${slot}`);
          this.windows[aws.service]?.forget(`${region} ${slot}`);
        }
      }
    }
  }

  /** A policy read (lagging) or write (windowed, its change recorded); undefined when `request` is no policy operation. */
  private policyRequest(served: Served, request: Request, http: HttpRequest, region: string, now: number): HttpResponse | undefined {
    const { aws } = served;
    const slot = aws.slot(request, region, this.account);
    if (!slot) return undefined;
    const key = `${region} ${slot.key}`;
    const lag = this.lags[aws.service];
    if (slot.access === 'read') {
      const live = this.inner.handle(http);
      const flipBack = this.mutant?.fault === 'read-flips-back' && this.mutant.service === aws.service;
      return (lag ? this.visibility.staleRead(key, now, live, flipBack) : undefined) ?? live;
    }
    const before = this.call(aws, region, aws.read(slot.key));
    const window = this.windows[aws.service];
    // A write the service refuses anyway (an invalid document, a stale condition) gets that answer, not the window's
    // (assumed: AWS validates a request before it looks at the resource's timing).
    const refusedAnyway = window && this.inner.preview(http)?.kind === 'error';
    const refused = (refusedAnyway ? undefined : window?.gate(key, slot.key, now, request, before)) ?? this.conditionOnVisible(aws, request, key, now, before);
    if (refused) return refused;
    const answer = this.inner.handle(http);
    if (answer.status !== 200) return answer;
    const after = this.call(aws, region, aws.read(slot.key));
    const kind = aws.change(request, before, after);
    if (kind) {
      window?.changed(key, now, request, answer);
      if (lag) this.visibility.changed(key, kind, now, before, lag);
    }
    return answer;
  }

  /** The mutant aws-condition-on-visible: a condition compared with what a read shows, not with what is committed. */
  private conditionOnVisible(aws: AwsLikeService, request: Request, key: string, now: number, committed: HttpResponse): HttpResponse | undefined {
    if (this.mutant?.fault !== 'condition-on-visible' || this.mutant.service !== aws.service || !aws.condition) return undefined;
    const expected = aws.condition.expected(request);
    if (expected === undefined || !this.visibility.lagging(key, now)) return undefined;
    const visible = this.visibility.shown(key, now, committed);
    return expected === aws.condition.shown(visible) ? undefined : aws.condition.mismatch(request);
  }

  /** A request the simulator makes of the engine itself (never signed, never throttled, never lagging). */
  private call(aws: AwsLikeService, region: string, call: InternalCall): HttpResponse {
    return this.inner.handle(internalRequest(aws, region, call));
  }

  listen(port = 0, host = '127.0.0.1'): Promise<Listening> {
    return listenHttp((req, res) => this.serve(req, res), port, host);
  }


  private requests = 0;

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://simulator');
    let response: HttpResponse;
    try {
      response = await this.handle({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    } catch (error) {
      response = { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) }) };
    }
    this.requests += 1;
    res.writeHead(response.status, { ...response.headers, 'x-amzn-requestid': `sim-${this.requests.toString(36)}-${Date.now().toString(36)}`, 'content-length': Buffer.byteLength(response.body) });
    res.end(response.body);
  }
}

function unknownOperation(http: HttpRequest): HttpResponse {
  return {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ __type: 'UnknownOperationException', message: `no service here answers ${http.method} ${http.path}` }),
  };
}

/** The wire form of a call the simulator makes of the engine: the service's protocol, a credential scope naming the region. */
export function internalRequest(aws: AwsLikeService, region: string, call: InternalCall): HttpRequest {
  const authorization = `AWS4-HMAC-SHA256 Credential=simulator/20260101/${region}/${aws.service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
  const body = JSON.stringify(call.input);
  if (aws.protocol === 'restJson1') return { method: 'POST', path: `/${call.operation}`, headers: { authorization, 'content-type': 'application/json' }, body };
  const contentType = aws.protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  return { method: 'POST', path: '/', headers: { authorization, 'content-type': contentType, 'x-amz-target': `${aws.targetPrefix}.${call.operation}` }, body };
}

/** Start the simulator on 127.0.0.1 (`options.port`, default any free port). */
export async function startAwsLike(options: AwsLikeOptions = {}): Promise<RunningAwsLike> {
  const server = new AwsLikeServer(options);
  const running = await server.listen(options.port ?? 0);
  return { ...running, server };
}
