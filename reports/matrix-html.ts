import type { Matrix, MatrixCell, MatrixColumn, MatrixRow } from './matrix.js';
import type { DepartureRef, Divergence, ServiceResult } from '../models/results.js';
import { reproducibilityText, STATE_LABEL } from './labels.js';
import { describeInput, describeObservation } from './text.js';

/** Text and attribute values: every character that could end an element, an attribute or a comment. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --bad:#b42318; --bad-bg:#ffebe9; --na:#6e7781; --na-bg:#f0f1f3; --warn:#9a6700; --warn-bg:#fff8c5; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1.5rem 3rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin: 1rem 0 .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; text-align: left; }
#matrix thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; }
#matrix th.rule { min-width: 18rem; max-width: 32rem; font-weight: normal; }
#matrix th.rule .summary { color: #57606a; font-size: 12px; }
tr.service th { background: #eaeef2; font-size: 1rem; }
td.cell { white-space: nowrap; font-weight: 600; }
td.conforms { color: var(--ok); background: var(--ok-bg); }
td.diverges { color: var(--bad); background: var(--bad-bg); }
td.unsupported { color: var(--na); background: var(--na-bg); }
td.not-reached { color: var(--na); font-weight: normal; }
td.infra { color: var(--warn); background: var(--warn-bg); }
td.cell a { color: inherit; }
.tag { display: inline-block; font-size: 11px; font-weight: normal; border: 1px solid currentColor; border-radius: 3px; padding: 0 .25rem; margin-left: .25rem; }
.tag.new { background: var(--bad); color: #fff; border-color: var(--bad); }
.legend span { margin-right: 1rem; }
.muted { color: #57606a; }
details.divergence { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .25rem .75rem; }
details.divergence > summary { cursor: pointer; font-weight: 600; }
ol.steps li { margin: .2rem 0; } ol.steps li.setup { color: #57606a; } ol.steps li.last { color: var(--bad); }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; overflow: auto; max-height: 24rem; white-space: pre; }
#panel { position: fixed; top: 0; right: 0; bottom: 0; width: min(52rem, 92vw); background: #fff; border-left: 2px solid var(--bad); box-shadow: -8px 0 24px rgba(0,0,0,.15); padding: .75rem 1rem 2rem; overflow: auto; z-index: 10; }
#panel[hidden] { display: none; }
#panel header { display: flex; justify-content: space-between; align-items: start; gap: 1rem; }
#panel h2 { margin: .25rem 0; }
button { font: inherit; cursor: pointer; }
.block { position: relative; }
.block button.copy { position: absolute; right: .4rem; top: .4rem; font-size: 12px; }
pre.replay { white-space: pre-wrap; word-break: break-all; padding-right: 4rem; }
tr.hidden { display: none; }
`;

const SCRIPT = `
(function () {
  var panel = document.getElementById('panel');
  var body = document.getElementById('panel-body');
  var title = document.getElementById('panel-title');
  function open(id) {
    var d = document.getElementById(id);
    if (!d) return;
    d.open = true;
    title.textContent = d.querySelector('summary').textContent;
    body.replaceChildren(d.querySelector('.body').cloneNode(true));
    panel.hidden = false;
    panel.setAttribute('data-showing', id);
    panel.scrollTop = 0;
  }
  document.addEventListener('click', function (e) {
    var opener = e.target.closest('[data-open]');
    if (opener) { e.preventDefault(); open(opener.getAttribute('data-open')); return; }
    var copy = e.target.closest('button.copy');
    if (copy) {
      var pre = copy.parentElement.querySelector('pre');
      var text = pre ? pre.textContent : '';
      var done = function () { copy.textContent = 'copied'; setTimeout(function () { copy.textContent = 'copy'; }, 1200); };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { window.getSelection().selectAllChildren(pre); });
      else window.getSelection().selectAllChildren(pre);
    }
  });
  document.getElementById('panel-close').addEventListener('click', function () { panel.hidden = true; panel.removeAttribute('data-showing'); });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { panel.hidden = true; panel.removeAttribute('data-showing'); } });
  var only = document.getElementById('only-departures');
  only.addEventListener('change', function () {
    document.querySelectorAll('#matrix tbody tr[data-row]').forEach(function (tr) {
      tr.classList.toggle('hidden', only.checked && tr.getAttribute('data-departure') !== '1');
    });
  });
})();
`;

interface Entry {
  id: string;
  column: MatrixColumn;
  service: string;
  divergence: Divergence;
  expectation?: 'expected' | 'new';
}

function cellHtml(cell: MatrixCell, column: MatrixColumn, row: MatrixRow, ids: Map<Divergence, string>): string {
  const attrs = `class="cell ${cell.state}" data-state="${cell.state}" data-target="${esc(column.slug)}" title="${esc(`${column.target} · ${row.service} ${row.id}${cell.note ? ` · ${cell.note}` : ''}`)}"`;
  const tags: string[] = [];
  const explained = cell.divergences.find((d) => d.explainedBy)?.explainedBy;
  if (explained) tags.push(`<span class="tag switch" title="explained by a switch">switch ${esc(`${explained.switch}=${explained.value}`)}</span>`);
  if (cell.divergences.some((d) => d.reproducibility?.label === 'flaky')) tags.push('<span class="tag flaky">flaky</span>');
  if (cell.expectation === 'new') tags.push('<span class="tag new">new</span>');
  if (cell.expectation === 'expected') tags.push('<span class="tag expected">expected</span>');
  if (cell.state === 'diverges') {
    // One link per divergence on this rule (e.g. one a switch explains and one it does not).
    const links = cell.divergences.map((d, i) => {
      const id = ids.get(d)!;
      return `<a href="#${id}" data-open="${id}"${i ? ` class="more" title="divergence ${i + 1} on this rule"` : ''}>${i ? `+${i}` : 'diverges'}</a>`;
    });
    return `<td ${attrs}>${links.join(' ')}${tags.join('')}</td>`;
  }
  const label = cell.state === 'conforms' && cell.note ? cell.note : STATE_LABEL[cell.state].replace(/^\S+ /, '');
  return `<td ${attrs}>${esc(label)}${tags.join('')}</td>`;
}

function stepsHtml(d: Divergence): string {
  const items = d.steps.map((s, i) => {
    const cls = [s.setup ? 'setup' : '', i === d.steps.length - 1 ? 'last' : ''].filter(Boolean).join(' ');
    return `<li${cls ? ` class="${cls}"` : ''}>${s.setup ? '<span class="muted">(setup)</span> ' : ''}<code class="op">${esc(s.operation)}</code> <code>${esc(describeInput(s.input))}</code> → <span class="outcome">${esc(describeObservation(s.outcome))}</span>${s.setAside ? ` <span class="muted">(departs on ${esc(s.setAside)}, set aside)</span>` : ''}</li>`;
  });
  return `<ol class="steps">${items.join('')}</ol>`;
}

function divergenceHtml(e: Entry): string {
  const d = e.divergence;
  const rows = [
    ['target', esc(e.column.target)],
    ['rule', `<code>${esc(d.rule)}</code> (${esc(d.evidence)}) — ${esc(d.summary)}`],
    ...(d.explainedBy ? [['explained by', `switch <code>${esc(`${d.explainedBy.switch}=${d.explainedBy.value}`)}</code>: AWS, except this setting`]] : []),
    ['reproducibility', esc(reproducibilityText(d))],
    ...(e.expectation ? [['expectations', e.expectation === 'new' ? '<strong>new</strong> (not in the expectations file)' : 'expected (listed in the expectations file)']] : []),
    ...(d.afterSetAside.length ? [['note', `this sequence first departs on ${esc(d.afterSetAside.join(', '))}; this may be a consequence`]] : []),
    ['the target answered', esc(describeObservation(d.actual))],
    ['AWS (the model) allows', d.expected.map((x) => `<code>${esc(JSON.stringify(x.expect))}</code> <span class="muted">(${esc(x.rule)})</span>`).join('<br>')],
  ];
  const summary = `${e.column.target} · ${e.service} · ${d.rule}${d.explainedBy ? ` (switch ${d.explainedBy.switch}=${d.explainedBy.value})` : ''}`;
  return `<details class="divergence" id="${e.id}"><summary>${esc(summary)}</summary><div class="body">
<table class="facts">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>
<h3>Minimal sequence (${d.calls} generated call${d.calls === 1 ? '' : 's'}${d.steps.some((s) => s.setup) ? ' after the fixtures' : ''})</h3>
${stepsHtml(d)}
<h3>Replay</h3><div class="block"><button type="button" class="copy">copy</button><pre class="replay">${esc(d.replay)}</pre></div>
${d.reproducer ? `<h3>AWS CLI reproducer</h3><div class="block"><button type="button" class="copy">copy</button><pre class="reproducer">${esc(d.reproducer.join('\n'))}</pre></div>` : ''}
</div></details>`;
}

function refsHtml(title: string, refs: DepartureRef[], folded = false): string {
  if (!refs.length) return '';
  const list = refs.map((r) => `<code>${esc(r.key)}</code>${r.note ? ` <span class="muted">(${esc(r.note)})</span>` : ''}`).join(', ');
  return folded ? `<li><details><summary>${esc(title)}: ${refs.length}</summary>${list}</details></li>` : `<li>${esc(title)}: ${list}</li>`;
}

function columnSummary(c: MatrixColumn, counts: Record<string, number>): string {
  const services = c.result?.services ?? [];
  const profile = services.flatMap((s: ServiceResult) => Object.entries(s.profile).map(([k, v]) => `${k}=${v}`));
  const e = c.expectations;
  return `<tr data-target="${esc(c.slug)}"><th><code>${esc(c.target)}</code></th><td class="cell ${c.verdict === 'pass' ? 'conforms' : c.verdict === 'fail' ? 'diverges' : c.verdict === 'infra' || c.verdict === 'interrupted' || c.verdict === 'incomplete' ? 'infra' : 'unsupported'}">${esc(c.verdict)}</td>
<td>${c.result ? esc(String(c.result.seed)) : '—'}</td><td>${(c.durationMs / 1000).toFixed(1)} s</td>
<td>${counts.conforms} conform, ${counts.diverges} diverge, ${counts.unsupported} unsupported, ${counts['not-reached']} not reached${counts.infra ? `, ${counts.infra} infra` : ''}</td>
<td>${profile.length ? `AWS, except ${profile.map((p) => `<code>${esc(p)}</code>`).join(', ')}` : 'AWS defaults'}</td>
<td>${c.error ? `not run: ${esc(c.error)}` : ''}${services.filter((s) => s.reason).map((s) => `${esc(s.service)}: ${esc(s.reason!)}`).join('<br>')}${e ? `<ul>${refsHtml('NEW', e.new)}${refsHtml('still present', e.stillPresent, true)}${refsHtml('fixed', e.fixed)}${refsHtml('not seen', e.notSeen)}</ul>` : ''}</td></tr>`;
}

/** matrix.html: one self-contained page (inline CSS and JS, no external resources), readable offline. */
export function renderMatrixHtml(matrix: Matrix): string {
  const ids = new Map<Divergence, string>();
  const entries: Entry[] = [];
  matrix.columns.forEach((column, ci) => {
    for (const row of matrix.rows) {
      const cell = row.cells[ci]!;
      for (const d of cell.divergences) {
        const id = `d-${entries.length + 1}`;
        ids.set(d, id);
        entries.push({ id, column, service: row.service, divergence: d, ...(cell.expectation ? { expectation: cell.expectation } : {}) });
      }
    }
  });
  const counts = matrix.columns.map((_, ci) => {
    const n: Record<string, number> = { conforms: 0, diverges: 0, unsupported: 0, 'not-reached': 0, infra: 0 };
    for (const r of matrix.rows) n[r.cells[ci]!.state]!++;
    return n;
  });
  const width = 2 + matrix.columns.length;
  const body: string[] = [];
  for (const service of matrix.services) {
    body.push(`<tr class="service"><th colspan="${width}">${esc(service)}</th></tr>`);
    for (const row of matrix.rows.filter((r) => r.service === service)) {
      const departure = row.cells.some((c) => c.state === 'diverges' || c.state === 'unsupported') ? '1' : '0';
      const name = row.kind === 'rule' ? `<code>${esc(row.id)}</code>` : `operation <code>${esc(row.id)}</code>`;
      body.push(
        `<tr data-row data-service="${esc(row.service)}" data-rule="${esc(row.id)}" data-kind="${row.kind}" data-departure="${departure}"><th class="rule" scope="row">${name}<div class="summary">${esc(row.summary)}${row.spec ? ` <span class="muted">${esc(row.spec)}</span>` : ''}</div></th><td class="muted">${esc(row.evidence ?? '—')}</td>${row.cells.map((c, ci) => cellHtml(c, matrix.columns[ci]!, row, ids)).join('')}</tr>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>policy-conformance matrix</title><style>${CSS}</style></head>
<body>
<h1>Conformance matrix</h1>
<p class="muted">Generated ${esc(matrix.generatedAt)} · services: ${esc(matrix.services.join(', '))} · ${matrix.columns.length} targets. Click a diverging cell for its minimal sequence, replay command and AWS CLI reproducer.</p>
<table id="targets"><thead><tr><th>target</th><th>verdict</th><th>seed</th><th>time</th><th>cells</th><th>behaviour profile</th><th>notes and expectations</th></tr></thead>
<tbody>${matrix.columns.map((c, i) => columnSummary(c, counts[i]!)).join('\n')}</tbody></table>
<p class="legend">${Object.entries(STATE_LABEL).map(([k, v]) => `<span class="${esc(k)}">${esc(v)}</span>`).join('')}<span><span class="tag">switch</span> explained by a switch</span><span><span class="tag">flaky</span> replays did not all diverge again</span></p>
<p><label><input type="checkbox" id="only-departures"> only rows with a departure</label></p>
<table id="matrix"><thead><tr><th>rule / operation</th><th>evidence</th>${matrix.columns.map((c) => `<th data-target="${esc(c.slug)}"><code>${esc(c.target)}</code><br><span class="muted">${esc(c.verdict)}</span></th>`).join('')}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>
<h2>Departures</h2>
${entries.length ? entries.map(divergenceHtml).join('\n') : '<p>No target diverged.</p>'}
<aside id="panel" hidden aria-live="polite"><header><h2 id="panel-title"></h2><button type="button" id="panel-close" aria-label="close">close ✕</button></header><div id="panel-body"></div></aside>
<script>${SCRIPT}</script>
</body></html>
`;
}
