import { connect } from 'node:net';
import type { Consistency } from '../models/types.js';
import { startReference } from './reference/server.js';
import { DUMMY_CREDENTIALS, type Endpoint } from './sdk.js';

export interface Target {
  /** How the user named it (for reports and replay commands). */
  name: string;
  endpoint: Endpoint;
  defaultConsistency: Consistency;
  stop(): Promise<void>;
}

/** A problem with what the user asked for (exit 2), as opposed to a problem with the target (exit 3). */
export class UsageError extends Error {}
export class InfraError extends Error {}

function credentials() {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  return AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) }
    : DUMMY_CREDENTIALS;
}

/** Fails fast (well under two seconds) when nothing listens at the URL. */
export async function assertReachable(url: URL, timeoutMs = 1500): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new InfraError(`target ${url.origin} unreachable: no answer within ${timeoutMs} ms`));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => reject(new InfraError(`target ${url.origin} unreachable: ${e.code ?? e.message}`)));
  });
}

export async function resolveTarget(spec: string, options: { region: string; mutant?: string }): Promise<Target> {
  if (spec === 'reference') {
    const running = await startReference(options.mutant ? { mutant: options.mutant } : {});
    return {
      name: 'reference',
      endpoint: { url: running.url, region: options.region, credentials: DUMMY_CREDENTIALS },
      defaultConsistency: 'strict',
      stop: running.stop,
    };
  }
  if (options.mutant) throw new UsageError('--mutant works only with --target reference');
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UsageError(`--target must be "reference" or an http(s):// URL, not "${spec}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--target URL must be http:// or https://, not ${url.protocol}`);
  await assertReachable(url);
  return {
    name: url.origin,
    endpoint: { url: url.origin, region: options.region, credentials: credentials() },
    defaultConsistency: 'strict',
    stop: async () => undefined,
  };
}
