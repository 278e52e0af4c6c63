/**
 * `--target container:<image>`: start an emulator image with testcontainers and point the suite at it.
 *
 * - Any image: GenericContainer(image), exposing 5000 or the port the image declares (EXPOSE), waiting until that
 *   port answers HTTP (any status: `Wait.forListeningPorts()` needs a shell in the image that can read /proc/net,
 *   which minimal images lack). The endpoint is http://127.0.0.1:<mapped port>: the engine must be on this machine,
 *   and ports are published on the loopback interface only.
 * - Images whose name contains "localstack": `@testcontainers/localstack`'s LocalstackContainer (port 4566, waits for
 *   LocalStack's "Ready" log line), with LOCALSTACK_AUTH_TOKEN passed through when it is set.
 *   NOTE: no LocalStack image can be obtained on the CI machines of this project (no registry), so that path is
 *   implemented but exercised only by users who have the image.
 *
 * The engine is whatever testcontainers finds (DOCKER_HOST, /var/run/docker.sock, …). On machines without Docker,
 * scripts/setup-podman.sh serves podman's Docker-compatible API and prints the variables to export, and
 * scripts/build-moto-image.sh builds `localhost/policy-conformance/moto:<pinned version>`.
 *
 * Problems with the engine, the image or the container's start are InfraError (exit 3), never a divergence.
 * Containers carry labels naming this process; stop() removes the container, a signal to this process removes it
 * too (the registry in ./lifecycle.ts, shared with the managed emulators), and containers left behind by a process
 * that died (SIGKILL) are removed by the next start.
 */
import { claimedBy } from '../../services/index.js';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import { LocalstackContainer } from '@testcontainers/localstack';
import { GenericContainer, getContainerRuntimeClient, ImageName, Wait, type StartedTestContainer } from 'testcontainers';
import type { ServiceName } from '../../models/types.js';
import { register } from './lifecycle.js';
import { postReset, Tail } from './process.js';
import { InfraError, UsageError } from '../errors.js';

export interface ContainerTarget {
  /** http://127.0.0.1:<mapped port> */
  endpoint: string;
  /** The image tag (with the image's org.opencontainers.image.version label when the tag is "latest"). */
  version: string;
  /** Stops and removes the container; idempotent. */
  stop(): Promise<void>;
  /** The services the emulator in the image claims to emulate (undefined: unknown, the suite probes all). */
  claims?: ServiceName[];
  /** Clears the emulator's state (moto images: POST /moto-api/reset); absent when the image has no known reset. */
  reset?(): Promise<void>;
  /** For diagnostics and tests. */
  containerId?: string;
}

const DEFAULT_PORT = 5000;
const LOCALSTACK_PORT = 4566;
const STARTUP_TIMEOUT_MS = Number(process.env.POLICY_CONFORMANCE_CONTAINER_STARTUP_MS) || 90_000;
const LOCALSTACK_STARTUP_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_S = 5;
const ENGINE_TIMEOUT_MS = 15_000;

/** Labels on every container we start: how a later run recognises leftovers of a dead process. */
export const LABEL_OWNER = 'org.policy-conformance.owner';
const LABEL_PID = 'org.policy-conformance.pid';
const LABEL_HOST = 'org.policy-conformance.host';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

type RuntimeClient = Awaited<ReturnType<typeof getContainerRuntimeClient>>;

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim().slice(0, 400);

