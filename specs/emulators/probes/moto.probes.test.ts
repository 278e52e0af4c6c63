/**
 * Runs the hand-written moto probe set (./moto.probes.ts) against a real moto server: every probe must show its
 * departure, every contradiction must show moto conforming, every unsupported operation must still be missing.
 * Verdicts per old expectation entry: docs/emulators/moto-probes.md.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ManagedProcess, startMoto } from '../../../harness/targets/moto.js';
import { plainClientConfig } from './client.js';
import { motoProbes, motoUnsupported } from './moto.probes.js';
import { keyOf, type ProbeContext } from './probe.js';

const RUN = `pcm${Date.now().toString(36)}`;

describe('moto probe set', () => {
  let moto: ManagedProcess | undefined;
  let count = 0;

  const context = (): ProbeContext => {
    if (!moto) throw new Error('moto did not start');
    count += 1;
    return { endpoint: moto.endpoint, region: 'us-east-1', prefix: `${RUN}-${count.toString(36)}` };
  };

  beforeAll(async () => {
    moto = await startMoto();
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  }, 30_000);

  it('names each key once, for moto, and never both as a departure and as a contradiction', () => {
    expect(motoProbes.target).toBe('moto');
    const probeKeys = motoProbes.probes.map(keyOf);
    const contradictionKeys = motoProbes.contradictions.map(keyOf);
    expect(new Set(probeKeys).size).toBe(probeKeys.length);
    expect(new Set(contradictionKeys).size).toBe(contradictionKeys.length);
    expect(probeKeys.filter((k) => contradictionKeys.includes(k))).toEqual([]);
    for (const p of motoProbes.probes) expect(p.aws, keyOf(p)).toMatch(/§\d/);
    for (const c of motoProbes.contradictions) expect(c.why, keyOf(c)).toMatch(/\S/);
  });

  describe('departures', () => {
    for (const probe of motoProbes.probes) {
      it(keyOf(probe), async () => {
        const said = await probe.run(context());
        console.info(`${keyOf(probe)}: ${said}`);
        expect(said).toMatch(/\S/);
        expect(said).not.toContain('\n');
      });
    }
  });

  describe('contradictions of old entries', () => {
    for (const contradiction of motoProbes.contradictions) {
      it(keyOf(contradiction), async () => {
        const said = await contradiction.run(context());
        console.info(`${keyOf(contradiction)}: ${said}`);
        expect(said).toMatch(/\S/);
        expect(said).not.toContain('\n');
      });
    }
  });

  describe('operations moto does not implement', () => {
    for (const u of motoUnsupported) {
      it(`${u.service} ${u.operation}`, async () => {
        const said = await u.run(context());
        console.info(`${u.service} ${u.operation}: ${said}`);
        expect(said).toMatch(/\S/);
      });
    }
  });

  it('leaves no table, stream or parameter behind', async () => {
    const ctx = context();
    const ddb = new DynamoDBClient(plainClientConfig(ctx));
    const kinesis = new KinesisClient(plainClientConfig(ctx));
    const ssm = new SSMClient(plainClientConfig(ctx));
    try {
      const tables = (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
      const streams = (await kinesis.send(new ListStreamsCommand({}))).StreamNames ?? [];
      const parameters = (await ssm.send(new DescribeParametersCommand({ MaxResults: 50 }))).Parameters ?? [];
      expect(tables.filter((t) => t.startsWith(RUN))).toEqual([]);
      expect(streams.filter((s) => s.startsWith(RUN))).toEqual([]);
      expect(parameters.map((p) => p.Name ?? '').filter((n) => n.startsWith(`/${RUN}`))).toEqual([]);
    } finally {
      ddb.destroy();
      kinesis.destroy();
      ssm.destroy();
    }
  });
});
