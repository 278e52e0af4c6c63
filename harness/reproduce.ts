/**
 * Whether a reported divergence reproduces: replays that label it reproducible or flaky, and the re-run of failing
 * sequences kept from earlier runs. (The AWS CLI reproducer a user pastes into a shell is reports/reproducer.ts.)
 */
import type { Json, ServiceName } from '../models/types.js';
import type { RecheckResult, Reproducibility } from '../models/results.js';

/** What one replay of a recorded sequence did: the rule it diverged on (null: the model accepted it), or infra. */
export type ReplayOutcome = { rule: string | null } | { infra: true };

/**
 * Replay a shrunk sequence `times` times and label it: `reproducible` when every replay diverges again on the
 * same rule, `flaky` otherwise. Undefined when the target broke down (infra) during the replays: no label then.
 */
export async function labelReproducibility(rule: string, times: number, replay: () => Promise<ReplayOutcome>): Promise<Reproducibility | undefined> {
  let sameRule = 0;
  const otherRules = new Set<string>();
  for (let i = 0; i < times; i++) {
    const outcome = await replay();
    if ('infra' in outcome) return undefined;
    if (outcome.rule === rule) sameRule++;
    else if (outcome.rule !== null) otherRules.add(outcome.rule);
  }
  return { label: sameRule === times ? 'reproducible' : 'flaky', replays: times, sameRule, otherRules: [...otherRules].sort() };
}

/** A failing sequence kept in the failures file (see harness/failures.ts). */
export interface RecordedSequence {
  service: ServiceName;
  rule: string;
  explainedBy?: { switch: string; value: string };
  /** The generated commands as data: re-running them gives the same steps with fresh resource names. */
  commands: Json[];
  /** Switches away from their default and rules set aside when it was found (the checker's settings). */
  switches: Record<string, string>;
  setAside: string[];
  consistency: 'strict' | 'eventual';
  recordedAt: string;
  replay: string;
}

/**
 * Re-run failing sequences of an earlier run before exploring. `rerun` executes one recorded sequence against
 * the target (fresh resources, fresh checker under the recorded settings). A record the suite can no longer
 * execute (its commands no longer fit the generator) is `stale`. Stops at the first infrastructure failure.
 */
export async function recheckRecorded(
  records: readonly RecordedSequence[],
  rerun: (record: RecordedSequence) => Promise<ReplayOutcome>,
  progress?: (m: string) => void,
): Promise<RecheckResult[]> {
  const results: RecheckResult[] = [];
  for (const record of records) {
    let outcome: ReplayOutcome;
    try {
      outcome = await rerun(record);
    } catch (error) {
      results.push({ ...recheckBase(record), status: 'stale', nowRule: `cannot re-run: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200) });
      continue;
    }
    if ('infra' in outcome) break;
    const status: RecheckResult['status'] = outcome.rule === null ? 'passes' : outcome.rule === record.rule ? 'still-fails' : 'fails-differently';
    results.push({ ...recheckBase(record), status, ...(status === 'fails-differently' ? { nowRule: outcome.rule! } : {}) });
    progress?.(`earlier failure on ${record.rule}: ${status}`);
  }
  return results;
}

function recheckBase(record: RecordedSequence): Omit<RecheckResult, 'status'> {
  return { rule: record.rule, ...(record.explainedBy ? { explainedBy: record.explainedBy } : {}), recordedAt: record.recordedAt, replay: record.replay };
}
