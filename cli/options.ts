/**
 * The options of `run` and `matrix` and their checks: everything is checked (a bad value is a usage error) before
 * any target starts — a typo in the last of several targets must not cost the runs of the others.
 */
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Cell, cellsOfShard, matrixCells, parseShard, type Shard } from '../models/shard.js';
import { defaultSafetyFor, SAFETY_PROFILES, type SafetyProfileName } from '../generators/safety.js';
import type { Consistency, ServiceName } from '../models/types.js';
import { UsageError } from '../harness/errors.js';
import type { Budgets } from '../harness/halt.js';
import { findMutant } from '../harness/reference/server.js';
import { DEFAULT_WAIT_SECONDS } from '../harness/service.js';
import { loadExpectations } from '../harness/store/expectations.js';
import { defaultFailuresPath, targetKey } from '../harness/store/failures.js';
import { ALLOWED_ACCOUNTS_ENV } from '../harness/targets/aws.js';
import { AWS_DEFAULTS, defaultBudgets, defaultConsistencyFor, parseTarget, TARGET_FORMS, UnknownTargetError } from '../harness/targets/index.js';
import { targetSlug } from '../reports/matrix.js';
import { SERVICES, serviceNamed } from '../services/index.js';
import { type AwsSettings, checkAwsSettings, checkPath, checkRegion, checkSetAside, checkWritable, DEFAULT_REGION, regionFor, unique, type WritableFolder } from './inputs.js';

export const DEFAULTS = { runs: 200, maxDivergences: 30, region: DEFAULT_REGION, out: 'reports/out', matrixOut: 'reports/out/matrix', port: 4599, mutantSeed: 20261123, reproduce: 3 };

/** Options `run` and `matrix` share. */
const SHARED_OPTIONS = {
  services: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  consistency: { type: 'string' },
  region: { type: 'string' },
  'max-divergences': { type: 'string' },
  'settle-ms': { type: 'string' },
  'window-ms': { type: 'string' },
  'wait-seconds': { type: 'string' },
  concurrency: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  reproduce: { type: 'string' },
  failures: { type: 'string' },
  'update-expectations': { type: 'boolean', default: false },
  'max-calls': { type: 'string' },
  'max-resources': { type: 'string' },
  'time-limit': { type: 'string' },
  safety: { type: 'string' },
  'partner-account': { type: 'string', multiple: true },
  record: { type: 'string' },
  'allow-account': { type: 'string', multiple: true },
  profile: { type: 'string' },
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
  plan: { type: 'boolean', default: false },
} as const;

const MATRIX_OPTIONS = {
  ...SHARED_OPTIONS,
  targets: { type: 'string' },
  out: { type: 'string', default: DEFAULTS.matrixOut },
  'expect-dir': { type: 'string' },
  shard: { type: 'string' },
} as const;

const MERGE_OPTIONS = {
  out: { type: 'string', default: DEFAULTS.matrixOut },
  'expect-dir': { type: 'string' },
  'update-expectations': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, not "${value}"`);
  return Number(value);
}

function countOf(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a number (0 or more), not "${value}"`);
  return Number(value);
}

