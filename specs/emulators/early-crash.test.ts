/**
 * A crash found in a run's first sequences is reported as a crash, not as the target breaking down. moto 5.2.5
 * answers HTTP 500 (an HTML page) to a DynamoDB PutResourcePolicy without a ResourceArn; at seed 1517584155 the
 * second sequence sends one. Confirming it re-runs it, and shrinking confirms each plainer input again: before
 * harness/execution.ts `confirmingCrash`, those re-runs' server errors counted toward the target's health, and the
 * run ended `infra` after 2 sequences ("11 of 63 calls failed after retries") instead of reporting the crash.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-early-crash-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('an early crash', () => {
  it('moto, DynamoDB, seed 1517584155: the crash is the entry, confirmed, and the run is no infrastructure failure', async () => {
    const out = join(scratch, 'out');
    const r = await runCli(['run', '--target', 'moto', '--services', 'dynamodb', '--seed', '1517584155', '--runs', '20', '--max-divergences', '1', '--failures', 'off', '--out', out], 180_000);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const s = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).services[0];
    expect(s.verdict, s.reason).toBe('fail');
    expect(s.divergences.map((d: { rule: string; kind: string }) => [d.rule, d.kind])).toEqual([['ddb.input.missing', 'crash']]);
    // Found in the second sequence and shrunk to the one request that crashes moto.
    expect(s.divergences[0].commands).toEqual([expect.objectContaining({ op: 'PutResourcePolicy', omit: 'ResourceArn' })]);
    expect(s.divergences[0].reproducibility?.label).toBe('reproducible');
  }, 180_000);
});
