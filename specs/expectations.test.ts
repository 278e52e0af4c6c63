import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import { runCli } from './support/cli.js';

const tmp = () => mkdtemp(join(tmpdir(), 'pc-expect-'));
const MUTANT = 'kin-delete-no-policy-succeeds';
const RULE = 'kin.delete.no-policy';
/** Small and repeatable: the mutant's departure is found, and a clean run reaches its rule. */
const BASE = ['--services', 'kinesis', '--runs', '60', '--seed', '3', '--quiet'];

async function expectationsFile(dir: string, departures: object[], unsupported: object[] = []): Promise<string> {
  const file = join(dir, 'expect.json');
  await writeFile(file, JSON.stringify({ target: 'reference', departures, unsupported }));
  return file;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const results = async (out: string) => JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));

describe('expectations: nightly regression against known departures (real CLI, reference target)', () => {
  it('a departure the file lists is expected: exit 0, reported as still present', async () => {
    const dir = await tmp();
    const file = await expectationsFile(dir, [{ service: 'kinesis', rule: RULE }]);
    const r = await runCli(['run', ...BASE, '--mutant', MUTANT, '--out', dir, '--expect', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/expectations .*expect\.json: 0 new, 1 still present, 0 fixed, 0 not seen/);
    expect(r.stdout).toMatch(/verdict: fail \(only expected departures\)/);
    const json = await results(dir);
    expect(json.services[0].divergences.map((d: { rule: string }) => d.rule)).toEqual([RULE]);
    expect(json.expectations).toMatchObject({ new: [], stillPresent: [{ key: `kinesis rule ${RULE}`, rule: RULE }] });
    const report = await readFile(join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/## Against the expectations/);
    expect(report).toMatch(/- still present:\n {2}- `kinesis rule kin\.delete\.no-policy`/);
    // JUnit keeps the dashboard green for a known departure: a skipped case, no failure.
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toMatch(/failures="0" errors="0" skipped="1"/);
  });

  it('without it in the file the same departure is new: exit 1, listed as NEW everywhere', async () => {
    const dir = await tmp();
    const file = await expectationsFile(dir, []);
    const r = await runCli(['run', ...BASE, '--mutant', MUTANT, '--out', dir, '--expect', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 new, 0 still present/);
    expect(r.stdout).toContain(`NEW: kinesis rule ${RULE}`);
    expect((await results(dir)).expectations.new).toMatchObject([{ kind: 'divergence', service: 'kinesis', rule: RULE }]);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toMatch(/- \*\*new\*\* \(not in the file: these fail the run\):\n {2}- `kinesis rule kin\.delete\.no-policy`/);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toMatch(/failures="1"/);
  });

  it('a listed departure the target no longer shows is reported fixed (rule reached) and never fails the run', async () => {
    const dir = await tmp();
    const file = await expectationsFile(
      dir,
      [
        { service: 'kinesis', rule: RULE },
        { service: 'xray', rule: 'xray.put.revision-mismatch' },
      ],
      [{ service: 'kinesis', operation: 'DeregisterStreamConsumer' }],
    );
    const r = await runCli(['run', ...BASE, '--out', dir, '--expect', file]);
    expect(r.code).toBe(0);
    const e = (await results(dir)).expectations;
    expect(e.new).toEqual([]);
    expect(e.fixed.map((x: { key: string }) => x.key).sort()).toEqual([`kinesis operation DeregisterStreamConsumer unsupported`, `kinesis rule ${RULE}`]);
    // X-Ray did not run: no evidence either way.
    expect(e.notSeen).toMatchObject([{ key: 'xray rule xray.put.revision-mismatch', note: 'service not run' }]);
    expect(r.stdout).toMatch(/0 new, 0 still present, 2 fixed, 1 not seen/);
    const report = await readFile(join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/- fixed \(rule reached without the departure\):\n(  - .*\n){2}- not seen/);
    expect(report).toContain('  - `kinesis operation DeregisterStreamConsumer unsupported` — the operation is implemented now');
  });

  it('--update-expectations writes a file from the run that makes the next run exit 0, and keeps notes', async () => {
    const dir = await tmp();
    const file = join(dir, 'expectations', 'reference-mutant.json');
    const first = await runCli(['run', ...BASE, '--mutant', MUTANT, '--out', dir, '--expect', file, '--update-expectations']);
    expect(first.code).toBe(0);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toMatchObject({ target: `reference --mutant ${MUTANT}`, departures: [{ service: 'kinesis', rule: RULE, summary: expect.stringContaining('DeleteResourcePolicy') }], unsupported: [] });
    // Stable keys only: no seed, path, resource name or time in the file.
    expect(JSON.stringify(written)).not.toMatch(/seed|path|pc[a-z0-9]{6,}|\d{4}-\d\d-\d\dT/);

    written.departures[0].note = 'known since 2026-11';
    await writeFile(file, JSON.stringify(written));
    const again = await runCli(['run', ...BASE, '--mutant', MUTANT, '--out', dir, '--expect', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 new, 1 still present/);
    const rewrite = await runCli(['run', ...BASE, '--mutant', MUTANT, '--out', dir, '--expect', file, '--update-expectations']);
    expect(rewrite.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8')).departures[0].note).toBe('known since 2026-11');
  });

  it('the committed expectations of the reference target hold (the reference conforms)', async () => {
    const dir = await tmp();
    const r = await runCli(['run', '--runs', '40', '--seed', '8', '--quiet', '--out', dir, '--expect', 'expectations/reference.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/expectations .*reference\.json: 0 new, 0 still present, 0 fixed, 0 not seen/);
  });

  it.each([
    [['--expect', '/nonexistent/x.json'], /expectations file \/nonexistent\/x\.json does not exist \(write it with --update-expectations\)/],
    [['--update-expectations'], /--update-expectations needs --expect FILE/],
  ])('rejects %j with exit 2 and one line', async (args, message) => {
    const r = await runCli(['run', ...BASE, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a malformed expectations file with exit 2 before starting anything', async () => {
    const dir = await tmp();
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ target: 'reference', departures: [{ service: 's3', rule: 'x' }] }));
    const r = await runCli(['run', ...BASE, '--expect', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/departures\[0\]\.service "s3" is not one of dynamodb, kinesis, ssm, xray/);
    await writeFile(file, '{ not json');
    const r2 = await runCli(['run', ...BASE, '--expect', file]);
    expect(r2.code).toBe(2);
    expect(r2.stderr.split('\n')[0]).toMatch(/bad\.json: not JSON/);
  });

  it('an unreachable target is still an infrastructure error (exit 3) with expectations', async () => {
    const dir = await tmp();
    const file = await expectationsFile(dir, []);
    const r = await runCli(['run', '--target', `http://127.0.0.1:${await freePort()}`, '--services', 'kinesis', '--out', dir, '--expect', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unreachable/);
  });

  it('the failures file: a failing sequence is re-run first next time, and a fix is confirmed at once', async () => {
    const dir = await tmp();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const buggy = await startReference({ port, mutant: MUTANT });
    let first;
    try {
      first = await runCli(['run', '--target', url, ...BASE, '--out', dir]);
    } finally {
      await buggy.stop();
    }
    expect(first.code).toBe(1);
    const stored = JSON.parse(await readFile(join(dir, '.failures.json'), 'utf8'));
    expect(stored.targets[url]).toMatchObject([{ service: 'kinesis', rule: RULE, commands: expect.any(Array) }]);

    // Same target, bug still there: re-run first and still failing.
    const still = await startReference({ port, mutant: MUTANT });
    let second;
    try {
      second = await runCli(['run', '--target', url, ...BASE, '--seed', '4', '--out', dir]);
    } finally {
      await still.stop();
    }
    expect(second.stdout).toMatch(/earlier failures re-run first: 1 still fail, 0 fail differently, 0 pass now/);
    expect((await results(dir)).services[0].rechecked).toMatchObject([{ rule: RULE, status: 'still-fails' }]);

    // The bug is fixed: the recorded sequence passes, is reported so, and leaves the file.
    const fixed = await startReference({ port });
    let third;
    try {
      third = await runCli(['run', '--target', url, ...BASE, '--out', dir]);
    } finally {
      await fixed.stop();
    }
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/earlier failures re-run first: 0 still fail, 0 fail differently, 1 pass now \(kin\.delete\.no-policy\)/);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toMatch(/re-run first:\n\n- `kin\.delete\.no-policy`, recorded \S+: \*\*passes\*\*/);
    expect(JSON.parse(await readFile(join(dir, '.failures.json'), 'utf8')).targets[url]).toBeUndefined();
  });
});
