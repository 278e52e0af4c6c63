/**
 * `policy-conformance check HISTORY…`: re-judge recorded histories against the model as it is now, offline (no
 * target, no request). Exit 0 when the model accepts every sequence, 1 when one departs, 2 for bad input.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkResults, judgeHistory, type JudgedHistory } from '../models/history.js';
import type { ServiceModel } from '../models/types.js';
import { UsageError } from '../harness/errors.js';
import { loadHistory } from '../harness/history-file.js';
import { writeWitnesses } from '../harness/witness.js';
import { renderJson } from '../reports/json.js';
import { renderJUnit } from '../reports/junit.js';
import { renderMarkdown } from '../reports/markdown.js';
import { runSummary } from '../reports/summary.js';
import { describeObservation } from '../reports/text.js';
import { SERVICE_NAMES, serviceNamed } from '../services/index.js';
import { exitFor } from './exit.js';
import { checkWritable } from './inputs.js';

export const CHECK_OUT = 'reports/out/check';
/** Departing sequences listed per file on stdout (the reports have one entry per rule). */
const SHOWN_DEPARTURES = 10;

const modelOf = (service: string) => serviceNamed(service)!.adapter.model as ServiceModel<unknown>;
const switchesOf = (service: string) => modelOf(service).switches;

export async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string', default: CHECK_OUT } }, allowPositionals: true, strict: true });
  if (positionals.length === 0) throw new UsageError('check needs at least one history file (check HISTORY.json...)');
  const histories = [];
  for (const file of positionals) histories.push({ file, history: await loadHistory(resolve(file), SERVICE_NAMES, switchesOf) });
  const out = resolve(values.out);
  await checkWritable([{ dir: out, flag: '--out' }]);

  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const judged = histories.map(({ file, history }) => judgeHistory(modelOf(history.service), file, history));
  const result = checkResults(judged, modelOf, startedAt, Date.now() - started);
  await mkdir(out, { recursive: true });
  // Witness files only for entries a run could replay (recorded sequences carry their commands).
  await writeWitnesses(out, { ...result, services: result.services.map((s) => ({ ...s, divergences: s.divergences.filter((d) => d.commands?.length) })) }, result.region ?? 'us-east-1', result.target);
  await writeFile(join(out, 'results.json'), renderJson(result));
  await writeFile(join(out, 'junit.xml'), renderJUnit(result));
  await writeFile(join(out, 'report.md'), renderMarkdown(result));
  process.stdout.write(`${[...judged.flatMap(lines), ''].join('\n')}${runSummary(result, out)}`);
  return exitFor(result);
}

/** Per file: how many sequences the model accepts, and each departure with its step and rule. */
function lines(j: JudgedHistory): string[] {
  const departs = j.judgements.filter((x) => x.status === 'departs');
  return [
    `${j.file}: ${j.history.service}, ${j.judgements.length - departs.length} of ${j.judgements.length} sequences accepted`,
    ...departs.slice(0, SHOWN_DEPARTURES).map((d) => {
      const step = j.history.sequences.find((s) => s.id === d.id)!.steps[d.at]!;
      return `  sequence ${d.id} departs at step ${d.at + 1} (${step.operation}) on ${d.rule}: answered ${describeObservation(d.actual)}${step.source ? ` [${step.source}]` : ''}`;
    }),
    ...(departs.length > SHOWN_DEPARTURES ? [`  … and ${departs.length - SHOWN_DEPARTURES} more (results.json has one entry per rule)`] : []),
  ];
}
