import fc from 'fast-check';
import { Checker, type CheckerSettings, type StepVerdict } from '../models/checker.js';
import { type Consistency, defaultSwitches, type Json, type Observation, type Request, type ServiceModel, type SwitchSettings } from '../models/types.js';
import { isThrottle, sleep } from './observe.js';
import { labelReproducibility, type RecordedSequence, recheckRecorded, type ReplayOutcome } from './reproduce.js';
import type { Divergence, ServiceResult, Step } from './results.js';
import type { Endpoint } from './sdk.js';
import { type Connection, DEFAULT_WAIT_SECONDS, type Sequence, type ServiceAdapter } from './service.js';

export interface RunOptions {
  runs: number;
  seed: number;
  /** fast-check replay path: re-runs exactly one (shrunk) case. */
  path?: string;
  consistency: Consistency;
  /** Switch values to start from (defaults: AWS's most likely behaviour). */
  switches?: SwitchSettings;
  /** Rules whose departures are already known and must not stop exploration. */
  setAside?: readonly string[];
  settleMs: number;
  /** Budget for each resource transition the adapter waits out (default 300 s, what AWS may need). */
  waitSeconds?: number;
  /** How many distinct divergences to look for before stopping. */
  maxDivergences: number;
  /** Consecutive calls that still fault after retries before the run is declared an infrastructure failure. */
  faultLimit?: number;
  /** First backoff before retrying a throttled or faulted read; doubles each attempt (capped at 3 s). */
  retryBaseMs?: number;
  /** CLI words that select the same target (and mutant), for replay commands. */
  replayBase: string;
  /** Replay each shrunk divergence this many times before reporting it, labelling it reproducible or flaky (0/absent: no replay). */
  reproduce?: number;
  /** Failing sequences of earlier runs (the failures file): re-run first, each reported as still failing or not. */
  recheck?: readonly RecordedSequence[];
  onProgress?(message: string): void;
}

interface Failure {
  steps: Step[];
  calls: number;
  verdict: Extract<StepVerdict, { status: 'diverged' }>;
  commands: unknown[];
}

const READ_RETRIES = 3;
const THROTTLE_RETRIES = 6;

/**
 * Feed a recorded trace to a fresh checker: the first divergence (or null when the model accepts it), and how
 * many steps were let through only because their rule was set aside.
 */
export function replayOffline<S>(model: ServiceModel<S>, settings: CheckerSettings, initial: S | undefined, steps: readonly Step[]) {
  const checker = new Checker(model, settings, initial ?? model.initial());
  let setAsideHits = 0;
  for (const step of steps) {
    const verdict = checker.observe({ operation: step.operation, input: step.input }, step.outcome);
    if (verdict.status === 'diverged') return { divergence: verdict, setAsideHits };
    if (verdict.status === 'indeterminate' && verdict.reason === 'set-aside') setAsideHits++;
  }
  return { divergence: null, setAsideHits };
}

