/**
 * An independent oracle for the suite's verdicts: a hand-written probe shows one departure of one emulator with
 * plain SDK calls — no model, no generator, no suite adapter — and says what AWS does instead. The suite's report for
 * a target must list exactly the departures its probes show (specs/emulators/probes/*.probes.ts), and nothing a probe
 * contradicts.
 *
 * A probe may import only the AWS SDK, node built-ins, vitest's `expect`, ./client.ts (plain client construction) and
 * ./calls.ts (plain SDK calls that several emulators' probes send alike).
 */
import type { DepartureKind } from '../../../models/results.js';
import type { ServiceName } from '../../../models/types.js';

/** How the suite keys one entry of its report: the probe names the same key. */
export interface DepartureKey {
  service: ServiceName;
  rule: string;
  kind: DepartureKind;
  /** A switch value that explains the target ("AWS, except switch=value") rather than a departure. */
  explainedBy?: { switch: string; value: string };
}

export interface ProbeContext {
  /** The emulator's endpoint URL (http://127.0.0.1:PORT). */
  endpoint: string;
  region: string;
  /** A name prefix unique to this probe run; every resource a probe creates starts with it. */
  prefix: string;
}

export interface Probe extends DepartureKey {
  /** What AWS does instead, in one line, with its spec section and evidence (e.g. "§1.5, aws-verified"). */
  aws: string;
  /**
   * Set when the departure can only be reached through another one (every way to it passes a step that already
   * departs, e.g. a RegisterStreamConsumer whose ARN has the wrong form): the suite lists it under that entry, not
   * as its own (the rule id of that entry).
   */
  via?: string;
  /**
   * Set when the suite may or may not report it in a given run, and why (it depends on timing, or lies outside what
   * the generator draws): the suite may list it, and must not list anything else.
   */
  notAlways?: string;
  /**
   * Plain SDK calls against the emulator that show the departure. Resolves with one line saying what the emulator
   * did; throws (an assertion) when the emulator does not depart this way. Cleans up what it creates.
   */
  run(ctx: ProbeContext): Promise<string>;
}

/**
 * A departure an earlier suite reported that is not one: the probe shows the emulator conforms to the rule named
 * (the old entry was a consequence of another departure, a misattribution, or a vacuous switch explanation).
 */
export interface Contradiction extends DepartureKey {
  /** Why the old entry was false, in one line. */
  why: string;
  /** Plain SDK calls showing the emulator conforms on this rule; throws when it does depart after all. */
  run(ctx: ProbeContext): Promise<string>;
}

/** An operation (or, without `operation`, a whole service) the emulator does not implement: the suite says `unsupported`. */
export interface UnsupportedProbe {
  service: ServiceName;
  operation?: string;
  /** What AWS has instead, in one line. */
  aws: string;
  /** Shows the emulator's non-AWS answer, the same way each time; throws when it answers like the service. */
  run(ctx: ProbeContext): Promise<string>;
}

export interface ProbeSet {
  target: 'moto' | 'ministack' | 'kinesis-local';
  probes: Probe[];
  contradictions: Contradiction[];
  unsupported: UnsupportedProbe[];
}

export function keyOf(k: DepartureKey): string {
  return `${k.service} ${k.kind} ${k.rule}${k.explainedBy ? ` [${k.explainedBy.switch}=${k.explainedBy.value}]` : ''}`;
}
