/**
 * Runs the hand-written ministack probe set (./ministack.probes.ts) against a ministack started for this file: every
 * probe must show its departure, every contradiction must show ministack conforming, every unsupported operation must
 * still be missing. Each test records the line it resolved with as an annotation. Verdicts per old expectation
 * entry: docs/emulators/ministack-probes.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinistack } from '../../../harness/targets/ministack.js';
import { ministackProbes, ministackUnsupported } from './ministack.probes.js';
import { keyOf, type ProbeContext } from './probe.js';

const RUN = `pcms${Date.now().toString(36)}`;

type Ministack = Awaited<ReturnType<typeof startMinistack>>;

describe('ministack probe set', () => {
  let ministack: Ministack | undefined;
  let count = 0;

  /** A context with a name prefix no other test of this run uses (table, stream, consumer and parameter names start with it). */
  const context = (): ProbeContext => {
    if (!ministack) throw new Error('ministack did not start');
    count += 1;
    return { endpoint: ministack.endpoint, region: 'us-east-1', prefix: `${RUN}-${count.toString(36)}` };
  };

  beforeAll(async () => {
    ministack = await startMinistack();
  }, 300_000);

  afterAll(async () => {
    await ministack?.stop();
  }, 30_000);

  it('names each key once, for ministack, and never both as a departure and as a contradiction', () => {
    expect(ministackProbes.target).toBe('ministack');
    const probeKeys = ministackProbes.probes.map(keyOf);
    const contradictionKeys = ministackProbes.contradictions.map(keyOf);
    expect(new Set(probeKeys).size).toBe(probeKeys.length);
    expect(new Set(contradictionKeys).size).toBe(contradictionKeys.length);
    expect(probeKeys.filter((k) => contradictionKeys.includes(k))).toEqual([]);
    const unsupported = ministackUnsupported.map((u) => `${u.service} ${u.operation}`);
    expect(new Set(unsupported).size).toBe(unsupported.length);
    expect(new Set(ministackUnsupported.map((u) => u.service))).toEqual(new Set(['ssm', 'xray']));
  });

  for (const probe of ministackProbes.probes) {
    it(`departs: ${keyOf(probe)}`, async ({ annotate }) => {
      const did = await probe.run(context());
      expect(did).toMatch(/\S/);
      await annotate(`${did} — AWS: ${probe.aws}`);
    });
  }

  for (const contradiction of ministackProbes.contradictions) {
    it(`conforms (old entry contradicted): ${keyOf(contradiction)}`, async ({ annotate }) => {
      const did = await contradiction.run(context());
      expect(did).toMatch(/\S/);
      await annotate(`${did} — why the old entry was false: ${contradiction.why}`);
    });
  }

  for (const unsupported of ministackUnsupported) {
    it(`unsupported: ${unsupported.service} ${unsupported.operation}`, async ({ annotate }) => {
      const did = await unsupported.run(context());
      expect(did).toMatch(/\S/);
      await annotate(`${did} — AWS: ${unsupported.aws}`);
    });
  }
});
