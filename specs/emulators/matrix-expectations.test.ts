/**
 * The nightly job, as CI runs it: the conformance matrix across the embedded reference and the managed emulators
 * (moto, ministack, kinesis-local), split into shards that run at once (`matrix --shard i/N`, each starting its own
 * emulators), joined by `merge` and checked there against the committed expectations (expectations/<target>.json)
 * with the seed and budget they were written with — the path the nightly workflow's shard and merge jobs take.
 *
 * Exit 0 means every departure any target showed is one its expectations file lists; a new one fails this spec
 * with its key. The merged matrix stays in reports/out/nightly-matrix/ (the shards' folders beside it).
 *
 * The `container:` column of the nightly workflow (moto in the locally built image) is left out here: it is moto
 * again, a quarter of the matrix's time, and the container target has its own spec (container-target.test.ts:
 * the image, the container, the DynamoDB suite there against moto's probes).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pinnedKinesisLocalVersion } from '../../harness/targets/kinesis-local.js';
import { pinnedMinistackVersion } from '../../harness/targets/ministack.js';
import { pinnedMotoVersion } from '../../harness/targets/moto.js';
import { loadExpectations } from '../../harness/store/expectations.js';
import type { ExpectationReport, RunResult, Verdict } from '../../models/results.js';
import { type CliResult, REPO, runCli } from '../support/cli.js';
import { kinesisLocalProbes } from './probes/kinesis-local.probes.js';
import { ministackProbes } from './probes/ministack.probes.js';
import { motoProbes } from './probes/moto.probes.js';
import { compareWithProbes, keysOfRun, unsupportedOfRun } from './probes/oracle.js';
import { keyOf } from './probes/probe.js';

/** What expectations/*.json were written with (docs/nightly.md: "Expectations"); the nightly workflow uses the same. */
const SEED = '20261123';
const RUNS = '200';

/** As many shards as the two-core CI machine runs well at once; the workflow runs three on three machines. */
const SHARDS = 2;
const TARGETS = ['reference', 'moto', 'ministack', 'kinesis-local'];

const out = join(REPO, 'reports', 'out', 'nightly-matrix');
const shardOut = (i: number) => join(REPO, 'reports', 'out', `nightly-matrix-shard-${i}`);
let shards: CliResult[];
let cli: CliResult;
/** matrix.json, with each target's results.json read in. */
interface Column {
  target: string;
  slug: string;
  verdict: Verdict;
  exit: number;
  error?: string;
  expectations?: ExpectationReport;
  result?: RunResult;
}
let columns: Column[];

beforeAll(async () => {
  // Kept after the run (git-ignored), for a look at matrix.html or to refresh docs/matrix.md
  // (`cp reports/out/nightly-matrix/matrix.md docs/matrix.md`, see docs/nightly.md).
  const shardIds = Array.from({ length: SHARDS }, (_, k) => k + 1);
  for (const dir of [out, ...shardIds.map(shardOut)]) await rm(dir, { recursive: true, force: true });
  shards = await Promise.all(
    shardIds.map((i) =>
      runCli(['matrix', '--shard', `${i}/${SHARDS}`, '--targets', TARGETS.join(','), '--seed', SEED, '--runs', RUNS, '--expect-dir', 'expectations', '--failures', 'off', '--out', shardOut(i), '--quiet'], 25 * 60_000),
    ),
  );
  cli = await runCli(['merge', ...shardIds.map(shardOut), '--out', out, '--expect-dir', 'expectations'], 5 * 60_000);
  const summary = JSON.parse(await readFile(join(out, 'matrix.json'), 'utf8')) as { targets: Column[] };
  columns = [];
  for (const c of summary.targets) {
    const result = c.error ? undefined : (JSON.parse(await readFile(join(out, c.slug, 'results.json'), 'utf8')) as RunResult);
    columns.push({ ...c, ...(result ? { result } : {}) });
  }
}, 30 * 60_000);

function column(target: string): Column {
  const c = columns.find((x) => x.target === target);
  expect(c, `column ${target}`).toBeDefined();
  return c!;
}

