/**
 * AWS CLI reproducers: the shrunk sequence of a divergence as commands a user pastes into a POSIX shell. A pure
 * renderer that names no service: what the CLI calls the service, where its JSON puts flattened outputs, which
 * Describe shows what the adapter read after a call, what to wait for — all come in as the service's CLI hints.
 */
import { type CliHint, type ServiceCli, shellQuote } from '../models/cli-hints.js';
import type { Divergence, Step } from '../models/results.js';
import type { Json, JsonObject } from '../models/types.js';
import { describeObservation } from './text.js';

export { shellQuote };

/** `PutResourcePolicy` → `put-resource-policy` (the AWS CLI's operation names). */
export function kebab(operation: string): string {
  return operation
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Output members whose values the target invents and later requests reuse (revision ids, ARNs with timestamps, …). */
const INVENTED = new Set(['RevisionId', 'LatestStreamArn', 'ConsumerARN', 'PolicyId', 'PolicyHash', 'PolicyRevisionId', 'NextToken']);
const SHELL_VAR = { RevisionId: 'REV', LatestStreamArn: 'STREAM_ARN', ConsumerARN: 'CONSUMER_ARN', PolicyId: 'POLICY_ID', PolicyHash: 'POLICY_HASH', PolicyRevisionId: 'REV', NextToken: 'TOKEN' } as Record<string, string>;
/** Values safe to splice into a JSON string in a shell (no quotes, backslashes, spaces or control characters). */
const SPLICEABLE = /^[A-Za-z0-9:/._+=@,#-]+$/;
/** Input members that ask for one page of a list (see CliHint.paginate). */
const PAGE_MEMBERS = ['MaxResults', 'NextToken'];

/** Where the AWS CLI puts an output member the harness reports at `path` (the adapter flattens some outputs). */
function cliPath(hint: CliHint | undefined, path: string): string {
  return hint?.outputPrefix ? `${hint.outputPrefix}.${path}` : path;
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
  /**
   * The endpoint the commands name (where the user runs the target). Absent (the `aws` target): no --endpoint-url,
   * and the user's own credentials (no placeholder keys).
   */
  endpointUrl?: string;
  region: string;
  /** Comment lines to put first (e.g. how to start the target). */
  preamble?: readonly string[];
  /** Seconds a settle step waits (eventual consistency). */
  settleSeconds?: number;
}

/**
 * The shrunk sequence of a divergence as AWS CLI commands for a POSIX shell: one command per step (setup steps
 * included), the waits the harness did between them, and shell variables for values the target invented
 * (revision ids, policy ids and hashes, ARNs with creation timestamps) so the same calls are made against a
 * fresh target. Comments give what the suite observed at each step and, last, what AWS would answer.
 */
export function awsCliReproducer(cli: ServiceCli, divergence: Pick<Divergence, 'steps' | 'rule' | 'expected' | 'actual'>, options: ReproducerOptions): string[] {
  // A race's writes (steps with one `race` value) are sent in the background together, then awaited.
  const at = `${options.endpointUrl !== undefined ? `--endpoint-url ${shellQuote(options.endpointUrl)} ` : ''}--region ${shellQuote(options.region)}`;
  const aws = (operation: string, args: string) => `aws ${cli.service} ${kebab(operation)} ${at} ${args}`;
  const lines = [
    comment(`AWS CLI reproducer for ${cli.service} rule ${divergence.rule}; paste into a POSIX shell (needs the AWS CLI).`),
    ...(options.preamble ?? []).map(comment),
    options.endpointUrl !== undefined ? 'export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" AWS_PAGER=""' : 'export AWS_PAGER=""',
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
    const hint = Object.hasOwn(cli.operations, step.operation) ? cli.operations[step.operation] : undefined;
    const usable = all.filter((c) => c.step < i);
    const word = inputWord(step.input, usable);
    const paging = hint?.paginate === false && PAGE_MEMBERS.some((m) => step.input[m] !== undefined) ? ' --no-paginate' : '';
    const command = aws(step.operation, `--cli-input-json ${word}${paging}`);
    const mine = captures.get(i) ?? [];
    const ok = step.outcome.kind === 'ok';
    // Outputs the AWS CLI does not return from this call (the harness read them with a Describe after a waiter).
    const via = hint?.outputsVia;
    if (mine.length && !via) {
      const query = mine.length === 1 ? cliPath(hint, mine[0]!.path) : `[${mine.map((c) => cliPath(hint, c.path)).join(',')}]`;
      if (mine.length === 1) lines.push(`${mine[0]!.variable}=$(${command} --query ${shellQuote(query)} --output text); echo "${mine[0]!.path}: $${mine[0]!.variable}"`);
      else {
        lines.push(`out=$(${command} --query ${shellQuote(query)} --output text)`);
        mine.forEach((c, n) => lines.push(`${c.variable}=$(printf '%s\\n' "$out" | cut -f${n + 1}); echo "${c.path}: $${c.variable}"`));
      }
    } else if (step.race !== undefined) {
      // Writes the suite sent at the same time: started together in the background, awaited after the last of them.
      lines.push(`${command} &`);
      if (divergence.steps[i + 1]?.race !== step.race) lines.push('wait');
    } else lines.push(command);
    if (ok) {
      lines.push(...(hint?.waitAfter?.(at, step.input, word) ?? []));
      if (via && mine.length) {
        const { command: describe, prefix } = via(at, step.input);
        for (const c of mine) lines.push(`${c.variable}=$(${describe} --query ${shellQuote(`${prefix}.${c.path}`)} --output text); echo "${c.path}: $${c.variable}"`);
      }
    }
    if (last) {
      lines.push(comment(`AWS (the model) answers: ${divergence.expected.map((e) => JSON.stringify(e.expect)).join(' or ')}`));
      lines.push(comment(`the target answered:    ${describeObservation(divergence.actual)}`));
    }
  });
  return lines;
}
