import type { Divergence, RunResult } from '../models/results.js';
import { kindOf } from './labels.js';
import type { Matrix } from './matrix.js';

/** results.json: the run as data. Every divergence states its kind (a result built without one is a wrong answer). */
export function renderJson(result: RunResult): string {
  const withKind = (d: Divergence): Divergence => {
    const { rule, kind: _kind, ...rest } = d;
    return { rule, kind: kindOf(d), ...rest };
  };
  const services = result.services.map((s) => ({ ...s, divergences: s.divergences.map(withKind) }));
  return `${JSON.stringify({ ...result, services }, null, 2)}\n`;
}

/** matrix.json: each target's verdict and exit code (and why it could not run, and its expectations), in column order. */
export function renderMatrixJson(matrix: Matrix, o: { seed: number; exits: readonly number[] }): string {
  const targets = matrix.columns.map((c, i) => ({
    target: c.target,
    slug: c.slug,
    verdict: c.verdict,
    exit: o.exits[i],
    ...(c.error ? { error: c.error } : {}),
    ...(c.expectations ? { expectations: c.expectations } : {}),
  }));
  return `${JSON.stringify({ generatedAt: matrix.generatedAt, seed: o.seed, targets }, null, 2)}\n`;
}
