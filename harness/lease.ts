/**
 * Taking turns on account-wide state (X-Ray's resource policies, SSM's OpsItemGroup): two runs against one target
 * at once would each see the other's policies appear and report departures that are not. A run holds a lease on
 * (endpoint, service) while it runs that service; another run on this machine waits for it. The lease is a file
 * made with O_EXCL next to the journals, naming its holder; a holder that died (its pid gone) or a lease older than
 * its expiry no longer counts, so a killed run blocks nobody. (Runs on other machines are not seen: their policies
 * are, by the leftover check, which then keeps a run from passing with halved coverage.)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { journalDir, stillRunning } from './journal.js';
import { sleep } from './observe.js';

/** A lease older than this is taken over even if its holder looks alive (a pid reused by another process). */
const EXPIRY_MS = 6 * 3_600_000;

interface LeaseFile {
  pid: number;
  host: string;
  at: string;
  prefix: string;
}

export interface Lease {
  release(): void;
}

export function leaseFile(endpoint: string, service: string, dir = join(dirname(journalDir()), 'leases')): string {
  const key = createHash('sha256').update(`${endpoint}\u0000${service}`).digest('hex').slice(0, 16);
  return join(dir, `${service}-${key}.lease`);
}

function holder(file: string): LeaseFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LeaseFile;
  } catch {
    return undefined;
  }
}

function stale(h: LeaseFile | undefined, now: number): boolean {
  if (!h) return true; // unreadable: cut short by a kill between create and write
  if (now - Date.parse(h.at) > EXPIRY_MS) return true;
  return !stillRunning(h) && h.host === hostname();
}

/**
 * Take the lease, waiting while another live run holds it. `stop` ends the wait early (a signal, a budget): then
 * undefined. `onWait` is told once who holds it.
 */
export async function acquireLease(file: string, prefix: string, o: { stop?: () => boolean; onWait?: (holder: string) => void; pollMs?: number } = {}): Promise<Lease | undefined> {
  mkdirSync(dirname(file), { recursive: true });
  let told = false;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), prefix } satisfies LeaseFile), { flag: 'wx' });
      return { release: () => (holder(file)?.prefix === prefix ? rmSync(file, { force: true }) : undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const h = holder(file);
    if (stale(h, Date.now())) {
      // Taken over only if it is still the one judged stale (another waiter may have taken it meanwhile).
      if (JSON.stringify(holder(file)) === JSON.stringify(h)) rmSync(file, { force: true });
      continue;
    }
    if (o.stop?.()) return undefined;
    if (!told) {
      told = true;
      o.onWait?.(`pid ${h!.pid} (run ${h!.prefix}, since ${h!.at})`);
    }
    await sleep(o.pollMs ?? 500);
  }
}
