/**
 * `policy-conformance merge DIR...`: the outputs of `matrix --shard i/N` runs joined into the one matrix an unsharded
 * `matrix` with the same settings would have written — per-target reports, matrix.html/.md/.json, one expectations
 * check — and its exit code. The joining is pure (models/shard.ts); this file reads the manifests and writes.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpectationReport } from '../models/results.js';
import { mergeShards, type NamedManifest, SHARD_FORMAT, type ShardManifest, shardsMisfit } from '../models/shard.js';
import { UsageError } from '../harness/errors.js';
import { loadExpectations } from '../harness/store/expectations.js';
import type { ColumnInput } from '../reports/matrix.js';
import { EXIT, exitFor, stderr } from './exit.js';
import { writeMatrix } from './matrix.js';
import { checkMergeFolders, mergeOptions } from './options.js';
import { applyExpectations, writeReports } from './run-target.js';

export async function merge(argv: string[]): Promise<number> {
  const o = await mergeOptions(argv);
  const log = o.quiet ? undefined : stderr;
  // Everything is read and checked before anything is written: shards that do not fit are a usage error.
  const shards: NamedManifest[] = [];
  for (const dir of o.dirs) shards.push({ dir, manifest: await readManifest(dir) });
  const misfit = shardsMisfit(shards);
  if (misfit) throw new UsageError(misfit);
  const merged = mergeShards(shards);
  const expectFile = (slug: string) => (o.expectDir ? join(o.expectDir, `${slug}.json`) : undefined);
  if (!o.updateExpectations) for (const c of merged) if (expectFile(c.slug)) await loadExpectations(expectFile(c.slug)!);
  await checkMergeFolders(o);

  const first = shards[0]!.manifest;
  log?.(`== merging ${shards.length} shards of ${first.targets.length} targets × ${first.settings.services.length} services, seed ${first.settings.seed}`);
  const columns: ColumnInput[] = [];
  const reports: Array<ExpectationReport | undefined> = [];
  const exits: number[] = [];
  for (const c of merged) {
    if (!c.result) {
      columns.push({ slug: c.slug, target: c.target, error: c.error!, durationMs: c.durationMs });
      reports.push(undefined);
      exits.push(shards.flatMap((s) => s.manifest.columns.filter((x) => x.target === c.target).map((x) => x.exit)).find((e) => e !== EXIT.infra) ?? EXIT.infra);
      continue;
    }
    const file = expectFile(c.slug);
    if (file) c.result.expectations = await applyExpectations(c.result, c.target, file, o.updateExpectations, log);
    await writeReports(join(o.out, c.slug), c.result);
    columns.push({ slug: c.slug, target: c.target, result: c.result, durationMs: c.durationMs });
    reports.push(c.result.expectations);
    exits.push(exitFor(c.result));
  }
  const signal = shards.map((s) => s.manifest.interruptedBy).find(Boolean);
  return writeMatrix({ out: o.out, columns, reports, exits, services: first.settings.services, seed: first.settings.seed, ...(signal ? { signal } : {}) });
}

/** `<dir>/shard.json`, checked enough to merge: every problem is a one-line usage error. */
async function readManifest(dir: string): Promise<ShardManifest> {
  const info = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(e.code === 'ENOENT' ? `shard folder ${dir} does not exist` : `cannot read shard folder ${dir}: ${e.code ?? String(e)}`);
  });
  if (!info.isDirectory()) throw new UsageError(`shard folder ${dir} is a file, not a folder (give the --out folder of a matrix --shard run)`);
  const file = join(dir, 'shard.json');
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(e.code === 'ENOENT' ? `${dir} has no shard.json: it is not the --out folder of a matrix --shard run` : `cannot read ${file}: ${e.code ?? String(e)}`);
  });
  let m: Partial<ShardManifest>;
  try {
    m = JSON.parse(text) as Partial<ShardManifest>;
  } catch (error) {
    throw new UsageError(`${file} is not JSON (${(error as Error).message})`);
  }
  const ok =
    m?.format === SHARD_FORMAT &&
    m.version === 1 &&
    Number.isInteger(m.shard?.index) &&
    Number.isInteger(m.shard?.count) &&
    typeof m.settings?.seed === 'number' &&
    Array.isArray(m.settings.services) &&
    Array.isArray(m.targets) &&
    Array.isArray(m.cells) &&
    Array.isArray(m.columns);
  if (!ok) throw new UsageError(`${file} is not a policy-conformance shard manifest (version 1)`);
  return m as ShardManifest;
}
