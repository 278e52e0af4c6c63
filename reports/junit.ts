import type { DepartureRef, Divergence, RunResult, ServiceResult } from '../models/results.js';
import { attributionText, KIND_LABEL, kindOf, reproducibilityText } from './labels.js';
import { describeInput, describeObservationFull } from './text.js';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '?');

/** In an attribute a newline would be read back as a space: keep it. */
const attr = (s: string) => escape(s).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

function divergenceText(d: Divergence): string {
  const kind = kindOf(d);
  const why = attributionText(d);
  const steps = d.steps.map(
    (s, i) =>
      `${i + 1}. ${s.setup ? '[setup] ' : ''}${i === d.attribution?.causeStep ? '[cause] ' : ''}${s.operation} ${describeInput(s.input)}\n   -> ${describeObservationFull(s.outcome)}`,
  );
  return [
    `rule ${d.rule} (${d.evidence}): ${d.summary}`,
    `kind: ${kind} (${KIND_LABEL[kind]})`,
    ...(why ? [`why this rule: ${why}`] : []),
    ...(d.attribution?.kept?.length ? [`simplifications kept: ${d.attribution.kept.join('; ')}`] : []),
    ...(d.attribution?.needed?.length ? [`simplifications needed: ${d.attribution.needed.join('; ')}`] : []),
    `reproducibility: ${reproducibilityText(d)}`,
    `expected one of: ${JSON.stringify(d.expected)}`,
    `actual: ${describeObservationFull(d.actual)}`,
    ...(d.alsoShowsAs?.length ? [`also shows as: ${d.alsoShowsAs.map((a) => `${a.rule} (${a.sequences} sequences)`).join(', ')}`] : []),
    ...steps,
    `replay: ${d.witnessFile ? `npx policy-conformance replay ${d.witnessFile}` : d.replay}`,
  ].join('\n');
}

const sameSwitch = (a?: { switch: string; value: string }, b?: { switch: string; value: string }) => a?.switch === b?.switch && a?.value === b?.value;

/** Whether the expectations report lists this departure as new (the same key harness/expectations.ts builds). */
function isNewDivergence(list: readonly DepartureRef[], s: ServiceResult, d: Divergence): boolean {
  return list.some((n) => n.kind === 'divergence' && n.service === s.service && n.rule === d.rule && sameSwitch(n.explainedBy, d.explainedBy));
}

function isNewUnsupported(list: readonly DepartureRef[], s: ServiceResult, operation: string): boolean {
  return list.some((n) => n.kind === 'unsupported' && n.service === s.service && n.operation === operation);
}

/**
 * One test suite per service; one test case per divergence (its kind as the failure `type`, every message whole),
 * or a single passing case. An infrastructure failure or an internal error of the suite is an `<error>` case.
 */
export function renderJUnit(result: RunResult): string {
  // The emulator's pinned version, so a dashboard shows which version a result belongs to.
  const properties = result.targetVersion ? `<properties><property name="targetVersion" value="${escape(result.targetVersion)}"/></properties>\n    ` : '';
  const suites = result.services.map((s) => {
    const name = `${s.service} @ ${result.target}`;
    const cases: string[] = [];
    let errors = 0;
    if (s.verdict === 'infra') {
      errors++;
      cases.push(`<testcase classname="${escape(name)}" name="infrastructure"><error message="${attr(s.reason ?? 'infrastructure failure')}" type="infra"/></testcase>`);
    }
    if (s.verdict === 'interrupted' || s.verdict === 'incomplete' || (s.stoppedEarly && s.verdict === 'fail')) {
      // An exploration stopped early is not a result (a CI dashboard must not show it green), whatever it found.
      errors++;
      const why = s.stoppedEarly ?? s.reason ?? 'stopped early';
      cases.push(`<testcase classname="${escape(name)}" name="stopped early"><error message="${attr(why)}" type="${s.verdict === 'interrupted' ? 'interrupted' : 'incomplete'}"/></testcase>`);
    }
    if (s.internalError) {
      errors++;
      const e = s.internalError;
      const body = [
        'internal error of the suite (a bug in policy-conformance, not the target)',
        e.message,
        ...(e.stack ? ['', e.stack] : []),
        ...(e.commands?.length ? ['', `commands: ${JSON.stringify(e.commands)}`] : []),
      ].join('\n');
      cases.push(`<testcase classname="${escape(name)}" name="internal error"><error message="${attr(e.message)}" type="internal-error">${escape(body)}</error></testcase>`);
    } else if (s.verdict === 'internal-error') {
      errors++;
      cases.push(`<testcase classname="${escape(name)}" name="internal error"><error message="${attr(s.reason ?? 'internal error of the suite')}" type="internal-error"/></testcase>`);
    }
    let failures = 0;
    let newUnsupported = 0;
    for (const op of s.unsupportedOperations) {
      if (result.expectations && isNewUnsupported(result.expectations.new, s, op)) {
        newUnsupported++;
        cases.push(`<testcase classname="${escape(name)}" name="${escape(op)} supported"><failure message="operation not implemented by the target (not in the expectations)" type="unsupported"/></testcase>`);
      } else cases.push(`<testcase classname="${escape(name)}" name="${escape(op)} supported"><skipped message="operation not implemented by the target"/></testcase>`);
    }
    for (const d of s.divergences) {
      const kind = kindOf(d);
      const label = `${d.explainedBy ? `${d.rule} (switch ${d.explainedBy.switch}=${d.explainedBy.value})` : d.rule}${kind !== 'wrong-answer' ? ` [${kind}]` : ''}${d.reproducibility?.label === 'flaky' ? ' [flaky]' : ''}`;
      // Against an expectations file, a known departure is a skipped case (the dashboard stays green); a new one fails.
      const e = result.expectations;
      if (e && !isNewDivergence(e.new, s, d)) {
        cases.push(`<testcase classname="${escape(name)}" name="${escape(label)}"><skipped message="${attr(`expected departure (listed in ${e.file})`)}">${escape(divergenceText(d))}</skipped></testcase>`);
        continue;
      }
      failures++;
      cases.push(
        `<testcase classname="${escape(name)}" name="${escape(label)}"><failure message="${attr(`${d.rule} (${kind}): ${describeObservationFull(d.actual)}`)}" type="${escape(kind)}">${escape(divergenceText(d))}</failure></testcase>`,
      );
    }
    if (cases.length === 0) cases.push(`<testcase classname="${escape(name)}" name="conforms (${s.runs} sequences, ${s.calls} calls)"/>`);
    const notes = [
      ...(s.unconfirmed ?? []).map((u) => `unconfirmed (not counted): ${u.rule} (${u.kind}), ${u.replays} re-runs: ${u.reason}`),
      ...(s.departuresAfterFaults ? [`${s.departuresAfterFaults} departures seen only after faults in the same sequence (not judged)`] : []),
    ];
    const out = notes.length ? `\n    <system-out>${escape(notes.join('\n'))}</system-out>` : '';
    const skipped = s.unsupportedOperations.length - newUnsupported + s.divergences.length - failures;
    return `  <testsuite name="${escape(name)}" tests="${cases.length}" failures="${failures + newUnsupported}" errors="${errors}" skipped="${skipped}" time="${(s.durationMs / 1000).toFixed(3)}">\n    ${properties}${cases.join('\n    ')}${out}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="policy-conformance">\n${suites.join('\n')}\n</testsuites>\n`;
}
