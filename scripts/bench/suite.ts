// The suite as the CLI runs it: `run`'s own option parser (so every setting is the CLI's default unless given) and
// `runTarget`, in this process, with the judged policy calls counted (./judged.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOptions } from '../../cli/options.js';
import { runTarget } from '../../cli/run-target.js';
import { Halt } from '../../harness/halt.js';
import { JudgedPolicyCalls } from './judged.js';
import { round } from './stats.js';

export interface SuiteServiceFigures {
  service: string;
  verdict: string;
  sequences: number;
  /** results.json `calls`: steps sent, fixture and generated. */
  calls: number;
  judgedPolicyCalls: number;
  /** results.json `requests`, by phase. */
  requests: Record<string, number>;
  divergences: number;
  /** The rules the entries were found under, and why a run that is not a pass was not (for a reader of the JSON). */
  departures: string[];
  reason?: string;
  seconds: number;
  /** Seconds from the start of the run's first service to this one's start (results.json `startedAt`). */
  startedAfter: number;
  judgedPolicyCallsPerSec: number;
  /** Every HTTP request of the service's run per judged policy call. */
  requestsPerJudgedCall: number;
}

export interface SuiteFigures {
  target: string;
  targetVersion?: string;
  args: string[];
  /** The run's seed (the CLI's default is a new one per run): `run --seed` with the same arguments repeats it. */
  seed: number;
  /** From the start of `runTarget` to its end: the target's start and stop included. */
  wallSeconds: number;
  /** results.json `sideBySide`: the services ran at once, and their time together is their union, not their sum. */
  sideBySide: boolean;
  /** results.json `emulatorPerService`: side by side, each service had an emulator process of its own. */
  emulatorPerService: boolean;
  services: SuiteServiceFigures[];
  total: Omit<SuiteServiceFigures, 'service' | 'verdict' | 'departures' | 'reason'> & { verdicts: string[] };
}

/** `args` are `run`'s options (e.g. `--target moto --runs 20`); reports are not written, failures go to a scratch folder. */
export async function runSuite(args: string[]): Promise<SuiteFigures> {
  const out = mkdtempSync(join(tmpdir(), 'pc-bench-'));
  const o = await runOptions([...args, '--quiet', '--out', out]);
  const judged = new JudgedPolicyCalls();
  const started = performance.now();
  let result;
  try {
    result = await runTarget(o.target, new Halt(o.target.budgets ?? {}));
  } finally {
    judged.stop();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const sideBySide = result.sideBySide === true;
  // A service that was not run has no start: it starts (and ends) with the first.
  const starts = result.services.map((s) => (s.startedAt ? Date.parse(s.startedAt) : NaN));
  const first = Math.min(...starts.filter((t) => !Number.isNaN(t)));
  const services = result.services.map((s, i) => ({
    ...figures(s.service, s.verdict, s.runs, s.calls, judged.of(s.service), s.requests ?? {}, s.divergences.length, s.durationMs / 1000, Number.isNaN(starts[i]!) ? 0 : (starts[i]! - first) / 1000),
    departures: s.divergences.map((d) => d.rule),
    ...(s.reason ? { reason: s.reason } : {}),
  }));
  const sum = (f: (s: SuiteServiceFigures) => number) => services.reduce((n, s) => n + f(s), 0);
  const requests: Record<string, number> = {};
  for (const s of services) for (const [k, v] of Object.entries(s.requests)) requests[k] = (requests[k] ?? 0) + v;
  const { service: _s, verdict: _v, departures: _d, ...total } = figures('', '', sum((s) => s.sequences), sum((s) => s.calls), sum((s) => s.judgedPolicyCalls), requests, sum((s) => s.divergences), spanSeconds(services, sideBySide), 0);
  return {
    target: result.target,
    ...(result.targetVersion ? { targetVersion: result.targetVersion } : {}),
    args,
    seed: result.seed,
    wallSeconds: round(wallSeconds, 2),
    sideBySide,
    emulatorPerService: result.emulatorPerService === true,
    services,
    total: { ...total, verdicts: services.map((s) => s.verdict) },
  };
}

/**
 * The seconds some services of a run took together: one after another, the sum of theirs; side by side, from the
 * first one's start to the last one's end (a rate over the sum would count the overlapping time twice).
 */
export function spanSeconds(services: Pick<SuiteServiceFigures, 'seconds' | 'startedAfter'>[], sideBySide: boolean): number {
  if (!services.length) return 0;
  if (!sideBySide) return services.reduce((n, s) => n + s.seconds, 0);
  return Math.max(...services.map((s) => s.startedAfter + s.seconds)) - Math.min(...services.map((s) => s.startedAfter));
}

function figures(service: string, verdict: string, sequences: number, calls: number, judged: number, requests: Record<string, number>, divergences: number, seconds: number, startedAfter: number): SuiteServiceFigures {
  return {
    service,
    verdict,
    sequences,
    calls,
    judgedPolicyCalls: judged,
    requests,
    divergences,
    departures: [],
    // Milliseconds, as the plain loop's: a quick run's service takes a fraction of a second, and its rate must be
    // recomputable from the JSON's figures to within their rounding.
    seconds: round(seconds, 3),
    startedAfter: round(startedAfter, 3),
    judgedPolicyCallsPerSec: seconds > 0 ? round(judged / seconds, 1) : 0,
    requestsPerJudgedCall: judged > 0 ? round((requests.total ?? 0) / judged, 2) : 0,
  };
}
