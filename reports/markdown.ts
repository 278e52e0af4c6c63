import { type DepartureRef, type Divergence, overallVerdict, type RunResult, type ServiceResult, type Step, TIME_ACTIVITIES } from '../models/results.js';
import type { AllowedOutcome } from '../models/checker.js';
import type { Json, Observation } from '../models/types.js';
import { attributionText, KIND_LABEL, KIND_MEANING, kindOf, reproducibilityText } from './labels.js';
import { stalenessSection, stepLagNotes } from './staleness.js';
import { utf8Bytes } from './text.js';
import { safetyText, sideBySideText } from './summary.js';

/** `--target aws`: the account, the caller, the region and each endpoint the SDK resolved and the run used. */
function awsLines(result: RunResult): string[] {
  const aws = result.aws;
  if (!aws) return [];
  const endpoints = Object.entries(aws.endpoints).map(([service, origins]) => `${service} ${origins.map(code).join(', ')}`);
  return [`AWS account ${code(aws.account)} as ${code(aws.callerArn)} in ${code(aws.region)} · endpoints: ${endpoints.join(' · ') || 'none'}`, ''];
}

/**
 * The human report (GitHub-flavoured Markdown): verdict per service, the "AWS, except" profile, then each entry —
 * rule, kind, why this rule, the witness with every answer in full, what the model believed, what AWS allows, how
 * to replay it. Nothing the target said is cut: long documents, values and messages are collapsed in `<details>`.
 */
