import { claimedBy, SERVICE_NAMES } from '../../services/index.js';
import { connect } from 'node:net';
import type { Consistency, ServiceName } from '../../models/types.js';
import { startKinesisLocal } from './kinesis-local.js';
import { startMinistack, resetMinistack } from './ministack.js';
import { resetMoto, startMoto } from './moto.js';
import type { ManagedProcess } from './process.js';
import { startReference } from '../reference/server.js';
import { DUMMY_CREDENTIALS, type Endpoint, isLocalUrl } from '../sdk.js';
import type { Budgets } from '../halt.js';
import { type AwsCaller, type AwsOptions, connectAws } from './aws.js';
import { DEFAULT_WAIT_SECONDS } from '../service.js';
import { InfraError, UsageError } from '../errors.js';


export interface Target {
  /** How the user named it (for reports and replay commands). */
  name: string;
  endpoint: Endpoint;
  defaultConsistency: Consistency;
  /** The emulator's pinned version, for managed targets (shown in every report). */
  version?: string;
  /** The services the target says it implements (unknown for a bare URL). The suite still probes the others. */
  claims?: ServiceName[];
  /** The `aws` target: who the credentials stand for (STS GetCallerIdentity, the run's first call). */
  caller?: AwsCaller;
  /** The `aws` target: per service, the endpoints the SDK resolved and the run used so far. */
  endpointsUsed?(): Record<string, string[]>;
  /**
   * Clear the target's state (its reset endpoint): before each service run one after another, once before services
   * run side by side (they share no state: see runsSideBySide); absent when it has none.
   */
  reset?(): Promise<void>;
  /** It answers in the suite's own process (the embedded reference): one event loop for it and the suite. */
  inProcess?: true;
  stop(): Promise<void>;
}

/**
 * Emulators the suite installs (pinned) and starts itself on 127.0.0.1: `--target <name>`.
 * `claims` are the services the emulator advertises (its own documentation), not what the suite found: a claimed
 * service whose policy operations are missing is itself a finding (moto 5.2.5 serves X-Ray but not its
 * resource-policy operations; ministack 1.5.33 serves SSM but answers InvalidAction to PutResourcePolicy & co.).
 */
export const MANAGED_TARGETS: Record<string, { claims: ServiceName[]; start(): Promise<ManagedProcess>; reset?(endpoint: string): Promise<void> }> = {
  moto: { claims: claimedBy('moto'), start: () => startMoto(), reset: resetMoto },
  // No X-Ray service at all (it answers `{"error": "Unsupported service: xray"}`).
  ministack: { claims: claimedBy('ministack'), start: () => startMinistack(), reset: resetMinistack },
  // Kinesis only; kinesis-mock has no reset endpoint.
  'kinesis-local': { claims: claimedBy('kinesis-local'), start: () => startKinesisLocal() },
};

/** The forms a target is named in, for messages. */
export const TARGET_FORMS = `"reference", "aws", ${Object.keys(MANAGED_TARGETS).map((n) => `"${n}"`).join(', ')}, "container:<image>" or an http(s):// URL`;

/** A target as the user named it, checked: the one parser for `--target`, `--targets` and a witness's target. */
export type TargetSpec = { kind: 'reference' } | { kind: 'aws' } | { kind: 'managed'; name: string } | { kind: 'container'; image: string } | { kind: 'url'; url: URL };

/** A name that is none of the target forms (the matrix says which of its --targets it was). */
export class UnknownTargetError extends UsageError {}

/**
 * How every target is judged unless --consistency says otherwise; known before it starts (the --path check
 * generates the run's cases up front, and DynamoDB's depend on it).
 */
export const DEFAULT_CONSISTENCY: Consistency = 'strict';

/** Parse a target's name; what is wrong with it is a UsageError (nothing is started or reached here). */
export function parseTarget(spec: string): TargetSpec {
  if (spec === 'reference') return { kind: 'reference' };
  if (spec === 'aws') return { kind: 'aws' };
  if (Object.hasOwn(MANAGED_TARGETS, spec)) return { kind: 'managed', name: spec };
  if (spec.startsWith('container:')) {
    const image = spec.slice('container:'.length);
    if (!image) throw new UsageError('--target container:<image> needs an image name');
    return { kind: 'container', image };
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UnknownTargetError(`--target must be ${TARGET_FORMS}, not "${spec}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--target URL must be http:// or https://, not ${url.protocol}`);
  // Requests go to the origin: a path, query, fragment or user name would be dropped without a word.
  const extra = url.pathname !== '/' ? `a path (${url.pathname})` : url.search ? `a query (${url.search})` : url.hash ? `a fragment (${url.hash})` : url.username || url.password ? 'a user name' : undefined;
  if (extra) throw new UsageError(`--target URL must be only scheme://host:port (the suite calls ${url.origin}), not "${spec}" with ${extra}`);
  return { kind: 'url', url };
}

export { InfraError, UsageError };

function credentials() {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  return AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) }
    : DUMMY_CREDENTIALS;
}

