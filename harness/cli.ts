import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Consistency, ServiceName } from '../models/types.js';
import { renderJson } from '../reports/json.js';
import { renderJUnit } from '../reports/junit.js';
import { renderMarkdown } from '../reports/markdown.js';
import { renderMatrixHtml } from '../reports/matrix-html.js';
import { renderMatrixMarkdown } from '../reports/matrix-md.js';
import { describeObservation } from '../reports/text.js';
import { compareWithExpectations, type ExpectationsFile, expectationSummary, expectationsFrom, loadExpectations, saveExpectations } from './store/expectations.js';
import { defaultFailuresPath, loadFailures, recordedFor, saveFailures, targetKey, updateFailures } from './store/failures.js';
import { buildMatrix, type ColumnInput, targetSlug } from '../reports/matrix.js';
import { allMutants, findMutant, startReference } from './reference/server.js';
import { awsCliReproducer } from './reproduce.js';
import { type ExpectationReport, overallVerdict, type RunResult, type ServiceResult, type Verdict } from '../models/results.js';
import { replayWitness, runService } from './runner.js';
import { STALLED } from './execution.js';
import { SERVICES, serviceNamed } from '../services/index.js';
import { DEFAULT_WAIT_SECONDS } from './service.js';
import { InfraError, MANAGED_TARGETS, resolveTarget, UsageError } from './targets/index.js';
import { loadWitness, writeWitnesses } from './witness.js';

export const EXIT = { pass: 0, fail: 1, usage: 2, infra: 3, internal: 4 } as const;
const VERDICT_EXIT: Record<Verdict, number> = { pass: EXIT.pass, fail: EXIT.fail, unsupported: EXIT.fail, infra: EXIT.infra, 'internal-error': EXIT.internal };

export const DEFAULTS = { runs: 200, maxDivergences: 30, region: 'us-east-1', out: 'reports/out', matrixOut: 'reports/out/matrix', port: 4599, mutantSeed: 20261123, reproduce: 3 };

const USAGE = `usage:
  policy-conformance run [--target reference|moto|ministack|kinesis-local|container:IMAGE|URL]
                         [--services dynamodb,...] [--runs N] [--seed S] [--path P]
                         [--consistency strict|eventual] [--out DIR] [--mutant NAME] [--region R]
                         [--switch NAME=VALUE]... [--set-aside RULE,...] [--max-divergences N] [--settle-ms MS]
                         [--wait-seconds S] [--reproduce N] [--failures FILE|off] [--expect FILE [--update-expectations]]
  policy-conformance matrix --targets reference,moto,...[,container:IMAGE] [--services ...] [--runs N] [--seed S]
                         [--out DIR] [--expect-dir DIR [--update-expectations]] [--reproduce N] [--consistency C] [--region R] [--wait-seconds S]
  policy-conformance replay WITNESS.json [--target T] [--region R]
  policy-conformance serve [--port N] [--mutant NAME]
  policy-conformance mutants [--services ...] [--runs N] [--seed S] [--list]`;

/** Options `run` and `matrix` share. */
const SHARED_OPTIONS = {
  services: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  consistency: { type: 'string' },
  region: { type: 'string', default: DEFAULTS.region },
  'max-divergences': { type: 'string' },
  'settle-ms': { type: 'string' },
  'wait-seconds': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  reproduce: { type: 'string' },
  failures: { type: 'string' },
  'update-expectations': { type: 'boolean', default: false },
} as const;

const RUN_OPTIONS = {
  ...SHARED_OPTIONS,
  target: { type: 'string', default: 'reference' },
  path: { type: 'string' },
  out: { type: 'string', default: DEFAULTS.out },
  mutant: { type: 'string' },
  switch: { type: 'string', multiple: true },
  'set-aside': { type: 'string' },
  expect: { type: 'string' },
} as const;

const MATRIX_OPTIONS = {
  ...SHARED_OPTIONS,
  targets: { type: 'string' },
  out: { type: 'string', default: DEFAULTS.matrixOut },
  'expect-dir': { type: 'string' },
} as const;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, not "${value}"`);
  return Number(value);
}

function countOf(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a number (0 or more), not "${value}"`);
  return Number(value);
}

