import type { Divergence, RunResult } from '../models/results.js';
import { kindOf } from './labels.js';

/** results.json: the run as data. Every divergence states its kind (a result built without one is a wrong answer). */
export function renderJson(result: RunResult): string {
  const withKind = (d: Divergence): Divergence => {
    const { rule, kind: _kind, ...rest } = d;
    return { rule, kind: kindOf(d), ...rest };
  };
  const services = result.services.map((s) => ({ ...s, divergences: s.divergences.map(withKind) }));
  return `${JSON.stringify({ ...result, services }, null, 2)}\n`;
}
