/** Plain SDK client settings for probes: what any user would write (no suite code). */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ProbeContext } from './probe.js';

export function plainClientConfig(ctx: ProbeContext) {
  return {
    endpoint: ctx.endpoint,
    region: ctx.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10_000, throwOnRequestTimeout: true }),
  };
}

/** The error an SDK call threw, as `Code (HTTP n): message`; for asserting on what an emulator answered. */
export async function answerOf(call: Promise<unknown>): Promise<{ ok: true; output: any } | { ok: false; code: string; status?: number; message: string }> {
  try {
    return { ok: true, output: await call };
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return { ok: false, code: err.name ?? 'Error', status: err.$metadata?.httpStatusCode, message: err.message ?? '' };
  }
}

/** `fn` with `client`; afterwards, whatever `fn` did, `cleanup` (removing what it may have created) and the client's end. */
export async function withClient<C extends { destroy(): void }, T>(client: C, fn: (client: C) => Promise<T>, cleanup?: (client: C) => Promise<unknown>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    await cleanup?.(client);
    client.destroy();
  }
}