function seedOf(value: string | undefined): number {
  if (value === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--seed must be an integer, not "${value}"`);
  return Number(value);
}

export function parseServices(value: string | undefined): ServiceName[] {
  if (value === undefined || value === 'all') return SERVICES.map((s) => s.name);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const known = SERVICES.map((s) => s.name);
  for (const n of names) if (!known.includes(n as ServiceName)) throw new UsageError(`unknown service "${n}"; known: ${known.join(', ')}`);
  if (names.length === 0) throw new UsageError('--services needs at least one service');
  return names as ServiceName[];
}

function parseSwitches(values: string[] | undefined, services: ServiceName[]): Record<string, string> {
  const out: Record<string, string> = {};
  const all = services.flatMap((s) => serviceNamed(s)!.adapter.model.switches);
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

/** Everything one target's run needs, already validated. */
interface TargetRun {
  spec: string;
  mutant?: string;
  region: string;
  services: ServiceName[];
  runs: number;
  seed: number;
  path?: string;
  consistency?: Consistency;
  switches: Record<string, string>;
  setAside: string[];
  settleMs?: number;
  /** Budget for each resource transition; default: LOCAL_WAIT_SECONDS on this machine, DEFAULT_WAIT_SECONDS elsewhere. */
  waitSeconds?: number;
  maxDivergences: number;
  reproduce: number;
  /** The failures file, or undefined for none. */
  failuresFile?: string;
  quiet: boolean;
}

/**
 * A target on this machine finishes a transition in well under a second; one still CREATING or DELETING after this
 * long is stuck, and waiting AWS's full budget for it would only stall the run.
 */
const LOCAL_WAIT_SECONDS = 20;

function isLocal(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

/**
 * Run the suite against one target: start it, run each service (failing sequences of earlier runs first),
 * replay each divergence to label it, attach AWS CLI reproducers, keep the failing sequences for next time.
 */
async function runTarget(o: TargetRun): Promise<RunResult> {
  const log = o.quiet ? undefined : stderr;
  const target = await resolveTarget(o.spec, { region: o.region, ...(o.mutant ? { mutant: o.mutant } : {}), ...(o.quiet ? {} : { log: stderr }) });
  const consistency = o.consistency ?? target.defaultConsistency;
  const settleMs = o.settleMs !== undefined ? o.settleMs : target.name === 'reference' ? 0 : consistency === 'eventual' ? 20_000 : 0;
  const replayBase = [`--target ${o.spec}`, o.mutant ? `--mutant ${o.mutant}` : '', o.region !== DEFAULTS.region ? `--region ${o.region}` : ''].filter(Boolean).join(' ');
  const result: RunResult = { target: target.name, ...(target.version ? { targetVersion: target.version } : {}), ...(target.claims ? { targetClaims: target.claims } : {}), seed: o.seed, consistency, region: o.region, ...(o.mutant ? { mutant: o.mutant } : {}), startedAt: new Date().toISOString(), services: [] };
  const key = targetKey(target.name, o.mutant);
  const failures = o.failuresFile ? await loadFailures(o.failuresFile, log) : undefined;
  // The reference listens on a throw-away port: reproducers name the port `serve` uses by default.
  const reproducerEndpoint = target.name === 'reference' ? `http://127.0.0.1:${DEFAULTS.port}` : target.endpoint.url;
  const preamble =
    target.name === 'reference'
      ? [`start the target first: npx policy-conformance serve --port ${DEFAULTS.port}${o.mutant ? ` --mutant ${o.mutant}` : ''}`]
      : o.spec === target.endpoint.url || /^https?:/.test(o.spec)
        ? []
        : [`the run's ${o.spec}${target.version ? ` ${target.version}` : ''} listened on ${target.endpoint.url}; start one and use its URL if that one is gone`];
  try {
    let stalled: string | undefined;
    for (const service of o.services) {
      if (stalled) {
        // Every call to a target that stopped answering waits out its deadline: the other services are not run.
        result.services.push({ service, verdict: 'infra', reason: `not run: ${stalled}`, runs: 0, calls: 0, faults: 0, durationMs: 0, rulesReached: [], unsupportedOperations: [], profile: {}, divergences: [] });
        continue;
      }
      await target.reset?.();
      const recheck = failures && !o.path ? recordedFor(failures, key, service, consistency) : [];
      const serviceResult = await runService(serviceNamed(service)!.adapter, target.endpoint, {
        runs: o.runs,
        seed: o.seed,
        ...(o.path ? { path: o.path } : {}),
        consistency,
        switches: o.switches,
        setAside: o.setAside,
        settleMs,
        waitSeconds: o.waitSeconds ?? (isLocal(target.endpoint.url) ? LOCAL_WAIT_SECONDS : DEFAULT_WAIT_SECONDS),
        maxDivergences: o.maxDivergences,
        replayBase,
        reproduce: o.reproduce,
        ...(recheck.length ? { recheck } : {}),
        onProgress: log,
      });
      for (const d of serviceResult.divergences) {
        d.reproducer = awsCliReproducer(service, d, { endpointUrl: reproducerEndpoint, region: o.region, preamble, settleSeconds: Math.ceil(settleMs / 1000) });
      }
      result.services.push(serviceResult);
      if (failures) updateFailures(failures, key, serviceResult, consistency);
      log?.(`[${service}] ${serviceResult.verdict} in ${(serviceResult.durationMs / 1000).toFixed(1)} s`);
      if (serviceResult.verdict === 'infra' && serviceResult.reason?.startsWith(STALLED)) stalled = `the target stopped answering during ${service}`;
    }
  } finally {
    await target.stop();
    if (failures && o.failuresFile) await saveFailures(o.failuresFile, failures).catch((e) => log?.(`cannot write the failures file ${o.failuresFile}: ${(e as Error).message}`));
  }
  return result;
}

function failuresFileOf(value: string | undefined, out: string): string | undefined {
  if (value === 'off') return undefined;
  return resolve(value ?? defaultFailuresPath(out));
}

/**
 * With an expectations file: compare (or, with --update-expectations, rewrite the file from this run first).
 * The exit code then depends only on new departures (and infrastructure failures).
 */
async function applyExpectations(result: RunResult, target: string, file: string, update: boolean, log?: (m: string) => void): Promise<ExpectationReport> {
  let expectations: ExpectationsFile;
  if (update) {
    const previous = await loadExpectations(file).catch(() => undefined);
    expectations = expectationsFrom(target, result, previous, previous?.about ?? `Known departures of ${target}${result.targetVersion ? ` ${result.targetVersion}` : ''}; written by --update-expectations.`);
    await saveExpectations(file, expectations);
    log?.(`wrote ${file}: ${expectations.departures.length} departures, ${expectations.unsupported.length} unsupported`);
  } else expectations = await loadExpectations(file);
  // Reports name the file as the user would (relative to where they ran), so a committed matrix.md has no machine paths.
  const shown = relative(process.cwd(), file);
  return compareWithExpectations(shown && !shown.startsWith('..') ? shown : file, expectations, result);
}

function exitFor(result: RunResult): number {
  const verdict = overallVerdict(result.services);
  if (verdict === 'infra' || verdict === 'internal-error') return VERDICT_EXIT[verdict];
  if (result.expectations) return result.expectations.new.length ? EXIT.fail : EXIT.pass;
  return VERDICT_EXIT[verdict];
}

type SharedSettings = Pick<TargetRun, 'region' | 'services' | 'runs' | 'seed' | 'consistency' | 'settleMs' | 'waitSeconds' | 'maxDivergences' | 'reproduce' | 'quiet'>;

/** The settings `run` and `matrix` share, checked (a bad value is a usage error before anything starts). */
function sharedSettings(values: { [K in keyof typeof SHARED_OPTIONS]?: unknown }): SharedSettings {
  const v = values as Record<string, string | boolean | undefined>;
  const settle = v['settle-ms'] as string | undefined;
  if (settle !== undefined && !/^\d+$/.test(settle)) throw new UsageError('--settle-ms must be a number of milliseconds');
  const wait = v['wait-seconds'] as string | undefined;
  return {
    region: v.region as string,
    services: parseServices(v.services as string | undefined),
    runs: positiveInt('runs', v.runs as string | undefined, DEFAULTS.runs),
    seed: seedOf(v.seed as string | undefined),
    maxDivergences: positiveInt('max-divergences', v['max-divergences'] as string | undefined, DEFAULTS.maxDivergences),
    reproduce: countOf('reproduce', v.reproduce as string | undefined, DEFAULTS.reproduce),
    ...(settle !== undefined ? { settleMs: Number(settle) } : {}),
    ...(wait !== undefined ? { waitSeconds: positiveInt('wait-seconds', wait, DEFAULT_WAIT_SECONDS) } : {}),
    ...(v.consistency !== undefined ? { consistency: consistencyOf(v.consistency as string, 'strict') } : {}),
    quiet: Boolean(v.quiet),
  };
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: false, strict: true });
  const shared = sharedSettings(values);
  const switches = parseSwitches(values.switch, shared.services);
  if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"; \`policy-conformance mutants --list\` lists them`);
  if (values['update-expectations'] && !values.expect) throw new UsageError('--update-expectations needs --expect FILE (the file to write)');
  const expectFile = values.expect ? resolve(values.expect) : undefined;
  if (expectFile && !values['update-expectations']) await loadExpectations(expectFile); // a bad file is a usage error before anything starts
  const out = resolve(values.out);
  const result = await runTarget({
    ...shared,
    spec: values.target,
    ...(values.mutant ? { mutant: values.mutant } : {}),
    ...(values.path ? { path: values.path } : {}),
    switches,
    setAside: values['set-aside']?.split(',').filter(Boolean) ?? [],
    failuresFile: failuresFileOf(values.failures, out),
  });
  if (expectFile) result.expectations = await applyExpectations(result, targetKey(values.target, values.mutant), expectFile, values['update-expectations'], values.quiet ? undefined : stderr);
  await writeReports(out, result);
  process.stdout.write(summary(result, out));
  return exitFor(result);
}

