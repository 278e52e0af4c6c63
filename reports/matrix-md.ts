import { columnCounts, type Matrix, type MatrixCell } from './matrix.js';
import type { DepartureRef } from '../models/results.js';
import { reproducibilityText, STATE_LABEL } from './labels.js';
import { describeObservation } from './text.js';

/** Markdown table cells must not contain a bare pipe or a line break. */
const md = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

/** Short words for one cell: the state, then what qualifies it (switch, flaky, new/expected). */
export function cellWords(cell: MatrixCell): string {
  const words: string[] = [STATE_LABEL[cell.state]];
  if (cell.state === 'conforms' && cell.note) words[0] = `✓ ${cell.note}`;
  if (cell.divergences.length > 1) words.push(`×${cell.divergences.length}`);
  const explained = cell.divergences.find((d) => d.explainedBy)?.explainedBy;
  if (explained) words.push(`(switch ${explained.switch}=${explained.value})`);
  if (cell.divergences.some((d) => d.reproducibility?.label === 'flaky')) words.push('flaky');
  if (cell.expectation === 'new') words.push('**NEW**');
  else if (cell.expectation === 'expected') words.push('(expected)');
  return words.join(' ');
}

const refList = (title: string, refs: DepartureRef[]) => (refs.length ? [`- ${title}: ${refs.map((r) => `\`${r.key}\`${r.note ? ` (${r.note})` : ''}`).join(', ')}`] : []);

/** matrix.md: the same matrix as matrix.html, for a README or a pull request. */
export function renderMatrixMarkdown(matrix: Matrix): string {
  const cols = matrix.columns;
  const lines = [
    '# Conformance matrix',
    '',
    `Generated ${matrix.generatedAt} · services: ${matrix.services.join(', ')}`,
    '',
    '| target | verdict | seed | time | conforms | diverges | unsupported | not reached | infra | expectations |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...cols.map((c, i) => {
      const n = columnCounts(matrix, i);
      const e = c.expectations;
      const expect = e ? `${e.new.length} new, ${e.stillPresent.length} still present, ${e.fixed.length} fixed, ${e.notSeen.length} not seen` : '—';
      return `| \`${md(c.target)}\` | ${c.verdict}${c.error ? ` (${md(c.error)})` : ''} | ${c.result?.seed ?? '—'} | ${(c.durationMs / 1000).toFixed(1)} s | ${n.conforms} | ${n.diverges} | ${n.unsupported} | ${n['not-reached']} | ${n.infra} | ${expect} |`;
    }),
    '',
    `Cells: ${Object.values(STATE_LABEL).join(' · ')}. A diverging cell names the switch that explains it, if any; "flaky" when its replays did not all diverge again.`,
    '',
  ];
  for (const service of matrix.services) {
    const rows = matrix.rows.filter((r) => r.service === service);
    lines.push(`## ${service}`, '', `| rule | evidence | ${cols.map((c) => `\`${md(c.target)}\``).join(' | ')} |`, `|---|---|${cols.map(() => '---').join('|')}|`);
    for (const row of rows) {
      const name = row.kind === 'rule' ? `\`${md(row.id)}\`` : `operation \`${md(row.id)}\``;
      lines.push(`| ${name} | ${row.evidence ?? '—'} | ${row.cells.map((c) => md(cellWords(c))).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('## Departures by target', '');
  for (const c of cols) {
    lines.push(`### \`${md(c.target)}\``, '');
    if (c.error) lines.push(`Not run: ${c.error}`, '');
    const services = c.result?.services ?? [];
    for (const s of services) {
      const profile = Object.entries(s.profile);
      if (profile.length) lines.push(`- ${s.service}: AWS, except ${profile.map(([k, v]) => `\`${k}=${v}\``).join(', ')}`);
      if (s.reason) lines.push(`- ${s.service}: ${s.verdict} — ${md(s.reason)}`);
      for (const d of s.divergences) {
        lines.push(
          `- ${s.service} \`${d.rule}\`${d.explainedBy ? ` (switch \`${d.explainedBy.switch}=${d.explainedBy.value}\`)` : ''}: ${describeObservation(d.actual)}; ${reproducibilityText(d)}; ${d.calls} calls — replay: \`${d.replay}\``,
        );
      }
      for (const r of s.rechecked ?? []) lines.push(`- ${s.service}: earlier failure on \`${r.rule}\` (${r.recordedAt}): ${r.status}${r.nowRule ? ` (${md(r.nowRule)})` : ''}`);
    }
    const e = c.expectations;
    if (e) lines.push(`- expectations \`${md(e.file)}\`:`, ...[...refList('NEW', e.new), ...refList('still present', e.stillPresent), ...refList('fixed', e.fixed), ...refList('not seen', e.notSeen)].map((l) => `  ${l}`));
    if (!services.some((s) => s.divergences.length || s.reason) && !e && !c.error) lines.push('- no departures');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