/** Distinct departures (service, kind, rule, and switch value when one explains it) a column found. */
function distinctDepartures(c: Column): string[] {
  return [...new Set(c.result ? keysOfRun(c.result).map(keyOf) : [])];
}

describe('nightly matrix against the committed expectations', () => {
  it('exits 0: every departure of every target is one its expectations file lists', () => {
    const news = columns.flatMap((c) => (c.expectations?.new ?? []).map((n) => `${c.target}: ${n.key}`));
    expect(news, 'new departures').toEqual([]);
    expect(cli.code, cli.stderr.slice(-3000)).toBe(0);
    // A shard's own exit is its cells' verdict (1: departures, expected or not, are the merge's to judge); each wrote its manifest.
    for (const [i, shard] of shards.entries()) expect([0, 1], `shard ${i + 1}: ${shard.stderr.slice(-2000)}`).toContain(shard.code);
  });

  it('ran every target to a verdict (none broke down), with pinned versions', () => {
    expect(columns.map((c) => c.target)).toEqual(TARGETS);
    for (const c of columns) {
      expect(c.error, c.target).toBeUndefined();
      expect(c.verdict, c.target).not.toBe('infra');
      for (const s of c.result!.services) expect(s.verdict, `${c.target} ${s.service}: ${s.reason ?? ''}`).not.toBe('infra');
    }
    expect(column('reference').verdict).toBe('pass');
    // kinesis-local leaves deregistered consumers DELETING for good: behaviour the model judges, never a fault.
    expect(column('kinesis-local').result!.services.find((s) => s.service === 'kinesis')!.faults).toBe(0);
    expect(column('moto').result!.targetVersion).toBe(pinnedMotoVersion());
    expect(column('ministack').result!.targetVersion).toBe(pinnedMinistackVersion());
    expect(column('kinesis-local').result!.targetVersion).toBe(pinnedKinesisLocalVersion());
  });

  it('finds every departure of a target, not only the first', () => {
    for (const target of ['moto', 'ministack', 'kinesis-local']) {
      const found = distinctDepartures(column(target));
      expect(found.length, `${target}: ${found.join('; ')}`).toBeGreaterThan(5);
    }
  });

  it("lists exactly each emulator's probed departures: every entry probed, none contradicted, none probed missing", () => {
    for (const [target, set] of [
      ['moto', motoProbes],
      ['ministack', ministackProbes],
      ['kinesis-local', kinesisLocalProbes],
    ] as const) {
      const r = column(target).result!;
      const c = compareWithProbes(set, keysOfRun(r), unsupportedOfRun(r));
      expect(c, target).toEqual({ unprobed: [], contradicted: [], missing: [], unsupported: { unprobed: [], missing: [] } });
    }
  });

  it('reports each expectations file: nothing new, and what is still present', async () => {
    for (const c of columns) {
      const file = await loadExpectations(join(REPO, 'expectations', `${c.slug}.json`));
      expect(c.expectations, c.target).toBeDefined();
      expect(c.expectations!.new, c.target).toEqual([]);
      const expected = file.departures.length + file.unsupported.length;
      expect(c.expectations!.stillPresent.length + c.expectations!.fixed.length + c.expectations!.notSeen.length, c.target).toBeGreaterThanOrEqual(expected);
      if (c.target !== 'reference') expect(c.expectations!.stillPresent.length, c.target).toBeGreaterThan(0);
    }
  });

  it('writes matrix.html, matrix.md and per-target reports', async () => {
    const html = await readFile(join(out, 'matrix.html'), 'utf8');
    const md = await readFile(join(out, 'matrix.md'), 'utf8');
    for (const c of columns) {
      expect(html).toContain(c.target);
      expect(md).toContain(`\`${c.target}\``);
      expect(c.result!.target, c.target).toBeDefined();
      await expect(readFile(join(out, c.slug, 'junit.xml'), 'utf8')).resolves.toContain('<testsuites');
    }
  });
});