async function matrix(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: MATRIX_OPTIONS, allowPositionals: false, strict: true });
  if (!values.targets) throw new UsageError('matrix needs --targets, e.g. --targets reference,moto');
  const specs = values.targets.split(',').map((t) => t.trim()).filter(Boolean);
  if (specs.length === 0) throw new UsageError('--targets needs at least one target');
  // Checked before anything starts: a typo in the last target must not cost the runs of the others.
  for (const spec of specs) {
    const known = spec === 'reference' || Object.hasOwn(MANAGED_TARGETS, spec) || /^container:\S+$/.test(spec) || /^https?:\/\/[^\s/]+/.test(spec);
    if (!known) throw new UsageError(`unknown target "${spec}" in --targets; each is "reference", ${Object.keys(MANAGED_TARGETS).map((n) => `"${n}"`).join(', ')}, "container:<image>" or an http(s):// URL`);
  }
  const slugs = specs.map(targetSlug);
  const clash = slugs.find((s, i) => slugs.indexOf(s) !== i);
  if (clash) throw new UsageError(`two targets share the name "${clash}"; list each target once`);
  const shared = sharedSettings(values);
  if (values['update-expectations'] && !values['expect-dir']) throw new UsageError('--update-expectations needs --expect-dir DIR (where the files go)');
  const expectDir = values['expect-dir'] ? resolve(values['expect-dir']) : undefined;
  const expectFile = (slug: string) => join(expectDir!, `${slug}.json`);
  if (expectDir && !values['update-expectations']) for (const slug of slugs) await loadExpectations(expectFile(slug));
  const out = resolve(values.out);
  const log = values.quiet ? undefined : stderr;
  const columns: ColumnInput[] = [];
  const reports: Array<ExpectationReport | undefined> = [];
  const exits: number[] = [];
  for (const [i, spec] of specs.entries()) {
    const slug = slugs[i]!;
    log?.(`== target ${spec}`);
    const started = Date.now();
    try {
      const result = await runTarget({
        ...shared,
        spec,
        switches: {},
        setAside: [],
        failuresFile: failuresFileOf(values.failures, out),
      });
      if (expectDir) result.expectations = await applyExpectations(result, spec, expectFile(slug), values['update-expectations'], log);
      await writeReports(join(out, slug), result);
      columns.push({ slug, target: spec, result, durationMs: Date.now() - started });
      reports.push(result.expectations);
      exits.push(exitFor(result));
    } catch (error) {
      // A target that cannot be started is that column's infrastructure failure; the others still run.
      if (!(error instanceof InfraError)) throw error;
      log?.(`[${spec}] infra: ${error.message}`);
      columns.push({ slug, target: spec, error: error.message, durationMs: Date.now() - started });
      reports.push(undefined);
      exits.push(EXIT.infra);
    }
  }
  const built = buildMatrix(columns, reports, shared.services);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'matrix.html'), renderMatrixHtml(built));
  await writeFile(join(out, 'matrix.md'), renderMatrixMarkdown(built));
  await writeFile(join(out, 'matrix.json'), `${JSON.stringify({ generatedAt: built.generatedAt, seed: shared.seed, targets: columns.map((c, i) => ({ target: c.target, slug: c.slug, verdict: built.columns[i]!.verdict, exit: exits[i], ...(c.error ? { error: c.error } : {}), ...(reports[i] ? { expectations: reports[i] } : {}) })) }, null, 2)}\n`);
  const lines = [`policy-conformance matrix: ${specs.length} targets, seed ${shared.seed}`];
  columns.forEach((c, i) => {
    const e = reports[i];
    const r = c.result;
    const departures = r ? r.services.reduce((n, s) => n + s.divergences.length, 0) : 0;
    lines.push(
      `  ${c.target.padEnd(24)} ${built.columns[i]!.verdict.padEnd(11)} ${departures} divergences${r?.targetVersion ? `, ${r.targetVersion}` : ''} (${((c.durationMs ?? 0) / 1000).toFixed(1)} s)${c.error ? ` — ${c.error}` : ''}`,
      ...(e ? expectationSummary(e).map((l) => `    ${l}`) : []),
    );
  });
  const exit = exits.includes(EXIT.infra) ? EXIT.infra : exits.includes(EXIT.fail) ? EXIT.fail : EXIT.pass;
  lines.push(`matrix: ${join(out, 'matrix.html')} (and matrix.md; per-target reports in ${out}/<target>/) — exit ${exit}`, '');
  process.stdout.write(lines.join('\n'));
  return exit;
}

