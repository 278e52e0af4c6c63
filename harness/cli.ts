import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Consistency, ServiceName } from '../models/types.js';
import { renderJson } from '../reports/json.js';
import { renderJUnit } from '../reports/junit.js';
import { renderMarkdown } from '../reports/markdown.js';
import { allMutants, findMutant, startReference } from './reference/server.js';
import { overallVerdict, type RunResult, type ServiceResult, type Verdict } from './results.js';
import { runService } from './runner.js';
import { ADAPTERS, adapterFor } from './services.js';
import { InfraError, resolveTarget, UsageError } from './targets.js';

export const EXIT = { pass: 0, fail: 1, usage: 2, infra: 3 } as const;
const VERDICT_EXIT: Record<Verdict, number> = { pass: EXIT.pass, fail: EXIT.fail, unsupported: EXIT.fail, infra: EXIT.infra };

export const DEFAULTS = { runs: 200, maxDivergences: 30, region: 'us-east-1', out: 'reports/out', port: 4599, mutantSeed: 20261123 };

const USAGE = `usage:
  policy-conformance run [--target reference|URL] [--services dynamodb,...] [--runs N] [--seed S] [--path P]
                         [--consistency strict|eventual] [--out DIR] [--mutant NAME] [--region R]
                         [--switch NAME=VALUE]... [--set-aside RULE,...] [--max-divergences N] [--settle-ms MS]
  policy-conformance serve [--port N] [--mutant NAME]
  policy-conformance mutants [--services ...] [--runs N] [--seed S] [--list]`;

const RUN_OPTIONS = {
  target: { type: 'string', default: 'reference' },
  services: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  consistency: { type: 'string' },
  out: { type: 'string', default: DEFAULTS.out },
  mutant: { type: 'string' },
  region: { type: 'string', default: DEFAULTS.region },
  switch: { type: 'string', multiple: true },
  'set-aside': { type: 'string' },
  'max-divergences': { type: 'string' },
  'settle-ms': { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, not "${value}"`);
  return Number(value);
}

function seedOf(value: string | undefined): number {
  if (value === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--seed must be an integer, not "${value}"`);
  return Number(value);
}

export function parseServices(value: string | undefined): ServiceName[] {
  if (value === undefined || value === 'all') return ADAPTERS.map((a) => a.service);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const known = ADAPTERS.map((a) => a.service);
  for (const n of names) if (!known.includes(n as ServiceName)) throw new UsageError(`unknown service "${n}"; known: ${known.join(', ')}`);
  if (names.length === 0) throw new UsageError('--services needs at least one service');
  return names as ServiceName[];
}

function parseSwitches(values: string[] | undefined, services: ServiceName[]): Record<string, string> {
  const out: Record<string, string> = {};
  const all = services.flatMap((s) => adapterFor(s)!.model.switches);
  for (const v of values ?? []) {
    const [name, value] = v.split('=', 2);
    const known = all.find((s) => s.name === name);
    if (!known) throw new UsageError(`unknown switch "${name}"; known: ${all.map((s) => s.name).join(', ')}`);
    if (value === undefined || !known.values.includes(value)) throw new UsageError(`switch ${name} takes one of ${known.values.join(', ')}`);
    out[name!] = value;
  }
  return out;
}

function consistencyOf(value: string | undefined, fallback: Consistency): Consistency {
  if (value === undefined) return fallback;
  if (value !== 'strict' && value !== 'eventual') throw new UsageError(`--consistency must be strict or eventual, not "${value}"`);
  return value;
}

const stderr = (m: string) => process.stderr.write(`${m}\n`);

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: false, strict: true });
  const services = parseServices(values.services);
  const runs = positiveInt('runs', values.runs, DEFAULTS.runs);
  const seed = seedOf(values.seed);
  const switches = parseSwitches(values.switch, services);
  const maxDivergences = positiveInt('max-divergences', values['max-divergences'], DEFAULTS.maxDivergences);
  if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"; \`policy-conformance mutants --list\` lists them`);
  if (values['settle-ms'] !== undefined && !/^\d+$/.test(values['settle-ms'])) throw new UsageError('--settle-ms must be a number of milliseconds');
  consistencyOf(values.consistency, 'strict'); // validate before starting anything
  const target = await resolveTarget(values.target, { region: values.region, ...(values.mutant ? { mutant: values.mutant } : {}) });
  const consistency = consistencyOf(values.consistency, target.defaultConsistency);
  const settleMs = values['settle-ms'] !== undefined ? Number(values['settle-ms']) : target.name === 'reference' ? 0 : consistency === 'eventual' ? 20_000 : 0;
  const replayBase = [`--target ${values.target}`, values.mutant ? `--mutant ${values.mutant}` : '', values.region !== DEFAULTS.region ? `--region ${values.region}` : '']
    .filter(Boolean)
    .join(' ');
  const result: RunResult = { target: target.name, seed, consistency, ...(values.mutant ? { mutant: values.mutant } : {}), startedAt: new Date().toISOString(), services: [] };
  try {
    for (const service of services) {
      const serviceResult = await runService(adapterFor(service)!, target.endpoint, {
        runs,
        seed,
        ...(values.path ? { path: values.path } : {}),
        consistency,
        switches,
        setAside: values['set-aside']?.split(',').filter(Boolean) ?? [],
        settleMs,
        maxDivergences,
        replayBase,
        onProgress: values.quiet ? undefined : stderr,
      });
      result.services.push(serviceResult);
      if (!values.quiet) stderr(`[${service}] ${serviceResult.verdict} in ${(serviceResult.durationMs / 1000).toFixed(1)} s`);
    }
  } finally {
    await target.stop();
  }
  const out = resolve(values.out);
  await writeReports(out, result);
  process.stdout.write(summary(result, out));
  return VERDICT_EXIT[overallVerdict(result.services)];
}