function runPrefix(): string {
  return `pc${Date.now().toString(36).slice(-6)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

/** Run the property-based suite for one service against one endpoint. Never throws for target behaviour. */
export async function runService<Cmd>(adapter: ServiceAdapter<Cmd>, endpoint: Endpoint, options: RunOptions): Promise<ServiceResult> {
  const started = Date.now();
  const model = adapter.model as ServiceModel<unknown>;
  const result: ServiceResult = {
    service: adapter.service,
    verdict: 'pass',
    runs: 0,
    calls: 0,
    faults: 0,
    durationMs: 0,
    rulesReached: [],
    unsupportedOperations: [],
    profile: {},
    divergences: [],
  };
  const progress = (m: string) => options.onProgress?.(`[${adapter.service}] ${m}`);
  const connection = adapter.connect(endpoint, { settleMs: options.settleMs, waitSeconds: options.waitSeconds ?? DEFAULT_WAIT_SECONDS });
  const prefix = runPrefix();
  try {
    const discovered = await discoverWithRetries(connection, prefix);
    if ('failure' in discovered) {
      result.verdict = discovered.failure.kind === 'unsupported' ? 'unsupported' : 'infra';
      result.reason = describeFailure(discovered.failure);
      return result;
    }
    const { identity, initialState } = discovered;
    const rules = new Set<string>();
    const unsupported = new Set<string>();
    const answered = new Set<string>();
    const switches: SwitchSettings = { ...defaultSwitches(model.switches), ...options.switches };
    const setAside = new Set(options.setAside ?? []);
    let persistentFaults = 0;
    let consecutiveFaults = 0;
    let infra: string | undefined;
    let executions = 0;
    const faultLimit = options.faultLimit ?? 3;
    const readOps = adapter.readOperations;

    const send = async (sequence: Sequence<Cmd>, request: Request): Promise<Observation> => {
      for (let attempt = 0; ; attempt++) {
        const observation = await sequence.send(request);
        result.calls++;
        if (observation.kind !== 'fault') {
          consecutiveFaults = 0;
          return observation;
        }
        result.faults++;
        const retryable = isThrottle(observation) ? attempt < THROTTLE_RETRIES : readOps.has(request.operation) && attempt < READ_RETRIES;
        if (!retryable) {
          consecutiveFaults++;
          persistentFaults++;
          if (consecutiveFaults >= faultLimit) infra = `${consecutiveFaults} calls in a row failed after retries; last: ${request.operation}: ${observation.reason}`;
          else if (persistentFaults > Math.max(10, result.calls / 10)) infra = `${persistentFaults} of ${result.calls} calls failed after retries; last: ${request.operation}: ${observation.reason}`;
          return observation;
        }
        await sleep(Math.min((options.retryBaseMs ?? 100) * 2 ** attempt, 3000));
      }
    };

    const execute = async (commands: Cmd[], settings: CheckerSettings): Promise<Failure | null> => {
      const sequence = connection.sequence(`${prefix}${(executions++).toString(36)}`, identity);
      const checker = new Checker(model, settings, initialState ?? model.initial());
      const steps: Step[] = [];
      try {
        const all = [...sequence.setup.map((c) => ({ c, setup: true })), ...commands.map((c) => ({ c, setup: false }))];
        for (const { c, setup } of all) {
          if (infra) return null;
          const request = sequence.request(c);
          let outcome = await send(sequence, request);
          if (outcome.kind === 'unsupported' && answered.has(request.operation)) {
            // The target implements this operation (it answered it properly before): a non-AWS error page now is a
            // crash on this input, which is a departure to report, not a missing operation.
            outcome = { kind: 'error', code: `NonAwsError(${outcome.reason.slice(0, 80)})`, status: outcome.status ?? 0 };
          }
          if (outcome.kind === 'ok' || outcome.kind === 'error') answered.add(request.operation);
          const step: Step = { operation: request.operation, input: request.input, outcome, ...(setup ? { setup } : {}) };
          steps.push(step);
          if (outcome.kind === 'unsupported') unsupported.add(request.operation);
          const verdict = checker.observe(request, outcome);
          if (verdict.status === 'indeterminate' && verdict.reason === 'set-aside') step.setAside = verdict.rules[0]!;
          sequence.learn(request, outcome);
          if (verdict.status === 'diverged') {
            const calls = steps.filter((s) => !s.setup).length;
            // One step per command: the commands after the failing one never ran.
            return { steps, calls, verdict, commands: commands.slice(0, calls) };
          }
          for (const r of verdict.rules) rules.add(r);
        }
        return null;
      } finally {
        await sequence.cleanup();
      }
    };

    /** One more execution of a recorded command sequence under fixed settings: the rule it diverges on, if any. */
    const rerun = async (commands: unknown[], settings: CheckerSettings): Promise<ReplayOutcome> => {
      const again = await execute(commands as Cmd[], settings);
      return infra ? { infra: true } : { rule: again?.verdict.rule ?? null };
    };
    if (options.recheck?.length) {
      result.rechecked = await recheckRecorded(
        options.recheck,
        (r) => rerun(r.commands, { switches: { ...switches, ...r.switches }, consistency: options.consistency, ...identity, setAside: new Set(r.setAside) }),
        progress,
      );
    }

    for (let round = 0; round < options.maxDivergences && !infra; round++) {
      const settings: CheckerSettings = { switches: { ...switches }, consistency: options.consistency, ...identity, setAside: new Set(setAside) };
      let lastFailure: Failure | null = null;
      let runs = 0;
      const property = fc.asyncProperty(adapter.commands(options.consistency), async (commands) => {
        if (infra) return true;
        runs++;
        if (runs % 25 === 0) progress(`round ${round + 1}: ${runs} sequences, ${result.calls} calls, ${result.faults} faults`);
        const failure = await execute(commands, settings);
        if (failure) lastFailure = failure;
        return failure === null;
      });
      const details = await fc.check(property, { numRuns: options.runs, seed: options.seed, ...(options.path ? { path: options.path } : {}) });
      result.runs += runs;
      if (infra) break;
      const failure = lastFailure as Failure | null;
      if (!details.failed || !failure) break;
      const divergence = describeDivergence(model, settings, initialState, failure, {
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        replay: replayCommand(options, adapter.service, defaultSwitches(model.switches), switches, setAside, details.seed, details.counterexamplePath ?? ''),
      });
      divergence.commands = failure.commands as Json[];
      divergence.foundUnder = { switches: Object.fromEntries(Object.entries(settings.switches).filter(([k, v]) => defaultSwitches(model.switches)[k] !== v)), setAside: [...setAside] };
      if (options.reproduce) {
        const reproducibility = await labelReproducibility(divergence.rule, options.reproduce, () => rerun(failure.commands, settings));
        if (reproducibility) divergence.reproducibility = reproducibility;
      }
      result.divergences.push(divergence);
      progress(`divergence on ${divergence.rule}${divergence.explainedBy ? ` (explained by ${divergence.explainedBy.switch}=${divergence.explainedBy.value})` : ''}, ${divergence.calls} calls`);
      if (divergence.explainedBy) switches[divergence.explainedBy.switch] = divergence.explainedBy.value;
      else setAside.add(divergence.rule);
      if (options.path) break;
    }

    result.rulesReached = [...rules].filter((r) => !r.startsWith('model.')).sort();
    result.unsupportedOperations = [...unsupported].filter((op) => !answered.has(op)).sort();
    const defaults = defaultSwitches(model.switches);
    result.profile = Object.fromEntries(Object.entries(switches).filter(([k, v]) => defaults[k] !== v));
    if (infra) {
      result.verdict = 'infra';
      result.reason = infra;
    } else if (result.divergences.length > 0) result.verdict = 'fail';
    else if (result.unsupportedOperations.length > 0) {
      result.verdict = 'unsupported';
      result.reason = `not implemented by the target: ${result.unsupportedOperations.join(', ')}`;
    }
    return result;
  } finally {
    connection.close();
    result.durationMs = Date.now() - started;
  }
}

/** Discovery is a handful of calls; a throttle or a passing fault there should not end the run. */
async function discoverWithRetries<Cmd>(connection: Connection<Cmd>, prefix: string) {
  for (let attempt = 0; ; attempt++) {
    const discovered = await connection.discover(attempt === 0 ? prefix : `${prefix}r${attempt}`);
    if (!('failure' in discovered) || discovered.failure.kind !== 'fault' || attempt >= READ_RETRIES) return discovered;
    await sleep(200 * 2 ** attempt);
  }
}

function describeFailure(o: Observation): string {
  if (o.kind === 'fault' || o.kind === 'unsupported') return o.reason;
  return o.kind === 'error' ? `${o.code} (HTTP ${o.status})` : 'unexpected success';
}

function describeDivergence(
  model: ServiceModel<unknown>,
  settings: CheckerSettings,
  initial: unknown,
  failure: Failure,
  where: { seed: number; path: string; replay: string },
): Divergence {
  const rule = model.rules[failure.verdict.rule];
  const explainedBy = findExplainingSwitch(model, settings, initial, failure.steps);
  return {
    rule: failure.verdict.rule,
    evidence: rule?.evidence ?? 'unknown',
    summary: rule?.summary ?? failure.verdict.rule,
    ...(explainedBy ? { explainedBy } : {}),
    expected: failure.verdict.allowed,
    actual: failure.steps.at(-1)!.outcome,
    steps: failure.steps,
    calls: failure.calls,
    afterSetAside: [...new Set(failure.steps.flatMap((s) => (s.setAside ? [s.setAside] : [])))],
    ...where,
  };
}

/**
 * A single switch moved off its current value under which the model accepts the whole trace, without leaning
 * on more set-aside rules than the failing check did (else any switch that shifts blame would "explain" it).
 */
function findExplainingSwitch(model: ServiceModel<unknown>, settings: CheckerSettings, initial: unknown, steps: readonly Step[]) {
  const baseline = replayOffline(model, settings, initial, steps).setAsideHits;
  for (const s of model.switches) {
    // A switch moves off its default once (by the user, or to explain an earlier divergence): a target that needs
    // two values of it would otherwise flip it back and forth for the whole budget; no single value explains it.
    if (settings.switches[s.name] !== s.default) continue;
    for (const value of s.values) {
      if (value === settings.switches[s.name]) continue;
      const trial = replayOffline(model, { ...settings, switches: { ...settings.switches, [s.name]: value } }, initial, steps);
      if (trial.divergence === null && trial.setAsideHits <= baseline) return { switch: s.name, value };
    }
  }
  return undefined;
}

function replayCommand(options: RunOptions, service: string, defaults: SwitchSettings, switches: SwitchSettings, setAside: ReadonlySet<string>, seed: number, path: string): string {
  const words = [`npx policy-conformance run ${options.replayBase}`, `--services ${service}`, `--seed ${seed}`, `--path ${path}`, `--consistency ${options.consistency}`];
  for (const [k, v] of Object.entries(switches)) if (defaults[k] !== v) words.push(`--switch ${k}=${v}`);
  if (setAside.size) words.push(`--set-aside ${[...setAside].join(',')}`);
  return words.join(' ');
}
