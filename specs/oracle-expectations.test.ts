/**
 * The committed expectations of each emulator are exactly what its hand-written probes show (no model, no
 * generator in them): a departure the suite recorded without a probe, or one a probe contradicts, is a false
 * verdict; a probed one missing from the file is a departure the nightly run does not find. No emulator runs here:
 * the probes themselves run in specs/emulators/probes/*.probes.test.ts, the nightly matrix in
 * specs/emulators/matrix-expectations.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExpectations } from '../harness/store/expectations.js';
import { kinesisLocalProbes } from './emulators/probes/kinesis-local.probes.js';
import { ministackProbes } from './emulators/probes/ministack.probes.js';
import { motoProbes } from './emulators/probes/moto.probes.js';
import { compareWithProbes, keysOfExpectations, unsupportedOfExpectations } from './emulators/probes/oracle.js';
import type { ProbeSet } from './emulators/probes/probe.js';
import { REPO } from './support/cli.js';

const SETS: Array<[file: string, set: ProbeSet]> = [
  ['moto', motoProbes],
  ['ministack', ministackProbes],
  ['kinesis-local', kinesisLocalProbes],
  // moto in a container is moto: the same departures.
  ['container-localhost-policy-conformance-moto-5.2.5', motoProbes],
];

describe('committed expectations against the independent probes', () => {
  it.each(SETS)('%s: every recorded departure is probed, none contradicted, none probed missing', async (file, set) => {
    const expectations = await loadExpectations(join(REPO, 'expectations', `${file}.json`));
    const c = compareWithProbes(set, keysOfExpectations(expectations), unsupportedOfExpectations(expectations));
    expect(c.unprobed, 'recorded but shown by no probe').toEqual([]);
    expect(c.contradicted, 'recorded but contradicted by a probe').toEqual([]);
    expect(c.missing, 'probed but not recorded').toEqual([]);
    expect(c.unsupported, 'unsupported operations').toEqual({ unprobed: [], missing: [] });
  });

  it('every probe set names each departure once, and no probe contradicts another', () => {
    for (const [, set] of SETS) {
      const keys = set.probes.map((p) => `${p.service} ${p.kind} ${p.rule} ${JSON.stringify(p.explainedBy ?? null)}`);
      expect(new Set(keys).size, set.target).toBe(keys.length);
      for (const c of set.contradictions) expect(keys, `${set.target}: ${c.rule}`).not.toContain(`${c.service} ${c.kind} ${c.rule} ${JSON.stringify(c.explainedBy ?? null)}`);
    }
  });
});
