/**
 * The nightly job, as CI runs it: the conformance matrix across the embedded reference, the managed emulators
 * (moto, ministack, kinesis-local) and the locally built moto image as a `container:` target, checked against the
 * committed expectations (expectations/<target>.json) with the seed and budget they were written with.
 *
 * Exit 0 means every departure any target showed is one its expectations file lists; a new one fails this spec
 * with its key. The whole thing takes several minutes (see the timings in docs/benchmarks.md); the matrix stays in
 * reports/out/nightly-matrix/.
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
import { motoImage, useContainerEngine } from '../support/containers.js';
import { kinesisLocalProbes } from './probes/kinesis-local.probes.js';
import { ministackProbes } from './probes/ministack.probes.js';
import { motoProbes } from './probes/moto.probes.js';
import { compareWithProbes, keysOfRun, unsupportedOfRun } from './probes/oracle.js';
import { keyOf } from './probes/probe.js';

/** What expectations/*.json were written with (docs/nightly.md: "Expectations"); the nightly workflow uses the same. */
const SEED = '20261123';
const RUNS = '200';

const out = join(REPO, 'reports', 'out', 'nightly-matrix');
let image: string;
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
  await useContainerEngine();
  image = await motoImage();
  // Kept after the run (git-ignored), for a look at matrix.html or to refresh docs/matrix.md
  // (`cp reports/out/nightly-matrix/matrix.md docs/matrix.md`, see docs/nightly.md).
  await rm(out, { recursive: true, force: true });
  const targets = ['reference', 'moto', 'ministack', 'kinesis-local', `container:${image}`];
  cli = await runCli(
    ['matrix', '--targets', targets.join(','), '--seed', SEED, '--runs', RUNS, '--expect-dir', 'expectations', '--failures', 'off', '--out', out],
    25 * 60_000,
  );
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
  });

  it('ran every target to a verdict (none broke down), with pinned versions', () => {
    expect(columns.map((c) => c.target)).toEqual(['reference', 'moto', 'ministack', 'kinesis-local', `container:${image}`]);
    for (const c of columns) {
      expect(c.error, c.target).toBeUndefined();
      expect(c.verdict, c.target).not.toBe('infra');
      for (const s of c.result!.services) expect(s.verdict, `${c.target} ${s.service}: ${s.reason ?? ''}`).not.toBe('infra');
    }
    expect(column('reference').verdict).toBe('pass');
    expect(column('moto').result!.targetVersion).toBe(pinnedMotoVersion());
    expect(column('ministack').result!.targetVersion).toBe(pinnedMinistackVersion());
    expect(column('kinesis-local').result!.targetVersion).toBe(pinnedKinesisLocalVersion());
    expect(column(`container:${image}`).result!.targetVersion).toBe(pinnedMotoVersion());
  });

  it('finds every departure of a target, not only the first', () => {
    for (const target of ['moto', 'ministack', 'kinesis-local', `container:${image}`]) {
      const found = distinctDepartures(column(target));
      expect(found.length, `${target}: ${found.join('; ')}`).toBeGreaterThan(5);
    }
    // moto is moto, in a process or in a container: the same departures.
    expect(new Set(distinctDepartures(column(`container:${image}`)))).toEqual(new Set(distinctDepartures(column('moto'))));
  });

  it("lists exactly each emulator's probed departures: every entry probed, none contradicted, none probed missing", () => {
    for (const [target, set] of [
      ['moto', motoProbes],
      ['ministack', ministackProbes],
      ['kinesis-local', kinesisLocalProbes],
      [`container:${image}`, motoProbes],
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
