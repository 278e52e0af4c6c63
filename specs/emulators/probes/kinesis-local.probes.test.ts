/**
 * Runs the kinesis-local probe set (the independent oracle, docs/emulators/kinesis-local-probes.md) against a
 * kinesis-local started for this file: every probe, every contradiction and every unsupported-service probe is its
 * own test, and each records the one line it resolved with as an annotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKinesisLocal } from '../../../harness/targets/kinesis-local.js';
import { kinesisLocalProbes, kinesisLocalUnsupported } from './kinesis-local.probes.js';
import { keyOf, type ProbeContext } from './probe.js';

type Emulator = Awaited<ReturnType<typeof startKinesisLocal>>;

describe('kinesis-local probes', () => {
  let emulator: Emulator | undefined;
  const run = Date.now().toString(36);
  let next = 0;

  /** A context with a name prefix no other test of this run uses (stream and consumer names are built from it). */
  function context(): ProbeContext {
    if (!emulator) throw new Error('kinesis-local did not start');
    next += 1;
    return { endpoint: emulator.endpoint, region: 'us-east-1', prefix: `kl${run}${next.toString(36)}` };
  }

  beforeAll(async () => {
    emulator = await startKinesisLocal();
  }, 300_000);

  afterAll(async () => {
    await emulator?.stop();
  }, 30_000);

  it('names each departure once, and contradicts none of them', () => {
    expect(kinesisLocalProbes.target).toBe('kinesis-local');
    const probed = kinesisLocalProbes.probes.map(keyOf);
    const contradicted = kinesisLocalProbes.contradictions.map(keyOf);
    expect(new Set(probed).size).toBe(probed.length);
    expect(new Set(contradicted).size).toBe(contradicted.length);
    expect(probed.filter((k) => contradicted.includes(k))).toEqual([]);
    expect(new Set(kinesisLocalProbes.probes.map((p) => p.service))).toEqual(new Set(['kinesis']));
    expect(kinesisLocalUnsupported.map((u) => u.service).sort()).toEqual(['dynamodb', 'ssm', 'xray']);
  });

  for (const probe of kinesisLocalProbes.probes) {
    it(`departs: ${keyOf(probe)}`, async ({ annotate }) => {
      const did = await probe.run(context());
      expect(did).toMatch(/\S/);
      await annotate(`${did} — AWS: ${probe.aws}`);
    });
  }

  for (const contradiction of kinesisLocalProbes.contradictions) {
    it(`conforms (old entry contradicted): ${keyOf(contradiction)}`, async ({ annotate }) => {
      const did = await contradiction.run(context());
      expect(did).toMatch(/\S/);
      await annotate(`${did} — why the old entry was false: ${contradiction.why}`);
    });
  }

  for (const unsupported of kinesisLocalUnsupported) {
    it(`unsupported service: ${unsupported.service}`, async ({ annotate }) => {
      const did = await unsupported.run(context());
      expect(did).toMatch(/\S/);
      await annotate(`${did} — AWS: ${unsupported.aws}`);
    });
  }
});
