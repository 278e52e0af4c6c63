/**
 * The fixture pool meets the change window (spec §7.3). A fixture's tables carry the windows its last sequence's
 * writes opened: a reset sent at once would be refused (and end pooling), so it waits for them to close. Its own
 * Delete opens another, and a sequence's model starts knowing of no write in any window: had the fixture been lent
 * at once, the target's refusal of the next sequence's first policy write would have been judged a departure it is
 * not. Against the AWS-like simulator (which keeps AWS's window, scaled), two sequences in a row on one pooled
 * fixture, strict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAwsLike, startAwsLike } from '../harness/aws-like/server.js';
import { Executor } from '../harness/execution.js';
import { discoverWithRetries, executorOptions } from '../harness/runner.js';
import type { DdbCommand } from '../services/dynamodb/commands.js';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';
import { defaultSwitches } from '../models/types.js';
import type { ServiceModel } from '../models/types.js';

const CREDENTIALS = { accessKeyId: 'AKIDPOOLWINDOW', secretAccessKey: 'pool-window-secret' };
const SCALE = 0.05;
/** 15 s scaled: 750 ms. */
const WINDOW_MS = Math.round(15_000 * SCALE);

let sim: RunningAwsLike;
beforeAll(async () => {
  // No read lag (strict mode's subject is the window here). Tables take (scaled) time to become ACTIVE, as on AWS:
  // making a fixture afresh then takes longer than waiting for a pooled one's window to close, so one is lent.
  sim = await startAwsLike({ credentials: CREDENTIALS, timeScale: SCALE, seed: 2, foreign: false, lag: { dynamodb: 'off' } });
});
afterAll(async () => {
  await sim?.stop();
});

const put = (variant: number): DdbCommand => ({ op: 'PutResourcePolicy', target: { kind: 'table', slot: 't0' }, policy: { kind: 'valid', variant, whitespace: 0 } });

describe('a pooled fixture is reset and lent only once its change windows have closed', () => {
  it('two sequences putting a policy on the same lent table, strict, window measured: both pass, the reset and the second sequence waited', async () => {
    const endpoint = { url: sim.url, region: 'us-east-1', credentials: CREDENTIALS };
    const connection = dynamodbAdapter.connect(endpoint, { settleMs: 0, waitSeconds: 20 });
    try {
      const discovered = await discoverWithRetries(connection, 'pcpw');
      if ('failure' in discovered) throw new Error(`discovery failed: ${JSON.stringify(discovered.failure)}`);
      const model = dynamodbAdapter.model as ServiceModel<unknown>;
      const executor = new Executor<DdbCommand>(model, connection, discovered.identity, discovered.initialState, 'pcpw', executorOptions(dynamodbAdapter, endpoint, { consistency: 'strict', windowMs: WINDOW_MS }), discovered.answered);
      const settings = { switches: defaultSwitches(model.switches), consistency: 'strict' as const, ...discovered.identity };
      const first = await executor.run([put(0)], settings);
      expect(first.end).toEqual({ status: 'pass' });
      // The first sequence's Put opened a window on its table: the reset's Delete, sent at once, would be refused
      // (and the pool given up). It is sent once that window has closed — and opens a window of its own.
      const endedAt = Date.now();
      await executor.resetsSettled();
      expect(Date.now() - endedAt).toBeGreaterThanOrEqual(WINDOW_MS * 0.9);
      const lentAt = Date.now();
      const second = await executor.run([put(1)], settings);
      expect(executor.fixtures.reused, 'the second sequence borrowed the first one\'s fixture').toBeGreaterThan(0);
      expect(second.end, JSON.stringify(second.steps.map((s) => [s.operation, s.outcome]))).toEqual({ status: 'pass' });
      // Its Put went out after the window the reset's Delete opened had closed: answered, not refused.
      const answered = second.steps.filter((s) => !s.setup);
      expect(answered.map((s) => [s.operation, s.outcome.kind])).toEqual([['PutResourcePolicy', 'ok']]);
      expect(Date.now() - lentAt).toBeGreaterThanOrEqual(WINDOW_MS * 0.8);
      await executor.drainPool();
    } finally {
      connection.close();
    }
  }, 60_000);
});
