/**
 * Start / stop a local moto server (https://github.com/getmoto/moto) as a child
 * process, for running the conformance suite against an AWS emulator.
 *
 * The Python side is provisioned by scripts/setup-moto.sh (a project-owned venv
 * with a pinned moto[server]; the pin lives in scripts/moto-version.txt).
 * Only node built-ins are used here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ManagedProcess {
  endpoint: string;
  version: string;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Port to bind on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** venv directory; default $POLICY_CONFORMANCE_VENV or <repo>/.venv. */
  venv?: string;
  /** Run scripts/setup-moto.sh first (default true). */
  install?: boolean;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const STDERR_TAIL_LINES = 30;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-moto.sh');
const VERSION_FILE = path.join(REPO_ROOT, 'scripts', 'moto-version.txt');

/** The moto version pinned in scripts/moto-version.txt. */
export function pinnedMotoVersion(): string {
  return readFileSync(VERSION_FILE, 'utf8').trim();
}

export function defaultVenv(): string {
  return process.env.POLICY_CONFORMANCE_VENV || path.join(REPO_ROOT, '.venv');
}

/** Keeps the last N lines written to a stream. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}
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
}

function runSetup(venv: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tail = new Tail(STDERR_TAIL_LINES);
    const child = spawn('bash', [SETUP_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, POLICY_CONFORMANCE_VENV: venv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (chunk: Buffer): void => {
      tail.push(chunk);
      process.stderr.write(chunk);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (err) => reject(new Error(`cannot run ${SETUP_SCRIPT}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${SETUP_SCRIPT} failed (${signal ? `signal ${signal}` : `exit code ${code}`})\n${tail.toString()}`,
          ),
        );
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

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** One HTTP request; resolves with the status code, rejects on connection errors. */
function httpRequest(
  url: string,
  method: 'GET' | 'POST',
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: timeoutMs, agent: false }, (res) => {
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startMoto(opts: StartMotoOptions = {}): Promise<ManagedProcess> {
  const venv = path.resolve(opts.venv ?? defaultVenv());
  if (opts.install !== false) await runSetup(venv);

  const bin = path.join(venv, 'bin', 'moto_server');
  if (!existsSync(bin)) {
    throw new Error(`moto_server not found at ${bin}; run scripts/setup-moto.sh (or startMoto({ install: true }))`);
  }
  const version = pinnedMotoVersion();
  const port = opts.port ?? (await freePort());
  if (opts.port !== undefined && !(await portIsFree(port))) {
    // Otherwise the readiness poll could be answered by whatever holds the port.
    throw new Error(`cannot start moto_server: ${HOST}:${port} is already in use`);
  }
  const endpoint = `http://${HOST}:${port}`;

  const stderrTail = new Tail(STDERR_TAIL_LINES);
  const child = spawn(bin, ['-H', HOST, '-p', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the pipes drained (moto logs every request) but only remember the tail.
  child.stdout?.on('data', (c: Buffer) => stderrTail.push(c));
  child.stderr?.on('data', (c: Buffer) => stderrTail.push(c));

  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });

  // Kill the child if the Node process goes away without calling stop().
  const onExit = (): void => {
    if (!exited(child)) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', onExit);

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
      process.off('exit', onExit);
      child.stdout?.destroy();
      child.stderr?.destroy();
    })();
    return stopping;
  };

  const describe = (why: string): Error => {
    const tail = stderrTail.toString();
    return new Error(
      `moto_server (${bin} -H ${HOST} -p ${port}) ${why}` + (tail ? `\n--- last output ---\n${tail}` : ''),
    );
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      await stop();
      throw describe(`could not be spawned: ${spawnError.message}`);
    }
    if (exited(child)) {
      await stop();
      throw describe(`exited before becoming ready (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      await httpRequest(`${endpoint}/moto-api/`, 'GET', 1_000);
      break; // any HTTP answer means it is serving
    } catch {
      /* not listening yet */
    }
    if (Date.now() >= deadline) {
      await stop();
      throw describe(`did not answer HTTP on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s`);
    }
    await sleep(100);
  }

  return { endpoint, version, stop };
}

/** Clears all of moto's in-memory state (POST /moto-api/reset). */
export async function resetMoto(endpoint: string): Promise<void> {
  const url = `${endpoint.replace(/\/+$/, '')}/moto-api/reset`;
  const res = await httpRequest(url, 'POST', 10_000);
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`moto reset failed: POST ${url} -> HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  }
}
