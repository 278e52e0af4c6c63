/**
 * What makes a reported divergence actionable: replays that label it reproducible or flaky, and a reproducer a
 * user can paste into a shell (AWS CLI commands with `--endpoint-url`).
 */
import type { Json, JsonObject, ServiceName } from '../models/types.js';
import { describeObservation } from '../reports/text.js';
import type { Divergence, RecheckResult, Reproducibility, Step } from '../models/results.js';

/** What one replay of a recorded sequence did: the rule it diverged on (null: the model accepted it), or infra. */
export type ReplayOutcome = { rule: string | null } | { infra: true };

/**
 * Replay a shrunk sequence `times` times and label it: `reproducible` when every replay diverges again on the
 * same rule, `flaky` otherwise. Undefined when the target broke down (infra) during the replays: no label then.
 */
export async function labelReproducibility(rule: string, times: number, replay: () => Promise<ReplayOutcome>): Promise<Reproducibility | undefined> {
  let sameRule = 0;
  const otherRules = new Set<string>();
  for (let i = 0; i < times; i++) {
    const outcome = await replay();
    if ('infra' in outcome) return undefined;
    if (outcome.rule === rule) sameRule++;
    else if (outcome.rule !== null) otherRules.add(outcome.rule);
  }
  return { label: sameRule === times ? 'reproducible' : 'flaky', replays: times, sameRule, otherRules: [...otherRules].sort() };
}

/** A failing sequence kept in the failures file (see harness/failures.ts). */
export interface RecordedSequence {
  service: ServiceName;
  rule: string;
  explainedBy?: { switch: string; value: string };
  /** The generated commands as data: re-running them gives the same steps with fresh resource names. */
  commands: Json[];
  /** Switches away from their default and rules set aside when it was found (the checker's settings). */
  switches: Record<string, string>;
  setAside: string[];
  consistency: 'strict' | 'eventual';
  recordedAt: string;
  replay: string;
}

/**
 * Re-run failing sequences of an earlier run before exploring. `rerun` executes one recorded sequence against
 * the target (fresh resources, fresh checker under the recorded settings). A record the suite can no longer
 * execute (its commands no longer fit the generator) is `stale`. Stops at the first infrastructure failure.
 */
