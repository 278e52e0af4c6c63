import { type DepartureRef, overallVerdict, type RunResult } from '../harness/results.js';
import { reproducibilityText } from './labels.js';
import { describeInput, describeObservation } from './text.js';

/** The human report: verdict per service, the "AWS, except" profile, then each divergence with its sequence. */
export function renderMarkdown(result: RunResult): string {
  const lines = [
    `# policy-conformance report: ${result.target}${result.targetVersion ? ` ${result.targetVersion}` : ''}`,
    '',
    `Verdict: **${overallVerdict(result.services)}** · seed ${result.seed} · consistency ${result.consistency}${result.mutant ? ` · mutant \`${result.mutant}\`` : ''} · ${result.startedAt}`,
    '',
    '| service | verdict | sequences | calls | faults | rules reached | divergences | time |',
    '|---|---|---|---|---|---|---|---|',
    ...result.services.map(
      (s) =>
        `| ${s.service} | ${s.verdict} | ${s.runs} | ${s.calls} | ${s.faults} | ${s.rulesReached.length} | ${s.divergences.length} | ${(s.durationMs / 1000).toFixed(1)} s |`,
    ),
    '',
  ];
  const e = result.expectations;
  if (e) {
    const refs = (title: string, list: DepartureRef[]) => (list.length ? [`- ${title}:`, ...list.map((r) => `  - \`${r.key}\`${r.note ? ` — ${r.note}` : ''}`)] : []);
    lines.push(
      `## Against the expectations (\`${e.file}\`)`,
      '',
      `${e.new.length} new · ${e.stillPresent.length} still present · ${e.fixed.length} fixed · ${e.notSeen.length} not seen this run`,
      '',
      ...refs('**new** (not in the file: these fail the run)', e.new),
      ...refs('still present', e.stillPresent),
      ...refs('fixed (rule reached without the departure)', e.fixed),
      ...refs('not seen this run (no evidence either way; not a failure)', e.notSeen),
      '',
    );
  }
  for (const s of result.services) {
    lines.push(`## ${s.service}`, '');
    if (s.reason) lines.push(`${s.verdict === 'infra' ? 'Infrastructure failure' : 'Note'}: ${s.reason}`, '');
    const profile = Object.entries(s.profile);
    lines.push(profile.length ? `Behaviour profile: AWS, except ${profile.map(([k, v]) => `\`${k}=${v}\``).join(', ')}.` : 'Behaviour profile: AWS defaults for every switch.', '');
    if (s.unsupportedOperations.length) lines.push(`Unsupported operations: ${s.unsupportedOperations.map((o) => `\`${o}\``).join(', ')}.`, '');
    if (s.rechecked?.length) {
      lines.push('Failing sequences of earlier runs, re-run first:', '');
      for (const r of s.rechecked) lines.push(`- \`${r.rule}\`${r.explainedBy ? ` (switch \`${r.explainedBy.switch}=${r.explainedBy.value}\`)` : ''}, recorded ${r.recordedAt}: **${r.status}**${r.nowRule ? ` (${r.nowRule})` : ''}`);
      lines.push('');
    }
    s.divergences.forEach((d, i) => {
      lines.push(`### ${i + 1}. \`${d.rule}\` (${d.evidence})${d.explainedBy ? ` — explained by switch \`${d.explainedBy.switch}=${d.explainedBy.value}\`` : ''}`, '');
      lines.push(d.summary, '');
      lines.push(`Reproducibility: ${reproducibilityText(d)}.`, '');
      if (d.afterSetAside.length) lines.push(`*This sequence first departs on ${d.afterSetAside.map((r) => `\`${r}\``).join(', ')} (reported above); this divergence may be a consequence.*`, '');
      lines.push(`- actual: ${describeObservation(d.actual)}`);
      lines.push(`- allowed: ${d.expected.map((e) => `\`${e.rule}\` → \`${JSON.stringify(e.expect)}\``).join('; ')}`, '');
      lines.push('Sequence:', '');
      d.steps.forEach((st, n) =>
        lines.push(`${n + 1}. ${st.setup ? '*(setup)* ' : ''}\`${st.operation}\` ${describeInput(st.input)} → ${describeObservation(st.outcome)}${st.setAside ? ` *(departs on \`${st.setAside}\`, set aside)*` : ''}`),
      );
      lines.push('', 'Replay:', '', '```sh', d.replay, '```', '');
      if (d.reproducer) lines.push('<details><summary>AWS CLI reproducer</summary>', '', '```sh', ...d.reproducer, '```', '', '</details>', '');
    });
  }
  return `${lines.join('\n')}\n`;
}
