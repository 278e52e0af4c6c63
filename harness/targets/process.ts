/**
 * Shared plumbing for emulators the suite starts itself (moto, ministack, kinesis-local): run a setup script,
 * pick free ports on 127.0.0.1, spawn the server, wait until it answers HTTP, and make sure it is stopped —
 * by stop(), when Node exits, and when the process receives SIGINT / SIGTERM / SIGHUP.
 *
 * Only node built-ins are used here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ManagedProcess {
  endpoint: string;
  version: string;
  /** Process id of the emulator (for diagnostics). */
  pid?: number;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STOP_GRACE_MS = 3_000;
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

// ---------------------------------------------------------------------------------------------------------------
// Every live managed child, so a signal or an exit of this process takes them down too.

const live = new Set<ChildProcess>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let hooked = false;

function killAll(signal: NodeJS.Signals): void {
  for (const child of live) {
    if (exited(child)) continue;
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

const onExit = (): void => killAll('SIGKILL');

function onSignal(signal: NodeJS.Signals): void {
  killAll('SIGTERM');
  // Someone else handles this signal (vitest, `serve`): let them decide what happens to this process.
  if (process.listenerCount(signal) > 1) return;
  // Otherwise behave as if we had never listened: the default action ends the process with this signal.
  unhook();
  process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

function track(child: ChildProcess): void {
  live.add(child);
  hook();
}

function untrack(child: ChildProcess): void {
  live.delete(child);
  if (live.size === 0) unhook();
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

/** Spawn an emulator and wait until it answers HTTP; the returned stop() is idempotent. */
export async function startManagedProcess(opts: SpawnOptions): Promise<ManagedProcess> {
  const tail = new Tail();
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  // Keep the pipes drained (emulators log every request) but only remember the tail.
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited(child) && !spawnError) {
        const gone = waitForExit(child);
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited(child)) child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      }
      untrack(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
    })();
    return stopping;
  };

  const fail = async (why: string): Promise<never> => {
    await stop();
    const last = tail.last();
    throw new EmulatorStartError(`${opts.name} (${opts.command} ${opts.args.join(' ')}) ${why}${last ? `; last output: ${last}` : ''}`, tail.toString());
  };

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const accept = opts.readyStatus ?? (() => true);
  for (;;) {
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
  return { endpoint: opts.endpoint, version: opts.version, ...(child.pid !== undefined ? { pid: child.pid } : {}), stop };
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
