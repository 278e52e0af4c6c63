/**
 * The container engine and the local moto image, for the specs that start `container:<image>` targets: podman's
 * Docker-API socket (scripts/setup-podman.sh, exported into this process's environment for testcontainers and
 * passed on to CLI children) and scripts/build-moto-image.sh (cached: the first build takes a minute or two).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './cli.js';

const run = promisify(execFile);

async function script(name: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [path.join(REPO, 'scripts', name)], { cwd: REPO, maxBuffer: 16 << 20, timeout: 900_000 });
    if (stderr.trim()) process.stderr.write(stderr);
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`scripts/${name} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Serve podman's Docker API and export DOCKER_HOST / TESTCONTAINERS_RYUK_DISABLED into process.env. */
export async function useContainerEngine(): Promise<void> {
  const printed = await script('setup-podman.sh');
  const line = printed.split('\n').find((l) => l.startsWith('export '));
  if (!line) throw new Error(`scripts/setup-podman.sh printed no export line:\n${printed}`);
  for (const assignment of line.slice('export '.length).split(/\s+/)) {
    const [key, value] = assignment.split('=', 2);
    process.env[key!] = value!;
  }
}

/** Build (or find, cached) the local moto image; its tag. */
export async function motoImage(): Promise<string> {
  return (await script('build-moto-image.sh')).split('\n').pop()!;
}
