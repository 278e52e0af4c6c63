/**
 * A sharded matrix (`matrix --shard i/N`, then `merge`) is the unsharded one: the same cells, verdicts, exit codes and
 * expectations, whatever N. Run with the real CLI against the embedded reference and a reference server with a
 * seeded bug behind a URL (so one column diverges and has witnesses); the shards of one N run at once. The merge
 * refuses shard folders that do not make one matrix. The assignment of cells to shards is checked as a property.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import { assignShards, type Cell, cellsOfShard, matrixCells, type NamedManifest, parseShard, type ShardManifest, shardsMisfit } from '../models/shard.js';
import type { ServiceName } from '../models/types.js';
import { targetSlug } from '../reports/matrix.js';
import { type CliResult, runCli } from './support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-shard-'));
const SEED = '11';
const SERVICES = 'kinesis,xray';
const MUTANT = 'kin-delete-no-policy-succeeds';
let url = '';
let stop: () => Promise<void> = async () => {};
// The URL target's journals and leases stay in the scratch folder.
const env = { POLICY_CONFORMANCE_JOURNAL_DIR: join(scratch, 'journals') };

const cli = (args: string[]) => runCli(args, 120_000, env);
const base = () => ['--targets', `reference,${url}`, '--services', SERVICES, '--runs', '8', '--seed', SEED, '--reproduce', '1', '--quiet', '--failures', 'off'];
const dir = (name: string) => join(scratch, name);
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** matrix.json without its timestamp. */
const matrixJson = (out: string) => {
  const { generatedAt: _at, ...rest } = json(join(out, 'matrix.json'));
  return rest;
};
/** matrix.md without the timestamp and the time column (durations differ, nothing else may). */
const matrixMd = (out: string) =>
  readFileSync(join(out, 'matrix.md'), 'utf8')
    .replaceAll(out, '<out>')
    .replace(/^Generated \S+/m, 'Generated')
    .replace(/\| \d+\.\d s \|/g, '| s |');
/** Each target's services as results.json has them: verdict, rules reached, the rules of its divergences. */
const verdicts = (out: string) =>
  (matrixJson(out).targets as Array<{ slug: string; error?: string }>).map((t) =>
    t.error
      ? { slug: t.slug, error: t.error }
      : {
          slug: t.slug,
          services: (json(join(out, t.slug, 'results.json')).services as Array<{ service: string; verdict: string; rulesReached: string[]; divergences: Array<{ rule: string }> }>).map((s) => ({
            service: s.service,
            verdict: s.verdict,
            rulesReached: s.rulesReached,
            divergences: s.divergences.map((d) => d.rule),
          })),
        },
  );

const shardRuns = (n: number, extra: string[] = []) =>
  Promise.all(Array.from({ length: n }, (_, i) => cli(['matrix', ...base(), ...extra, '--shard', `${i + 1}/${n}`, '--out', dir(`n${n}-${i + 1}`)])));
const shardDirs = (n: number) => Array.from({ length: n }, (_, i) => dir(`n${n}-${i + 1}`));

let whole: CliResult;
const shards: Record<number, CliResult[]> = {};
/** Expectations that list nothing: the seeded bug is a new departure, so the matrix exits 1 with a report to compare. */
const EXPECT = dir('expect');

