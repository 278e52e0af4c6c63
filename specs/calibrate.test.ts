/**
 * `calibrate` against the reference server: it reproduces every UNVERIFIED switch's default (the reference answers
 * as the model does under the defaults), and against a mutant that answers another reading of one open question it
 * finds that value — each decision backed by a recorded history that decides it again offline, and that `check`
 * accepts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CalibrationProfile, decideSwitch } from '../models/calibration.js';
import type { HistoryFile } from '../models/history.js';
import { isSettled } from '../models/types.js';
import { SERVICES, serviceNamed } from '../services/index.js';
import { runCli } from './support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-calibrate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const read = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

describe.concurrent('calibrate', () => {
  it('reproduces the defaults of every UNVERIFIED switch against the reference, each from a history that decides it again offline', async () => {
    const out = join(scratch, 'ref', 'profile.json');
    const r = await runCli(['calibrate', '--target', 'reference', '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const profile = read<CalibrationProfile>(out);
    const unverified = SERVICES.flatMap((s) => s.adapter.model.switches.filter((sw) => !isSettled(sw)).map((sw) => ({ service: s.name, sw })));
    // Every UNVERIFIED switch has probes, and comes out at its default.
    expect(profile.switches.map((f) => f.switch).sort()).toEqual(unverified.map((u) => u.sw.name).sort());
    expect(profile.profile).toEqual(Object.fromEntries(unverified.map((u) => [u.sw.name, u.sw.default])));
    for (const { sw } of unverified) expect(r.stdout).toContain(`${sw.name}=${sw.default}`);

    // The recorded history decides it again, and the model accepts it under the defaults.
    for (const f of profile.switches) {
      const history = read<HistoryFile>(join(scratch, 'ref', f.history));
      expect(history.requests!.length).toBeGreaterThan(0);
      const model = serviceNamed(f.service)!.adapter.model;
      const sw = model.switches.find((s) => s.name === f.switch)!;
      const lenient = serviceNamed(f.service)!.calibration!.find((p) => p.switch === f.switch)!.lenient ?? [];
      const again = decideSwitch(model, history, sw, f.sequences, lenient);
      expect(again.value, f.switch).toBe(f.value);
      // Every other value is ruled out by a step of that history (or allows the default's answers too: `any`).
      for (const v of sw.values.filter((x) => x !== f.value)) expect(v in again.rejected || lenient.includes(v), `${f.switch}=${v}`).toBe(true);
    }
    const checked = await runCli(['check', ...SERVICES.map((s) => join(scratch, 'ref', `profile-${s.name}.history.json`)), '--out', join(scratch, 'ref-check')]);
    expect(checked.code).toBe(0);
  });

  it('finds the other value against a mutant that answers another reading of an open question', async () => {
    const out = join(scratch, 'mutant', 'profile.json');
    const r = await runCli(['calibrate', '--target', 'reference', '--mutant', 'xray-delete-missing-not-found', '--services', 'xray', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const profile = read<CalibrationProfile>(out);
    const defaults = Object.fromEntries(serviceNamed('xray')!.adapter.model.switches.filter((s) => !isSettled(s)).map((s) => [s.name, s.default]));
    expect(profile.mutant).toBe('xray-delete-missing-not-found');
    expect(profile.profile).toEqual({ ...defaults, 'xray.deleteMissing': 'ResourceNotFoundException' });
    const finding = profile.switches.find((f) => f.switch === 'xray.deleteMissing')!;
    expect(finding).toMatchObject({ status: 'decided', fits: ['ResourceNotFoundException'] });
    // The default is ruled out by the recorded Delete of a name without a policy.
    expect(finding.rejected.idempotent).toMatchObject({ rule: 'xray.delete.missing' });
    expect(r.stdout).toContain('xray.deleteMissing=ResourceNotFoundException');
  });
});
