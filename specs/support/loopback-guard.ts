/** The loopback guard (loopback-guard.mjs) from a spec: the environment that preloads it, and what it recorded. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const GUARD = fileURLToPath(new URL('./loopback-guard.mjs', import.meta.url));

export interface GuardEntry {
  pid: number;
  kind: 'connect' | 'lookup';
  /** host:port of a connect, the name of a lookup. */
  target: string;
  allowed: boolean;
}

/** Environment variables for a child process that is to run behind the guard, recording into `log`. */
export function guardedEnv(log: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { NODE_OPTIONS: `${env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ` : ''}--import ${pathToFileURL(GUARD).href}`, LOOPBACK_GUARD_LOG: log };
}

export function guardLog(log: string): GuardEntry[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as GuardEntry);
}
