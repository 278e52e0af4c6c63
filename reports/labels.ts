import type { Divergence } from '../harness/results.js';

/** How each matrix cell state is written (matrix.md, matrix.html legend). */
export const STATE_LABEL = { conforms: '✓ conforms', diverges: '✗ diverges', unsupported: '⊘ unsupported', 'not-reached': '· not reached', infra: '⚠ infra' } as const;

/** "reproducible (3/3 replays …)" / "flaky (1/3 …)" / "not replayed". */
export function reproducibilityText(d: Divergence): string {
  const r = d.reproducibility;
  if (!r) return 'not replayed';
  const others = r.otherRules.length ? `; other replays diverged on ${r.otherRules.join(', ')}` : '';
  return `${r.label} (${r.sameRule}/${r.replays} replays diverged again on the same rule${others})`;
}