beforeAll(async () => {
  const server = await startReference({ mutant: MUTANT });
  url = server.url;
  stop = server.stop;
  mkdirSync(EXPECT);
  for (const t of ['reference', url]) writeFileSync(join(EXPECT, `${targetSlug(t)}.json`), JSON.stringify({ target: t, departures: [], unsupported: [] }));
  whole = await cli(['matrix', ...base(), '--expect-dir', EXPECT, '--out', dir('whole')]);
  shards[2] = await shardRuns(2, ['--expect-dir', EXPECT]);
  shards[3] = await shardRuns(3);
});
afterAll(async () => {
  await stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('matrix --shard i/N, merged, is the unsharded matrix', () => {
  it('the unsharded matrix finds the seeded bug, a new departure (exit 1): the comparison has something to compare', () => {
    expect(whole.code, whole.stderr).toBe(1);
    expect(JSON.stringify(verdicts(dir('whole')))).toContain('kin.delete.no-policy');
    expect(JSON.stringify(matrixJson(dir('whole')).targets[1].expectations.new)).toContain('kin.delete.no-policy');
  });

  it.each([2, 3])('N=%i: every cell in exactly one shard, each shard its own reports', (n) => {
    for (const r of shards[n]!) expect([0, 1], r.stderr).toContain(r.code);
    const ran = shardDirs(n).flatMap((d) => (json(join(d, 'shard.json')).cells as Array<{ target: string; service: string }>).map((c) => `${c.target} ${c.service}`));
    const all = ['reference', url].flatMap((t) => SERVICES.split(',').map((s) => `${t} ${s}`));
    expect([...ran].sort()).toEqual([...all].sort()); // the union is the matrix, and no cell twice
    for (const d of shardDirs(n)) {
      const m = json(join(d, 'shard.json'));
      expect(m.cells.length).toBeGreaterThan(0);
      expect(json(join(d, 'matrix.json')).shard).toEqual(m.shard);
      for (const c of m.columns) expect(existsSync(join(d, c.slug, 'results.json')), `${d}/${c.slug}`).toBe(true);
    }
  });

  it.each([2, 3])('N=%i: merge gives the same matrix.json, matrix.md, results, expectations check and exit code', async (n) => {
    const out = dir(`merged-${n}`);
    const r = await cli(['merge', ...shardDirs(n), '--expect-dir', EXPECT, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(whole.code);
    expect(matrixJson(out)).toEqual(matrixJson(dir('whole')));
    expect(matrixMd(out)).toBe(matrixMd(dir('whole')));
    expect(verdicts(out)).toEqual(verdicts(dir('whole')));
    // Witnesses are written for the merged reports, where they point.
    const slug = (matrixJson(out).targets as Array<{ slug: string }>)[1]!.slug;
    expect(readdirSync(join(out, slug, 'witnesses')).sort()).toEqual(readdirSync(join(dir('whole'), slug, 'witnesses')).sort());
    const results = json(join(out, slug, 'results.json'));
    expect(results.services.flatMap((s: { divergences: Array<{ replay: string }> }) => s.divergences.map((d) => d.replay))[0]).toContain(join(out, slug, 'witnesses'));
  });

  it('merge --update-expectations writes each target’s file once, from the merged result', async () => {
    const written = dir('expect-written');
    const r = await cli(['merge', ...shardDirs(3), '--out', dir('merged-update'), '--expect-dir', written, '--update-expectations', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(join(written, 'reference.json')).departures).toEqual([]);
    expect(json(join(written, `${targetSlug(url)}.json`)).departures.map((d: { rule: string }) => d.rule)).toContain('kin.delete.no-policy');
  });

  it('a target no shard could start is that column’s infra, and the merge exits 3 as the matrix does', async () => {
    const args = ['--targets', 'reference,http://127.0.0.1:1', '--services', 'xray', '--runs', '3', '--seed', SEED, '--quiet', '--failures', 'off'];
    const parts = await Promise.all([cli(['matrix', ...args, '--shard', '1/2', '--out', dir('down-1')]), cli(['matrix', ...args, '--shard', '2/2', '--out', dir('down-2')])]);
    expect(parts.map((p) => p.code).sort()).toEqual([0, 3]); // one shard has the reference's cell, the other the unreachable one's
    const r = await cli(['merge', dir('down-1'), dir('down-2'), '--out', dir('down-merged'), '--quiet']);
    expect(r.code, r.stderr).toBe(3);
    expect(matrixJson(dir('down-merged')).targets).toEqual([
      { target: 'reference', slug: 'reference', verdict: 'pass', exit: 0 },
      { target: 'http://127.0.0.1:1', slug: 'http-127.0.0.1-1', verdict: 'infra', exit: 3, error: 'target http://127.0.0.1:1 unreachable: ECONNREFUSED' },
    ]);
  });
});

describe('merge refuses shard folders that do not make one matrix: exit 2, one line, nothing written', () => {
  const refused = async (dirs: string[], line: RegExp) => {
    const out = dir(`refused-${Math.random().toString(36).slice(2)}`);
    const r = await cli(['merge', ...dirs, '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^policy-conformance: ${line.source}`));
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  };
  /** A copy of a shard's output with its manifest changed (what another run would have written). */
  const edited = (from: string, name: string, change: (m: Record<string, any>) => void) => {
    cpSync(dir(from), dir(name), { recursive: true });
    const file = join(dir(name), 'shard.json');
    const m = json(file);
    change(m);
    writeFileSync(file, JSON.stringify(m));
    return dir(name);
  };

  it('a missing shard', () => refused([dir('n3-1'), dir('n3-3')], /shard 2\/3 missing: the merge needs all 3 \(given: 1\/3, 3\/3\)$/));
  it('a shard given twice', async () => {
    cpSync(dir('n2-1'), dir('n2-1-copy'), { recursive: true });
    await refused([dir('n2-1'), dir('n2-1-copy'), dir('n2-2')], /\S+n2-1 and \S+n2-1-copy are both shard 1\/2; give each shard once$/);
  });
  it('shards of different shard counts', () => refused([dir('n2-1'), dir('n3-2')], /shards do not fit together: \S+n2-1 is shard 1\/2, \S+n3-2 is shard 2\/3$/));
  it('shards of different seeds', () => {
    const seed = edited('n2-2', 'seed12', (m) => (m.settings.seed = 12));
    return refused([dir('n2-1'), seed], /shards do not fit together: \S+n2-1 ran --seed 11, \S+seed12 --seed 12$/);
  });

  // The other reasons, on the same manifests without a process each.
  const named = (d: string): NamedManifest => ({ dir: d, manifest: json(join(d, 'shard.json')) });
  const changed = (d: string, change: (m: ShardManifest) => void): NamedManifest => {
    const n = named(d);
    change(n.manifest);
    return n;
  };
  it('the same folder twice, other --runs, other targets, overlapping cells (shardsMisfit)', () => {
    const [one, two] = [named(dir('n2-1')), named(dir('n2-2'))];
    expect(shardsMisfit([one, two])).toBeUndefined();
    expect(shardsMisfit([one, two, one])).toMatch(/n2-1 and \S+n2-1 are both shard 1\/2; give each shard once$/);
    expect(shardsMisfit([one, changed(dir('n2-2'), (m) => (m.settings.runs = 20))])).toMatch(/ran --runs 8, \S+n2-2 --runs 20$/);
    expect(shardsMisfit([one, changed(dir('n2-2'), (m) => (m.settings.services = ['kinesis']))])).toMatch(/ran --services kinesis,xray, \S+n2-2 --services kinesis$/);
    expect(shardsMisfit([one, changed(dir('n2-2'), (m) => (m.targets = m.targets.slice(0, 1)))])).toMatch(/ran --targets reference,http:\/\/127\.0\.0\.1:\d+, \S+n2-2 --targets reference$/);
    expect(shardsMisfit([one, changed(dir('n2-2'), (m) => m.cells.push(one.manifest.cells[0]!))])).toMatch(/n2-1 and \S+n2-2 both ran \S+ × \S+: the shards overlap$/);
    expect(shardsMisfit([one, changed(dir('n2-2'), (m) => m.cells.pop())])).toMatch(/n2-2 ran .*, not the cells of shard 2\/2 \(.*\)$/);
    expect(shardsMisfit([])).toMatch(/merge needs/);
  });
});

describe('the assignment of cells to shards', () => {
  const SERVICE_POOL = ['dynamodb', 'kinesis', 'ssm', 'xray'] as ServiceName[];
  const matrixArb = fc
    .record({
      targets: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 6 }),
      services: fc.uniqueArray(fc.constantFrom(...SERVICE_POOL), { minLength: 1, maxLength: 4 }),
    })
    .chain(({ targets, services }) => {
      const cells = matrixCells(targets.map((t) => ({ target: t, slug: t })), services);
      return fc.record({ cells: fc.constant(cells), count: fc.integer({ min: 1, max: cells.length }), shuffled: fc.shuffledSubarray(cells, { minLength: cells.length }) });
    });
  const key = (c: Cell) => `${c.slug} ${c.service}`;

  it('every cell in exactly one shard, the union the whole matrix, shard sizes within one of each other', () => {
    fc.assert(
      fc.property(matrixArb, ({ cells, count }) => {
        const parts = Array.from({ length: count }, (_, i) => cellsOfShard(cells, { index: i + 1, count }).map(key));
        expect(parts.flat().sort()).toEqual(cells.map(key).sort());
        expect(new Set(parts.flat()).size).toBe(cells.length);
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('depends only on the cells: the same every time, whatever order targets and services are given in', () => {
    fc.assert(
      fc.property(matrixArb, ({ cells, count, shuffled }) => {
        const of = (list: Cell[]) => new Map(list.map((c, i) => [key(c), assignShards(list, count)[i]]));
        expect(of(shuffled)).toEqual(of(cells));
        expect(assignShards(cells, count)).toEqual(assignShards([...cells], count));
      }),
    );
    // Pinned, so a change of the assignment is seen (shards of two suite versions would not fit together).
    const cells = matrixCells(['reference', 'moto', 'kinesis-local'].map((t) => ({ target: t, slug: t })), SERVICE_POOL);
    expect(cellsOfShard(cells, { index: 1, count: 3 }).map(key)).toEqual(['reference kinesis', 'moto ssm', 'kinesis-local dynamodb', 'kinesis-local xray']);
  });

  it('--shard takes i/N with 1 <= i <= N only', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('3/3')).toEqual({ index: 3, count: 3 });
    for (const bad of ['0/3', '4/3', 'a/b', '1/0', '1/3/4', '', '1', '/3', '1/', ' 1/3', '1.0/3', '-1/3', '+1/3']) expect(parseShard(bad), bad).toBeUndefined();
  });
});
