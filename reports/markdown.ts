import { overallVerdict, type RunResult } from '../harness/results.js';
import { describeInput, describeObservation } from './text.js';

/** The human report: verdict per service, the "AWS, except" profile, then each divergence with its sequence. */
export function renderMarkdown(result: RunResult): string {
  const lines = [
    `# policy-conformance report: ${result.target}`,
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
  for (const s of result.services) {
    lines.push(`## ${s.service}`, '');
    if (s.reason) lines.push(`${s.verdict === 'infra' ? 'Infrastructure failure' : 'Note'}: ${s.reason}`, '');
    const profile = Object.entries(s.profile);
    lines.push(profile.length ? `Behaviour profile: AWS, except ${profile.map(([k, v]) => `\`${k}=${v}\``).join(', ')}.` : 'Behaviour profile: AWS defaults for every switch.', '');
    if (s.unsupportedOperations.length) lines.push(`Unsupported operations: ${s.unsupportedOperations.map((o) => `\`${o}\``).join(', ')}.`, '');
    s.divergences.forEach((d, i) => {
      lines.push(`### ${i + 1}. \`${d.rule}\` (${d.evidence})${d.explainedBy ? ` — explained by switch \`${d.explainedBy.switch}=${d.explainedBy.value}\`` : ''}`, '');
      lines.push(d.summary, '');
      if (d.afterSetAside.length) lines.push(`*This sequence first departs on ${d.afterSetAside.map((r) => `\`${r}\``).join(', ')} (reported above); this divergence may be a consequence.*`, '');
      lines.push(`- actual: ${describeObservation(d.actual)}`);
      lines.push(`- allowed: ${d.expected.map((e) => `\`${e.rule}\` → \`${JSON.stringify(e.expect)}\``).join('; ')}`, '');
      lines.push('Sequence:', '');
      d.steps.forEach((st, n) =>
        lines.push(`${n + 1}. ${st.setup ? '*(setup)* ' : ''}\`${st.operation}\` ${describeInput(st.input)} → ${describeObservation(st.outcome)}${st.setAside ? ` *(departs on \`${st.setAside}\`, set aside)*` : ''}`),
      );
      lines.push('', 'Replay:', '', '```sh', d.replay, '```', '');
    });
  }
  return `${lines.join('\n')}\n`;
}
