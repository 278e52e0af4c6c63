import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisAdapter } from '../services/kinesis/adapter.js';
import { xrayAdapter } from '../services/xray/adapter.js';
import { compareWithExpectations } from '../harness/store/expectations.js';
import { buildMatrix, type ColumnInput, type Matrix, type MatrixService, targetSlug } from '../reports/matrix.js';
import { startReference } from '../harness/reference/server.js';
import type { RunResult, ServiceResult } from '../models/results.js';
import { runService } from '../harness/runner.js';
import type { ServiceAdapter } from '../harness/service.js';
import { renderMatrixHtml } from '../reports/matrix-html.js';
import { renderMatrixMarkdown } from '../reports/matrix-md.js';
import { htmlNotFound, type Proxy, startProxy, unknownOperation } from './support/proxy.js';
import { endpointAt, options } from './support/reference.js';
import { serviceNamed } from '../services/index.js';

/** The matrix's rows for these services, as the matrix command passes them. */
const rowsFor = (...names: string[]): MatrixService[] => names.map((name) => ({ name, rules: serviceNamed(name)!.adapter.model.rules }));

const RUNS = 60;
const MUTANT = 'kin-delete-no-policy-succeeds';

/** Kinesis and X-Ray against one endpoint, as the CLI would run them (the same seed for every target). */
async function runBoth(url: string, target: string): Promise<RunResult> {
  const services: ServiceResult[] = [];
  for (const adapter of [kinesisAdapter, xrayAdapter] as ServiceAdapter[]) {
    services.push(await runService(adapter, endpointAt(url), options({ runs: RUNS, maxDivergences: 5, reproduce: 2, replayBase: `--target ${target}` })));
  }
  return { target, seed: 1, consistency: 'strict', startedAt: new Date().toISOString(), services };
}

const cell = (m: Matrix, service: string, id: string, column: number) => {
  const row = m.rows.find((r) => r.service === service && r.id === id);
  if (!row) throw new Error(`no row ${service} ${id}`);
  return row.cells[column]!;
};

