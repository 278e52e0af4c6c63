/**
 * Calibration: for each UNVERIFIED switch (models/types.ts `Switch`, not settled by AWS evidence), a few sequences
 * whose answers tell the switch's values apart, run once against a target and kept as a history; the switch's value
 * for that target is then decided offline, by judging the recorded sequences under each value (`decideSwitch`).
 * The probes are data next to each service's switches (services/<service>/calibration.ts).
 */
import { judgeSequence } from './history.js';
import type { HistoryFile } from './history.js';
import type { ServiceModel, Switch } from './types.js';

/** For one switch: the sequences (each run on fresh resources) that decide it. */
export interface SwitchProbes<Cmd> {
  switch: string;
  probes: readonly (readonly Cmd[])[];
  /**
   * Values that allow the answers of several others (`any`, an `opaque` revision id that a counter's also is): such
   * a value is the answer only when no stricter one fits the recorded answers.
   */
  lenient?: readonly string[];
}

export type Calibration<Cmd> = readonly SwitchProbes<Cmd>[];

/** Why a value does not fit: the first recorded step the model rejects under it. */
export interface Rejection {
  sequence: string;
  step: number;
  rule: string;
}

export interface SwitchFinding {
  service: string;
  switch: string;
  /** `decided`: one value fits (`value`); `undecided`: several fit, or no probe could be judged; `none matched`: no value explains the answers. */
  status: 'decided' | 'undecided' | 'none matched';
  value?: string;
  /** Every value under which the model accepts all the judged probes. */
  fits: string[];
  /** Per value that does not fit, where the recorded answers depart under it. */
  rejected: Record<string, Rejection>;
  /** The history file (relative to the profile) and its sequences that decided it. */
  history: string;
  sequences: string[];
  note?: string;
}

export const CALIBRATION_FORMAT = 'policy-conformance calibration';

/** What `calibrate` writes: the target's behaviour on each UNVERIFIED switch. */
export interface CalibrationProfile {
  format: typeof CALIBRATION_FORMAT;
  version: 1;
  target: string;
  targetVersion?: string;
  mutant?: string;
  region: string;
  startedAt: string;
  /** `switch=value` per decided switch: what `run --switch` would take to describe this target. */
  profile: Record<string, string>;
  switches: SwitchFinding[];
}

/**
 * Decide `sw` from the recorded probe sequences `ids` of `history`: judge each under every value (the other
 * switches at the history's settings). Sequences with a fault or an unsupported answer are not judged (they say
 * nothing about the value).
 */
export function decideSwitch<S>(model: ServiceModel<S>, history: HistoryFile, sw: Switch, ids: readonly string[], lenient: readonly string[] = []): Omit<SwitchFinding, 'service' | 'history'> {
  const sequences = history.sequences.filter((s) => ids.includes(s.id));
  const judged = sequences.filter((s) => s.steps.every((st) => st.outcome.kind === 'ok' || st.outcome.kind === 'error'));
  const base = { switch: sw.name, sequences: sequences.map((s) => s.id) };
  if (judged.length === 0) {
    const why = sequences.length === 0 ? 'no probe ran' : 'every probe met a fault or an unsupported answer';
    return { ...base, status: 'undecided', fits: [], rejected: {}, note: why };
  }
  const rejected: Record<string, Rejection> = {};
  for (const value of sw.values) {
    for (const s of judged) {
      const j = judgeSequence(model, history, s, { [sw.name]: value });
      if (j.status === 'departs') {
        rejected[value] = { sequence: s.id, step: j.at + 1, rule: j.rule };
        break;
      }
    }
  }
  const fits = sw.values.filter((v) => !(v in rejected));
  const strict = fits.filter((v) => !lenient.includes(v));
  const skipped = sequences.length - judged.length;
  const note = skipped ? `${skipped} of ${sequences.length} probes met a fault or an unsupported answer and were not judged` : undefined;
  const withNote = <T extends object>(o: T) => ({ ...o, ...(note ? { note } : {}) });
  if (fits.length === 0) return withNote({ ...base, status: 'none matched' as const, fits, rejected });
  const chosen = fits.length === 1 ? fits : strict.length === 1 ? strict : [];
  if (chosen.length === 1) return withNote({ ...base, status: 'decided' as const, value: chosen[0]!, fits, rejected });
  return withNote({ ...base, status: 'undecided' as const, fits, rejected });
}

/** The profile: every finding, and `switch=value` for the decided ones. */
export function calibrationProfile(about: Pick<CalibrationProfile, 'target' | 'targetVersion' | 'mutant' | 'region' | 'startedAt'>, findings: readonly SwitchFinding[]): CalibrationProfile {
  return {
    format: CALIBRATION_FORMAT,
    version: 1,
    target: about.target,
    ...(about.targetVersion ? { targetVersion: about.targetVersion } : {}),
    ...(about.mutant ? { mutant: about.mutant } : {}),
    region: about.region,
    startedAt: about.startedAt,
    profile: Object.fromEntries(findings.filter((f) => f.status === 'decided').map((f) => [f.switch, f.value!])),
    switches: [...findings],
  };
}