function engineHint(): string {
  const host = process.env.DOCKER_HOST;
  return `${host ? `DOCKER_HOST=${host}` : 'DOCKER_HOST is unset'}; start Docker, or on a machine without it run \`eval "$(bash scripts/setup-podman.sh)"\``;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function engine(): Promise<RuntimeClient> {
  // The suite talks to 127.0.0.1 only, so the engine must be on this machine and its ports are published on
  // loopback. testcontainers believes it runs inside a container when /.dockerenv exists (true on the CI machines)
  // and would then wait on the bridge gateway's address instead: point it at 127.0.0.1 (before its client exists;
  // it is created once per process).
  if (process.env.TESTCONTAINERS_HOST_OVERRIDE === undefined && /^(unix|npipe):/.test(process.env.DOCKER_HOST ?? 'unix:')) {
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  }
  try {
    return await withTimeout(getContainerRuntimeClient(), ENGINE_TIMEOUT_MS, 'container engine');
  } catch (error) {
    throw new InfraError(`container target: no container engine reachable (${firstLine(error)}); ${engineHint()}`);
  }
}

function parseImage(image: string): ImageName {
  if (!image.trim() || /\s/.test(image)) throw new UsageError(`--target container:<image> needs an image name, not "${image}"`);
  try {
    return ImageName.fromString(image);
  } catch (error) {
    throw new UsageError(`--target container:${image}: not an image name (${firstLine(error)})`);
  }
}

/** Pulls through dockerode so that a failed pull is seen (testcontainers' pull ignores errors in the stream). */
async function ensureImage(client: RuntimeClient, image: ImageName): Promise<void> {
  if (await client.image.exists(image)) return;
  const dockerode = client.container.dockerode;
  let reason = 'pull failed';
  try {
    const stream = await dockerode.pull(image.string);
    const output = await new Promise<Array<{ error?: string; errorDetail?: { message?: string } }>>((resolve, reject) =>
      dockerode.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => (err ? reject(err) : resolve(out))),
    );
    const failed = output.find((o) => o.error || o.errorDetail);
    if (failed) reason = firstLine(failed.errorDetail?.message ?? failed.error);
  } catch (error) {
    reason = firstLine(error);
  }
  if (await client.image.exists(image)) return;
  const hint = /policy-conformance\/moto/.test(image.string) ? '; build it with scripts/build-moto-image.sh' : '';
  throw new InfraError(`container target: image ${image.string} is not available locally and could not be pulled (${reason})${hint}`);
}

/** The container port to publish: 5000 when the image exposes it (or exposes nothing), else the lowest TCP port it exposes. */
async function servicePort(client: RuntimeClient, image: ImageName): Promise<number> {
  const info = await client.image.inspect(image);
  const exposed = Object.keys(info.Config?.ExposedPorts ?? {})
    .filter((p) => !p.endsWith('/udp'))
    .map((p) => Number.parseInt(p, 10))
    .filter((p) => Number.isInteger(p) && p > 0)
    .sort((a, b) => a - b);
  if (exposed.length === 0 || exposed.includes(DEFAULT_PORT)) return DEFAULT_PORT;
  return exposed[0]!;
}

async function imageVersion(client: RuntimeClient, image: ImageName): Promise<string> {
  const tag = image.tag;
  if (tag !== 'latest') return tag;
  const label = (await client.image.inspect(image)).Config?.Labels?.['org.opencontainers.image.version'];
  return label ? `latest (${label})` : tag;
}

/** moto images: `…/moto`, `motoserver/moto`, `…/moto-server`, … (the repository's last path segment). */
function isMoto(image: ImageName): boolean {
  return /^moto([-_.]|$)/.test(image.image.toLowerCase().split('/').pop()!);
}

