/**
 * Start / stop ministack (https://github.com/ministackorg/ministack, from PyPI) as a child process.
 *
 * Provisioned by scripts/setup-ministack.sh into its own project-owned venv (.emulators/ministack; ministack pins
 * an exact botocore that would break moto's boto3 in .venv). The pin lives in scripts/ministack-version.txt.
 * ministack serves every service on one port; it is bound to 127.0.0.1 (BIND_HOST) on a free port (GATEWAY_PORT)
 * and answers /_ministack/health when ready; POST /_ministack/reset wipes its state.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EmulatorStartError, HOST, type ManagedProcess, REPO_ROOT, freePort, postReset, runSetupScript, startManagedProcess, withPortRetries } from './process.js';

const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-ministack.sh');
const VERSION_FILE = path.join(REPO_ROOT, 'scripts', 'ministack-version.txt');

export function pinnedMinistackVersion(): string {
  return readFileSync(VERSION_FILE, 'utf8').trim();
}

export function ministackVenv(): string {
  return process.env.POLICY_CONFORMANCE_MINISTACK_VENV || path.join(REPO_ROOT, '.emulators', 'ministack');
}

export async function startMinistack(opts: { install?: boolean; venv?: string } = {}): Promise<ManagedProcess> {
  const venv = path.resolve(opts.venv ?? ministackVenv());
  if (opts.install !== false) await runSetupScript(SETUP_SCRIPT, { POLICY_CONFORMANCE_MINISTACK_VENV: venv });
  const bin = path.join(venv, 'bin', 'ministack');
  if (!existsSync(bin)) throw new EmulatorStartError(`ministack not found at ${bin}; run scripts/setup-ministack.sh`);
  return withPortRetries(async () => {
    const port = await freePort();
    const endpoint = `http://${HOST}:${port}`;
    return startManagedProcess({
      name: 'ministack',
      command: bin,
      args: [],
      env: {
        GATEWAY_PORT: String(port),
        BIND_HOST: HOST,
        PERSIST_STATE: '0',
        S3_PERSIST: '0',
        LOG_LEVEL: 'WARNING',
        PYTHONUNBUFFERED: '1',
      },
      endpoint,
      readyUrl: `${endpoint}/_ministack/health`,
      readyStatus: (status) => status === 200,
      version: pinnedMinistackVersion(),
    });
  });
}

/** Clears all of ministack's in-memory state (POST /_ministack/reset). */
export async function resetMinistack(endpoint: string): Promise<void> {
  await postReset('ministack', `${endpoint.replace(/\/+$/, '')}/_ministack/reset`);
}