describe('the conformance matrix, built from real runs', () => {
  let clean: RunResult;
  let mutant: RunResult;
  let partial: RunResult;
  let matrix: Matrix;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const ref = await startReference();
    const bad = await startReference({ mutant: MUTANT });
    const behind = await startReference();
    // An emulator without Kinesis's DeleteResourcePolicy and without X-Ray at all.
    const proxy: Proxy = await startProxy(behind.url, ({ service, operation }) =>
      service === 'xray' ? htmlNotFound() : operation === 'DeleteResourcePolicy' ? unknownOperation() : 'forward',
    );
    stops.push(ref.stop, bad.stop, behind.stop, proxy.stop);
    clean = await runBoth(ref.url, 'reference');
    mutant = await runBoth(bad.url, 'mutant');
    partial = await runBoth(proxy.url, 'partial');
    const columns: ColumnInput[] = [
      { slug: 'reference', target: 'reference', result: clean },
      { slug: 'mutant', target: 'mutant', result: mutant },
      { slug: 'partial', target: 'partial', result: partial },
      { slug: 'broken', target: 'broken', error: 'cannot start broken: no such emulator' },
    ];
    matrix = buildMatrix(columns, [], rowsFor('kinesis', 'xray'));
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it('has one row per rule of each model plus one per unsupported operation, one cell per target', () => {
    const kinRules = Object.keys(kinesisAdapter.model.rules);
    const xrayRules = Object.keys(xrayAdapter.model.rules);
    const ruleRows = matrix.rows.filter((r) => r.kind === 'rule');
    expect(ruleRows.filter((r) => r.service === 'kinesis').map((r) => r.id)).toEqual(kinRules);
    expect(ruleRows.filter((r) => r.service === 'xray').map((r) => r.id)).toEqual(xrayRules);
    expect(matrix.rows.filter((r) => r.kind === 'operation').map((r) => `${r.service} ${r.id}`)).toEqual(['kinesis DeleteResourcePolicy']);
    for (const row of matrix.rows) expect(row.cells).toHaveLength(4);
    expect(matrix.columns.map((c) => c.verdict)).toEqual(['pass', 'fail', 'unsupported', 'infra']);
  });

  it('the clean reference conforms on every rule it reached and diverges nowhere', () => {
    for (const row of matrix.rows.filter((r) => r.kind === 'rule')) {
      const c = row.cells[0]!;
      const reached = clean.services.find((s) => s.service === row.service)!.rulesReached.includes(row.id);
      expect(c.state).toBe(reached ? 'conforms' : 'not-reached');
    }
    expect(cell(matrix, 'kinesis', 'kin.delete.no-policy', 0).state).toBe('conforms');
  });

  it('the mutant diverges on exactly the rules of its divergences, each cell carrying its sequence', () => {
    const kin = mutant.services.find((s) => s.service === 'kinesis')!;
    expect(kin.divergences.map((d) => d.rule)).toContain('kin.delete.no-policy');
    const c = cell(matrix, 'kinesis', 'kin.delete.no-policy', 1);
    expect(c.state).toBe('diverges');
    expect(c.divergences[0]!.steps.at(-1)).toMatchObject({ operation: 'DeleteResourcePolicy', outcome: { kind: 'ok' } });
    expect(c.divergences[0]!.reproducibility).toMatchObject({ label: 'reproducible', replays: 2, sameRule: 2 });
    const diverging = matrix.rows.filter((r) => r.cells[1]!.state === 'diverges').map((r) => r.id).sort();
    expect(diverging).toEqual([...new Set(kin.divergences.map((d) => d.rule))].sort());
    expect(cell(matrix, 'xray', 'xray.put.create', 1).state).toBe('conforms');
  });

  it('an operation the target lacks is an unsupported row; a missing service makes its rules unsupported', () => {
    const kin = partial.services.find((s) => s.service === 'kinesis')!;
    expect(kin.unsupportedOperations).toEqual(['DeleteResourcePolicy']);
    expect(cell(matrix, 'kinesis', 'DeleteResourcePolicy', 2).state).toBe('unsupported');
    expect(cell(matrix, 'kinesis', 'DeleteResourcePolicy', 0)).toMatchObject({ state: 'conforms', note: 'implemented' });
    expect(cell(matrix, 'kinesis', 'kin.put.create', 2).state).toBe('conforms');
    expect(cell(matrix, 'kinesis', 'kin.delete.removes', 2).state).toBe('not-reached');
    for (const row of matrix.rows.filter((r) => r.service === 'xray')) expect(row.cells[2]!.state).toBe('unsupported');
  });

  it('a target that could not be started is infra in every cell, never conforms or diverges', () => {
    for (const row of matrix.rows) expect(row.cells[3]).toMatchObject({ state: 'infra', note: 'cannot start broken: no such emulator' });
  });

  it('with expectations, a diverging cell says whether the departure is new or expected', () => {
    const expectations = { target: 'mutant', departures: [{ service: 'kinesis' as const, rule: 'kin.delete.no-policy' }], unsupported: [] };
    const report = compareWithExpectations('mutant.json', expectations, mutant);
    const m = buildMatrix([{ slug: 'mutant', target: 'mutant', result: mutant }], [report], rowsFor('kinesis', 'xray'));
    expect(cell(m, 'kinesis', 'kin.delete.no-policy', 0).expectation).toBe('expected');
    const others = mutant.services.flatMap((s) => s.divergences).filter((d) => d.rule !== 'kin.delete.no-policy');
    for (const d of others) expect(cell(m, 'kinesis', d.rule, 0).expectation).toBe('new');
    expect(report.new.map((r) => r.rule).sort()).toEqual(others.map((d) => d.rule).sort());
  });

  it('matrix.md and matrix.html show the same cell states', () => {
    const md = renderMatrixMarkdown(matrix);
    expect(md).toMatch(/^\| `kin\.delete\.no-policy` \| aws-verified \| ✓ conforms \| ✗ diverges[^|]*\| · not reached \| ⚠ infra \|$/m);
    expect(md).toMatch(/^\| operation `DeleteResourcePolicy` \| — \| ✓ implemented \| ✓ implemented \| ⊘ unsupported \| ⚠ infra \|$/m);
    const html = renderMatrixHtml(matrix);
    const states = [...html.matchAll(/<td class="cell (\S+)" data-state="\1" data-target="([^"]+)"/g)].map((m) => `${m[2]}:${m[1]}`);
    expect(states).toHaveLength(matrix.rows.length * 4);
    const expected = matrix.rows.flatMap((r) => r.cells.map((c, i) => `${matrix.columns[i]!.slug}:${c.state}`));
    expect(states).toEqual(expected);
  });

  it('the HTML is self-contained and escapes everything a result carries', () => {
    const evil: RunResult = JSON.parse(JSON.stringify(mutant).replaceAll('kin.delete.no-policy', 'kin.delete.no-policy<script>alert(1)</script>'));
    const html = renderMatrixHtml(buildMatrix([{ slug: 'x', target: '"><img src=x onerror=alert(2)>', result: evil }], [], rowsFor('kinesis')));
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // Nothing is loaded from anywhere: no src/href to another document, no CSS imports or url().
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('names each target with a stable, file-system-safe slug', () => {
    expect(targetSlug('reference')).toBe('reference');
    expect(targetSlug('kinesis-local')).toBe('kinesis-local');
    expect(targetSlug('http://127.0.0.1:5000')).toBe('http-127.0.0.1-5000');
    expect(targetSlug('container:localhost/policy-conformance/moto:5.2.5')).toBe('container-localhost-policy-conformance-moto-5.2.5');
  });
});

// The matrix command's bad input (exit 2, one line, before any target runs) is in the table in cli-inputs.test.ts.
