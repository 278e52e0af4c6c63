/** The console summaries `run` and `matrix` print on stdout (the files they write are the other reports). */
import { type DepartureRef, type ExpectationReport, overallVerdict, type RunResult, type ServiceResult } from '../models/results.js';
import type { Matrix } from './matrix.js';
import { stalenessLine } from './staleness.js';

/** One line per group of an expectations comparison. */
export function expectationSummary(report: ExpectationReport): string[] {
  const list = (refs: DepartureRef[]) => refs.map((r) => r.key).join('; ');
  return [
    `expectations ${report.file}: ${report.new.length} new, ${report.stillPresent.length} still present, ${report.fixed.length} fixed, ${report.notSeen.length} not seen`,
    ...(report.new.length ? [`  NEW: ${list(report.new)}`] : []),
    ...(report.fixed.length ? [`  fixed: ${list(report.fixed)}`] : []),
    ...(report.notSeen.length ? [`  not seen: ${list(report.notSeen)}`] : []),
  ];
}

function serviceLine(s: ServiceResult): string {
  const reached = `${s.rulesReached.length} rules reached`;
  const extra = s.reason ? ` — ${s.reason}` : s.divergences.length ? ` — ${s.divergences.map((d) => d.rule + (d.explainedBy ? ` [${d.explainedBy.switch}=${d.explainedBy.value}]` : '') + (d.reproducibility?.label === 'flaky' ? ' (flaky)' : '')).join(', ')}` : '';
  return `  ${s.service.padEnd(9)} ${s.verdict.padEnd(11)} ${s.runs} sequences, ${s.calls} calls, ${s.faults} faults, ${reached} (${(s.durationMs / 1000).toFixed(1)} s)${extra}`;
}

/** What earlier runs left, and what this one could not remove. */
function leftoverLines(s: ServiceResult, target: string): string[] {
  return [
    ...(s.leftoversAtStart?.length ? [`    ${s.leftoversAtStart.length} resources of earlier runs were there at the start: ${s.leftoversAtStart.slice(0, 5).join(', ')}${s.leftoversAtStart.length > 5 ? ', …' : ''}`] : []),
    ...(s.leftBehind?.length ? [`    LEFT ON THE TARGET: ${s.leftBehind.join(', ')} — \`policy-conformance sweep --target ${target} --yes\` removes them`] : []),
  ];
}

/** The safety profile's marks on a service: a public document the target accepted (loud), the rules out of reach. */
function safetyLines(s: ServiceResult): string[] {
  return [
    ...(s.publicAccepted?.length
      ? [`    PUBLIC POLICY ACCEPTED ${s.publicAccepted.length === 1 ? 'once' : `${s.publicAccepted.length} times`} (its API must refuse it): ${s.publicAccepted.slice(0, 3).map((p) => `${p.operation} on ${p.resource} at ${p.at}`).join('; ')}${s.publicAccepted.length > 3 ? '; …' : ''} — each sequence ended there and its cleanup removed the policy at once; report.md lists them all — check the account`]
      : []),
    ...(s.unreachable?.length ? [`    unreachable under this safety profile: ${s.unreachable.map((u) => u.rule).join(', ')} (report.md says why)`] : []),
  ];
}

/** ` safety real-account (partners …)`, as the header names the profile. */
export function safetyText(result: RunResult): string {
  const s = result.safety;
  return s ? `safety ${s.profile}${s.partnerAccounts.length ? ` (partner accounts ${s.partnerAccounts.join(', ')})` : ''}` : '';
}

/** How the services ran, as both headers say it when they ran side by side (empty when one after another). */
export function sideBySideText(result: RunResult): string {
  return result.sideBySide ? `services side by side${result.emulatorPerService ? ' (an emulator process each)' : ''}` : '';
}

function recheckLine(s: ServiceResult): string[] {
  if (!s.rechecked?.length) return [];
  const count = (status: string) => s.rechecked!.filter((r) => r.status === status).length;
  const fixed = s.rechecked.filter((r) => r.status === 'passes').map((r) => r.rule);
  return [`    earlier failures re-run first: ${count('still-fails')} still fail, ${count('fails-differently')} fail differently, ${count('passes')} pass now${fixed.length ? ` (${fixed.join(', ')})` : ''}${count('stale') ? `, ${count('stale')} stale` : ''}`];
}

/** What `run` prints: the target, one line per service, the expectations, the verdict and where the reports are. */
export function runSummary(result: RunResult, out: string): string {
  return [
    `policy-conformance: target ${result.target}${result.targetVersion ? ` ${result.targetVersion}` : ''}, seed ${result.seed}, ${result.consistency}${result.mutant ? `, mutant ${result.mutant}` : ''}${result.safety ? `, ${safetyText(result)}` : ''}${result.sideBySide ? `, ${sideBySideText(result)}` : ''}`,
    ...(result.aws
      ? [`  account ${result.aws.account} as ${result.aws.callerArn} in ${result.aws.region}; endpoints: ${Object.entries(result.aws.endpoints).map(([service, origins]) => `${service} ${origins.join(', ')}`).join('; ') || 'none'}`]
      : []),
    ...result.services.flatMap((s) => [serviceLine(s), ...safetyLines(s), ...recheckLine(s), ...(s.staleness ? [`    ${stalenessLine(s.staleness)}`] : []), ...leftoverLines(s, result.target)]),
    ...(result.expectations ? expectationSummary(result.expectations) : []),
    `verdict: ${overallVerdict(result.services)}${result.expectations ? ` (${result.expectations.new.length ? 'new departures' : 'only expected departures'})` : ''} — reports in ${out}`,
    '',
  ].join('\n');
}

export interface MatrixSummaryInput {
  seed: number;
  /** The exit code of each column, and of the whole matrix. */
  exits: readonly number[];
  exit: number;
  /** The per-target reports' directory and the matrix.html file, as the user should see them. */
  out: string;
  htmlFile: string;
}

/** What `matrix` prints: one line per target (and its expectations), then where the matrix is. */
export function matrixSummary(matrix: Matrix, o: MatrixSummaryInput): string {
  const lines = [`policy-conformance matrix: ${matrix.columns.length} targets, seed ${o.seed}`];
  for (const c of matrix.columns) {
    const r = c.result;
    const departures = r ? r.services.reduce((n, s) => n + s.divergences.length, 0) : 0;
    lines.push(
      `  ${c.target.padEnd(24)} ${c.verdict.padEnd(11)} ${departures} divergences${r?.targetVersion ? `, ${r.targetVersion}` : ''} (${(c.durationMs / 1000).toFixed(1)} s)${c.error ? ` — ${c.error}` : ''}`,
      ...(c.expectations ? expectationSummary(c.expectations).map((l) => `    ${l}`) : []),
    );
  }
  lines.push(`matrix: ${o.htmlFile} (and matrix.md; per-target reports in ${o.out}/<target>/) — exit ${o.exit}`, '');
  return lines.join('\n');
}