export function seedOf(value: string | undefined): number {
  if (value === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--seed must be an integer, not "${value}"`);
  return Number(value);
}

export function parseServices(value: string | undefined): ServiceName[] {
  if (value === undefined || value === 'all') return SERVICES.map((s) => s.name);
  const names = unique(value.split(',').map((s) => s.trim()).filter(Boolean));
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

function failuresFileOf(value: string | undefined, out: string): string | undefined {
  if (value === 'off') return undefined;
  return resolve(value ?? defaultFailuresPath(out));
}

/** Everything one target's run needs, already validated. */
export interface TargetRun {
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
  /** --window-ms: DynamoDB's change window on the target (0: not measured); default: by target kind (harness/targets windowMsFor). */
  windowMs?: number;
  /** Budget for each resource transition; default: LOCAL_WAIT_SECONDS on this machine, DEFAULT_WAIT_SECONDS elsewhere. */
  waitSeconds?: number;
  /** Sequences run at once per service (--concurrency); default: by target kind (harness/targets defaultConcurrency). */
  concurrency?: number;
  maxDivergences: number;
  reproduce: number;
  /** The failures file, or undefined for none. */
  failuresFile?: string;
  quiet: boolean;
  /** --max-calls, --max-resources and --time-limit (the run's Halt enforces them); for `aws`, its defaults under them. */
  budgets?: Budgets;
  /** `--target aws`: the allowed accounts (never empty) and the profile. */
  aws?: AwsSettings;
  /** --safety; absent: the target kind's default (generators/safety.ts defaultSafetyFor). */
  safety?: SafetyProfileName;
  /** --partner-account, each a 12-digit account id (documents may name them besides the caller's own). */
  partnerAccounts?: string[];
  /** --record: the folder each service's history is written to (`<service>.json`; matrix: `<slug>/<service>.json`). */
  recordDir?: string;
}

export type SharedSettings = Pick<TargetRun, 'region' | 'services' | 'runs' | 'seed' | 'consistency' | 'settleMs' | 'windowMs' | 'waitSeconds' | 'concurrency' | 'maxDivergences' | 'reproduce' | 'quiet' | 'safety' | 'partnerAccounts' | 'recordDir'> & {
  budgets: Budgets;
  /** Whether --runs was given (an `aws` target otherwise runs AWS_DEFAULTS.runs). */
  runsGiven: boolean;
  /** The raw --allow-account and --profile (checked per target: they belong to `aws`). */
  awsFlags: { allowAccount?: string[]; profile?: string };
};

export function safetyOf(value: string | undefined): SafetyProfileName | undefined {
  if (value === undefined) return undefined;
  if (!SAFETY_PROFILES.includes(value as SafetyProfileName)) throw new UsageError(`--safety must be ${SAFETY_PROFILES.join(' or ')}, not "${value}"`);
  return value as SafetyProfileName;
}

/** `--partner-account ID` (repeatable): 12-digit account ids, each named once. */
export function partnerAccountsOf(values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  for (const v of values) if (!/^\d{12}$/.test(v)) throw new UsageError(`--partner-account must be a 12-digit AWS account id, not "${v}"`);
  return unique(values);
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1h30m`, `500ms` (a bare number is seconds) → milliseconds; anything else is a usage error. */
export function durationMs(name: string, value: string): number {
  const parts = /^\d+$/.test(value) ? [['', value, 's']] : [...value.matchAll(/(\d+)(ms|s|m|h)/g)];
  const whole = parts.map((p) => `${p[1]}${p[2]}`).join('');
  const total = parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS_MS[p[2]!]!, 0);
  if ((!/^\d+$/.test(value) && whole !== value) || total <= 0) throw new UsageError(`--${name} must be a duration such as 90s, 10m or 1h30m, not "${value}"`);
  return total;
}

function recordDirOf(value: string): string {
  if (value.trim() === '') throw new UsageError('--record needs a folder to write the histories to');
  return resolve(value);
}

/** The settings `run` and `matrix` share, checked. */
function sharedSettings(values: { [K in keyof typeof SHARED_OPTIONS]?: unknown }): SharedSettings {
  const v = values as Record<string, string | boolean | undefined>;
  const settle = v['settle-ms'] as string | undefined;
  if (settle !== undefined && !/^\d+$/.test(settle)) throw new UsageError(`--settle-ms must be a number of milliseconds (0 or more), not "${settle}"`);
  const wait = v['wait-seconds'] as string | undefined;
  const window = v['window-ms'] as string | undefined;
  if (window !== undefined && !/^\d+$/.test(window)) throw new UsageError(`--window-ms must be a number of milliseconds (0 or more), not "${window}"`);
  return {
    // The form only; regionFor (below) picks the region once the targets are known.
    region: v.region !== undefined ? checkRegion(v.region as string) : DEFAULTS.region,
    services: parseServices(v.services as string | undefined),
    runs: positiveInt('runs', v.runs as string | undefined, DEFAULTS.runs),
    runsGiven: v.runs !== undefined,
    seed: seedOf(v.seed as string | undefined),
    maxDivergences: positiveInt('max-divergences', v['max-divergences'] as string | undefined, DEFAULTS.maxDivergences),
    reproduce: countOf('reproduce', v.reproduce as string | undefined, DEFAULTS.reproduce),
    ...(settle !== undefined ? { settleMs: Number(settle) } : {}),
    ...(window !== undefined ? { windowMs: Number(window) } : {}),
    ...(wait !== undefined ? { waitSeconds: positiveInt('wait-seconds', wait, DEFAULT_WAIT_SECONDS) } : {}),
    ...(v.concurrency !== undefined ? { concurrency: positiveInt('concurrency', v.concurrency as string, 1) } : {}),
    ...(v.consistency !== undefined ? { consistency: consistencyOf(v.consistency as string, 'strict') } : {}),
    quiet: Boolean(v.quiet),
    ...(v.safety !== undefined ? { safety: safetyOf(v.safety as string) } : {}),
    ...(partnerAccountsOf(v['partner-account'] as unknown as string[] | undefined) ? { partnerAccounts: partnerAccountsOf(v['partner-account'] as unknown as string[])! } : {}),
    ...(v.record !== undefined ? { recordDir: recordDirOf(v.record as string) } : {}),
    budgets: {
      ...(v['max-calls'] !== undefined ? { maxCalls: positiveInt('max-calls', v['max-calls'] as string, 0) } : {}),
      ...(v['max-resources'] !== undefined ? { maxResources: positiveInt('max-resources', v['max-resources'] as string, 0) } : {}),
      ...(v['time-limit'] !== undefined ? { timeLimitMs: durationMs('time-limit', v['time-limit'] as string) } : {}),
    },
    awsFlags: {
      ...((values['allow-account'] as string[] | undefined)?.length ? { allowAccount: values['allow-account'] as string[] } : {}),
      ...(values.profile !== undefined ? { profile: values.profile as string } : {}),
    },
  };
}

/**
 * One target's settings from the shared ones: for `aws`, the checked opt-in, AWS_DEFAULTS.runs unless --runs was
 * given, and the default budgets under the explicit ones.
 */
export function settingsFor(spec: string, shared: SharedSettings, aws: AwsSettings | undefined): Pick<TargetRun, 'runs' | 'budgets' | 'aws'> {
  const parsed = parseTarget(spec);
  if (parsed.kind !== 'aws') return { runs: shared.runs, budgets: shared.budgets };
  return {
    runs: shared.runsGiven ? shared.runs : AWS_DEFAULTS.runs,
    budgets: { ...defaultBudgets(parsed), ...shared.budgets },
    ...(aws ? { aws } : {}),
  };
}

/** The `aws` opt-in, checked when one of the targets is `aws` (else its flags are a usage error). */
export function awsSettingsOf(specs: readonly string[], shared: SharedSettings): AwsSettings | undefined {
  return checkAwsSettings(specs.some((s) => parseTarget(s).kind === 'aws'), shared.awsFlags, ALLOWED_ACCOUNTS_ENV);
}

/** `run`, checked. */
export interface RunCommand {
  target: TargetRun;
  /** The reports' directory. */
  out: string;
  /** The expectations file (--expect), and the target's name in it. */
  expect?: { file: string; target: string; update: boolean };
  /** --plan: print what the run would do and exit 0, sending nothing and writing nothing. */
  plan: boolean;
}

export async function runOptions(argv: string[]): Promise<RunCommand> {
  const { values } = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: false, strict: true });
  const shared = sharedSettings(values);
  const switches = parseSwitches(values.switch, shared.services);
  if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"; \`policy-conformance mutants --list\` lists them`);
  if (values.mutant && values.target !== 'reference') throw new UsageError('--mutant works only with --target reference');
  const targetKind = parseTarget(values.target).kind;
  const aws = awsSettingsOf([values.target], shared);
  shared.region = await regionFor(values.region, aws);
  const own = settingsFor(values.target, shared, aws);
  if (shared.partnerAccounts && (shared.safety ?? defaultSafetyFor(targetKind)) === 'full') {
    throw new UsageError("--partner-account needs the real-account profile (--safety real-account; the aws target's default)");
  }
  if (values.plan && values['update-expectations']) throw new UsageError('--plan writes nothing: it cannot take --update-expectations');
  if (values['update-expectations'] && !values.expect) throw new UsageError('--update-expectations needs --expect FILE (the file to write)');
  const expectFile = values.expect ? resolve(values.expect) : undefined;
  if (expectFile && !values['update-expectations']) await loadExpectations(expectFile); // a bad file is a usage error before anything starts
  const setAside = checkSetAside(values['set-aside'], shared.services);
  const path = checkPath(values.path, values.seed, { ...shared, runs: own.runs, consistency: shared.consistency ?? defaultConsistencyFor(parseTarget(values.target)) });
  const out = resolve(values.out);
  const failuresFile = failuresFileOf(values.failures, out);
  // Last, once everything else is known good: the folders the run writes to (a bad one would lose the results).
  // A plan writes nothing, so it probes no folder either (the probe creates and removes a file).
  if (!values.plan) {
    await checkWritable([
      ...foldersWritten(out, failuresFile, values.failures, expectFile && values['update-expectations'] ? expectFile : undefined, '--expect'),
      ...(shared.recordDir ? [{ dir: shared.recordDir, flag: '--record' }] : []),
    ]);
  }
  return {
    plan: values.plan,
    target: {
      ...shared,
      ...own,
      spec: values.target,
      ...(values.mutant ? { mutant: values.mutant } : {}),
      ...(path !== undefined ? { path } : {}),
      switches,
      setAside,
      failuresFile,
    },
    out,
    ...(expectFile ? { expect: { file: expectFile, target: targetKey(values.target, values.mutant), update: values['update-expectations'] } } : {}),
  };
}

