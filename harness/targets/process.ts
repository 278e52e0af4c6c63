/**
 * Shared plumbing for emulators the suite starts itself (moto, ministack, kinesis-local): run a setup script,
 * pick free ports on 127.0.0.1, spawn the server, wait until it answers HTTP, and make sure it is stopped —
 * by stop(), when Node exits, when the process receives SIGINT / SIGTERM / SIGHUP (./lifecycle.ts), and when the
 * process dies without a chance to clean up, SIGKILL included (./watchdog.mjs).
 *
 * Only node built-ins are used here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { register } from './lifecycle.js';

export interface ManagedProcess {
  endpoint: string;
  version: string;
  /** Process id of the emulator (for diagnostics); it leads a process group of its own. */
  pid?: number;
  /** Process id of the watchdog the emulator runs under (./watchdog.mjs; for diagnostics). */
  watchdogPid?: number;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STOP_GRACE_MS = 3_000;
const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));
const TAIL_LINES = 30;

/** Keeps the last N lines written to a stream. */
export class Tail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number = TAIL_LINES) {}
  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  toString(): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.max).join('\n');
  }
  /** The last non-empty line, for one-line error messages. */
  last(): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.trim()) return all[i]!.trim().slice(0, 300);
    return '';
  }
}

/** A managed emulator that could not be installed or started; `detail` holds the tail of its output. */
export class EmulatorStartError extends Error {
  constructor(
    message: string,
    readonly detail: string = '',
  ) {
    super(message);
  }
}

