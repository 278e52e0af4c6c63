/** The mutation score: the default suite against the reference server with each seeded bug, one at a time. */
import type { DepartureKind, TimeSplit, Verdict } from '../models/results.js';
import type { ServiceName } from '../models/types.js';
import { serviceNamed } from '../services/index.js';
import { allMutants, startReference } from './reference/server.js';
import { runService } from './runner.js';
import { DUMMY_CREDENTIALS } from './sdk.js';

export interface MutantOutcome {
  name: string;
  service: string;
  breaks: string;
  /** The kind of departure the seeded bug is. */
  breaksKind: DepartureKind;
  caught: boolean;
  verdict: Verdict;
  rule?: string;
  kind?: DepartureKind;
  /** The first entry names the rule and kind the mutant breaks. */
  named: boolean;
  /** Entries reported (a seeded bug is one cause: more than one means consequences were counted). */
  entries: number;
  calls?: number;
  replay?: string;
  /** The run's wall time and where it went (finding the departure, shrinking, explaining, confirming). */
  durationMs?: number;
  time?: TimeSplit;
}

export interface MutantRunOptions {
  services: readonly ServiceName[];
  runs: number;
  seed: number;
  region: string;
  /** Only these mutants (default: every mutant of `services`): the benchmark's quick run takes a few. */
  names?: readonly string[];
  onResult?(m: MutantOutcome): void;
}

export async function runMutants(options: MutantRunOptions): Promise<MutantOutcome[]> {
  const outcomes: MutantOutcome[] = [];
  for (const mutant of allMutants().filter((m) => options.services.includes(m.service) && (!options.names || options.names.includes(m.name)))) {
    const target = await startReference({ mutant: mutant.name });
    try {
      const r = await runService(serviceNamed(mutant.service)!.adapter, { url: target.url, region: options.region, credentials: DUMMY_CREDENTIALS }, {
        runs: options.runs,
        seed: options.seed,
        consistency: 'strict',
        settleMs: 0,
        maxDivergences: 1,
        replayBase: `--target reference --mutant ${mutant.name}`,
      });
      const first = r.divergences[0];
      const breaksKind = mutant.kind ?? 'wrong-answer';
      const outcome: MutantOutcome = {
        name: mutant.name,
        service: mutant.service,
        breaks: mutant.breaks,
        breaksKind,
        caught: r.verdict === 'fail',
        verdict: r.verdict,
        named: !!first && first.rule === mutant.breaks && (first.kind ?? 'wrong-answer') === breaksKind,
        entries: r.divergences.length,
        ...(first ? { rule: first.rule, kind: first.kind ?? 'wrong-answer', calls: first.calls, replay: first.replay } : {}),
        durationMs: r.durationMs,
        ...(r.time ? { time: r.time } : {}),
      };
      outcomes.push(outcome);
      options.onResult?.(outcome);
    } finally {
      await target.stop();
    }
  }
  return outcomes;
}