/** `matrix`, checked: one column per target, in the order given. */
export interface MatrixCommand {
  shared: SharedSettings;
  columns: Array<{ spec: string; slug: string; expectFile?: string }>;
  /** The matrix's directory (per-target reports in <out>/<slug>/). */
  out: string;
  updateExpectations: boolean;
  failuresFile?: string;
  /** With --shard: which shard, every cell of the whole matrix, and the cells this shard runs (matrix order). */
  shard?: { shard: Shard; cells: Cell[]; mine: Cell[] };
  /** The `aws` opt-in, when one of the targets is `aws`. */
  aws?: AwsSettings;
}

export async function matrixOptions(argv: string[]): Promise<MatrixCommand> {
  const { values } = parseArgs({ args: argv, options: MATRIX_OPTIONS, allowPositionals: false, strict: true });
  if (!values.targets) throw new UsageError('matrix needs --targets, e.g. --targets reference,moto');
  // A target named twice runs once (in its first place); two names for one report folder are an error below.
  const specs = unique(values.targets.split(',').map((t) => t.trim()).filter(Boolean));
  if (specs.length === 0) throw new UsageError('--targets needs at least one target');
  for (const spec of specs) {
    try {
      parseTarget(spec);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      if (error instanceof UnknownTargetError) throw new UsageError(`unknown target "${spec}" in --targets; each is ${TARGET_FORMS}`);
      throw new UsageError(`${error.message.replace(/^--target\b/, '--targets')}`);
    }
  }
  const slugs = specs.map(targetSlug);
  const clash = slugs.find((s, i) => slugs.indexOf(s) !== i);
  if (clash) throw new UsageError(`two targets share the name "${clash}"; list each target once`);
  const shared = sharedSettings(values);
  const aws = awsSettingsOf(specs, shared);
  shared.region = await regionFor(values.region, aws);
  if (values['update-expectations'] && !values['expect-dir']) throw new UsageError('--update-expectations needs --expect-dir DIR (where the files go)');
  const shard = values.shard === undefined ? undefined : shardOf(values.shard, specs.map((spec, i) => ({ target: spec, slug: slugs[i]! })), shared.services);
  if (shard && values.seed === undefined) throw new UsageError('--shard needs --seed S: every shard of a matrix runs the same seed (else their outputs cannot be merged)');
  if (shard && values['update-expectations']) throw new UsageError('--update-expectations with --shard would write expectations from part of the matrix; update them with merge --update-expectations');
  const expectDir = values['expect-dir'] ? resolve(values['expect-dir']) : undefined;
  const columns = specs.map((spec, i) => ({ spec, slug: slugs[i]!, ...(expectDir ? { expectFile: join(expectDir, `${slugs[i]}.json`) } : {}) }));
  if (!values['update-expectations']) for (const c of columns) if (c.expectFile) await loadExpectations(c.expectFile);
  const out = resolve(values.out);
  const failuresFile = failuresFileOf(values.failures, out);
  await checkWritable([
    ...foldersWritten(out, failuresFile, values.failures),
    ...(expectDir && values['update-expectations'] ? [{ dir: expectDir, flag: '--expect-dir' }] : []),
    ...(shared.recordDir ? [{ dir: shared.recordDir, flag: '--record' }] : []),
  ]);
  return { shared, columns, out, updateExpectations: values['update-expectations'], ...(failuresFile ? { failuresFile } : {}), ...(shard ? { shard } : {}), ...(aws ? { aws } : {}) };
}

