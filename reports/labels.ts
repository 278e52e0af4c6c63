import type { DepartureKind, Divergence } from '../models/results.js';

/** How each matrix cell state is written (matrix.md, matrix.html legend). */
export const STATE_LABEL = { conforms: '✓ conforms', diverges: '✗ diverges', unsupported: '⊘ unsupported', 'not-reached': '· not reached', infra: '⚠ infra' } as const;

/** "reproducible (3/3 replays …)" / "flaky (1/3 …)" / "not replayed". */
export function reproducibilityText(d: Divergence): string {
  const r = d.reproducibility;
  if (!r) return 'not replayed';
  const others = r.otherRules.length ? `; other replays diverged on ${r.otherRules.join(', ')}` : '';
  return `${r.label} (${r.sameRule}/${r.replays} replays diverged again on the same rule${others})`;
}

/** A divergence's kind; files written before kinds existed have none, and those were all wrong answers. */
export function kindOf(d: Pick<Divergence, 'kind'>): DepartureKind {
  return d.kind ?? 'wrong-answer';
}

export const KIND_LABEL: Record<DepartureKind, string> = {
  'wrong-answer': 'wrong answer',
  'error-with-side-effect': 'error with a side effect',
  'success-without-effect': 'success without effect',
  crash: 'crash',
  'stale-read': 'stale read (consistency)',
};

export const KIND_MEANING: Record<DepartureKind, string> = {
  'wrong-answer': 'the target answered what AWS never answers there',
  'error-with-side-effect': 'a write answered an error but changed the state anyway (a later answer shows it)',
  'success-without-effect': 'a write answered success but changed nothing (a later answer shows it)',
  crash: 'the target answers a server error (or no AWS-shaped answer) at this step, on every replay of the witness',
  'stale-read':
    'a read showed the state before the last write where it may not: in strict mode at all; in eventual mode after the lag bound, or after a read had already shown the write (a consistency departure, not a wrong answer of the policy rules)',
};

/** Why the blamed rule is blamed, in one sentence (the lists of simplifications are the caller's to show). */
export function attributionText(d: Pick<Divergence, 'attribution' | 'kind' | 'steps' | 'explainedBy'>): string | undefined {
  const a = d.attribution;
  if (!a) return undefined;
  const premise = a.independentOf?.length
    ? ` The first failing sequence departed under one reading of ${a.independentOf.map((q) => `\`${q}\``).join(', ')} only; the target also fails that question's premise, and that is the witness here: it departs whatever the answer.`
    : '';
  const first = `${a.firstBlamed ? ` It was first blamed on \`${a.firstBlamed}\`.` : ''}${premise}`;
  switch (a.method) {
    case 'first-check':
      return `The failing step's closest allowed answer is under this rule; the step needed no simplifying.${first}`;
    case 'simplified':
      return `The failing step's inputs were made plainer one field at a time while it still departed; this is the rule of what remained.${first}`;
    case 'switch':
      return `${d.explainedBy ? `Switch \`${d.explainedBy.switch}=${d.explainedBy.value}\`` : 'A switch value'}, confirmed by re-running the witness, explains it: the target answers one of AWS's possible readings.${first}`;
    case 'conjecture': {
      const step = a.causeStep !== undefined ? d.steps[a.causeStep] : undefined;
      const where = step ? `step ${a.causeStep! + 1} (\`${step.operation}\`)` : 'an earlier write';
      const what =
        kindOf(d) === 'success-without-effect'
          ? `${where} answered success but its write did not take effect`
          : kindOf(d) === 'error-with-side-effect'
            ? `${where} answered an error but its write took effect`
            : `a hidden effect of ${where}`;
      return `Conjecture: ${what}; that explains every later answer of the witness, so the departure is blamed on that step's rule.${first}`;
    }
  }
}