function claimsOf(image: ImageName): ServiceName[] | undefined {
  const name = image.image.toLowerCase();
  // moto emulates all four services (it answers "not implemented" for the policy operations it lacks: unsupported).
  if (isMoto(image)) return claimedBy('moto');
  // LocalStack community has DynamoDB, Kinesis and SSM; X-Ray needs a licence (auth token).
  if (name.includes('localstack')) return claimedBy(process.env.LOCALSTACK_AUTH_TOKEN ? 'localstack-pro' : 'localstack');
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes containers a previous process on this host started and never stopped (it was killed). */
async function sweepLeftovers(client: RuntimeClient): Promise<void> {
  try {
    const dockerode = client.container.dockerode;
    const all = await dockerode.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=policy-conformance`] } });
    for (const c of all) {
      const pid = Number(c.Labels?.[LABEL_PID]);
      if (c.Labels?.[LABEL_HOST] !== hostname() || !Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
      await dockerode.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
  } catch {
    /* best effort */
  }
}

/** Publishes every port on 127.0.0.1 only (the suite talks to loopback only; nothing else needs to reach it). */
function loopbackOnly(hostConfig: { PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }>> }): void {
  for (const bindings of Object.values(hostConfig.PortBindings ?? {})) for (const b of bindings) b.HostIp = '127.0.0.1';
}

class EmulatorContainer extends GenericContainer {
  constructor(
    image: string,
    private readonly onCreated: (id: string) => void,
  ) {
    super(image);
  }
  protected override async beforeContainerCreated(): Promise<void> {
    loopbackOnly(this.hostConfig);
  }
  protected override async containerCreated(id: string): Promise<void> {
    this.onCreated(id);
  }
}

class EmulatorLocalstackContainer extends LocalstackContainer {
  constructor(
    image: string,
    private readonly onCreated: (id: string) => void,
  ) {
    super(image);
  }
  protected override async beforeContainerCreated(): Promise<void> {
    await super.beforeContainerCreated();
    loopbackOnly(this.hostConfig);
  }
  protected override async containerCreated(id: string): Promise<void> {
    this.onCreated(id);
  }
}

/** Start `image` with testcontainers; resolves once the emulator answers HTTP on its mapped port. */
export async function startContainerTarget(image: string): Promise<ContainerTarget> {
  const name = parseImage(image);
  const client = await engine();
  await sweepLeftovers(client);
  await ensureImage(client, name);

  const host = client.info.containerRuntime.host;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new InfraError(
      `container target: the container engine publishes ports on ${host}, but the suite talks to 127.0.0.1 only; use an engine on this machine (${engineHint()})`,
    );
  }

  const isLocalstack = name.image.toLowerCase().includes('localstack');
  let createdId: string | undefined;
  const onCreated = (id: string): void => {
    createdId = id;
  };
  const tail = new Tail();
  const keepTail = (stream: Readable): void => {
    stream.on('data', (c: Buffer | string) => tail.push(c)).on('error', () => undefined);
  };
  const labels = { [LABEL_OWNER]: 'policy-conformance', [LABEL_PID]: String(process.pid), [LABEL_HOST]: hostname() };

  let port: number;
  let container: GenericContainer;
  if (isLocalstack) {
    port = LOCALSTACK_PORT;
    const token = process.env.LOCALSTACK_AUTH_TOKEN;
    container = new EmulatorLocalstackContainer(name.string, onCreated)
      .withEnvironment(token ? { LOCALSTACK_AUTH_TOKEN: token } : {})
      .withStartupTimeout(LOCALSTACK_STARTUP_TIMEOUT_MS);
  } else {
    port = await servicePort(client, name);
    container = new EmulatorContainer(name.string, onCreated)
      .withExposedPorts(port)
      .withWaitStrategy(Wait.forHttp('/', port, { abortOnContainerExit: true }).forStatusCodeMatching((status) => status > 0))
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
  }
  container.withLabels(labels).withLogConsumer(keepTail);

  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (error) {
    if (createdId) await client.container.dockerode.getContainer(createdId).remove({ force: true, v: true }).catch(() => undefined);
    const last = tail.last();
    const ryuk = /ryuk/i.test(String(error)) ? '; set TESTCONTAINERS_RYUK_DISABLED=true when the reaper image cannot be pulled' : '';
    throw new InfraError(`container target: ${name.string} did not start (${firstLine(error)})${last ? `; last output: ${last}` : ''}${ryuk}`);
  }

  const endpoint = `http://127.0.0.1:${started.getMappedPort(port)}`;
  const id = started.getId();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unregister();
      try {
        await started.stop({ timeout: STOP_TIMEOUT_S * 1000, remove: true, removeVolumes: true });
      } catch {
        // Already gone, or the engine refused a graceful stop: make sure it does not linger.
        await client.container.dockerode.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
      }
    })();
    return stopping;
  };
  // A signal to this process removes the container too (./lifecycle.ts).
  const unregister = register({ stop });

  const version = await imageVersion(client, name).catch(() => name.tag);
  const claims = claimsOf(name);
  const reset = isMoto(name) ? () => postReset('moto', `${endpoint}/moto-api/reset`) : undefined;
  return { endpoint, version, stop, containerId: id, ...(claims ? { claims } : {}), ...(reset ? { reset } : {}) };
}
