import type { Divergence, RunResult } from '../harness/results.js';
import { divergenceKey, unsupportedKey } from '../harness/expectations.js';
import { describeInput, describeObservation } from './text.js';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '?');

function divergenceText(d: Divergence): string {
  const steps = d.steps.map((s, i) => `${i + 1}. ${s.setup ? '[setup] ' : ''}${s.operation} ${describeInput(s.input)}\n   -> ${describeObservation(s.outcome)}`);
  return [`rule ${d.rule} (${d.evidence}): ${d.summary}`, `expected one of: ${JSON.stringify(d.expected)}`, `actual: ${describeObservation(d.actual)}`, ...steps, `replay: ${d.replay}`].join('\n');
}

/** One test suite per service; one test case per divergence, or a single passing case. */
export function renderJUnit(result: RunResult): string {
  // The emulator's pinned version, so a dashboard shows which version a result belongs to.
  const properties = result.targetVersion ? `<properties><property name="targetVersion" value="${escape(result.targetVersion)}"/></properties>\n    ` : '';
  const suites = result.services.map((s) => {
    const name = `${s.service} @ ${result.target}`;
    const cases: string[] = [];
    if (s.verdict === 'infra') {
      cases.push(`<testcase classname="${escape(name)}" name="infrastructure"><error message="${escape(s.reason ?? 'infrastructure failure')}"/></testcase>`);
    }
    let failures = 0;
    let newUnsupported = 0;
    for (const op of s.unsupportedOperations) {
      if (result.expectations?.new.some((n) => n.key === unsupportedKey(s.service, op))) {
        newUnsupported++;
        cases.push(`<testcase classname="${escape(name)}" name="${escape(op)} supported"><failure message="operation not implemented by the target (not in the expectations)"/></testcase>`);
      } else cases.push(`<testcase classname="${escape(name)}" name="${escape(op)} supported"><skipped message="operation not implemented by the target"/></testcase>`);
    }
    for (const d of s.divergences) {
      const label = `${d.explainedBy ? `${d.rule} (switch ${d.explainedBy.switch}=${d.explainedBy.value})` : d.rule}${d.reproducibility?.label === 'flaky' ? ' [flaky]' : ''}`;
      // Against an expectations file, a known departure is a skipped case (the dashboard stays green); a new one fails.
      const e = result.expectations;
      if (e && !e.new.some((n) => n.key === divergenceKey(s.service, d.rule, d.explainedBy))) {
        cases.push(`<testcase classname="${escape(name)}" name="${escape(label)}"><skipped message="${escape(`expected departure (listed in ${e.file})`)}">${escape(divergenceText(d))}</skipped></testcase>`);
        continue;
      }
      failures++;
      cases.push(`<testcase classname="${escape(name)}" name="${escape(label)}"><failure message="${escape(`${d.rule}: ${describeObservation(d.actual)}`)}">${escape(divergenceText(d))}</failure></testcase>`);
    }
    if (cases.length === 0) cases.push(`<testcase classname="${escape(name)}" name="conforms (${s.runs} sequences, ${s.calls} calls)"/>`);
    const errors = s.verdict === 'infra' ? 1 : 0;
    return `  <testsuite name="${escape(name)}" tests="${cases.length}" failures="${failures + newUnsupported}" errors="${errors}" skipped="${s.unsupportedOperations.length - newUnsupported + s.divergences.length - failures}" time="${(s.durationMs / 1000).toFixed(3)}">\n    ${properties}${cases.join('\n    ')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="policy-conformance">\n${suites.join('\n')}\n</testsuites>\n`;
}
