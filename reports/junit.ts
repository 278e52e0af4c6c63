import type { Divergence, RunResult } from '../harness/results.js';
import { describeInput, describeObservation } from './text.js';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '?');

function divergenceText(d: Divergence): string {
  const steps = d.steps.map((s, i) => `${i + 1}. ${s.setup ? '[setup] ' : ''}${s.operation} ${describeInput(s.input)}\n   -> ${describeObservation(s.outcome)}`);
  return [`rule ${d.rule} (${d.evidence}): ${d.summary}`, `expected one of: ${JSON.stringify(d.expected)}`, `actual: ${describeObservation(d.actual)}`, ...steps, `replay: ${d.replay}`].join('\n');
}

/** One test suite per service; one test case per divergence, or a single passing case. */
export function renderJUnit(result: RunResult): string {
  const suites = result.services.map((s) => {
    const name = `${s.service} @ ${result.target}`;
    const cases: string[] = [];
    if (s.verdict === 'infra') {
      cases.push(`<testcase classname="${escape(name)}" name="infrastructure"><error message="${escape(s.reason ?? 'infrastructure failure')}"/></testcase>`);
    }
    for (const op of s.unsupportedOperations) {
      cases.push(`<testcase classname="${escape(name)}" name="${escape(op)} supported"><skipped message="operation not implemented by the target"/></testcase>`);
    }
    for (const d of s.divergences) {
      const label = d.explainedBy ? `${d.rule} (switch ${d.explainedBy.switch}=${d.explainedBy.value})` : d.rule;
      cases.push(`<testcase classname="${escape(name)}" name="${escape(label)}"><failure message="${escape(`${d.rule}: ${describeObservation(d.actual)}`)}">${escape(divergenceText(d))}</failure></testcase>`);
    }
    if (cases.length === 0) cases.push(`<testcase classname="${escape(name)}" name="conforms (${s.runs} sequences, ${s.calls} calls)"/>`);
    const failures = s.divergences.length;
    const errors = s.verdict === 'infra' ? 1 : 0;
    return `  <testsuite name="${escape(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${s.unsupportedOperations.length}" time="${(s.durationMs / 1000).toFixed(3)}">\n    ${cases.join('\n    ')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="policy-conformance">\n${suites.join('\n')}\n</testsuites>\n`;
}
