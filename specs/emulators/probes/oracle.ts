/**
 * The suite's list of departures for a target, held against the probes of that target: every departure the suite
 * lists must be one a probe shows (no entry without a probe, none a probe contradicts), and every probed departure
 * must be listed — except those reached only through another (`via`) or not in every run (`notAlways`).
 */
import type { ExpectationsFile } from '../../../harness/store/expectations.js';
import type { RunResult } from '../../../models/results.js';
import { type DepartureKey, keyOf, type ProbeSet } from './probe.js';

export interface OracleComparison {
  /** Listed by the suite, shown by no probe: false until a probe shows it (or the suite is wrong). */
  unprobed: string[];
  /** Listed by the suite, contradicted by a probe (the emulator conforms there). */
  contradicted: string[];
  /** Probed, required in every run, not listed. */
  missing: string[];
  /** Unsupported operations listed but not probed as such, and probed but not listed. */
  unsupported: { unprobed: string[]; missing: string[] };
}

export const keysOfRun = (r: RunResult): DepartureKey[] =>
  r.services.flatMap((s) => s.divergences.map((d) => ({ service: s.service, rule: d.rule, kind: d.kind ?? 'wrong-answer', ...(d.explainedBy ? { explainedBy: d.explainedBy } : {}) })));

export const keysOfExpectations = (f: ExpectationsFile): DepartureKey[] =>
  f.departures.map((d) => ({ service: d.service, rule: d.rule, kind: d.kind ?? 'wrong-answer', ...(d.explainedBy ? { explainedBy: d.explainedBy } : {}) }));

/** Unsupported as `service` or `service operation`, for runs and files alike. */
export const unsupportedOfRun = (r: RunResult): string[] =>
  r.services.flatMap((s) => (s.verdict === 'unsupported' && s.runs === 0 ? [s.service] : s.unsupportedOperations.map((o) => `${s.service} ${o}`)));

export const unsupportedOfExpectations = (f: ExpectationsFile): string[] => f.unsupported.map((u) => (u.operation ? `${u.service} ${u.operation}` : u.service));

export function compareWithProbes(set: ProbeSet, listed: readonly DepartureKey[], unsupportedListed: readonly string[]): OracleComparison {
  const probed = new Set(set.probes.filter((p) => !p.via).map(keyOf));
  const required = new Set(set.probes.filter((p) => !p.via && !p.notAlways).map(keyOf));
  const contradicts = new Set(set.contradictions.map(keyOf));
  const listedKeys = new Set(listed.map(keyOf));
  const probedUnsupported = new Set(set.unsupported.map((u) => (u.operation ? `${u.service} ${u.operation}` : u.service)));
  const listedUnsupported = new Set(unsupportedListed);
  return {
    unprobed: [...listedKeys].filter((k) => !probed.has(k)).sort(),
    contradicted: [...listedKeys].filter((k) => contradicts.has(k)).sort(),
    missing: [...required].filter((k) => !listedKeys.has(k)).sort(),
    // A whole service (`xray`) and its operations (`xray ListResourcePolicies`) cover each other.
    unsupported: {
      unprobed: [...listedUnsupported].filter((u) => !coveredBy(probedUnsupported, u)).sort(),
      missing: [...probedUnsupported].filter((u) => !coveredBy(listedUnsupported, u)).sort(),
    },
  };
}

const serviceOf = (u: string) => u.split(' ')[0]!;

function coveredBy(list: ReadonlySet<string>, u: string): boolean {
  return list.has(u) || list.has(serviceOf(u)) || (!u.includes(' ') && [...list].some((x) => serviceOf(x) === u));
}
