import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const tmp = () => mkdtemp(join(tmpdir(), 'pc-cli-'));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('CLI contract', () => {
  // Node + tsx start-up is not the CLI's reaction time: measure it once and subtract it.
  let startup = 0;
  beforeAll(async () => {
    startup = (await runCli(['--help'])).ms;
  });

  // Bad input (exit 2, one line, nothing started) is the table in cli-inputs.test.ts.

  it('reports an unreachable target as an infrastructure error (exit 3) without waiting on it', async () => {
    const port = await closedPort();
    const r = await runCli(['run', '--target', `http://127.0.0.1:${port}`, '--services', 'dynamodb']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unreachable: ECONNREFUSED/);
    // The reachability probe gives up after 1.5 s; the rest is slack for module loading on a loaded machine.
    expect(r.ms - startup).toBeLessThan(4000);
  });

  it('runs the suite against the reference target, exits 0 and writes the three reports', async () => {
    const out = await tmp();
    const r = await runCli(['run', '--services', 'dynamodb', '--runs', '30', '--seed', '5', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verdict: pass/);
    expect(r.stderr).toMatch(/\[dynamodb\] pass/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ target: 'reference', seed: 5, services: [{ service: 'dynamodb', verdict: 'pass', runs: 30, divergences: [] }] });
    expect(results.services[0].calls).toBeGreaterThan(30);
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuite name="dynamodb @ reference" tests="1" failures="0"/);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/Verdict: \*\*pass\*\*/);
  });

  it('finds a seeded bug (exit 1), and its witness file replays the same departure', async () => {
    const out = await tmp();
    const r = await runCli(['run', '--services', 'dynamodb', '--mutant', 'ddb-wrong-error-missing-policy', '--seed', '9', '--out', out, '--max-divergences', '1']);
    expect(r.code).toBe(1);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    const [d] = results.services[0].divergences;
    // Get on a table or on a stream without a policy: the stream's rule when the shrunk sequence used a stream.
    expect(['ddb.get.no-policy', 'ddb.stream.supported']).toContain(d.rule);
    expect(d).toMatchObject({ kind: 'wrong-answer', actual: { kind: 'error', code: 'ResourceNotFoundException', status: 400 } });
    expect(d.expected).toEqual([{ rule: d.rule, expect: { kind: 'error', code: 'PolicyNotFoundException', status: 400 } }]);
    expect(d.steps.at(-1)).toMatchObject({ operation: 'GetResourcePolicy', outcome: { code: 'ResourceNotFoundException' } });
    expect(d.replay).toBe(`npx policy-conformance replay ${join(out, d.witnessFile)}`);
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/failures="1"/);

    // The witness file alone (no set-aside list, no seed) replays it: same calls, same answers, departs again.
    const replay = await runCli(d.replay.replace(/^npx policy-conformance /, '').split(' '));
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(new RegExp(`witness departs again at its last step, on ${d.rule.replace(/\./g, '\\.')}`));
    const ops = (replay.stdout.match(/^\s+\d+\. (?:\(setup\) )?(\w+) →/gm) ?? []).map((l) => l.replace(/^\s+\d+\. (?:\(setup\) )?/, '').replace(' →', ''));
    expect(ops).toEqual(d.steps.map((s: { operation: string }) => s.operation));

    // The seed and path still select the same generated case (before it was simplified): it departs too.
    const byPath = await runCli(['run', '--target', 'reference', '--mutant', 'ddb-wrong-error-missing-policy', '--services', 'dynamodb', '--seed', String(d.seed), '--path', d.path, '--out', await tmp()]);
    expect(byPath.code).toBe(1);
  });

  it('lists mutants', async () => {
    const r = await runCli(['mutants', '--list', '--services', 'dynamodb']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(8);
  });

  it('serve answers DynamoDB on the port it was given and stops on SIGTERM', async () => {
    const port = await closedPort();
    const { spawn } = await import('node:child_process');
    const { REPO } = await import('./support/cli.js');
    const child = spawn(process.execPath, ['bin/policy-conformance.mjs', 'serve', '--port', String(port)], { cwd: REPO });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    expect(line).toContain(`http://127.0.0.1:${port}`);
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.GetResourcePolicy', 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/none' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/#ResourceNotFoundException$/);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
