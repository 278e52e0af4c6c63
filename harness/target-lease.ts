/**
 * The lease on account-wide state kept on the target itself, so runs on different machines (CI shards, two
 * nightly jobs against one account) take turns too — the file lease (lease.ts) only sees runs on this machine.
 * The lease is an SSM parameter, `/policy-conformance/lease/<service>`, made with PutParameter without Overwrite:
 * the service's own create-if-absent decides who gets it. Its holder overwrites it every RENEW_MS; a waiter that
 * sees the same version for TTL_MS by its own clock takes it over (delete, then create-if-absent again), so a
 * killed holder blocks others for at most TTL_MS and clocks of different machines never need to agree.
 *
 * The name carries no run mark: `sweep` never mistakes it for a run's resource; it removes a lease whose holder
 * is gone (`staleTargetLeases`). A target without SSM gets no target lease (only the file lease holds).
 */
import { DeleteParameterCommand, GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { hostname } from 'node:os';
import { stillRunning } from './journal.js';
import { sleep } from './observe.js';
import { clientConfig, type Endpoint } from './sdk.js';

export const TARGET_LEASE_PATH = '/policy-conformance/lease/';
/** How long a lease not renewed stays another machine's (a killed holder's blocks others this long at most). */
export const TTL_MS = 90_000;
const RENEW_MS = 20_000;

interface Holder {
  prefix: string;
  host: string;
  pid: number;
}

export interface TargetLease {
  /** Whether a lease is held on the target (false: the target has no SSM, only the file lease counts). */
  held: boolean;
  release(): Promise<void>;
}

function parse(value: string | undefined): Holder | undefined {
  try {
    const h = JSON.parse(value ?? '') as Holder;
    return typeof h.prefix === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** The lease parameter now: its holder and version, or undefined when there is none. */
async function read(client: SSMClient, Name: string): Promise<{ holder?: Holder; version: number } | undefined> {
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name }));
    return { holder: parse(Parameter?.Value), version: Parameter?.Version ?? 0 };
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

/**
 * Take the lease for `service` on the target, waiting while another run renews it. `stop` ends the wait early
 * (then undefined); `onWait` is told once who holds it. A target that cannot keep one (no SSM, an error on the
 * first write) answers `held: false` at once.
 */
export async function acquireTargetLease(
  endpoint: Endpoint,
  service: string,
  prefix: string,
  o: { stop?: () => boolean; onWait?: (holder: string) => void; pollMs?: number; ttlMs?: number; renewMs?: number } = {},
): Promise<TargetLease | undefined> {
  const client = new SSMClient(clientConfig(endpoint));
  const Name = `${TARGET_LEASE_PATH}${service}`;
  const me: Holder = { prefix, host: hostname(), pid: process.pid };
  const ttl = o.ttlMs ?? TTL_MS;
  let told = false;
  let seen: { version: number; since: number } | undefined;
  for (;;) {
    try {
      await client.send(new PutParameterCommand({ Name, Value: JSON.stringify(me), Type: 'String', Description: 'policy-conformance: which run has its turn on account-wide state' }));
      return held(client, Name, me, o.renewMs ?? RENEW_MS);
    } catch (error) {
      if (!(error instanceof ParameterAlreadyExists)) {
        client.destroy();
        return { held: false, release: async () => undefined };
      }
    }
    const now = await read(client, Name).catch(() => undefined);
    if (now) {
      if (!seen || seen.version !== now.version) seen = { version: now.version, since: Date.now() };
      const gone = now.holder && now.holder.host === hostname() && !stillRunning(now.holder);
      if (gone || Date.now() - seen.since > ttl) {
        // Not renewed for a whole TTL (or its holder on this machine is dead): taken over, create-if-absent decides.
        await client.send(new DeleteParameterCommand({ Name })).catch(() => undefined);
        seen = undefined;
        continue;
      }
      if (!told) {
        told = true;
        o.onWait?.(`run ${now.holder?.prefix ?? '?'} on ${now.holder?.host ?? '?'} (lease ${Name} on the target)`);
      }
    }
    if (o.stop?.()) {
      client.destroy();
      return undefined;
    }
    await sleep(o.pollMs ?? 1000);
  }
}

function held(client: SSMClient, Name: string, me: Holder, renewMs: number): TargetLease {
  const renew = setInterval(() => {
    // Overwritten only while it is still ours (a holder stalled past the TTL may have lost it).
    void read(client, Name)
      .then((now) => (now?.holder?.prefix === me.prefix ? client.send(new PutParameterCommand({ Name, Value: JSON.stringify(me), Type: 'String', Overwrite: true })) : undefined))
      .catch(() => undefined);
  }, renewMs);
  renew.unref();
  return {
    held: true,
    async release() {
      clearInterval(renew);
      try {
        const now = await read(client, Name);
        if (now?.holder?.prefix === me.prefix) await client.send(new DeleteParameterCommand({ Name }));
      } catch {
        // Left to expire: the next run takes it over after the TTL; `sweep` removes it.
      } finally {
        client.destroy();
      }
    },
  };
}

/**
 * Lease parameters on the target whose holder is gone: its pid dead on this machine, or not renewed for two TTLs
 * by the target's clock as this machine reads it (the margin absorbs a clock skew of up to a TTL). A lease of a
 * run going on elsewhere is left alone.
 */
export async function staleTargetLeases(endpoint: Endpoint, services: readonly string[], now = Date.now()): Promise<string[]> {
  const client = new SSMClient(clientConfig(endpoint));
  try {
    const stale: string[] = [];
    for (const service of services) {
      const Name = `${TARGET_LEASE_PATH}${service}`;
      let parameter;
      try {
        parameter = (await client.send(new GetParameterCommand({ Name }))).Parameter;
      } catch {
        continue; // none there, or no SSM on the target
      }
      const h = parse(parameter?.Value);
      const dead = !h || (h.host === hostname() && !stillRunning(h));
      const modified = parameter?.LastModifiedDate?.getTime() ?? 0;
      if (dead || now - modified > 2 * TTL_MS) stale.push(Name);
    }
    return stale;
  } finally {
    client.destroy();
  }
}

export async function removeTargetLease(endpoint: Endpoint, Name: string): Promise<void> {
  const client = new SSMClient(clientConfig(endpoint));
  try {
    await client.send(new DeleteParameterCommand({ Name })).catch((error) => {
      if (!(error instanceof ParameterNotFound)) throw error;
    });
  } finally {
    client.destroy();
  }
}