export async function writeReports(dir: string, result: RunResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), renderJson(result));
  await writeFile(join(dir, 'junit.xml'), renderJUnit(result));
  await writeFile(join(dir, 'report.md'), renderMarkdown(result));
}

function serviceLine(s: ServiceResult): string {
  const reached = `${s.rulesReached.length} rules reached`;
  const extra = s.reason ? ` — ${s.reason}` : s.divergences.length ? ` — ${s.divergences.map((d) => d.rule + (d.explainedBy ? ` [${d.explainedBy.switch}=${d.explainedBy.value}]` : '')).join(', ')}` : '';
  return `  ${s.service.padEnd(9)} ${s.verdict.padEnd(11)} ${s.runs} sequences, ${s.calls} calls, ${s.faults} faults, ${reached} (${(s.durationMs / 1000).toFixed(1)} s)${extra}`;
}

function summary(result: RunResult, out: string): string {
  return [
    `policy-conformance: target ${result.target}, seed ${result.seed}, ${result.consistency}${result.mutant ? `, mutant ${result.mutant}` : ''}`,
    ...result.services.map(serviceLine),
    `verdict: ${overallVerdict(result.services)} — reports in ${out}`,
    '',
  ].join('\n');
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, mutant: { type: 'string' } }, strict: true });
  const port = values.port === undefined ? DEFAULTS.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, not "${values.port}"`);
  if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"`);
  let running;
  try {
    running = await startReference({ port, ...(values.mutant ? { mutant: values.mutant } : {}) });
  } catch (error) {
    throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  process.stdout.write(`policy-conformance reference server on ${running.url} (services: ${ADAPTERS.map((a) => a.service).join(', ')}${values.mutant ? `; mutant ${values.mutant}` : ''})\n`);
  await new Promise<void>((done) => {
    const stop = () => void running.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.pass;
}

export interface MutantOutcome {
  name: string;
  service: string;
  breaks: string;
  caught: boolean;
  verdict: Verdict;
  rule?: string;
  calls?: number;
  replay?: string;
}

/** Run the default suite against the reference server with each seeded bug. */
export async function runMutants(options: { services: ServiceName[]; runs: number; seed: number; onResult?(m: MutantOutcome): void }): Promise<MutantOutcome[]> {
  const outcomes: MutantOutcome[] = [];
  for (const mutant of allMutants().filter((m) => options.services.includes(m.service as ServiceName))) {
    const target = await startReference({ mutant: mutant.name });
    try {
      const r = await runService(adapterFor(mutant.service as ServiceName)!, { url: target.url, region: DEFAULTS.region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, {
        runs: options.runs,
        seed: options.seed,
        consistency: 'strict',
        settleMs: 0,
        maxDivergences: 1,
        replayBase: `--target reference --mutant ${mutant.name}`,
      });
      const first = r.divergences[0];
      const outcome: MutantOutcome = {
        name: mutant.name,
        service: mutant.service,
        breaks: mutant.breaks,
        caught: r.verdict === 'fail',
        verdict: r.verdict,
        ...(first ? { rule: first.rule, calls: first.calls, replay: first.replay } : {}),
      };
      outcomes.push(outcome);
      options.onResult?.(outcome);
    } finally {
      await target.stop();
    }
  }
  return outcomes;
}

async function mutants(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { services: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, list: { type: 'boolean', default: false } },
    strict: true,
  });
  const services = parseServices(values.services);
  if (values.list) {
    for (const m of allMutants().filter((x) => services.includes(x.service as ServiceName))) process.stdout.write(`${m.name.padEnd(38)} ${m.service.padEnd(9)} ${m.description}\n`);
    return EXIT.pass;
  }
  const runs = positiveInt('runs', values.runs, DEFAULTS.runs);
  const seed = values.seed === undefined ? DEFAULTS.mutantSeed : seedOf(values.seed);
  const outcomes = await runMutants({
    services,
    runs,
    seed,
    onResult: (o) => stderr(`${o.caught ? 'caught ' : 'MISSED '} ${o.name}${o.rule ? ` by ${o.rule} in ${o.calls} calls` : ` (${o.verdict})`}`),
  });
  const caught = outcomes.filter((o) => o.caught).length;
  const lines = outcomes.map((o) => `  ${o.caught ? 'caught' : 'MISSED'}  ${o.name.padEnd(38)} ${o.rule ? `${o.rule} (${o.calls} calls)` : o.verdict}`);
  process.stdout.write(`${lines.join('\n')}\nmutation score: ${caught}/${outcomes.length} (${outcomes.length ? Math.round((100 * caught) / outcomes.length) : 0}%), seed ${seed}, ${runs} runs\n`);
  return caught === outcomes.length ? EXIT.pass : EXIT.fail;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(rest);
      case 'serve':
        return await serve(rest);
      case 'mutants':
        return await mutants(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.pass;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr(`policy-conformance: ${(error as Error).message}\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof InfraError) {
      stderr(`policy-conformance: ${error.message}`);
      return EXIT.infra;
    }
    stderr(`policy-conformance: internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.POLICY_CONFORMANCE_DEBUG) console.error(error);
    return 4;
  }
}