export async function writeReports(dir: string, result: RunResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeWitnesses(dir, result, result.region ?? DEFAULTS.region, result.target);
  await writeFile(join(dir, 'results.json'), renderJson(result));
  await writeFile(join(dir, 'junit.xml'), renderJUnit(result));
  await writeFile(join(dir, 'report.md'), renderMarkdown(result));
}

function serviceLine(s: ServiceResult): string {
  const reached = `${s.rulesReached.length} rules reached`;
  const extra = s.reason ? ` — ${s.reason}` : s.divergences.length ? ` — ${s.divergences.map((d) => d.rule + (d.explainedBy ? ` [${d.explainedBy.switch}=${d.explainedBy.value}]` : '') + (d.reproducibility?.label === 'flaky' ? ' (flaky)' : '')).join(', ')}` : '';
  return `  ${s.service.padEnd(9)} ${s.verdict.padEnd(11)} ${s.runs} sequences, ${s.calls} calls, ${s.faults} faults, ${reached} (${(s.durationMs / 1000).toFixed(1)} s)${extra}`;
}

function recheckLine(s: ServiceResult): string[] {
  if (!s.rechecked?.length) return [];
  const count = (status: string) => s.rechecked!.filter((r) => r.status === status).length;
  const fixed = s.rechecked.filter((r) => r.status === 'passes').map((r) => r.rule);
  return [`    earlier failures re-run first: ${count('still-fails')} still fail, ${count('fails-differently')} fail differently, ${count('passes')} pass now${fixed.length ? ` (${fixed.join(', ')})` : ''}${count('stale') ? `, ${count('stale')} stale` : ''}`];
}