/** Fails fast (well under two seconds) when nothing listens at the URL. */
export async function assertReachable(url: URL, timeoutMs = 1500): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new InfraError(`target ${url.origin} unreachable: no answer within ${timeoutMs} ms`));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => reject(new InfraError(`target ${url.origin} unreachable: ${e.code ?? e.message}`)));
  });
}

async function managedTarget(name: string, options: { region: string; log?: (message: string) => void }): Promise<Target> {
  const managed = MANAGED_TARGETS[name]!;
  let running: ManagedProcess;
  try {
    running = await managed.start();
  } catch (error) {
    // Install or start failed: the target is not there (exit 3), with a one-line reason.
    throw new InfraError(`cannot start ${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  options.log?.(`[target] ${name} ${running.version} on ${running.endpoint}${running.pid ? ` (pid ${running.pid})` : ''}`);
  const reset = managed.reset;
  return {
    name,
    endpoint: { url: running.endpoint, region: options.region, credentials: credentials() },
    defaultConsistency: DEFAULT_CONSISTENCY,
    version: running.version,
    claims: managed.claims,
    ...(reset
      ? {
          reset: async () => {
            try {
              await reset(running.endpoint);
            } catch (error) {
              throw new InfraError((error as Error).message);
            }
          },
        }
      : {}),
    stop: running.stop,
  };
}

/**
 * `container:<image>`: the emulator image started with testcontainers (./containers/target.ts). Its failures (no
 * engine, image missing, container not starting) are InfraError already; a bad image name is a UsageError.
 */
async function containerTarget(image: string, options: { region: string; log?: (message: string) => void }): Promise<Target> {
  const { startContainerTarget } = await import('./container.js'); // loads testcontainers only when needed
  const c = await startContainerTarget(image);
  options.log?.(`[target] container ${image} on ${c.endpoint}`);
  return { name: `container:${image}`, endpoint: { url: c.endpoint, region: options.region, credentials: credentials() }, defaultConsistency: DEFAULT_CONSISTENCY,
    version: c.version, ...(c.claims ? { claims: c.claims } : {}), ...(c.reset ? { reset: c.reset } : {}), stop: c.stop };
}

export interface ResolveOptions {
  region: string;
  mutant?: string;
  /** For `aws`: the allow-list (required) and the profile. */
  aws?: Omit<AwsOptions, 'region'>;
  log?: (message: string) => void;
}

export async function resolveTarget(spec: string, options: ResolveOptions): Promise<Target> {
  if (spec !== 'reference' && options.mutant) throw new UsageError('--mutant works only with --target reference');
  const parsed = parseTarget(spec);
  switch (parsed.kind) {
    case 'aws': {
      const aws = await connectAws({ region: options.region, allowAccounts: options.aws?.allowAccounts ?? [], ...(options.aws?.profile ? { profile: options.aws.profile } : {}) });
      options.log?.(`[target] aws account ${aws.caller.account} as ${aws.caller.arn} in ${options.region} (STS at ${aws.endpointsUsed().sts?.join(', ') ?? '?'})`);
      return {
        name: 'aws',
        endpoint: aws.endpoint,
        defaultConsistency: defaultConsistencyFor(parsed),
        caller: aws.caller,
        endpointsUsed: aws.endpointsUsed,
        stop: async () => undefined,
      };
    }
    case 'reference': {
      const running = await startReference(options.mutant ? { mutant: options.mutant } : {});
      return {
        name: 'reference',
        endpoint: { url: running.url, region: options.region, credentials: DUMMY_CREDENTIALS },
        defaultConsistency: DEFAULT_CONSISTENCY,
        claims: [...SERVICE_NAMES],
        inProcess: true,
        stop: running.stop,
      };
    }
    case 'managed':
      return managedTarget(parsed.name, options);
    case 'container':
      return containerTarget(parsed.image, options);
    case 'url':
      await assertReachable(parsed.url);
      return {
        name: parsed.url.origin,
        endpoint: { url: parsed.url.origin, region: options.region, credentials: credentials() },
        defaultConsistency: DEFAULT_CONSISTENCY,
        stop: async () => undefined,
      };
  }
}

/**
 * A target on this machine finishes a transition in well under a second; one still CREATING or DELETING after this
 * long is stuck, and waiting AWS's full budget for it would only stall the run.
 */
const LOCAL_WAIT_SECONDS = 20;

/**
 * Sequences run at once by default, per service (--concurrency): the embedded reference answers in-process and
 * the emulators the suite starts are bound by their own CPU on this machine — nothing to overlap, and sequences run
 * ahead of a failure are wasted (1); a URL may be anywhere, AWS included, where a call mostly waits on the network (8).
 */
export function defaultConcurrency(spec: TargetSpec): number {
  // AWS: fewer, as its control planes throttle bursts of creates (Kinesis CreateStream: 5 a second per account).
  return spec.kind === 'url' ? 8 : spec.kind === 'aws' ? 4 : 1;
}

/**
 * Whether a run's services run at the same time rather than one after another. They share no state (each has its
 * own resources, names and account-wide leases; a target with a reset gets one, before them all), so only the
 * target's load differs. Side by side on any target in a process of its own: a URL or an AWS account, where a call
 * mostly waits on the network, and an emulator the suite started, whose CPU and the suite's then overlap (moto,
 * DynamoDB and Kinesis at seed 20261123: 88.7 s one after the other, 61.8 s at once; docs/benchmarks.md). Not on the
 * embedded reference, which shares the suite's one event loop, nor when `--concurrency 1` asks for one thing at a
 * time (`asked`: the option's value, undefined when not given).
 */
export function runsSideBySide(target: Pick<Target, 'inProcess'>, asked: number | undefined, services: readonly string[]): boolean {
  return services.length > 1 && !target.inProcess && asked !== 1;
}

/**
 * Whether services run side by side get an emulator process each (a managed emulator: moto, ministack). moto's
 * Python answers one request at a time for all of its services, so services sharing one process wait on each other;
 * each in its own, DynamoDB — a run's longest service — goes as fast as it does alone. The services share no state,
 * so nothing else differs (moto, all four services at seed 20261123, alternated: 84.9 s and 76.5 s on one process,
 * 78.5 s and 68.7 s on one per service; docs/benchmarks.md). A container or a URL is one target the user named: it is not multiplied.
 */
export function emulatorPerService(spec: TargetSpec): boolean {
  return spec.kind === 'managed' && MANAGED_TARGETS[spec.name]!.claims.length > 1;
}

/** The budget for each resource transition (no url: the SDK resolves AWS's endpoints, which are remote). */
export function waitSecondsFor(url: string | undefined): number {
  return isLocalUrl(url) ? LOCAL_WAIT_SECONDS : DEFAULT_WAIT_SECONDS;
}

/** How a target is judged unless --consistency says otherwise: AWS is eventually consistent, everything else strict. */
export function defaultConsistencyFor(spec: TargetSpec): Consistency {
  return spec.kind === 'aws' ? 'eventual' : DEFAULT_CONSISTENCY;
}

/**
 * A nightly run against a real account is bounded unless the user says otherwise: ≈2,000 calls and 45 minutes in
 * all (the flags --max-calls, --max-resources and --time-limit win), and 25 sequences per service, which fit that
 * budget (a DynamoDB sequence makes ~17 requests). Other targets are unbounded by default.
 */
export const AWS_DEFAULTS = { runs: 25, budgets: { maxCalls: 2_000, timeLimitMs: 45 * 60_000 } satisfies Budgets } as const;

export function defaultBudgets(spec: TargetSpec): Budgets {
  return spec.kind === 'aws' ? { ...AWS_DEFAULTS.budgets } : {};
}

/**
 * The lag bound before --settle-ms: 0 for the reference (it is strict) and in strict mode; otherwise undefined, so
 * each service's own bound applies (harness/service.ts lagBoundFor: 3 s by default, spec §7.1).
 */
/**
 * DynamoDB's change window as the target keeps it, when it is known to keep one: AWS, 15 s (spec §7.3). There a
 * changing write sent right after another is refused, and a success is a departure (ddb.put.window); an emulator
 * need not keep the window (a refusal is allowed there, not required) unless `--window-ms` says it does.
 */
export function windowMsFor(spec: TargetSpec): number | undefined {
  return spec.kind === 'aws' ? AWS_WINDOW_MS : undefined;
}

/** DynamoDB's change window on AWS (spec §7.3: "modified within the previous 15000 milliseconds"). */
export const AWS_WINDOW_MS = 15_000;

export function settleMsFor(targetName: string, consistency: Consistency): number | undefined {
  return targetName !== 'reference' && consistency === 'eventual' ? undefined : 0;
}
