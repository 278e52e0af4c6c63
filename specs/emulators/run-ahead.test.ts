/**
 * Sequences run ahead at --concurrency K are not run again. Each round of exploration (one per entry found) starts
 * fast-check again from the seed; at K = 1 a case that passed in an earlier round, and still passes re-judged
 * offline, is never sent again. Before harness/runner.ts ran ahead only the cases it could not recall, every round
 * at K > 1 sent every case again (moto, DynamoDB at seed 20261123: 1,022 sequences explored instead of 435, 12,033
 * calls instead of 6,739), and cases run ahead but never reached were thrown away instead of kept. Worse, each
 * re-run was learnt from again, so an entry's `alsoShowsAs` counted its consequences twice: at 60 runs below,
 * ddb.delete.no-policy showed ddb.stream.outlives-table in 2 sequences at K = 4 and in 1 at K = 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-run-ahead-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const K = 4;

async function run(concurrency: number) {
  const out = join(scratch, `k${concurrency}`);
  const r = await runCli(['run', '--target', 'moto', '--services', 'dynamodb', '--seed', '20261123', '--runs', '60', '--max-divergences', '5', '--reproduce', '0', '--concurrency', String(concurrency), '--failures', 'off', '--out', out], 240_000);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).services[0];
}

describe('run ahead', () => {
  it(`moto, DynamoDB: ${K} at once explore about as many sequences as one at a time, and find the same`, async () => {
    const [one, many] = [await run(1), await run(K)];
    const entries = (s: any) => s.divergences.map((d: any) => ({ rule: d.rule, kind: d.kind, commands: d.commands, alsoShowsAs: d.alsoShowsAs }));
    expect(entries(many)).toEqual(entries(one));
    // Several rounds, so that re-running earlier rounds' cases would show.
    expect(one.divergences.length).toBeGreaterThanOrEqual(4);
    const explored = (s: any) => s.time.explore.sequences as number;
    // At most K - 1 cases past each round's failure are run ahead of it, and some of those are recalled later.
    const rounds = one.divergences.length + 1;
    expect(explored(many), JSON.stringify([one.time, many.time])).toBeLessThanOrEqual(explored(one) + (K - 1) * rounds);
    expect(many.calls).toBeLessThan(one.calls * 1.25);
  }, 480_000);
});
