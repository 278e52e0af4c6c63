import type { Divergence, RunResult } from '../models/results.js';
import type { Shard, ShardManifest } from '../models/shard.js';
import { kindOf } from './labels.js';
import type { Matrix } from './matrix.js';

/** results.json's data: the run, every divergence stating its kind (a result built without one is a wrong answer). */
export function resultsData(result: RunResult): RunResult {
  const withKind = (d: Divergence): Divergence => {
    const { rule, kind: _kind, ...rest } = d;
    return { rule, kind: kindOf(d), ...rest };
  };
  const services = result.services.map((s) => ({ ...s, divergences: s.divergences.map(withKind) }));
  return { ...result, services };
}

/** results.json: the run as data. */
export function renderJson(result: RunResult): string {
  return `${JSON.stringify(resultsData(result), null, 2)}\n`;
}

/**
 * matrix.json: each target's verdict and exit code (and why it could not run, and its expectations), in column order;
 * a shard's also says which shard it is.
 */
export function renderMatrixJson(matrix: Matrix, o: { seed: number; exits: readonly number[]; shard?: Shard }): string {
  const targets = matrix.columns.map((c, i) => ({
    target: c.target,
    slug: c.slug,
    verdict: c.verdict,
    exit: o.exits[i],
    ...(c.error ? { error: c.error } : {}),
    ...(c.expectations ? { expectations: c.expectations } : {}),
  }));
  return `${JSON.stringify({ generatedAt: matrix.generatedAt, seed: o.seed, ...(o.shard ? { shard: o.shard } : {}), targets }, null, 2)}\n`;
}

/** shard.json: a shard's manifest, each column's result as its results.json has it. */
export function renderShardManifest(manifest: ShardManifest): string {
  const columns = manifest.columns.map((c) => ({ ...c, ...(c.result ? { result: resultsData(c.result) } : {}) }));
  return `${JSON.stringify({ ...manifest, columns }, null, 2)}\n`;
}
