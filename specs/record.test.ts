/**
 * `--record DIR` against the reference server, sequences side by side (--concurrency): the history holds every
 * request the run counted, each filed under its phase and (for a sequence's own) that sequence; its sequences are
 * the steps the checker judged, under the settings in force; and `check` re-judges it offline to the run's verdict.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../harness/record.js';
import { startReference } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { HISTORY_FORMAT, type HistoryFile } from '../models/history.js';
import type { RunResult } from '../models/results.js';
import { serviceNamed } from '../services/index.js';
import { runCli } from './support/cli.js';
import { type FaultKind, startProxy } from './support/proxy.js';
import { endpointAt, options } from './support/reference.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-record-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const read = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

describe.concurrent('--record', () => {
  it('keeps every request of a concurrent run, filed by phase and sequence, and check accepts it (exit 0)', async () => {
    const dir = join(scratch, 'pass');
    const r = await runCli(['run', '--services', 'dynamodb', '--runs', '12', '--seed', '7', '--concurrency', '3', '--record', join(dir, 'history'), '--out', join(dir, 'out'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const h = read<HistoryFile>(join(dir, 'history', 'dynamodb.json'));
    const result = read<RunResult>(join(dir, 'out', 'results.json'));
    expect(h).toMatchObject({ format: HISTORY_FORMAT, version: 1, origin: 'recorded', target: 'reference', service: 'dynamodb', seed: 7, region: 'us-east-1' });
    expect(Object.keys(h.versions!)).toEqual(expect.arrayContaining(['node', 'suite', '@aws-sdk/client-dynamodb']));
    // Every request the run counted, fixture, cleanup and discovery included, in the phases the run counted them.
    const counted = result.services[0]!.requests!;
    expect(h.requests!.length).toBe(counted.total);
    for (const phase of ['discovery', 'fixture', 'judged', 'cleanup'] as const) expect(h.requests!.filter((q) => q.phase === phase).length, phase).toBe(counted[phase]);
    expect(h.requests!.every((q) => q.status === 200 || q.status === 400)).toBe(true);
    // Each request's body as sent: the JSON protocols' bodies are bytes to the SDK (JsonBytesStringAdapter), kept as text.
    expect(h.requests!.every((q) => q.method === 'POST' && typeof q.body === 'string' && typeof JSON.parse(q.body) === 'object'), 'every request body kept').toBe(true);
    const puts = h.requests!.filter((q) => q.operation === 'DynamoDB_20120810.PutResourcePolicy' && q.phase === 'judged').map((q) => JSON.parse(q.body!) as Record<string, unknown>);
    expect(puts.some((input) => /^arn:aws:dynamodb:us-east-1:\d{12}:table\//.test(String(input.ResourceArn)) && typeof input.Policy === 'string')).toBe(true);
    // Each sequence's own requests are filed under it; its judged requests are at least its sent generated steps.
    const ids = new Set(h.sequences.map((s) => s.id));
    expect(h.sequences.length).toBeGreaterThanOrEqual(12);
    for (const q of h.requests!) if (q.phase === 'fixture' || q.phase === 'judged') expect(ids.has(q.sequence!), `${q.n} ${q.operation}`).toBe(true);
    for (const s of h.sequences) {
      const sent = s.steps.filter((st) => !st.setup && !st.reused && !st.operation.startsWith('$')).length;
      expect(h.requests!.filter((q) => q.sequence === s.id && q.phase === 'judged').length, s.id).toBeGreaterThanOrEqual(sent);
      expect(s.switches['ddb.getPolicyForm']).toBe('canonical');
      expect(s.consistency).toBe('strict');
    }
    const checked = await runCli(['check', join(dir, 'history', 'dynamodb.json'), '--out', join(dir, 'check')]);
    expect(checked.code, checked.stdout).toBe(0);
    expect(checked.stdout).toContain(`${h.sequences.length} of ${h.sequences.length} sequences accepted`);
  });

  it('a run against a mutant records sequences the model rejects: check exits 1 naming the rule and step', async () => {
    const dir = join(scratch, 'mutant');
    const r = await runCli(['run', '--services', 'dynamodb', '--runs', '20', '--seed', '7', '--mutant', 'ddb-delete-without-policy-fails', '--reproduce', '0', '--record', join(dir, 'history'), '--out', join(dir, 'out'), '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    const checked = await runCli(['check', join(dir, 'history', 'dynamodb.json'), '--out', join(dir, 'check')]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/sequence \S+ departs at step \d+ \(DeleteResourcePolicy\) on ddb\.delete\.no-policy/);
    const result = read<RunResult>(join(dir, 'check', 'results.json'));
    expect(result.services[0]!.divergences.map((d) => d.rule)).toContain('ddb.delete.no-policy');
  });

  // Recording reads each answer whole before the SDK does: a body that breaks off or never ends must still come out
  // as the same fault (and the run as the same verdict) as without recording.
  it.each([['drop-after', 2], ['stall-body', 9]] as Array<[FaultKind, number]>)('judges a target that faults (%s every %i-th call) as a run without recording does', async (kind, every) => {
    const seen: string[] = [];
    for (const record of [undefined, new HistoryRecorder({ target: 'proxy', service: 'dynamodb' })]) {
      const ref = await startReference();
      const proxy = await startProxy(ref.url, (r) => (r.nthOverall % every === 0 ? kind : 'forward'));
      try {
        const r = await runService(serviceNamed('dynamodb')!.adapter, { ...endpointAt(proxy.url), requestDeadlineMs: 800 }, options({ runs: 10, seed: 4, retryBaseMs: 5, waitSeconds: 5, ...(record ? { record } : {}) }));
        seen.push(JSON.stringify({ verdict: r.verdict, divergences: r.divergences.length, faults: r.faults, calls: r.calls, reason: r.reason }));
        if (record) expect(record.history().requests!.some((q) => q.error || q.phase === 'fixture')).toBe(true);
      } finally {
        await proxy.stop();
        await ref.stop();
      }
    }
    expect(seen[1]).toBe(seen[0]);
  });
});

