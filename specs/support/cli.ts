import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a command to its end (killed after timeoutMs), collecting its output. */
export function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Run the real CLI as a user would, in a child process (with extra environment variables, if any). */
export function runCli(args: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<CliResult> {
  return runProcess(process.execPath, ['bin/policy-conformance.mjs', ...args], { cwd: REPO, env: { ...process.env, ...env }, timeoutMs });
}

/**
 * The CLI's own entry (`main(argv)` of cli/main.ts) in this process, with its stdout and stderr captured: what the
 * child process of {@link runCli} runs after Node and tsx have started. For tables of inputs, where the start-up
 * of a hundred processes would be most of the time; a few rows of such a table still go through {@link runCli}.
 * Only for inputs that end before anything starts (nothing listens, nothing is spawned, no signal handler stays).
 */
export async function runMainInProcess(args: string[]): Promise<CliResult> {
  const { main } = await import('../../cli/main.js');
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr, ms: Date.now() - started };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