export function renderMarkdown(result: RunResult): string {
  const lines = [
    `# policy-conformance report: ${result.target}${result.targetVersion ? ` ${result.targetVersion}` : ''}`,
    '',
    `Verdict: **${overallVerdict(result.services)}** · seed ${result.seed} · consistency ${result.consistency}${result.mutant ? ` · mutant ${code(result.mutant)}` : ''}${result.safety ? ` · ${safetyText(result)}` : ''}${result.sideBySide ? ` · ${sideBySideText(result)}` : ''} · ${result.startedAt}`,
    '',
    ...awsLines(result),
    '| service | verdict | sequences | calls | faults | rules reached | divergences | time |',
    '|---|---|---|---|---|---|---|---|',
    ...result.services.map(
      (s) =>
        `| ${s.service} | ${s.verdict} | ${s.runs} | ${s.calls} | ${s.faults} | ${s.rulesReached.length} | ${s.divergences.length}${kindCounts(s)} | ${(s.durationMs / 1000).toFixed(1)} s |`,
    ),
    '',
    ...budgetLines(result),
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
  for (const s of result.services) lines.push(...serviceSection(s));
  return `${lines.join('\n')}\n`;
}

/** ", 1 crash" after the count when some entries are not wrong answers. */
function kindCounts(s: ServiceResult): string {
  const counts = new Map<string, number>();
  for (const d of s.divergences) if (kindOf(d) !== 'wrong-answer') counts.set(KIND_LABEL[kindOf(d)], (counts.get(KIND_LABEL[kindOf(d)]) ?? 0) + 1);
  return counts.size ? ` (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')})` : '';
}

function serviceSection(s: ServiceResult): string[] {
  const lines = [`## ${s.service}`, ''];
  if (s.internalError) lines.push(...internalErrorSection(s.internalError));
  else if (s.reason) lines.push(`${s.verdict === 'infra' ? 'Infrastructure failure' : 'Note'}: ${s.reason}`, '');
  for (const p of s.publicAccepted ?? []) {
    lines.push(`> **Public policy accepted:** ${code(p.operation)} on ${code(p.resource)} took a public ${code(p.member)} at ${p.at}, where the API must refuse it. The suite ended that sequence at once and its cleanup removed the resource's policy; check the account.`, '');
  }
  if (s.unreachable?.length) {
    lines.push('Rules this safety profile cannot reach:', '', ...s.unreachable.map((u) => `- ${code(u.rule)}: ${u.reason}`), '');
  }
  if (s.leftoversAtStart?.length) lines.push(`Resources of earlier runs on the target at the start (${s.leftoversAtStart.length}): ${s.leftoversAtStart.map(code).join(', ')}`, '');
  if (s.leftBehind?.length) lines.push(`**Left on the target after cleanup:** ${s.leftBehind.map(code).join(', ')} — ${code('policy-conformance sweep --target <target URL> --yes')} removes them.`, '');
  const traffic = trafficLine(s);
  if (traffic) lines.push(traffic, '');
  const time = timeLine(s);
  if (time) lines.push(time, '');
  if (s.staleness) lines.push(...stalenessSection(s.staleness));
  const profile = Object.entries(s.profile);
  lines.push(profile.length ? `Behaviour profile: AWS, except ${profile.map(([k, v]) => code(`${k}=${v}`)).join(', ')}.` : 'Behaviour profile: AWS defaults for every switch.', '');
  if (s.unsupportedOperations.length) lines.push(`Unsupported operations: ${s.unsupportedOperations.map((o) => code(o)).join(', ')}.`, '');
  if (s.rechecked?.length) {
    lines.push('Failing sequences of earlier runs, re-run first:', '');
    for (const r of s.rechecked) lines.push(`- \`${r.rule}\`${r.explainedBy ? ` (switch \`${r.explainedBy.switch}=${r.explainedBy.value}\`)` : ''}, recorded ${r.recordedAt}: **${r.status}**${r.nowRule ? ` (${r.nowRule})` : ''}`);
    lines.push('');
  }
  if (s.unconfirmed?.length) {
    lines.push('Departures seen once but not again when their witness was re-run on its own (not entries, not counted in the verdict):', '');
    for (const u of s.unconfirmed) lines.push(`- ${code(u.rule)} (${KIND_LABEL[u.kind]}), ${u.replays} re-runs: ${u.reason}`);
    lines.push('');
  }
  if (s.departuresAfterFaults) {
    lines.push(`${s.departuresAfterFaults} departure${s.departuresAfterFaults === 1 ? ' was' : 's were'} seen only in sequences that had faulted before (a 5xx, timeout or dropped connection earlier in the same sequence); they are not judged as entries.`, '');
  }
  s.divergences.forEach((d, i) => lines.push(...divergenceSection(d, i + 1)));
  return lines;
}

function internalErrorSection(e: NonNullable<ServiceResult['internalError']>): string[] {
  const lines = [
    '**Internal error of the suite.** This is a bug in policy-conformance, not a finding about the target: the verdict says nothing about the target. Please report it with the details below.',
    '',
    ...textBlock(e.message),
    '',
  ];
  if (e.stack) lines.push(...details('stack', fenced(e.stack, 'text')));
  if (e.commands?.length) lines.push(...details(`the sequence it failed in: ${e.commands.length} generated command${e.commands.length === 1 ? '' : 's'}`, fenced(JSON.stringify(e.commands, null, 2), 'json')));
  if (e.steps?.length) {
    const att = new Attachments();
    const steps = stepList(e.steps, att, {});
    lines.push(...details(`the calls made before it failed: ${e.steps.length} step${e.steps.length === 1 ? '' : 's'}`, [...steps, '', ...att.render()]));
  }
  return lines;
}

function divergenceSection(d: Divergence, n: number): string[] {
  const kind = kindOf(d);
  const att = new Attachments();
  const failing = d.steps.length - 1;
  const generated = d.steps.filter((s) => !s.setup).length;
  const setup = d.steps.length - generated;
  const lines = [`### ${n}. \`${d.rule}\` — ${KIND_LABEL[kind]}${d.explainedBy ? ` (explained by switch \`${d.explainedBy.switch}=${d.explainedBy.value}\`)` : ''}`, ''];
  lines.push(
    `- **Rule:** ${code(d.rule)}`,
    `- **Kind:** ${KIND_LABEL[kind]} — ${KIND_MEANING[kind]}`,
    `- **Evidence:** ${d.evidence}`,
    `- **Summary:** ${d.summary}`,
    `- **Reproducibility:** ${reproducibilityText(d)}`,
    `- **Witness:** ${d.calls} generated call${d.calls === 1 ? '' : 's'}${setup ? ` after ${setup} setup step${setup === 1 ? '' : 's'}` : ''}`,
    ...(d.explainedBy ? [`- **Explained by:** switch ${code(`${d.explainedBy.switch}=${d.explainedBy.value}`)} (AWS, except this)`] : []),
    '',
  );

  const why = attributionText(d);
  if (why) {
    lines.push(`**Why this rule.** ${why}`, '');
    const a = d.attribution!;
    if (a.kept?.length) lines.push('Simplifications that kept the departure:', '', ...a.kept.map((k) => `- ${code(k)}`), '');
    if (a.needed?.length) lines.push('Simplifications that made it go away (so they name the cause):', '', ...a.needed.map((k) => `- ${code(k)}`), '');
  }
  if (d.afterSetAside.length) lines.push(`*This sequence first departs on ${d.afterSetAside.map((r) => code(r)).join(', ')} (reported above); this divergence may be a consequence.*`, '');

  lines.push(`**Witness** (${d.steps.length} step${d.steps.length === 1 ? '' : 's'}${setup ? `, the first ${setup} setup` : ''}):`, '');
  lines.push(...stepList(d.steps, att, { failing, ...(d.attribution?.causeStep !== undefined ? { cause: d.attribution.causeStep } : {}) }), '');
  lines.push(`**The target answered** at step ${failing + 1} (${code(d.steps[failing]?.operation ?? '?')}): ${outcomeText(d.actual, `step ${failing + 1} answer`, att)}`, '');
  lines.push(`**AWS allows there:**`, '', ...(d.expected.length ? d.expected.map((a) => `- ${allowedText(a, att, failing + 1)}`) : ['- nothing (the model has no answer for this request)']), '');
  lines.push(...att.render());

  if (d.believed?.length) {
    const shown = d.believed.length === 1 ? d.believed[0]! : d.believed;
    lines.push(
      ...details(`what the model believed the resource's state was before step ${failing + 1} (${d.believed.length} candidate state${d.believed.length === 1 ? '' : 's'})`, fenced(JSON.stringify(shown, null, 2), 'json')),
    );
  }
  if (d.alsoShowsAs?.length) {
    lines.push(
      `**Also shows as** (consequences, in sequences that went through this departure first; not entries of their own): ${d.alsoShowsAs.map((a) => `${code(a.rule)} (${a.sequences} sequence${a.sequences === 1 ? '' : 's'})`).join(', ')}.`,
      '',
    );
  }

  lines.push('**Replay:**', '');
  if (d.witnessFile) {
    lines.push(`The witness is in [${escapeLinkText(d.witnessFile)}](${encodeURI(d.witnessFile)}) (next to this report); from this report's directory:`, '', ...fenced(`npx policy-conformance replay ${shellQuote(d.witnessFile)}`, 'sh'), '');
  } else lines.push(...fenced(d.replay, 'sh'), '');
  if (d.reproducer?.length) lines.push(...details('AWS CLI reproducer', fenced(d.reproducer.join('\n'), 'sh')));
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps, answers and allowed outcomes.

/** Strings this long, and any longer policy document, go into a collapsed block instead of the line. */
const LONG_STRING = 120;
const LONG_DOCUMENT = 40;
const LONG_JSON = 100;
const LONG_MESSAGE = 240;
const DOCUMENT_FIELD = /(^|[a-z])Policy(Document)?$/;

function stepList(steps: readonly Step[], att: Attachments, marks: { failing?: number; cause?: number }): string[] {
  return steps.map((st, i) => {
    const n = i + 1;
    const where = `step ${n}`;
    const inputs = Object.entries(st.input).map(([k, v]) => `${k}=${inline(v, `${where} ${k}`, att, k)}`);
    const mark = i === marks.failing ? '**departs here:** ' : i === marks.cause ? '**cause:** ' : '';
    const notes = [
      st.setAside ? `departs on ${code(st.setAside)}, set aside` : '',
      st.unjudged ? `not judged: ${st.unjudged === 'after-fault' ? 'after a fault' : 'after a departure'}` : '',
      ...stepLagNotes(st),
    ].filter(Boolean);
    return `${n}. ${st.setup ? '*(setup)* ' : ''}${mark}${code(st.operation)}${inputs.length ? ` ${inputs.join(' ')}` : ''} → ${outcomeText(st.outcome, `${where} answer`, att)}${notes.length ? ` *(${notes.join('; ')})*` : ''}`;
  });
}

/** What the target said, with an error's code and whole message, a fault's whole reason. */
function outcomeText(o: Observation, where: string, att: Attachments): string {
  const status = 'status' in o && o.status !== undefined ? ` (HTTP ${o.status})` : '';
  switch (o.kind) {
    case 'ok': {
      const fields = Object.entries(o.output).map(([k, v]) => `${k}=${inline(v, `${where} ${k}`, att, k)}`);
      return fields.length ? `ok · ${fields.join(', ')}` : 'ok';
    }
    case 'error':
      return `error **${code(o.code)}**${status}${messageText(o.message, `${where} message`, att)}`;
    case 'fault':
      return `fault${status}${messageText(o.reason, `${where} fault`, att)}`;
    case 'unsupported':
      return `unsupported${status}${messageText(o.reason, `${where} reason`, att)}`;
  }
}

function messageText(message: string | undefined, where: string, att: Attachments): string {
  if (message === undefined || message === '') return '';
  if (message.length <= LONG_MESSAGE && !/[\r\n]/.test(message)) return `: ${code(message)}`;
  return `: ${att.ref(message, where, 'message')}`;
}

function allowedText(a: AllowedOutcome, att: Attachments, stepNo: number): string {
  const e = a.expect;
  const where = `allowed by ${a.rule}`;
  if (isObject(e) && e.kind === 'error') return `${code(a.rule)}: error **${code(String(e.code))}** (HTTP ${String(e.status)})`;
  if (isObject(e) && e.kind === 'ok') {
    const fields = Object.entries(isObject(e.output) ? e.output : {}).map(([k, p]) => `${k}: ${patternText(p, `${where}: ${k}`, att, k)}`);
    return `${code(a.rule)}: ok${fields.length ? ` · ${fields.join(', ')}` : ''}`;
  }
  return `${code(a.rule)} at step ${stepNo}: ${inline(e, where, att)}`;
}

/** A rendered pattern (models/match.ts renderExpect) in words. */
function patternText(p: Json, where: string, att: Attachments, field: string): string {
  if (p === '<absent>') return 'absent';
  if (p === '<present>') return 'present (any value)';
  if (isObject(p)) {
    if ('symbol' in p) {
      const bound = 'equals' in p ? inline(p.equals!, where, att, field) : 'a value not seen before';
      const different = Array.isArray(p.differentFrom) && p.differentFrom.length ? `, different from ${p.differentFrom.map((v) => inline(v, where, att)).join(', ')}` : '';
      const format = p.format !== undefined ? `, format ${code(JSON.stringify(p.format))}` : '';
      return `${bound} (symbol ${code(String(p.symbol))}${different}${format})`;
    }
    if ('jsonEqualTo' in p) return `JSON-equal to ${inline(p.jsonEqualTo!, where, att, field)}`;
    if ('policyEquivalentTo' in p) return `a policy equivalent to ${inline(p.policyEquivalentTo!, where, att, field)}`;
    if ('present' in p) return `present, format ${code(JSON.stringify(p.format ?? {}))}`;
    if ('setOf' in p && Array.isArray(p.setOf)) return `a set of ${p.setOf.length} record${p.setOf.length === 1 ? '' : 's'} in any order: ${att.ref(JSON.stringify(p.setOf, null, 2), where, 'value')}`;
  }
  return inline(p, where, att, field);
}

/** A value on one line, or a reference to the collapsed block that holds it whole. */
function inline(v: Json, where: string, att: Attachments, field = ''): string {
  if (typeof v === 'string') {
    const long = v.length > LONG_STRING || (DOCUMENT_FIELD.test(field) && v.length > LONG_DOCUMENT);
    return long ? att.ref(v, where, DOCUMENT_FIELD.test(field) || looksLikeJson(v) ? 'document' : 'value') : code(JSON.stringify(v));
  }
  const compact = JSON.stringify(v);
  if (compact.length <= LONG_JSON) return code(compact);
  return att.ref(JSON.stringify(v, null, 2), where, 'value');
}

/**
 * Long values of one entry, each shown once (whole, never cut) in a collapsed block after the witness, and named
 * by a letter where they occur. Identical texts share a letter, so "Get returned what Put sent" is visible.
 */
class Attachments {
  private readonly items: Array<{ label: string; text: string; what: 'document' | 'value' | 'message'; where: string[] }> = [];

  ref(text: string, where: string, what: 'document' | 'value' | 'message'): string {
    let item = this.items.find((i) => i.text === text);
    if (!item) {
      item = { label: letters(this.items.length), text, what, where: [] };
      this.items.push(item);
    }
    if (!item.where.includes(where)) item.where.push(where);
    return `*${item.what} ${item.label}* (${describeSize(text)}, below)`;
  }

  render(): string[] {
    return this.items.flatMap((i) =>
      details(`${i.what} ${i.label}: ${describeSize(i.text)} — ${i.where.map(escapeHtml).join('; ')}`, fenced(i.text, i.what === 'message' ? 'text' : looksLikeJson(i.text) ? 'json' : 'text')),
    );
  }
}

function describeSize(text: string): string {
  const bytes = utf8Bytes(text);
  return bytes === text.length ? `${bytes} bytes` : `${bytes} bytes, ${text.length} characters`;
}

function letters(i: number): string {
  const a = String.fromCharCode(65 + (i % 26));
  return i < 26 ? a : `${letters(Math.floor(i / 26) - 1)}${a}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown and HTML primitives.

/** An inline code span holding `text` exactly, whatever backticks it contains (one line). */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  if (flat === '') return '` `';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block holding `text` exactly: the fence is longer than any run of backticks inside. */
export function fenced(text: string, lang = ''): string[] {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...text.split('\n'), fence];
}

/** A collapsed block; `summary` is plain text. Blank lines around the body, so GitHub renders Markdown in it. */
export function details(summary: string, body: string[]): string[] {
  return ['<details>', `<summary>${escapeHtml(summary)}</summary>`, '', ...body, '', '</details>', ''];
}

/** A message on its own: a code span when it is one short line, else a fenced block. */
function textBlock(text: string): string[] {
  return text.length <= LONG_MESSAGE && !/[\r\n]/.test(text) ? [code(text)] : fenced(text, 'text');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeLinkText(s: string): string {
  return s.replace(/[[\]\\`*_]/g, (c) => `\\${c}`);
}

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!/^[[{]/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the run sent: requests by what they were for, fixtures made or lent by the pool, sequences at once. */
function trafficLine(s: ServiceResult): string | undefined {
  if (!s.requests) return undefined;
  const { total, ...phases } = s.requests;
  const parts = Object.entries(phases).filter(([, n]) => n > 0).map(([phase, n]) => `${n} ${phase}`);
  const fixtures = s.fixtures ? `; fixture resources: ${s.fixtures.created} created, ${s.fixtures.reused} lent by the pool` : '';
  const together = s.concurrency ? `; ${s.concurrency} sequences at once` : '';
  return `Requests: ${total}${parts.length ? ` (${parts.join(', ')})` : ''}${fixtures}${together}.`;
}

/** Where the service's wall time went (exploring, shrinking, explaining, confirming, the rest) and the sequences each ran. */
function timeLine(s: ServiceResult): string | undefined {
  if (!s.time) return undefined;
  const parts = TIME_ACTIVITIES.filter((a) => s.time![a])
    .map((a) => `${a} ${(s.time![a]!.ms / 1000).toFixed(1)} s (${s.time![a]!.sequences} sequences)`);
  return parts.length ? `Time: ${(s.durationMs / 1000).toFixed(1)} s — ${parts.join(', ')}.` : undefined;
}

/** The run's budgets and what it used of them; why it stopped early, if it did (interrupted or out of budget). */
function budgetLines(result: RunResult): string[] {
  const b = result.budgets;
  if (!b) return [];
  const limits = [b.maxCalls !== undefined ? `--max-calls ${b.maxCalls}` : '', b.maxResources !== undefined ? `--max-resources ${b.maxResources}` : '', b.timeLimitMs !== undefined ? `--time-limit ${Math.round(b.timeLimitMs / 1000)} s` : ''].filter(Boolean);
  const used = result.services.map((s) => `${s.service} ${s.calls} calls in ${(s.durationMs / 1000).toFixed(1)} s`).join(', ');
  return [
    `Budgets: ${limits.length ? limits.join(', ') : 'none'} · used ${b.callsUsed} calls${b.resourcesUsed !== undefined ? `, ${b.resourcesUsed} resources` : ''} (${used})${b.stoppedBy ? ` · **stopped early: ${b.stoppedBy}** — rules not reached were not judged; this is not a pass` : ''}`,
    '',
  ];
}