export async function recheckRecorded(
  records: readonly RecordedSequence[],
  rerun: (record: RecordedSequence) => Promise<ReplayOutcome>,
  progress?: (m: string) => void,
): Promise<RecheckResult[]> {
  const results: RecheckResult[] = [];
  for (const record of records) {
    let outcome: ReplayOutcome;
    try {
      outcome = await rerun(record);
    } catch (error) {
      results.push({ ...recheckBase(record), status: 'stale', nowRule: `cannot re-run: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200) });
      continue;
    }
    if ('infra' in outcome) break;
    const status: RecheckResult['status'] = outcome.rule === null ? 'passes' : outcome.rule === record.rule ? 'still-fails' : 'fails-differently';
    results.push({ ...recheckBase(record), status, ...(status === 'fails-differently' ? { nowRule: outcome.rule! } : {}) });
    progress?.(`earlier failure on ${record.rule}: ${status}`);
  }
  return results;
}

function recheckBase(record: RecordedSequence): Omit<RecheckResult, 'status'> {
  return { rule: record.rule, ...(record.explainedBy ? { explainedBy: record.explainedBy } : {}), recordedAt: record.recordedAt, replay: record.replay };
}

// ---------------------------------------------------------------------------------------------------------------
// AWS CLI reproducers

/** The AWS CLI's name for each service. */
export const CLI_SERVICE: Record<ServiceName, string> = { dynamodb: 'dynamodb', kinesis: 'kinesis', ssm: 'ssm', xray: 'xray' };

/** `PutResourcePolicy` → `put-resource-policy` (the AWS CLI's operation names). */
export function kebab(operation: string): string {
  return operation
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** One POSIX shell word holding exactly `text` (single quotes; a quote inside becomes '\''). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Output members whose values the target invents and later requests reuse (revision ids, ARNs with timestamps, …). */
const INVENTED = new Set(['RevisionId', 'LatestStreamArn', 'ConsumerARN', 'PolicyId', 'PolicyHash', 'PolicyRevisionId', 'NextToken']);
const SHELL_VAR = { RevisionId: 'REV', LatestStreamArn: 'STREAM_ARN', ConsumerARN: 'CONSUMER_ARN', PolicyId: 'POLICY_ID', PolicyHash: 'POLICY_HASH', PolicyRevisionId: 'REV', NextToken: 'TOKEN' } as Record<string, string>;
/** Values safe to splice into a JSON string in a shell (no quotes, backslashes, spaces or control characters). */
const SPLICEABLE = /^[A-Za-z0-9:/._+=@,#-]+$/;

/** Where the AWS CLI puts an output member the harness reports at `path` (the adapter flattens some outputs). */
function cliPath(service: ServiceName, operation: string, path: string): string {
  if (service === 'xray' && operation === 'PutResourcePolicy') return `ResourcePolicy.${path}`;
  if (service === 'kinesis' && operation === 'RegisterStreamConsumer') return `Consumer.${path}`;
  if (service === 'kinesis' && operation === 'DescribeStreamConsumer') return `ConsumerDescription.${path}`;
  return path;
}

interface Capture {
  step: number;
  path: string;
  value: string;
  variable: string;
}

function invented(output: Json, path: string, into: Array<{ path: string; value: string }>): void {
  if (Array.isArray(output)) output.forEach((v, i) => invented(v, `${path}[${i}]`, into));
  else if (output && typeof output === 'object') {
    for (const [k, v] of Object.entries(output)) {
      const p = path ? `${path}.${k}` : k;
      if (INVENTED.has(k) && typeof v === 'string' && SPLICEABLE.test(v)) into.push({ path: p, value: v });
      else invented(v, p, into);
    }
  }
}

/** Long ARN-like values are replaced wherever they occur (also inside policy documents); short ones only as whole strings. */
function usesValue(json: string, value: string): boolean {
  return value.length >= 20 && value.includes(':') ? json.includes(value) : json.includes(JSON.stringify(value));
}

/** Which outputs later inputs reuse: each use takes the latest earlier step that returned the value. */
function findCaptures(steps: readonly Step[]): Map<number, Capture[]> {
  const byStep = new Map<number, Capture[]>();
  const seenInputs: string[] = [];
  const produced: Array<{ step: number; path: string; value: string }> = [];
  steps.forEach((step, i) => {
    const json = JSON.stringify(step.input);
    const used = new Set<string>();
    for (const p of [...produced].reverse()) {
      if (used.has(p.value) || !usesValue(json, p.value)) continue;
      used.add(p.value);
      const list = byStep.get(p.step) ?? [];
      if (!list.some((c) => c.path === p.path)) {
        const key = p.path.split('.').pop()!.replace(/\[\d+\]$/, '');
        list.push({ step: p.step, path: p.path, value: p.value, variable: `${SHELL_VAR[key] ?? 'VALUE'}_${p.step + 1}${list.length ? `_${list.length + 1}` : ''}` });
        byStep.set(p.step, list);
      }
    }
    seenInputs.push(json);
    if (step.outcome.kind === 'ok') {
      const found: Array<{ path: string; value: string }> = [];
      invented(step.outcome.output, '', found);
      // A value a request already carried is not invented by the target (e.g. a revision id sent back).
      for (const f of found) if (!seenInputs.some((s) => s.includes(f.value))) produced.push({ step: i, ...f });
    }
  });
  return byStep;
}

/** The input as one shell word sequence: JSON in single quotes, captured values spliced in as "$VAR". */
function inputWord(input: JsonObject, captures: readonly Capture[]): string {
  let json = JSON.stringify(input);
  const marks: Array<{ token: string; variable: string }> = [];
  captures.forEach((c, n) => {
    const token = `\u0000${n}\u0000`;
    if (c.value.length >= 20 && c.value.includes(':')) json = json.split(c.value).join(token);
    else json = json.split(JSON.stringify(c.value)).join(`"${token}"`);
    marks.push({ token, variable: c.variable });
  });
  let word = '';
  for (const part of json.split(/(\u0000\d+\u0000)/)) {
    const mark = marks.find((m) => m.token === part);
    word += mark ? `"$${mark.variable}"` : part ? shellQuote(part) : '';
  }
  return word || "''";
}

function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}

export interface ReproducerOptions {
  /** The endpoint the commands name (where the user runs the target). */
  endpointUrl: string;
  region: string;
  /** Comment lines to put first (e.g. how to start the target). */
  preamble?: readonly string[];
  /** Seconds a DynamoDB settle step waits (eventual consistency). */
  settleSeconds?: number;
}

/**
 * The shrunk sequence of a divergence as AWS CLI commands for a POSIX shell: one command per step (setup steps
 * included), the waits the harness did between them, and shell variables for values the target invented
 * (revision ids, policy ids and hashes, ARNs with creation timestamps) so the same calls are made against a
 * fresh target. Comments give what the suite observed at each step and, last, what AWS would answer.
 */
export function awsCliReproducer(service: ServiceName, divergence: Pick<Divergence, 'steps' | 'rule' | 'expected' | 'actual'>, options: ReproducerOptions): string[] {
  const cli = CLI_SERVICE[service];
  const at = `--endpoint-url ${shellQuote(options.endpointUrl)} --region ${shellQuote(options.region)}`;
  const aws = (operation: string, args: string) => `aws ${cli} ${kebab(operation)} ${at} ${args}`;
  const lines = [
    comment(`AWS CLI reproducer for ${service} rule ${divergence.rule}; paste into a POSIX shell (needs the AWS CLI).`),
    ...(options.preamble ?? []).map(comment),
    'export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" AWS_PAGER=""',
  ];
  const captures = findCaptures(divergence.steps);
  const all = [...captures.values()].flat();
  divergence.steps.forEach((step, i) => {
    const last = i === divergence.steps.length - 1;
    lines.push(comment(`${i + 1}. ${step.setup ? '(setup) ' : ''}${step.operation} — the target answered: ${describeObservation(step.outcome)}`));
    if (step.operation === '$Settle') {
      lines.push(`sleep ${options.settleSeconds ?? 0}`);
      return;
    }
    const usable = all.filter((c) => c.step < i);
    const paging = (step.input.MaxResults !== undefined || step.input.NextToken !== undefined) && ['GetResourcePolicies', 'ListResourcePolicies'].includes(step.operation) ? ' --no-paginate' : '';
    const command = aws(step.operation, `--cli-input-json ${inputWord(step.input, usable)}${paging}`);
    const mine = captures.get(i) ?? [];
    const ok = step.outcome.kind === 'ok';
    // Outputs the AWS CLI does not return from this call (the harness read them with a Describe after a waiter).
    const viaDescribe = service === 'dynamodb' && step.operation === 'CreateTable';
    if (mine.length && !viaDescribe) {
      const query = mine.length === 1 ? cliPath(service, step.operation, mine[0]!.path) : `[${mine.map((c) => cliPath(service, step.operation, c.path)).join(',')}]`;
      if (mine.length === 1) lines.push(`${mine[0]!.variable}=$(${command} --query ${shellQuote(query)} --output text); echo "${mine[0]!.path}: $${mine[0]!.variable}"`);
      else {
        lines.push(`out=$(${command} --query ${shellQuote(query)} --output text)`);
        mine.forEach((c, n) => lines.push(`${c.variable}=$(printf '%s\\n' "$out" | cut -f${n + 1}); echo "${c.path}: $${c.variable}"`));
      }
    } else lines.push(command);
    const name = (key: string) => shellQuote(String(step.input[key] ?? ''));
    if (ok && service === 'dynamodb' && step.operation === 'CreateTable') {
      lines.push(`aws dynamodb wait table-exists ${at} --table-name ${name('TableName')}`);
      for (const c of mine) lines.push(`${c.variable}=$(aws dynamodb describe-table ${at} --table-name ${name('TableName')} --query ${shellQuote(`Table.${c.path}`)} --output text); echo "${c.path}: $${c.variable}"`);
    }
    if (ok && service === 'dynamodb' && step.operation === 'DeleteTable') lines.push(`aws dynamodb wait table-not-exists ${at} --table-name ${name('TableName')}`);
    if (ok && service === 'kinesis' && step.operation === 'CreateStream') lines.push(`aws kinesis wait stream-exists ${at} --stream-name ${name('StreamName')}`);
    if (ok && service === 'kinesis' && step.operation === 'DeleteStream') lines.push(`aws kinesis wait stream-not-exists ${at} --stream-name ${name('StreamName')}`);
    if (ok && service === 'kinesis' && step.operation === 'RegisterStreamConsumer') {
      const describe = `aws kinesis describe-stream-consumer ${at} --cli-input-json ${inputWord(step.input, usable)} --query ConsumerDescription.ConsumerStatus --output text`;
      lines.push(`i=0; while [ $i -lt 60 ] && [ "$(${describe})" != ACTIVE ]; do sleep 1; i=$((i+1)); done`);
    }
    if (ok && service === 'kinesis' && step.operation === 'DeregisterStreamConsumer') {
      const describe = `aws kinesis describe-stream-consumer ${at} --cli-input-json ${inputWord(step.input, usable)}`;
      lines.push(`i=0; while [ $i -lt 60 ] && ${describe} >/dev/null 2>&1; do sleep 1; i=$((i+1)); done`);
    }
    if (last) {
      lines.push(comment(`AWS (the model) answers: ${divergence.expected.map((e) => JSON.stringify(e.expect)).join(' or ')}`));
      lines.push(comment(`the target answered:    ${describeObservation(divergence.actual)}`));
    }
  });
  return lines;
}
