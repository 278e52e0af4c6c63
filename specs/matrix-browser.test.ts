import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReference, startReference } from '../harness/reference/server.js';
import { targetSlug } from '../reports/matrix.js';
import { WITNESS_FORMAT, type WitnessFile } from '../harness/witness.js';
import type { RunResult } from '../models/results.js';
import { REPO, runCli } from './support/cli.js';

/** The little of the DOM these callbacks use (they run in the page; the project's tsconfig has no DOM lib). */
interface El {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<El>;
  innerText: string;
  offsetParent: unknown;
}
declare const getComputedStyle: (element: El) => { backgroundColor: string };

/** Debian's chromium, driven by playwright-core: no browser download. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const MUTANT = 'kin-delete-no-policy-succeeds';

function sh(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command}: exit ${code}: ${stderr.slice(-500)}`))));
  });
}

describe('matrix.html in a real headless browser', () => {
  let out: string;
  let buggy: RunningReference;
  let browser: Browser;
  let page: Page;
  let results: Record<string, RunResult>;
  const errors: string[] = [];
  const requests: string[] = [];
  let targets: string[];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) await sh('apt-get update && apt-get install -y chromium');
    buggy = await startReference({ mutant: MUTANT });
    targets = ['reference', buggy.url];
    out = await mkdtemp(join(tmpdir(), 'pc-matrix-'));
    const r = await runCli(['matrix', '--targets', targets.join(','), '--services', 'kinesis,xray', '--runs', '60', '--seed', '3', '--out', out, '--quiet']);
    if (r.code !== 1) throw new Error(`matrix exited ${r.code}: ${r.stderr}`);
    results = {};
    for (const t of targets) results[t] = JSON.parse(await readFile(join(out, targetSlug(t), 'results.json'), 'utf8'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (q) => requests.push(q.url()));
    await page.goto(pathToFileURL(join(out, 'matrix.html')).href);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await buggy?.stop();
  });

  it('loads offline: nothing but the file itself is requested, and no script error', () => {
    expect(requests).toEqual([pathToFileURL(join(out, 'matrix.html')).href]);
    expect(errors).toEqual([]);
  });

  it('renders one visible cell per rule and target, in the state the results say', async () => {
    const rows = await page.$$eval('#matrix tr[data-row]', (elements) =>
      (elements as unknown as El[]).map((tr) => ({
        service: tr.getAttribute('data-service')!,
        rule: tr.getAttribute('data-rule')!,
        cells: [...tr.querySelectorAll('td.cell')].map((td) => ({ state: td.getAttribute('data-state')!, text: td.innerText, bg: getComputedStyle(td).backgroundColor })),
      })),
    );
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(row.cells).toHaveLength(2);
      targets.forEach((t, i) => {
        const s = results[t]!.services.find((x) => x.service === row.service)!;
        const want = s.divergences.some((d) => d.rule === row.rule) ? 'diverges' : s.rulesReached.includes(row.rule) ? 'conforms' : 'not-reached';
        expect(`${row.rule}@${t}:${row.cells[i]!.state}`).toBe(`${row.rule}@${t}:${want}`);
      });
    }
    const diverging = rows.filter((r) => r.cells[1]!.state === 'diverges');
    expect(diverging.map((r) => r.rule)).toContain('kin.delete.no-policy');
    expect(rows.every((r) => r.cells[0]!.state !== 'diverges')).toBe(true);
    // The states are drawn differently: what a reader sees, not just attributes.
    const conforms = rows.find((r) => r.cells[0]!.state === 'conforms')!.cells[0]!;
    expect(conforms).toMatchObject({ text: 'conforms', bg: 'rgb(218, 251, 225)' });
    expect(diverging[0]!.cells[1]).toMatchObject({ bg: 'rgb(255, 235, 233)' });
    expect(diverging[0]!.cells[1]!.text).toMatch(/^diverges/);
    expect(await page.locator('td.cell.diverges').first().isVisible()).toBe(true);
  });

  it('clicking a diverging cell shows its minimal sequence, replay command and AWS CLI reproducer', async () => {
    const d = results[buggy.url]!.services.find((s) => s.service === 'kinesis')!.divergences.find((x) => x.rule === 'kin.delete.no-policy')!;
    const panel = page.locator('#panel');
    expect(await panel.isVisible()).toBe(false);
    await page.locator('tr[data-rule="kin.delete.no-policy"] td.cell.diverges a').click();
    expect(await panel.isVisible()).toBe(true);
    expect(await page.locator('#panel-title').innerText()).toBe(`${buggy.url} · kinesis · kin.delete.no-policy`);
    const steps = await panel.locator('ol.steps li').allInnerTexts();
    expect(steps).toHaveLength(d.steps.length);
    steps.forEach((text, i) => expect(text).toContain(d.steps[i]!.operation));
    expect(steps.at(-1)).toMatch(/DeleteResourcePolicy .* → ok \{\}/);
    expect(await panel.locator('pre.replay').innerText()).toBe(d.replay);
    // The replay command names the witness file written next to the target's results.json; that file is this departure.
    const kinesis = results[buggy.url]!.services.find((s) => s.service === 'kinesis')!;
    const n = kinesis.divergences.indexOf(d) + 1;
    const witness = join(out, targetSlug(buggy.url), 'witnesses', `kinesis-${n}-kin.delete.no-policy.json`);
    expect(d.replay).toBe(`npx policy-conformance replay ${witness}`);
    expect(d.witnessFile).toBe(join('witnesses', `kinesis-${n}-kin.delete.no-policy.json`));
    expect(existsSync(witness), witness).toBe(true);
    const w = JSON.parse(await readFile(witness, 'utf8')) as WitnessFile;
    expect(w).toMatchObject({ format: WITNESS_FORMAT, version: 1, target: buggy.url, service: 'kinesis', rule: d.rule, kind: d.kind ?? 'wrong-answer' });
    expect(w.steps.map((step) => step.operation)).toEqual(d.steps.map((step) => step.operation));
    const reproducer = await panel.locator('pre.reproducer').innerText();
    expect(reproducer).toContain(`aws kinesis delete-resource-policy --endpoint-url '${buggy.url}' --region 'us-east-1' --cli-input-json '`);
    expect(await panel.innerText()).toMatch(/reproducible \(3\/3 replays/);
    await mkdir(join(REPO, 'reports', 'out'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'reports', 'out', 'matrix.png') });
    await page.keyboard.press('Escape');
    expect(await panel.isVisible()).toBe(false);
  });

  it('"only rows with a departure" leaves just the diverging rows', async () => {
    await page.locator('#only-departures').check();
    const visible = await page.$$eval('#matrix tr[data-row]', (elements) =>
      (elements as unknown as El[]).filter((tr) => tr.offsetParent !== null).map((tr) => tr.getAttribute('data-rule')),
    );
    const diverging = results[buggy.url]!.services.flatMap((s) => s.divergences.map((d) => d.rule));
    expect(visible.sort()).toEqual([...new Set(diverging)].sort());
    await page.locator('#only-departures').uncheck();
  });
});