/** Run one of the scripts/setup-*.sh scripts; its progress goes to stderr. */
export function runSetupScript(script: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const tail = new Tail();
    const child = spawn('bash', [script], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer): void => {
      tail.push(chunk);
      process.stderr.write(chunk);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (err) => reject(new EmulatorStartError(`cannot run ${path.relative(REPO_ROOT, script)}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        const last = tail.last();
        reject(new EmulatorStartError(`${path.relative(REPO_ROOT, script)} failed (${why})${last ? `: ${last}` : ''}`, tail.toString()));
      }
    });
  });
}

/** Binds a server to port 0 on 127.0.0.1, reads the port, closes it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = addr;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** One HTTP request without keep-alive; rejects on connection errors and timeouts. */
export function httpRequest(
  url: string,
  method: 'GET' | 'POST',
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: timeoutMs, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** POST to an emulator's reset endpoint; any non-2xx answer is an error. */
export async function postReset(name: string, url: string): Promise<void> {
  let res;
  try {
    res = await httpRequest(url, 'POST', 10_000);
  } catch (error) {
    throw new Error(`${name} reset failed: POST ${url}: ${(error as Error).message}`);
  }
  if (res.status < 200 || res.status >= 300) throw new Error(`${name} reset failed: POST ${url} -> HTTP ${res.status}: ${res.body.slice(0, 300)}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends a signal to a process group (negative pid) or a process, ignoring ones that are gone. */
function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Reads the watchdog's one line on fd 3: the emulator's pid, or why it could not be spawned. */
function watchdogReport(child: ChildProcess): Promise<{ pid?: number; error?: string }> {
  const stream = child.stdio[3] as Readable | null | undefined;
  if (!stream) return Promise.resolve({});
  return new Promise((resolve) => {
    let text = '';
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      try {
        const line = text.split('\n')[0]!.trim();
        resolve(line ? (JSON.parse(line) as { pid?: number; error?: string }) : {});
      } catch {
        resolve({});
      }
    };
    stream.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) done();
    });
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

export interface SpawnOptions {
  /** For messages, e.g. "ministack". */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Base URL the emulator will serve, e.g. http://127.0.0.1:4566. */
  endpoint: string;
  /** URL polled until it answers; `readyStatus` decides which answers count (default: any HTTP answer). */
  readyUrl: string;
  readyStatus?: (status: number) => boolean;
  readyTimeoutMs?: number;
  version: string;
}

/**
 * Spawn an emulator under the watchdog and wait until it answers HTTP; the returned stop() is idempotent.
 *
 * The watchdog (./watchdog.mjs, run by this node) starts the emulator in a process group of its own and holds the
 * read end of a pipe whose only writer is this process (the watchdog's stdin). stop() closes the pipe: the watchdog
 * sends SIGTERM to the emulator's group, SIGKILL after STOP_GRACE_MS, and exits as the emulator did. When this
 * process dies without running any cleanup (SIGKILL, a crash) the kernel closes the pipe, with the same effect.
 */
export async function startManagedProcess(opts: SpawnOptions): Promise<ManagedProcess> {
  const tail = new Tail();
  const child = spawn(process.execPath, [WATCHDOG, '--grace-ms', String(STOP_GRACE_MS), '--', opts.command, ...opts.args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env },
    // stdin: the lifeline; stdout, stderr: the emulator's own; fd 3: the watchdog's report.
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // A group of its own: a Ctrl-C in a terminal, or a SIGKILL to this process's whole group, must not end the
    // watchdog before it has ended the emulator.
    detached: true,
  });
  let emulatorPid: number | undefined;
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });
  child.stdin?.on('error', () => undefined); // EPIPE once the watchdog is gone
  const reported = watchdogReport(child).then((r) => {
    if (typeof r.pid === 'number') emulatorPid = r.pid;
    if (r.error) spawnError ??= new Error(r.error);
  });

  /** Synchronous last resort: the emulator's whole group, then the watchdog. */
  const kill = (): void => {
    if (emulatorPid !== undefined && !exited(child)) signal(-emulatorPid, 'SIGKILL');
    if (!exited(child)) signal(child.pid, 'SIGKILL');
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited(child) && child.pid !== undefined) {
        const gone = waitForExit(child);
        child.stdin?.destroy(); // end of the lifeline: the watchdog stops the emulator
        const timer = setTimeout(kill, STOP_GRACE_MS + 2_000);
        await gone;
        clearTimeout(timer);
      }
      unregister();
      child.stdout?.destroy();
      child.stderr?.destroy();
    })();
    return stopping;
  };
  const unregister = register({ stop, kill });

  // Keep the pipes drained (emulators log every request) but only remember the tail.
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));

  const fail = async (why: string): Promise<never> => {
    await stop();
    const last = tail.last();
    throw new EmulatorStartError(`${opts.name} (${opts.command} ${opts.args.join(' ')}) ${why}${last ? `; last output: ${last}` : ''}`, tail.toString());
  };

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const accept = opts.readyStatus ?? (() => true);
  for (;;) {
    if (exited(child)) await reported; // a spawn error is reported just before the watchdog exits
    if (spawnError) return fail(`could not be spawned: ${spawnError.message}`);
    if (exited(child)) return fail(`exited before becoming ready (code ${child.exitCode}, signal ${child.signalCode})`);
    try {
      const res = await httpRequest(opts.readyUrl, 'GET', 1_000);
      if (accept(res.status)) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() >= deadline) return fail(`did not answer ${opts.readyUrl} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
  await reported;
  const pids = {
    ...(emulatorPid !== undefined ? { pid: emulatorPid } : {}),
    ...(child.pid !== undefined ? { watchdogPid: child.pid } : {}),
  };
  return { endpoint: opts.endpoint, version: opts.version, ...pids, stop };
}

/**
 * Another process may take a port between freePort() and the emulator binding it: start again on fresh ports when
 * the emulator died saying so.
 */
export async function withPortRetries(start: () => Promise<ManagedProcess>, attempts = 3): Promise<ManagedProcess> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (error) {
      const clash = error instanceof EmulatorStartError && /already in use|EADDRINUSE/i.test(`${error.message}\n${error.detail}`);
      if (!clash || i >= attempts) throw error;
    }
  }
}
