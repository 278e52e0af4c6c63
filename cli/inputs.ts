/**
 * Checks of inputs that need more than a regular expression on one flag — a region's form, rule ids, `--path`
 * against the generated cases, folders the run will write to — made before the first request or any target start.
 * Each failure is a UsageError (exit 2) with a one-line reason; the table of them is specs/cli-inputs.test.ts.
 */
import { mkdir, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import type { Consistency, ServiceName } from '../models/types.js';
import { UsageError } from '../harness/errors.js';
import { PATH_FORM, pathMiss } from '../harness/replay-path.js';
import { SERVICE_NAMES, serviceNamed } from '../services/index.js';

/** The list without repeats, in the order first given (`--services a,a` runs a once). */
export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/**
 * AWS's region names: a partition-and-area prefix (`us`, `eu`, `ap`, `cn`, `us-gov`, `us-iso`, `us-isob`, `eusc-de`,
 * …), a direction and a number — `us-east-1`, `eu-central-1`, `ap-southeast-3`, `us-gov-west-1`, `cn-north-1`.
 */
const REGION_FORM = /^[a-z]{2,4}(?:-(?:gov|iso[a-z]?|[a-z]{2}))?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

export function checkRegion(region: string, where = '--region'): string {
  if (!REGION_FORM.test(region)) throw new UsageError(`${where} must be an AWS region name such as us-east-1, eu-central-1 or us-gov-west-1, not "${region}"`);
  return region;
}

/** Where a run's region comes from when no --region is given: emulators and URLs, always this one. */
export const DEFAULT_REGION = 'us-east-1';

/**
 * The region a command runs in: --region when given. Otherwise an emulator or URL target takes DEFAULT_REGION
 * (its ARNs, and so its expectations, stay the same whatever the shell exports), and `--target aws` takes what the
 * SDK would — AWS_REGION, then the profile's `region` in the shared config files (--profile, else AWS_PROFILE, else
 * `default`) — through smithy's own config loader. Not the instance metadata service, the SDK's last resort: a
 * run that reaches AWS must not pick a region by where it happens to run. None of these → a usage error, before
 * any request.
 */
export async function regionFor(flag: string | undefined, aws: { profile?: string } | undefined): Promise<string> {
  if (flag !== undefined) return checkRegion(flag);
  if (!aws) return DEFAULT_REGION;
  const none = () => {
    throw new UsageError(`--target aws needs a region: --region R, AWS_REGION, or a region in the ${aws.profile ? `profile ${aws.profile}` : 'shared config profile'}; nothing was called`);
  };
  let region: string;
  try {
    region = await loadConfig({ ...NODE_REGION_CONFIG_OPTIONS, environmentVariableSelector: (env) => env.AWS_REGION || undefined, default: none }, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...(aws.profile ? { profile: aws.profile } : {}) })();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--target aws: the shared config files could not be read for a region (${(error as Error).message.split('\n')[0]})`);
  }
  return checkRegion(region, process.env.AWS_REGION ? 'AWS_REGION' : `the region of profile ${aws.profile ?? (process.env.AWS_PROFILE || 'default')}`);
}

/** `--set-aside`: rule ids of the services run, each once. */
export function checkSetAside(value: string | undefined, services: readonly ServiceName[]): string[] {
  const ids = unique((value ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const known = new Set(services.flatMap((s) => Object.keys(serviceNamed(s)!.adapter.model.rules)));
  for (const id of ids) {
    if (known.has(id)) continue;
    const owner = SERVICE_NAMES.find((name) => Object.hasOwn(serviceNamed(name)!.adapter.model.rules, id));
    if (owner) throw new UsageError(`--set-aside rule "${id}" is one of ${owner}'s, and --services does not run ${owner}`);
    const near = nearest(id, [...known]);
    throw new UsageError(`unknown rule "${id}" in --set-aside${near.length ? `; did you mean ${near.join(', ')}?` : `; the rule ids are in each report's rules table`}`);
  }
  return ids;
}

/** Up to three known ids sharing the longest dotted prefix with `id` (at least its first word). */
function nearest(id: string, known: string[]): string[] {
  const words = id.split('.');
  for (let n = words.length - 1; n >= 1; n--) {
    const prefix = `${words.slice(0, n).join('.')}.`;
    const near = known.filter((k) => k.startsWith(prefix));
    if (near.length) return near.slice(0, 3);
  }
  return [];
}

/**
 * `--path`: fast-check's form, only with `--seed` (a path means nothing under another seed), and selecting a case
 * of each service's generated runs (see harness/replay-path.ts) — never a pass with no sequence run.
 */
export function checkPath(path: string | undefined, seed: string | undefined, o: { runs: number; seed: number; services: readonly ServiceName[]; consistency: Consistency }): string | undefined {
  if (path === undefined) return undefined;
  if (!PATH_FORM.test(path)) throw new UsageError(`--path must be a fast-check path as a replay command prints it (colon-separated numbers, e.g. 12:3:0), not "${path}"`);
  if (seed === undefined) throw new UsageError('--path needs --seed: a path selects a case of the run with that seed (copy both from the replay command)');
  const first = Number(path.split(':')[0]);
  if (first >= o.runs) throw new UsageError(`--path ${path} starts at case ${first}, past the ${o.runs} cases of --runs ${o.runs} (give the --runs of the run that printed it)`);
  for (const service of o.services) {
    const miss = pathMiss(serviceNamed(service)!.adapter.commands(o.consistency), o.seed, path, o.runs);
    if (miss) throw new UsageError(`--path ${path} selects no case of ${service} with --seed ${o.seed}: ${miss}`);
  }
  return path;
}

/** How long the file system may take to answer the writability probe (a hung mount must not hang the CLI). */
const PROBE_TIMEOUT_MS = 1000;

/** A folder the run will write to, the flag that named it, and the file in it the flag named (if it named a file). */
export interface WritableFolder {
  dir: string;
  flag: string;
  file?: string;
}

/** How a message names what the user gave: `--out DIR`, `--failures FILE`. */
const given = (f: WritableFolder) => `${f.flag} ${f.file ?? f.dir}`;

/**
 * Each folder exists or can be created, and a file can be written and removed in it; otherwise a usage error naming
 * the flag. Folders created for a probe that then fails (this one's or a later one's) are removed again.
 */
export async function checkWritable(folders: readonly WritableFolder[]): Promise<void> {
  const created: string[] = [];
  try {
    for (const f of folders) await withTimeout(probe(f, created), f);
  } catch (error) {
    for (const dir of created.reverse()) await rmdir(dir).catch(() => undefined);
    throw error;
  }
}

async function withTimeout(work: Promise<void>, f: WritableFolder): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`${given(f)}: the file system did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(f: WritableFolder, created: string[]): Promise<void> {
  await makeFolders(f, created);
  const file = join(f.dir, `.policy-conformance-probe-${process.pid}`);
  try {
    await writeFile(file, '');
  } catch (error) {
    throw new UsageError(f.file ? `${given(f)}: ${f.dir} is not writable (${codeOf(error)})` : `${given(f)} is not writable (${codeOf(error)})`);
  }
  await unlink(file).catch(() => rm(file, { force: true }));
}

/**
 * mkdir -p, one folder at a time: Node 20's recursive mkdir never returns for a path under /proc (it retries the
 * ENOENT it gets there forever), so the missing folders are found from the top and made one by one.
 */
async function makeFolders(f: WritableFolder, created: string[]): Promise<void> {
  const missing: string[] = [];
  for (let dir = f.dir; ; dir = dirname(dir)) {
    let isDir: boolean;
    try {
      isDir = (await stat(dir)).isDirectory();
    } catch (error) {
      const code = codeOf(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`${given(f)}: cannot use ${dir} (${code})`);
      missing.push(dir);
      if (dirname(dir) === dir) break;
      continue;
    }
    if (!isDir) throw new UsageError(dir === f.dir && !f.file ? `${given(f)} is a file, not a folder` : `${given(f)}: ${dir} is a file, not a folder`);
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (error) {
      throw new UsageError(`${given(f)}: cannot create ${dir === f.dir && !f.file ? 'the folder' : dir} (${codeOf(error)})`);
    }
    created.push(dir);
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? String(error);
}

/** `--target aws`'s opt-in and credentials: who it may touch (never empty) and the profile to act as. */
export interface AwsSettings {
  allowAccounts: string[];
  profile?: string;
}

/** A profile name as the shared config files take it (`[profile NAME]`): no spaces, brackets or newlines. */
const PROFILE_FORM = /^[A-Za-z0-9_.@+=,:\/-]{1,128}$/;

/**
 * The opt-in of `--target aws`, read and checked before any request: the accounts of --allow-account (repeatable)
 * or, without one, of the environment variable (comma-separated); each a 12-digit account id. With a target that is
 * not `aws`, the flags are a mistake (the variable is just environment and is ignored). Returns undefined then.
 */
export function checkAwsSettings(isAws: boolean, flags: { allowAccount?: readonly string[] | undefined; profile?: string | undefined }, envName: string, env: NodeJS.ProcessEnv = process.env): AwsSettings | undefined {
  if (!isAws) {
    if (flags.allowAccount?.length) throw new UsageError('--allow-account works only with --target aws');
    if (flags.profile !== undefined) throw new UsageError('--profile works only with --target aws');
    return undefined;
  }
  for (const a of flags.allowAccount ?? []) if (!/^\d{12}$/.test(a)) throw new UsageError(`--allow-account "${a}": an AWS account id is 12 digits`);
  const fromEnv = (env[envName] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!flags.allowAccount?.length) for (const a of fromEnv) if (!/^\d{12}$/.test(a)) throw new UsageError(`${envName} "${a}": an AWS account id is 12 digits (the variable is a comma-separated list of them)`);
  const allowAccounts = unique(flags.allowAccount?.length ? [...flags.allowAccount] : fromEnv);
  if (allowAccounts.length === 0) throw new UsageError(`--target aws needs --allow-account ID (or ${envName}=ID,...): the accounts the run may touch; nothing was called`);
  if (flags.profile !== undefined && !PROFILE_FORM.test(flags.profile)) throw new UsageError(`--profile must be a profile name of the shared AWS config, not "${flags.profile}"`);
  return { allowAccounts, ...(flags.profile !== undefined ? { profile: flags.profile } : {}) };
}
