// Time to first divergence for the seeded bugs: the `mutants` command's own loop (harness/mutation-score.ts: the
// default suite against the reference server with one mutant, stopping at the first entry), timed from one mutant's
// outcome to the next. The time covers finding the departure, shrinking it and explaining it: until the suite
// reports it.
import { runMutants } from '../../harness/mutation-score.js';
import { allMutants } from '../../harness/reference/server.js';
import type { TimeActivity } from '../../models/results.js';
import { SERVICE_NAMES } from '../../services/index.js';
import { median, round } from './stats.js';

export interface MutantTiming {
  name: string;
  service: string;
  caught: boolean;
  named: boolean;
  /** Generated calls in the witness. */
  calls?: number;
  seconds: number;
  /** Of the suite's own run, seconds per activity (results.json `time`). */
  split?: Partial<Record<TimeActivity, number>>;
}

export interface MutantFigures {
  mutants: MutantTiming[];
  caught: number;
  named: number;
  /** Median seconds to the first divergence, over caught mutants. */
  medianSeconds: number;
  perService: Record<string, { mutants: number; caught: number; medianSeconds: number }>;
  /** Over the caught mutants, seconds per activity in all: where the time to first divergence goes. */
  splitSeconds: Partial<Record<TimeActivity, number>>;
}

/** `perService`: how many of each service's mutants to run (all when absent). */
export async function mutantTimings(runs: number, seed: number, perService?: number): Promise<MutantFigures> {
  const names = perService === undefined ? undefined : SERVICE_NAMES.flatMap((s) => allMutants().filter((m) => m.service === s).slice(0, perService).map((m) => m.name));
  const mutants: MutantTiming[] = [];
  let last = performance.now();
  await runMutants({
    services: SERVICE_NAMES,
    runs,
    seed,
    region: 'us-east-1',
    ...(names ? { names } : {}),
    onResult: (o) => {
      const now = performance.now();
      mutants.push({ name: o.name, service: o.service, caught: o.caught, named: o.named, ...(o.calls !== undefined ? { calls: o.calls } : {}), seconds: round((now - last) / 1000, 2), ...(o.time ? { split: Object.fromEntries(Object.entries(o.time).map(([a, v]) => [a, round(v!.ms / 1000, 2)])) } : {}) });
      last = now;
    },
  });
  const caught = mutants.filter((m) => m.caught);
  const perServiceFigures: MutantFigures['perService'] = {};
  for (const s of SERVICE_NAMES) {
    const of = mutants.filter((m) => m.service === s);
    if (of.length) perServiceFigures[s] = { mutants: of.length, caught: of.filter((m) => m.caught).length, medianSeconds: round(median(of.filter((m) => m.caught).map((m) => m.seconds)), 2) };
  }
  const splitSeconds: MutantFigures['splitSeconds'] = {};
  for (const m of caught) for (const [a, sec] of Object.entries(m.split ?? {})) splitSeconds[a as TimeActivity] = round((splitSeconds[a as TimeActivity] ?? 0) + sec, 2);
  return { splitSeconds, mutants, caught: caught.length, named: mutants.filter((m) => m.named).length, medianSeconds: round(median(caught.map((m) => m.seconds)), 2), perService: perServiceFigures };
}
