import { startReference } from '../../harness/reference/server.js';
import { type RunOptions, runService } from '../../harness/runner.js';
import type { ServiceAdapter } from '../../harness/service.js';
import { DUMMY_CREDENTIALS, type Endpoint } from '../../harness/sdk.js';

export const SEED = 20261123;

export function endpointAt(url: string): Endpoint {
  return { url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS };
}

export function options(overrides: Partial<RunOptions> = {}): RunOptions {
  return { runs: 200, seed: SEED, consistency: 'strict', settleMs: 0, maxDivergences: 1, replayBase: '--target test', ...overrides };
}

/** Run one service's suite against a fresh embedded reference server over real HTTP. */
export async function runAgainstReference(adapter: ServiceAdapter, overrides: Partial<RunOptions> = {}, mutant?: string) {
  const ref = await startReference(mutant ? { mutant } : {});
  try {
    return await runService(adapter, endpointAt(ref.url), options(overrides));
  } finally {
    await ref.stop();
  }
}