function summary(result: RunResult, out: string): string {
  return [
    `policy-conformance: target ${result.target}${result.targetVersion ? ` ${result.targetVersion}` : ''}, seed ${result.seed}, ${result.consistency}${result.mutant ? `, mutant ${result.mutant}` : ''}`,
    ...result.services.flatMap((s) => [serviceLine(s), ...recheckLine(s)]),
    ...(result.expectations ? expectationSummary(result.expectations) : []),
    `verdict: ${overallVerdict(result.services)}${result.expectations ? ` (${result.expectations.new.length ? 'new departures' : 'only expected departures'})` : ''} — reports in ${out}`,
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
  process.stdout.write(`policy-conformance reference server on ${running.url} (services: ${SERVICES.map((s) => s.name).join(', ')}${values.mutant ? `; mutant ${values.mutant}` : ''})\n`);
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
  /** The kind of departure the seeded bug is (absent: wrong-answer). */
  breaksKind: string;
  caught: boolean;
  verdict: Verdict;
  rule?: string;
  kind?: string;
  /** The first entry names the rule and kind the mutant breaks. */
  named: boolean;
  /** Entries reported (a seeded bug is one cause: more than one means consequences were counted). */
  entries: number;
  calls?: number;
  replay?: string;
}

/** Run the default suite against the reference server with each seeded bug. */
export async function runMutants(options: { services: ServiceName[]; runs: number; seed: number; onResult?(m: MutantOutcome): void }): Promise<MutantOutcome[]> {
  const outcomes: MutantOutcome[] = [];
  for (const mutant of allMutants().filter((m) => options.services.includes(m.service as ServiceName))) {
    const target = await startReference({ mutant: mutant.name });
    try {
      const r = await runService(serviceNamed(mutant.service as ServiceName)!.adapter, { url: target.url, region: DEFAULTS.region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, {
        runs: options.runs,
        seed: options.seed,
        consistency: 'strict',
        settleMs: 0,
        maxDivergences: 1,
        replayBase: `--target reference --mutant ${mutant.name}`,
      });
      const first = r.divergences[0];
      const breaksKind = mutant.kind ?? 'wrong-answer';
      const outcome: MutantOutcome = {
        name: mutant.name,
        service: mutant.service,
        breaks: mutant.breaks,
        breaksKind,
        caught: r.verdict === 'fail',
        verdict: r.verdict,
        named: !!first && first.rule === mutant.breaks && (first.kind ?? 'wrong-answer') === breaksKind,
        entries: r.divergences.length,
        ...(first ? { rule: first.rule, kind: first.kind ?? 'wrong-answer', calls: first.calls, replay: first.replay } : {}),
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
    onResult: (o) => stderr(`${o.caught ? 'caught ' : 'MISSED '} ${o.name}${o.rule ? ` by ${o.rule} (${o.kind}) in ${o.calls} calls${o.named ? '' : ` — seeded as ${o.breaks} (${o.breaksKind})`}` : ` (${o.verdict})`}`),
  });
  const caught = outcomes.filter((o) => o.caught).length;
  const named = outcomes.filter((o) => o.named).length;
  const lines = outcomes.map((o) => `  ${o.caught ? 'caught' : 'MISSED'}  ${o.name.padEnd(38)} ${o.rule ? `${o.rule} (${o.kind}, ${o.calls} calls)${o.named ? '' : ` — seeded as ${o.breaks} (${o.breaksKind})`}` : o.verdict}`);
  process.stdout.write(`${lines.join('\n')}\nmutation score: ${caught}/${outcomes.length} (${outcomes.length ? Math.round((100 * caught) / outcomes.length) : 0}%), ${named} named under the rule and kind they break, seed ${seed}, ${runs} runs\n`);
  return caught === outcomes.length ? EXIT.pass : EXIT.fail;
}

/** `replay FILE`: run one witness again against its target (or another) and say whether it still departs. */
async function replay(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { target: { type: 'string' }, region: { type: 'string' }, quiet: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('replay needs exactly one witness file');
  const witness = await loadWitness(resolve(positionals[0]!), SERVICES.map((s) => s.name));
  const spec = values.target ?? witness.target;
  const region = values.region ?? witness.region;
  const target = await resolveTarget(spec, { region, ...(witness.mutant && spec === 'reference' ? { mutant: witness.mutant } : {}), ...(values.quiet ? {} : { log: stderr }) });
  try {
    const settleMs = target.name === 'reference' ? 0 : witness.consistency === 'eventual' ? 20_000 : 0;
    const outcome = await replayWitness(serviceNamed(witness.service)!.adapter, target.endpoint, witness, { settleMs, waitSeconds: isLocal(target.endpoint.url) ? LOCAL_WAIT_SECONDS : DEFAULT_WAIT_SECONDS });
    const lines = outcome.steps.map((st, i) => `  ${String(i + 1).padStart(2)}. ${st.setup ? '(setup) ' : ''}${st.operation} → ${describeObservation(st.outcome)}`);
    const said = {
      departs: `departs again at its last step, on ${outcome.rule} (${outcome.kind}); recorded: ${witness.rule} (${witness.kind})`,
      'departs-earlier': `departs at an earlier step than recorded, on ${outcome.rule}: the target changed`,
      conforms: `does not depart any more (recorded: ${witness.rule}, ${witness.kind})`,
      infra: `infrastructure failure: ${outcome.reason}`,
      unsupported: `the target does not serve ${witness.service}: ${outcome.reason}`,
      stopped: `could not be judged to its end: ${outcome.reason}`,
    }[outcome.status];
    process.stdout.write(`${[`replay of ${positionals[0]} against ${spec}${target.version ? ` ${target.version}` : ''}:`, ...lines, `witness ${said}`].join('\n')}\n`);
    return outcome.status === 'departs' || outcome.status === 'departs-earlier' ? EXIT.fail : outcome.status === 'conforms' ? EXIT.pass : EXIT.infra;
  } finally {
    await target.stop();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(rest);
      case 'matrix':
        return await matrix(rest);
      case 'serve':
        return await serve(rest);
      case 'mutants':
        return await mutants(rest);
      case 'replay':
        return await replay(rest);
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