/** `--shard i/N`: strictly two positive integers, i at most N, and N at most the number of cells. */
function shardOf(value: string, targets: Array<{ target: string; slug: string }>, services: ServiceName[]): NonNullable<MatrixCommand['shard']> {
  const shard = parseShard(value);
  if (!shard) throw new UsageError(`--shard must be i/N, shard i of N with 1 <= i <= N (e.g. 2/3), not "${value}"`);
  const cells = matrixCells(targets, services);
  if (shard.count > cells.length) {
    throw new UsageError(`--shard ${value}: the matrix has ${cells.length} cell${cells.length === 1 ? '' : 's'} (${targets.length} target${targets.length === 1 ? '' : 's'} × ${services.length} service${services.length === 1 ? '' : 's'}), so at most ${cells.length} shards`);
  }
  return { shard, cells, mine: cellsOfShard(cells, shard) };
}

/** `merge`, checked: the shards' folders, where the merged matrix goes, and the expectations to compare with. */
export interface MergeCommand {
  dirs: string[];
  out: string;
  expectDir?: string;
  updateExpectations: boolean;
  quiet: boolean;
}

export async function mergeOptions(argv: string[]): Promise<MergeCommand> {
  const { values, positionals } = parseArgs({ args: argv, options: MERGE_OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length === 0) throw new UsageError('merge needs the --out folders of the shards (merge DIR...)');
  if (values['update-expectations'] && !values['expect-dir']) throw new UsageError('--update-expectations needs --expect-dir DIR (where the files go)');
  const dirs = positionals.map((d) => resolve(d));
  const out = resolve(values.out);
  if (dirs.includes(out)) throw new UsageError(`--out ${values.out} is one of the shard folders; the merged matrix needs a folder of its own`);
  const expectDir = values['expect-dir'] ? resolve(values['expect-dir']) : undefined;
  return { dirs, out, ...(expectDir ? { expectDir } : {}), updateExpectations: values['update-expectations'], quiet: values.quiet };
}

/** The merge's folders, checked once its shards are known good (a bad one would lose the merge). */
export async function checkMergeFolders(o: MergeCommand): Promise<void> {
  await checkWritable([{ dir: o.out, flag: '--out' }, ...(o.expectDir && o.updateExpectations ? [{ dir: o.expectDir, flag: '--expect-dir' }] : [])]);
}

/**
 * The folders a run writes to: --out, an explicit --failures file's folder, the --expect file's folder (with
 * --update-expectations). The default failures file is in --out.
 */
function foldersWritten(out: string, failuresFile: string | undefined, failuresFlag: string | undefined, written?: string, writtenFlag = '--expect'): WritableFolder[] {
  const folders: WritableFolder[] = [{ dir: out, flag: '--out' }];
  if (failuresFile && failuresFlag !== undefined) folders.push({ dir: dirname(failuresFile), flag: '--failures', file: failuresFile });
  if (written) folders.push({ dir: dirname(written), flag: writtenFlag, file: written });
  return folders;
}
