/**
 * Start / stop a local moto server (https://github.com/getmoto/moto) as a child
 * process, for running the conformance suite against an AWS emulator.
 *
 * The Python side is provisioned by scripts/setup-moto.sh (a project-owned venv
 * with a pinned moto[server]; the pin lives in scripts/moto-version.txt).
 * Process handling (free port, readiness, always stopped) is in ./process.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EmulatorStartError,
  HOST,
  type ManagedProcess,
  REPO_ROOT,
  freePort,
  portIsFree,
  postReset,
  runSetupScript,
  startManagedProcess,
  withPortRetries,
} from './process.js';

export { freePort, type ManagedProcess } from './process.js';

export interface StartMotoOptions {
  /** Port to bind on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** venv directory; default $POLICY_CONFORMANCE_VENV or <repo>/.venv. */
  venv?: string;
  /** Run scripts/setup-moto.sh first (default true). */
  install?: boolean;
}

const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-moto.sh');
const VERSION_FILE = path.join(REPO_ROOT, 'scripts', 'moto-version.txt');

/** The moto version pinned in scripts/moto-version.txt. */
export function pinnedMotoVersion(): string {
  return readFileSync(VERSION_FILE, 'utf8').trim();
}

export function defaultVenv(): string {
  return process.env.POLICY_CONFORMANCE_VENV || path.join(REPO_ROOT, '.venv');
}

export async function startMoto(opts: StartMotoOptions = {}): Promise<ManagedProcess> {
  const venv = path.resolve(opts.venv ?? defaultVenv());
  if (opts.install !== false) await runSetupScript(SETUP_SCRIPT, { POLICY_CONFORMANCE_VENV: venv });

  const bin = path.join(venv, 'bin', 'moto_server');
  if (!existsSync(bin)) {
    throw new EmulatorStartError(`moto_server not found at ${bin}; run scripts/setup-moto.sh (or startMoto({ install: true }))`);
  }
  if (opts.port !== undefined && !(await portIsFree(opts.port))) {
    // Otherwise the readiness poll could be answered by whatever holds the port.
    throw new EmulatorStartError(`cannot start moto_server: ${HOST}:${opts.port} is already in use`);
  }
  const start = async (port: number): Promise<ManagedProcess> => {
    const endpoint = `http://${HOST}:${port}`;
    return startManagedProcess({
      name: 'moto_server',
      command: bin,
      args: ['-H', HOST, '-p', String(port)],
      env: { PYTHONUNBUFFERED: '1' },
      endpoint,
      readyUrl: `${endpoint}/moto-api/`,
      version: pinnedMotoVersion(),
    });
  };
  return opts.port !== undefined ? start(opts.port) : withPortRetries(async () => start(await freePort()));
}

/** Clears all of moto's in-memory state (POST /moto-api/reset). */
export async function resetMoto(endpoint: string): Promise<void> {
  await postReset('moto', `${endpoint.replace(/\/+$/, '')}/moto-api/reset`);
}
