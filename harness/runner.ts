/**
 * The property-based run of one service against one target. fast-check draws command sequences; the executor
 * runs and judges each one; a clean departure fails the property, fast-check shrinks it (to sequences that
 * depart the same way), and the explainer turns the minimal one into an entry: a switch value, a hidden effect
 * of an earlier write, or a rule found by simplifying the failing step — confirmed by re-running its witness.
 * Each entry's rule is then set aside (or its switch adopted, or its hidden effect assumed from then on) and the
 * next round looks for the next one, until none is left or `maxDivergences` is reached.
 *
 * What a user can rely on: an entry's witness departs at its last step and at no earlier one, and departed again
 * when re-run on its own; a departure that only showed up in sequences that went through an earlier entry is
 * listed under that entry (`alsoShowsAs`), never as its own; faults end a sequence's evidence, never make one.
 */
import fc from 'fast-check';
import { type CheckerSettings, type ConjectureKind, replayOffline } from '../models/checker.js';
import { type Consistency, defaultSwitches, type Json, type Observation, type ServiceModel, type SwitchSettings } from '../models/types.js';
import { blamedRule, type HiddenEvent, hiddenEvent, hiddenEvents, kindOf, probeSettings, raceOneAfterAnother, simplifyWitness, switchCandidates } from './explain.js';
import { crashSignature, type Execution, Executor, InternalError } from './execution.js';
import { sleep } from './observe.js';
import { labelReproducibility, type RecordedSequence, recheckRecorded, type ReplayOutcome } from './reproduce.js';
import type { Attribution, DepartureKind, Divergence, ServiceResult, Step } from '../models/results.js';
import { defaultDeadlineMs, type Endpoint, endpointId } from './sdk.js';
import { createdCount, describeHalt, type Halt } from './halt.js';
import { closeJournal, noteAccount, openJournal } from './journal.js';
import { acquireLease, type Lease } from './lease.js';
import { acquireTargetLease, type TargetLease } from './target-lease.js';
import type { HistoryRecorder } from './record.js';
import { RequestTally } from './requests.js';
import type { LeftResource, Sweeper } from './sweep.js';
import { type Connection, DEFAULT_LAG_BOUND_MS, DEFAULT_WAIT_SECONDS, lagBoundFor, type ServiceAdapter, type TargetIdentity } from './service.js';
import { isRealAccount, type SafetyProfile } from '../generators/safety.js';
import { TimeSplitter } from './time-split.js';

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
  /**
   * The lag bound (eventual mode): a judged read after a write is polled until it shows the write for at most this
   * long, and a Settle step pauses this long. Absent: the service's own bound (lagBoundFor); 0: judge at once.
   */
  settleMs?: number;
  /**
   * The change window the target keeps (ms, DynamoDB: spec §7.3): a changing write sent surely inside it must be
   * refused (ExecutorOptions.windowMs). Absent or 0: a refusal is allowed, never required.
   */
  windowMs?: number;
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
  /**
   * Re-run each entry's witness this many times before reporting it: `reproducible` when every re-run departs again
   * at its last step on the same rule, `flaky` when some do; one that never does is not an entry (`unconfirmed`).
   * 0 or absent: no re-runs (the witness is reported as found).
   */
  reproduce?: number;
  /** Failing sequences of earlier runs (the failures file): re-run first, each reported as still failing or not. */
  recheck?: readonly RecordedSequence[];
  /** Signals and budgets shared by the target's whole run: checked between sequences. */
  halt?: Halt;
  /**
   * The service's sweeper: with it, the run journals its prefix before its first request, looks for marked
   * resources of earlier runs at the start, and reads back at the end that nothing of its own is left.
   */
  sweep?: { sweeper: Sweeper; journalDir?: string };
  /** A lease file for account-wide state: the run waits its turn behind other runs on this machine holding it. */
  lease?: string;
  /**
   * Sequences run at once (default 1), each on resources of its own — so never more than 1 for a service with
   * account-wide state (ServiceAdapter.accountWide), or, where it tells which do (touchesAccountWide), for the
   * sequences that touch it. The same seed gives the same sequences and departures for any value.
   */
  concurrency?: number;
  /** Reuse fixtures between sequences that create and delete none (default true); false: fresh ones every time. */
  fixturePool?: boolean;
  /** The generation profile (generators/safety.ts; absent: `full`): which documents and principals are sent. */
  safety?: SafetyProfile;
  /** `--record`: every request and every sequence of the run goes into this history (harness/record.ts). */
  record?: HistoryRecorder;
  onProgress?(message: string): void;
}

const DISCOVERY_RETRIES = 3;
/** Rounds in a row that found only departures already reported (or unconfirmed ones) before exploration stops. */
const DRY_ROUNDS = 6;
/** Sequences kept per rule seen only as a consequence, to try reaching it without the step that tainted them. */
const CONSEQUENCE_EXAMPLES = 4;
/**
 * A recurring server error is a crash only if faults the target throws at random could not have lined up on every
 * re-run: with a fault rate p, R re-runs all failing at the same step by chance has probability p^R; R is chosen so
 * that this stays below CRASH_FALSE_ALARM over the run's candidates, between 2 and MAX_CRASH_REPLAYS re-runs (a
 * target faulting so often that more would be needed cannot show a crash at all).
 */
const CRASH_FALSE_ALARM = 0.001;
const MAX_CRASH_REPLAYS = 8;
const MAX_CRASH_CHECKS = 40;

export function crashReplays(faultRate: number, candidates: number): number | null {
  const p = Math.max(faultRate, 0.001);
  const needed = Math.ceil(Math.log(CRASH_FALSE_ALARM / Math.max(10, candidates)) / Math.log(p));
  const r = Math.max(2, needed);
  return r > MAX_CRASH_REPLAYS ? null : r;
}

export function runPrefix(): string {
  // Always 11 characters: the suite's mark (harness/sweep.ts) is this shape.
  return `pc${Date.now().toString(36).slice(-6)}${Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, '0')}`;
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
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    rulesReached: [],
    unsupportedOperations: [],
    profile: {},
    divergences: [],
  };
  // Account-wide state is shared by every sequence: such a service runs one at a time, whatever the caller asked —
  // unless it can tell the sequences that touch it (they then take turns, the executor's account turn).
  if (adapter.accountWide && !adapter.touchesAccountWide) options = { ...options, concurrency: 1 };
  if ((options.concurrency ?? 1) > 1) result.concurrency = options.concurrency;
  const progress = (m: string) => options.onProgress?.(`[${adapter.service}] ${m}`);
  const tally = new RequestTally();
  endpoint = { ...endpoint, onRequest: tally.count, ...(options.record ? { onExchange: options.record.exchanges(tally) } : {}) };
  const lagBoundMs = lagBoundFor(adapter, options.consistency, options.settleMs);
  const connection = adapter.connect(endpoint, { settleMs: lagBoundMs, waitSeconds: options.waitSeconds ?? DEFAULT_WAIT_SECONDS, ...(options.safety ? { safety: options.safety } : {}) });
  const prefix = runPrefix();
  let executor: Executor<Cmd> | undefined;
  let lease: Lease | undefined;
  let targetLease: TargetLease | undefined;
  /** Account-wide state found at the start that takes coverage away (the model says what it is and what it blocks). */
  let sharedAtStart: ReturnType<NonNullable<ServiceModel<unknown>['sharedAtStart']>>;
  if (options.lease) {
    const waiting = {
      stop: () => options.halt?.check() !== undefined,
      onWait: (holder: string) => progress(`waiting for another run's turn on this target's account-wide state: ${holder}`),
    };
    lease = await acquireLease(options.lease, prefix, waiting);
    // Then the turn among runs on other machines: a lease kept on the target (its requests are bookkeeping).
    const onTarget = lease && (await acquireTargetLease({ ...endpoint, onRequest: tally.countAs('bookkeeping') }, adapter.service, prefix, waiting));
    if (!lease || !onTarget) {
      lease?.release();
      const halted = options.halt!.check()!;
      result.verdict = halted.kind;
      result.reason = `not run: ${describeHalt(halted, options.halt!.budgets)} while waiting for another run's turn`;
      result.requests = tally.snapshot();
      connection.close();
      return result;
    }
    targetLease = onTarget;
  }
  tally.phase = 'bookkeeping';
  const journal = options.sweep ? await startJournal(options.sweep, adapter.service, endpoint, prefix, result, progress) : undefined;
  let identity: TargetIdentity | undefined;
  try {
    tally.phase = 'discovery';
    const discovered = await discoverWithRetries(connection, prefix);
    if ('failure' in discovered) {
      result.verdict = discovered.failure.kind === 'unsupported' ? 'unsupported' : 'infra';
      result.reason = describeFailure(discovered.failure);
      return result;
    }
    identity = discovered.identity;
    const { initialState } = discovered;
    options.record?.discovered(identity, initialState);
    if (journal) {
      noteAccount(journal, identity.account);
      tally.phase = 'bookkeeping';
      await accountWideLeftovers(options.sweep!.sweeper, endpoint, identity, result, progress);
    }
    sharedAtStart = model.sharedAtStart?.(initialState);
    if (isRealAccount(options.safety)) {
      const unreachable = adapter.unreachableUnder?.(options.safety!, initialState) ?? [];
      if (unreachable.length) result.unreachable = unreachable;
    }
    executor = new Executor<Cmd>(
      model,
      connection,
      identity,
      initialState,
      prefix,
      { ...executorOptions(adapter, endpoint, options, Math.max(1, options.concurrency ?? 1)), tally, ...(isRealAccount(options.safety) ? { guardPublic: true } : {}), ...(options.record ? { onExecution: options.record.execution.bind(options.record) } : {}) },
      discovered.answered,
    );
    const run = new ServiceRun(adapter, model, executor, options, identity, initialState, result, progress);
    await run.explore();
    return result;
  } finally {
    if (executor) {
      await executor.drainPool();
      result.calls = executor.calls;
      if (executor.fixtures.created + executor.fixtures.reused) result.fixtures = { ...executor.fixtures };
      result.faults = executor.faults;
      if (Object.keys(executor.created).length) result.created = { ...executor.created };
      if (executor.publicAccepted.length) result.publicAccepted = [...executor.publicAccepted];
      if (options.consistency === 'eventual' && lagBoundMs > 0) result.staleness = executor.lag.summary(lagBoundMs);
    }
    tally.phase = 'bookkeeping';
    if (journal) await endJournal(options.sweep!.sweeper, journal, endpoint, prefix, identity, result);
    if (sharedAtStart) {
      // What the model found at the start includes other runs' marked leftovers: say how many were theirs.
      const theirs = result.leftoversAtStart?.length ? `; ${result.leftoversAtStart.length} of them left by earlier (or concurrent) runs (\`policy-conformance sweep\` removes them)` : '';
      judgeCoverage(result, sharedAtStart.blocks, `${sharedAtStart.what}${theirs}`);
    }
    await targetLease?.release();
    lease?.release();
    connection.close();
    result.requests = tally.snapshot();
    result.durationMs = Date.now() - started;
  }
}

/**
 * Before the first request: what earlier runs left (marked resources on the target), then the journal entry. A
 * target that cannot list its resources gets no journal (a sweep could not act on it) and no leftover check.
 */
async function startJournal(sweep: NonNullable<RunOptions['sweep']>, service: string, endpoint: Endpoint, prefix: string, result: ServiceResult, progress: (m: string) => void): Promise<string | undefined> {
  let before: LeftResource[];
  try {
    before = await sweep.sweeper.find(endpoint);
  } catch {
    return undefined;
  }
  if (before.length) {
    result.leftoversAtStart = before.map((r) => `${r.kind} ${r.name}`);
    progress(`${before.length} resources of earlier runs are on the target (policy-conformance sweep removes them)`);
  }
  return openJournal({ prefix, service, endpoint: endpointId(endpoint), region: endpoint.region }, sweep.journalDir);
}

/**
 * Marked policies of earlier runs on account-wide resources (the OpsItemGroup): listed with the other leftovers.
 * A target that cannot read them (no policy operations) has none.
 */
async function accountWideLeftovers(sweeper: Sweeper, endpoint: Endpoint, identity: TargetIdentity, result: ServiceResult, progress: (m: string) => void): Promise<void> {
  if (!sweeper.findAccountWide) return;
  let found: LeftResource[];
  try {
    found = await sweeper.findAccountWide(endpoint, identity);
  } catch {
    return;
  }
  if (!found.length) return;
  result.leftoversAtStart = [...(result.leftoversAtStart ?? []), ...found.map((r) => `${r.kind} ${r.name}`)];
  progress(`${found.length} policies of earlier runs are on account-wide resources (policy-conformance sweep removes them)`);
}

/** What of this run is on the target: its marked resources, and (once the account is known) its marked account-wide policies. */
async function leftOf(sweeper: Sweeper, endpoint: Endpoint, prefix: string, identity: TargetIdentity | undefined): Promise<LeftResource[]> {
  const own = await sweeper.find(endpoint, prefix);
  if (!identity || !sweeper.findAccountWide) return own;
  try {
    return [...own, ...(await sweeper.findAccountWide(endpoint, identity, prefix))];
  } catch {
    // No policy operations on the target: the run put nothing there.
    return own;
  }
}

/** After the last cleanup: read back what of this run is left; none → the journal goes, else it stays for `sweep`. */
async function endJournal(sweeper: Sweeper, journal: string, endpoint: Endpoint, prefix: string, identity: TargetIdentity | undefined, result: ServiceResult): Promise<void> {
  try {
    // A deletion the cleanup sent may take a while to finish (a table or stream DELETING is still listed).
    let left = await leftOf(sweeper, endpoint, prefix, identity);
    for (let wait = 500; left.length && wait <= 8000; wait *= 2) {
      await sleep(wait);
      left = await leftOf(sweeper, endpoint, prefix, identity);
    }
    if (left.length === 0) return closeJournal(journal);
    result.leftBehind = left.map((r) => `${r.kind} ${r.name}`);
  } catch (error) {
    result.leftBehind = [`unknown: the target's resources could not be listed (${(error as Error).message.split('\n')[0]})`];
  }
}

/**
 * Account-wide state found at the start — X-Ray's five slots all taken, by the account's own policies or other
 * runs' leftovers — takes coverage away: a pass that did not reach the rules it blocks is then not a pass, and says
 * which rules it could not reach and why.
 */
function judgeCoverage(result: ServiceResult, blocks: readonly string[], why: string): void {
  const unreached = blocks.filter((r) => !result.rulesReached.includes(r));
  if (result.verdict !== 'pass' || unreached.length === 0) return;
  result.verdict = 'incomplete';
  result.reason = `${why}; rules not reached: ${unreached.join(', ')}`;
}

export function executorOptions(adapter: ServiceAdapter<unknown> | ServiceAdapter<never>, endpoint: Endpoint, options: Pick<RunOptions, 'faultLimit' | 'retryBaseMs' | 'fixturePool' | 'consistency' | 'settleMs' | 'windowMs'>, concurrency = 1) {
  return {
    readOperations: adapter.readOperations,
    lagBoundMs: lagBoundFor(adapter, options.consistency, options.settleMs),
    // Strict mode: a read answering a lagging view gets a moment to show whether it is one (see STRICT_CONFIRM_MS).
    staleConfirmMs: adapter.model.consistencyRules ? options.settleMs || Math.min(STRICT_CONFIRM_MS, adapter.lagBoundMs ?? DEFAULT_LAG_BOUND_MS) : 0,
    ...(adapter.resourceOf ? { resourceOf: adapter.resourceOf.bind(adapter) } : {}),
    ...(adapter.windowRefusal ? { windowRefusal: adapter.windowRefusal.bind(adapter), ...(options.windowMs ? { windowMs: options.windowMs } : {}) } : {}),
    ...(adapter.createdKinds ? { createdKinds: adapter.createdKinds } : {}),
    ...(adapter.touchesFixture ? { touchesFixture: adapter.touchesFixture.bind(adapter) as (command: unknown) => boolean } : {}),
    ...(adapter.touchesAccountWide ? { touchesAccountWide: adapter.touchesAccountWide.bind(adapter) as (command: unknown) => boolean } : {}),
    ...(adapter.lifecycleOperations ? { lifecycleOperations: adapter.lifecycleOperations, poolSize: options.fixturePool === false ? 0 : concurrency } : {}),
    faultLimit: options.faultLimit ?? 3,
    retryBaseMs: options.retryBaseMs ?? 100,
    cleanupMs: 15_000,
    deadlineMs: endpoint.requestDeadlineMs ?? defaultDeadlineMs(endpoint.url),
  };
}

/**
 * Strict mode, unless --settle-ms says otherwise: how long a read that answered a lagging view is polled to tell a
 * stale read (it gives way to the write) from a lasting state (judged by the ordinary rules). Short: strict mode is
 * for targets that read their writes, and every replay of a write that really lacked its effect pays it.
 */
const STRICT_CONFIRM_MS = 500;

/** A failing execution waiting to be explained, and the signature shrinking must keep. */
interface Failure<Cmd> {
  execution: Execution<Cmd>;
  rule: string;
  kind: DepartureKind;
  /** The failing command's shape (operation and the kinds of its parts): shrinking keeps it too. */
  shape: string;
  /** What exploration found this departure to be (before shrinking), when it looked. */
  cause?: string;
  /** The failing execution as exploration found it (before shrinking). */
  original?: Execution<Cmd>;
}

interface Explained<Cmd> {
  witness: Execution<Cmd>;
  rule: string;
  kind: DepartureKind;
  explainedBy: { switch: string; value: string } | undefined;
  attribution: Attribution;
  /** Named by the state before the failing step or by a hidden effect: holds for that sequence, not for the command's shape. */
  stateDependent: boolean;
}

/**
 * The shape of a command: its operation and, in order, every `kind` / `variant` word inside it (the target is a
 * stream, the policy is malformed not-json …). A smaller sequence failing on the same rule with a command of
 * another shape may be another cause (a Put on a stream where the original failed on a table), so shrinking, which
 * cannot afford to re-explain each candidate, keeps the shape.
 */
function commandShape(command: unknown): string {
  const words: string[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if ((k === 'op' || k === 'kind' || k === 'variant') && typeof x === 'string') words.push(x);
      else walk(x);
    }
  };
  walk(command);
  return words.join(' ');
}

/** What the run believes about the target so far, and what it has found. */
class ServiceRun<Cmd> {
  private readonly defaults: SwitchSettings;
  private readonly switches: SwitchSettings;
  private readonly setAside: Set<string>;
  private readonly conjectured: Array<{ rule: string; kind: ConjectureKind }> = [];
  /** Raw blame + failing command → the entry (rule) it turned out to be, so a departure found again is known. */
  private readonly causes = new Map<string, string>();
  /** The same, for one exact sequence (causes that depend on the steps before the failing one). */
  private readonly sequenceCauses = new Map<string, string>();
  /** Failures whose witness never departed again: not entries, and not to be chased again. */
  private readonly unconfirmedKeys = new Set<string>();
  /** Executions already made, by their commands: re-judged offline when the settings change, instead of re-run. */
  private readonly history = new Map<string, Execution<Cmd>>();
  /** under rule → consequence rule → sequences. */
  private readonly consequences = new Map<string, Map<string, number>>();
  private readonly rules = new Set<string>();
  /** For each rule seen only as a consequence, the first sequences it was seen in. */
  private readonly consequenceExamples = new Map<string, Execution<Cmd>[]>();
  private crashChecks = 0;
  private internal: InternalError | undefined;
  /**
   * Sequences started ahead of fast-check, by their commands (--concurrency): fast-check runs the property one case
   * at a time, and the cases a seed gives are known beforehand (fc.sample draws the same ones), so the next K are
   * run at once and the property finds each one's execution waiting. Shrinking stays one at a time.
   */
  private readonly ahead = new Map<string, Array<{ settings: CheckerSettings; run: Promise<Execution<Cmd>> }>>();
  private readonly time: TimeSplitter;

  constructor(
    private readonly adapter: ServiceAdapter<Cmd>,
    private readonly model: ServiceModel<unknown>,
    private readonly executor: Executor<Cmd>,
    private readonly options: RunOptions,
    private readonly identity: { account: string; region: string },
    private readonly initial: unknown,
    private readonly result: ServiceResult,
    private readonly progress: (m: string) => void,
  ) {
    this.defaults = defaultSwitches(model.switches);
    this.switches = { ...this.defaults, ...options.switches };
    this.setAside = new Set(options.setAside ?? []);
    this.time = new TimeSplitter(() => executor.sequencesStarted);
  }

  private settings(): CheckerSettings {
    return { switches: { ...this.switches }, consistency: this.options.consistency, ...this.identity, setAside: new Set(this.setAside), conjectured: [...this.conjectured] };
  }

  async explore(): Promise<void> {
    const { options, result } = this;
    try {
      if (options.recheck?.length) await this.time.during('other', () => this.recheck(options.recheck!));
      // A round that ends in no new entry (a departure that turned out to be a reported one, an unconfirmed one)
      // does not use up the entry budget, but rounds are bounded all the same.
      for (let round = 0, dry = 0; this.result.divergences.length < options.maxDivergences && round < options.maxDivergences * 3 && dry < DRY_ROUNDS && !this.stopped(); round++) {
        this.time.switchTo('explore');
        const found = await this.round(round);
        if (!found) break;
        const before = this.result.divergences.length;
        await this.report(found);
        dry = this.result.divergences.length > before ? 0 : dry + 1;
        if (options.path) break;
      }
      this.time.switchTo('other');
      if (!options.path) await this.reachCleanly();
    } catch (error) {
      this.internal = error instanceof InternalError ? error : new InternalError(`${(error as Error)?.message ?? String(error)}`, error, [], []);
    }
    result.rulesReached = [...this.rules].filter((r) => !r.startsWith('model.')).sort();
    const unsupported = this.executor.unsupportedOperations();
    this.time.switchTo('other');
    if (!this.stopped()) unsupported.operations = await this.confirmUnsupported(unsupported.operations, unsupported.inconsistent);
    result.time = this.time.summary();
    result.unsupportedOperations = unsupported.operations;
    result.profile = Object.fromEntries(Object.entries(this.switches).filter(([k, v]) => this.defaults[k] !== v));
    for (const d of result.divergences) {
      const under = this.consequences.get(d.rule);
      const own = new Set(result.divergences.map((x) => x.rule));
      const also = [...(under ?? new Map<string, number>())].filter(([r]) => !own.has(r)).map(([rule, sequences]) => ({ rule, sequences }));
      if (also.length) d.alsoShowsAs = also.sort((a, b) => b.sequences - a.sequences || a.rule.localeCompare(b.rule));
    }
    if (this.internal) {
      const e = this.internal;
      result.verdict = 'internal-error';
      result.reason = `internal error (a bug in the suite, not the target): ${e.message}`;
      const original = e.original instanceof Error ? e.original : e;
      result.internalError = { message: e.message, ...(original.stack ? { stack: original.stack } : {}), commands: e.commands as Json[], steps: e.steps };
    } else if (this.executor.infra) {
      result.verdict = 'infra';
      result.reason = this.executor.infra;
    } else if (result.divergences.length > 0) result.verdict = 'fail';
    else if (result.unsupportedOperations.length > 0) {
      result.verdict = 'unsupported';
      result.reason = `not implemented by the target: ${result.unsupportedOperations.join(', ')}`;
    }
    if (unsupported.inconsistent.length && (result.verdict === 'pass' || result.verdict === 'unsupported')) {
      // An operation that never answered like AWS, and failed in more than one way: the target is unwell, not lacking it.
      result.verdict = 'infra';
      result.reason = `never answered like AWS, and failed in different ways: ${unsupported.inconsistent.join(', ')}`;
    }
    const halted = this.options.halt?.check();
    if (halted && !this.internal && !this.executor.infra) {
      // Stopped early: what was found stands, but an unfinished exploration is never a pass (nor "unsupported").
      result.stoppedEarly = describeHalt(halted, this.options.halt!.budgets);
      if (halted.kind === 'interrupted') result.verdict = 'interrupted';
      else if (result.divergences.length === 0) result.verdict = 'incomplete';
      if (result.verdict !== 'fail') result.reason = `${result.stoppedEarly} after ${result.runs} sequences`;
    }
  }

  /**
   * An operation that only ever answered with a server error is "unsupported" (moto's HTML 500 page for what it
   * lacks) only if that comes back at the same step when the sequence is re-run with other call alignments; a
   * fault of every N-th call lines up with a sequence that always stops at the same step, and must not pass for it.
   */
  private async confirmUnsupported(operations: string[], inconsistent: string[]): Promise<string[]> {
    const confirmed: string[] = [];
    for (const op of operations) {
      const seen = this.executor.unsupported.get(op);
      const first = seen?.first;
      if (!first) {
        // Only ever seen in the fixture: a non-AWS error page there counts only if it was not a server error.
        if (![...(seen?.ways ?? [])].some((w) => /^5\d\d /.test(w))) confirmed.push(op);
        else inconsistent.push(op);
        continue;
      }
      if (!first.fromServerError) {
        confirmed.push(op);
        continue;
      }
      let recurs = true;
      for (let shift = 1; shift <= 2 && recurs; shift++) {
        const again = await this.executor.run(first.commands, this.settings(), shift);
        const step = again.steps[first.at];
        recurs = again.end.status === 'stopped' && again.end.why === 'unsupported' && again.end.at === first.at && step?.operation === op;
      }
      if (recurs) confirmed.push(op);
      else inconsistent.push(op);
    }
    return confirmed;
  }

  private stopped(): boolean {
    return this.executor.infra !== undefined || this.internal !== undefined || this.options.halt?.check(this.executor.calls, createdCount(this.executor.created)) !== undefined;
  }

  /** Start the cases from `index` on that are not running yet, up to the concurrency (the case at `index` included). */
  private runAhead(cases: readonly Cmd[][], index: number, settings: CheckerSettings, concurrency: number): void {
    let running = [...this.ahead.values()].reduce((n, list) => n + list.length, 0);
    for (let i = index; i < cases.length && running < concurrency; i++) {
      if (this.started.has(i)) continue;
      if (this.stopped()) return;
      this.started.add(i);
      // A case an earlier round ran to a pass that still holds is re-judged offline when its turn comes: not re-run.
      if (this.recall(cases[i]!, settings)) continue;
      const key = JSON.stringify(cases[i]);
      const run = this.executor.run(cases[i]!, settings);
      // An execution nobody asks for (fast-check stopped at an earlier failure) must not become an unhandled rejection.
      run.catch(() => undefined);
      this.ahead.set(key, [...(this.ahead.get(key) ?? []), { settings, run }]);
      running++;
    }
  }

  private readonly started = new Set<number>();

  /** The execution started ahead for these commands under these settings, if any (taken: it is used once). */
  private takeAhead(commands: Cmd[], settings: CheckerSettings): Promise<Execution<Cmd>> | undefined {
    const key = JSON.stringify(commands);
    const list = this.ahead.get(key);
    const i = list?.findIndex((a) => a.settings === settings) ?? -1;
    if (!list || i < 0) return undefined;
    const [taken] = list.splice(i, 1);
    if (!list.length) this.ahead.delete(key);
    return taken!.run;
  }

  /**
   * Wait for every execution started ahead and not used (each cleans up after itself). One that passed is kept, as
   * if fast-check had reached it: the next round re-judges it offline instead of running it again, as it would at
   * --concurrency 1, where a case reached once is never run again while it still passes. Not one with a race: its
   * pass may be one interleaving's luck, and at --concurrency 1 the case would first run when a round reaches it.
   */
  private async settleAhead(): Promise<void> {
    const pending = [...this.ahead.values()].flat().map((a) => a.run.catch(() => undefined));
    this.ahead.clear();
    this.started.clear();
    for (const e of await Promise.all(pending)) {
      if (e?.end.status !== 'pass' || e.steps.some((s) => s.race !== undefined) || this.history.has(this.historyKey(e.commands))) continue;
      this.remember(e);
    }
  }

  /** One fast-check run under the current settings: the minimal failing execution, or null when none fails. */
  private async round(round: number): Promise<Failure<Cmd> | null> {
    const settings = this.settings();
    let shrinking: Failure<Cmd> | undefined;
    let runs = 0;
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    // The cases fast-check will try, in order (the same seed draws the same values): run `concurrency` at a time.
    const arbitrary = this.adapter.commands(this.options.consistency, this.options.safety, this.initial);
    const cases = concurrency > 1 && !this.options.path ? fc.sample(arbitrary, { seed: this.options.seed, numRuns: this.options.runs }) : undefined;
    const property = fc.asyncProperty(arbitrary, async (commands) => {
      if (this.stopped()) return true;
      try {
        if (!shrinking) {
          runs++;
          if (cases) this.runAhead(cases, runs - 1, settings, concurrency);
          if (runs % 25 === 0) this.progress(`round ${round + 1}: ${runs} sequences, ${this.executor.calls} calls, ${this.executor.faults} faults`);
        }
        const failure = await this.failureOf(commands, settings, shrinking !== undefined);
        if (!failure) return true;
        if (shrinking) {
          // Shrinking keeps the departure it started from: a smaller sequence that fails otherwise is not this one.
          if (failure.rule !== shrinking.rule || failure.kind !== shrinking.kind || failure.shape !== shrinking.shape) return true;
          shrinking = { ...failure, original: shrinking.original, ...(shrinking.cause !== undefined ? { cause: shrinking.cause } : {}) };
          return false;
        }
        shrinking = failure;
        this.time.switchTo('shrink');
        return false;
      } catch (error) {
        this.internal = error instanceof InternalError ? error : new InternalError(`${(error as Error)?.message ?? String(error)}`, error, commands as unknown[], []);
        return true;
      }
    });
    let details: fc.RunDetails<[Cmd[]]>;
    try {
      details = await fc.check(property, { numRuns: this.options.runs, seed: this.options.seed, ...(this.options.path ? { path: this.options.path } : {}) });
    } finally {
      await this.settleAhead();
    }
    this.result.runs += runs;
    if (this.stopped() || !details.failed || !shrinking) return null;
    const failure = shrinking as Failure<Cmd>;
    (failure as Failure<Cmd> & { where?: { seed: number; path: string } }).where = { seed: details.seed, path: details.counterexamplePath ?? '' };
    return failure;
  }

  /**
   * A race that departs on the race rule is a race only if its writes, sent one after another (in the order drawn,
   * then the reverse), pass: otherwise a sequential bug shows there (a Delete that keeps the policy makes racing
   * writes unexplainable too) and is judged as such, under its own rule, or not at all if already reported.
   */
  private async sequentialFailure(orders: Cmd[][], settings: CheckerSettings, shrinking: boolean): Promise<Failure<Cmd> | null | 'race'> {
    for (const commands of orders) {
      const run = await this.execute(commands, settings);
      if (run.end.status !== 'pass') return run.end.status === 'stopped' ? null : this.failureOf(commands, settings, shrinking, run);
    }
    return 'race';
  }

  /**
   * Execute (or recall) one sequence and say whether it fails as a new entry would: a clean departure or a
   * confirmed crash that is not one of the entries already found. While shrinking, only cheap checks are made.
   */
  private async failureOf(commands: Cmd[], settings: CheckerSettings, shrinking: boolean, executed?: Execution<Cmd>): Promise<Failure<Cmd> | null> {
    const e = executed ?? (await this.execute(commands, settings));
    const orders = raceOneAfterAnother(this.model, e);
    if (orders) {
      const sequential = await this.sequentialFailure(orders, settings, shrinking);
      if (sequential !== 'race') return sequential;
    }
    if (e.end.status === 'crash') {
      const rule = blamedRule(e);
      if (this.result.divergences.some((d) => d.kind === 'crash' && d.rule === rule)) return null;
      const signature = crashSignature(e.steps[e.end.at]!.operation, e.commands.at(-1));
      if (!this.executor.knownCrashes.has(signature)) {
        if (!(await this.time.during('confirm', () => this.crashRecurs(e, settings)))) return null;
        this.executor.knownCrashes.add(signature);
      }
      return { execution: e, rule, kind: 'crash', shape: commandShape(e.stepCommands[e.end.at]) };
    }
    if (e.end.status !== 'departed') return null;
    const rule = blamedRule(e);
    // A stale read is named by when it was made (a consistency rule): nothing to explain by switches, hidden effects
    // or plainer inputs; reported once per rule.
    if (kindOf(e) === 'stale-read') return this.alreadyFound(rule, 'stale-read', undefined) ? null : { execution: e, rule, kind: 'stale-read', shape: commandShape(e.stepCommands[e.end.at]) };
    const key = causeKey(rule, e);
    if (this.unconfirmedKeys.has(key)) return null;
    const hidden = hiddenEvent(this.model, settings, this.initial, e, this.confirmed);
    if (hidden && this.conjectured.some((c) => c.rule === hidden.rule && c.kind === hidden.kind)) return null;
    const known = this.causes.get(key);
    if (shrinking) return known && this.isReported(known) ? null : { execution: e, rule, kind: 'wrong-answer', shape: commandShape(e.stepCommands[e.end.at]) };
    // Before anything is reported (no entry, nothing set aside or conjectured), every departure is new whatever it
    // turns out to be: what the check below would work out is never used (report explains the shrunk witness).
    if (!this.result.divergences.length && !this.setAside.size && !this.conjectured.length) return { execution: e, rule, kind: 'wrong-answer', shape: commandShape(e.stepCommands[e.end.at]), original: e };
    // A departure the first blame does not recognise may still be a known entry seen through another input: the
    // state before a departing write was already off (an earlier departure), or a plainer input departs on a
    // reported rule. Worked out as the report would (cheaper), remembered for this very sequence, and by the failing
    // command's shape when only the input decided it.
    const exact = JSON.stringify(e.commands);
    let cause = this.sequenceCauses.get(exact);
    if (cause === undefined) {
      cause = await this.time.during('explain', async () => {
        const earlier = await this.stateBefore(e, settings);
        if (!earlier && known !== undefined) return known;
        const simplified = await simplifyWitness(this.executor, this.adapter.simplify, earlier ?? e, settings);
        const named = simplified.witness.end.status === 'departed' ? blamedRule(simplified.witness) : blamedRule(earlier ?? e);
        if (!earlier) this.causes.set(key, named);
        return named;
      });
      this.sequenceCauses.set(exact, cause);
    }
    if (this.isReported(cause)) return null;
    return { execution: e, rule, kind: 'wrong-answer', shape: commandShape(e.stepCommands[e.end.at]), cause, original: e };
  }

  /** The same entry (rule, kind, switch) was reported before, or given as known (`--set-aside`). */
  private alreadyFound(rule: string, kind: DepartureKind, explainedBy: { switch: string; value: string } | undefined): boolean {
    const same = this.result.divergences.some((d) => d.rule === rule && (d.kind ?? 'wrong-answer') === kind && d.explainedBy?.switch === explainedBy?.switch && d.explainedBy?.value === explainedBy?.value);
    if (same || explainedBy) return same;
    if (kind === 'wrong-answer' || kind === 'stale-read') return this.setAside.has(rule);
    return this.conjectured.some((c) => c.rule === rule && c.kind === kind);
  }

  /**
   * Whether a wrong answer blamed on `rule` is an entry already (set aside, or assumed as a hidden effect). A rule
   * that only a switch value explained is not: a departure it still shows under that value is a new entry.
   */
  private isReported(rule: string): boolean {
    return this.setAside.has(rule) || this.conjectured.some((c) => c.rule === rule);
  }

  /**
   * Run a sequence live, unless an earlier execution of the same commands, re-judged offline under the current
   * settings, says the same: it ran to its end and still passes. One that stopped early (at a departure now set
   * aside, or at a fault) never tried its remaining commands, so it runs again.
   */
  private async execute(commands: Cmd[], settings: CheckerSettings): Promise<Execution<Cmd>> {
    const ahead = this.takeAhead(commands, settings);
    const before = ahead ? undefined : this.recall(commands, settings);
    if (before) return before;
    const e = await (ahead ?? this.executor.run(commands, settings));
    this.remember(e);
    return e;
  }

  /** An earlier execution of these commands that ran to its end and, re-judged offline now, still passes. */
  private recall(commands: Cmd[], settings: CheckerSettings): Execution<Cmd> | undefined {
    const before = this.history.get(this.historyKey(commands));
    return before && before.commands.length === commands.length && before.end.status === 'pass' && this.stillPasses(before, settings) ? before : undefined;
  }

  private remember(e: Execution<Cmd>): void {
    this.history.set(this.historyKey(e.commands), e);
    this.learnFrom(e);
  }

  /** What an execution's result depends on: its commands and the fixture steps sequences leave out now. */
  private historyKey(commands: readonly Cmd[]): string {
    return `${this.executor.fixtureKey}|${JSON.stringify(commands)}`;
  }

  private stillPasses(e: Execution<Cmd>, settings: CheckerSettings): boolean {
    const replay = replayOffline(this.model, settings, this.initial as never, e.steps);
    return replay.divergence === null || (replay.taintedAt !== null && replay.taintedAt < replay.divergence.at);
  }

  private learnFrom(e: Execution<Cmd>): void {
    for (const r of e.rules) this.rules.add(r);
    if (e.tainted && e.consequences.length) {
      const under = this.consequences.get(e.tainted.rule) ?? new Map<string, number>();
      for (const c of new Set(e.consequences)) under.set(c, (under.get(c) ?? 0) + 1);
      this.consequences.set(e.tainted.rule, under);
      for (const c of new Set(e.consequences)) {
        const examples = this.consequenceExamples.get(c) ?? [];
        if (examples.length < CONSEQUENCE_EXAMPLES) this.consequenceExamples.set(c, [...examples, e]);
      }
    }
  }

  /**
   * Departures seen only after a step on a reported rule may still be reachable without it: for each, the sequence
   * it was seen in is re-run without the generated commands that tainted it (one at a time, while some remain);
   * a clean departure at its last step is explained and reported like any other. What cannot be reached so stays
   * listed under the entry it followed (`alsoShowsAs`).
   */
  private async reachCleanly(): Promise<void> {
    for (const [rule, examples] of this.consequenceExamples) {
      for (const example of [...examples].sort((a, b) => a.commands.length - b.commands.length)) {
        if (this.stopped() || this.result.divergences.length >= this.options.maxDivergences) return;
        if (this.result.divergences.some((d) => d.rule === rule)) break;
        await this.withoutTaint(example);
      }
    }
  }

  /** Re-run one sequence without the generated commands that tainted it, while some remain (a few at most). */
  private async withoutTaint(example: Execution<Cmd>): Promise<void> {
    let commands = [...example.commands];
    for (let attempt = 0; attempt < 4 && commands.length > 1; attempt++) {
      const settings = this.settings();
      const e = await this.executor.run(commands, settings);
      if (e.end.status === 'departed') {
        // A clean departure now, at its last step or earlier: explained like any other (or known already).
        const failure = await this.failureOf(e.commands, settings, false, e);
        if (failure) await this.report(failure);
        return;
      }
      // Still tainted (or passing now): drop the generated command that tainted it, and try again.
      const at = e.tainted?.at;
      const setupSteps = e.steps.filter((s) => s.setup).length;
      if (at === undefined || at < setupSteps) return;
      commands = commands.filter((_, i) => i !== at - setupSteps);
    }
  }


  /**
   * A server error on an operation the target otherwise answers: a crash only if it comes back at the same step
   * on every re-run (each re-run shifted by idle calls, so a fault of every N-th call cannot line up), as many
   * re-runs as the target's fault rate requires (see crashReplays).
   */
  private async crashRecurs(e: Execution<Cmd>, settings: CheckerSettings): Promise<boolean> {
    const replays = crashReplays(this.executor.faultRate, this.executor.faults);
    if (e.end.status !== 'crash' || replays === null || this.crashChecks >= MAX_CRASH_CHECKS) return false;
    this.crashChecks++;
    const at = e.end.at;
    return this.executor.confirmingCrash(crashSignature(e.steps[at]!.operation, e.commands.at(-1)), async () => {
      for (let i = 1; i <= replays; i++) {
        const again = await this.executor.run(e.commands, settings, i);
        if (again.end.status !== 'crash' || again.end.at !== at) return false;
      }
      return true;
    });
  }

  /** Explain, confirm and record the minimal failure of a round. */
  /**
   * The whole explanation of one failing execution: the state before a departing write, then a switch value, a
   * hidden effect, or the failing step made plainer; what rule and kind that names, and by which witness.
   */
  private async explain(execution: Execution<Cmd>, firstRule: string, firstKind: DepartureKind, settings: CheckerSettings): Promise<Explained<Cmd>> {
    let witness = execution;
    const earlier = firstKind === 'wrong-answer' ? await this.stateBefore(witness, settings) : undefined;
    if (earlier) {
      this.progress(`${firstRule}: the state before that write was not what the model believed; explaining the earlier departure`);
      witness = earlier;
    }
    let rule = blamedRule(witness);
    let kind: DepartureKind = firstKind;
    let explainedBy: { switch: string; value: string } | undefined;
    const firstCheck = (): Attribution => ({ method: 'first-check', ...(rule !== firstRule ? { firstBlamed: firstRule } : {}) });
    let attribution = firstCheck();
    const independentOf: string[] = [];
    for (const candidate of kind === 'wrong-answer' ? switchCandidates(this.model, settings, this.initial, witness) : []) {
      const tried = await this.trySwitch(candidate.switch, candidate.value, settings);
      if (tried.confirmed) {
        explainedBy = candidate;
        attribution = { method: 'switch' };
        break;
      }
      if (tried.premise) {
        // The witness departs only under one reading of an open question, and the target departs under the other
        // reading too (the question's premise): the premise is the witness, as it needs no reading at all.
        witness = tried.premise;
        rule = blamedRule(witness);
        independentOf.push(candidate.switch);
        attribution = firstCheck();
        break;
      }
    }
    let hidden: HiddenEvent | undefined;
    for (const candidate of !explainedBy && kind === 'wrong-answer' ? hiddenEvents(this.model, settings, this.initial, witness, this.confirmed) : []) {
      if (await this.corroborates(witness, candidate, settings)) {
        hidden = candidate;
        break;
      }
    }
    if (hidden) {
      rule = hidden.rule;
      kind = hidden.kind;
      attribution = { method: 'conjecture', firstBlamed: firstRule, causeStep: hidden.causeStep };
    } else if (!explainedBy && kind === 'wrong-answer') {
      const simplified = await simplifyWitness(this.executor, this.adapter.simplify, witness, settings);
      witness = simplified.witness;
      rule = blamedRule(witness);
      attribution = {
        method: simplified.kept.length ? 'simplified' : 'first-check',
        ...(rule !== firstRule ? { firstBlamed: firstRule } : {}),
        ...(simplified.kept.length ? { kept: simplified.kept } : {}),
        ...(simplified.needed.length ? { needed: simplified.needed } : {}),
      };
    }
    if (independentOf.length) attribution = { ...attribution, independentOf };
    return { witness, rule, kind, explainedBy, attribution, stateDependent: !!earlier || !!hidden };
  }

  /** Explain, confirm and record the minimal failure of a round. */
  private async report(failure: Failure<Cmd> & { where?: { seed: number; path: string } }): Promise<void> {
    const settings = this.settings();
    let explained = await this.time.during('explain', () => this.explain(failure.execution, failure.rule, failure.kind, settings));
    if (this.alreadyFound(explained.rule, explained.kind, explained.explainedBy) && failure.original && failure.cause !== undefined && !this.isReported(failure.cause)) {
      // Shrinking kept the rule and the command's shape but lost what made this departure new (an earlier step the
      // cause depends on): explain the sequence as it was first found.
      this.progress(`${failure.rule}: the shrunk sequence shows ${explained.rule}, already reported; explaining the sequence as found`);
      explained = await this.time.during('explain', () => this.explain(failure.original!, failure.rule, failure.kind, settings));
    }
    let { witness } = explained;
    const { rule, kind, explainedBy, attribution } = explained;
    const key = causeKey(failure.rule, failure.execution);
    // Only what the failing command's input decides is remembered by its shape (not a state that an earlier step
    // or a hidden effect made: that holds for this sequence only).
    if (!explained.stateDependent && !explainedBy) {
      this.causes.set(key, rule);
      this.causes.set(causeKey(blamedRule(witness), witness), rule);
    }
    // And for these very sequences, whatever decided it (what exploration worked out for them is superseded).
    for (const e of [failure.execution, failure.original, witness]) if (e) this.sequenceCauses.set(JSON.stringify(e.commands), explainedBy ? blamedRule(e) : rule);
    if (this.alreadyFound(rule, kind, explainedBy)) {
      this.progress(`${failure.rule} turned out to be ${rule} (${kind}), already reported, seen through another input`);
      this.adopt(rule, kind, explainedBy);
      return;
    }

    const replays = this.options.reproduce ?? 0;
    const rawRule = blamedRule(witness);
    // Under the settings it was found with: a switch-explained witness departs again there (and passes under the switch).
    let shift = 0;
    const reproducibility = replays ? await this.time.during('confirm', () => labelReproducibility(rawRule, replays, () => this.rerunRule(witness.commands, settings, kind === 'crash' ? ++shift : 0))) : undefined;
    if (reproducibility && reproducibility.sameRule === 0) {
      this.unconfirmedKeys.add(key);
      this.unconfirmedKeys.add(causeKey(rawRule, witness));
      (this.result.unconfirmed ??= []).push({ rule, kind, replays, reason: `its witness did not depart again in ${replays} re-runs${reproducibility.otherRules.length ? ` (departed on ${reproducibility.otherRules.join(', ')} instead)` : ''}` });
      this.progress(`unconfirmed departure on ${rule} (${kind}): not reported`);
      return;
    }
    const end = witness.end as Extract<Execution<Cmd>['end'], { status: 'departed' | 'crash' }>;
    const steps = witness.steps.slice(0, end.at + 1);
    const described = this.model.rules[rule];
    const divergence: Divergence = {
      rule,
      kind,
      evidence: described?.evidence ?? 'unknown',
      summary: described?.summary ?? rule,
      attribution,
      ...(explainedBy ? { explainedBy } : {}),
      expected: end.status === 'departed' ? end.verdict.allowed : end.allowed,
      actual: steps.at(-1)!.outcome,
      steps,
      calls: witness.calls,
      afterSetAside: [],
      believed: end.believed,
      replay: this.replayCommand(failure.where),
      seed: failure.where?.seed ?? this.options.seed,
      path: failure.where?.path ?? '',
      commands: witness.commands as Json[],
      foundUnder: {
        switches: Object.fromEntries(Object.entries(settings.switches).filter(([k, v]) => this.defaults[k] !== v)),
        setAside: [...this.setAside],
        ...(witness.withoutFixture.length ? { withoutFixture: witness.withoutFixture } : {}),
      },
      ...(reproducibility ? { reproducibility } : {}),
    };
    this.result.divergences.push(divergence);
    this.progress(`${kind} on ${rule}${explainedBy ? ` (explained by ${explainedBy.switch}=${explainedBy.value})` : ''}, ${divergence.calls} calls${attribution.firstBlamed ? ` (first blamed on ${attribution.firstBlamed})` : ''}`);
    this.adopt(rule, kind, explainedBy);
  }

  private get confirmed(): ReadonlySet<string> {
    return this.adapter.confirmedWrites ?? new Set();
  }

  /**
   * A hidden event explains a witness only if it is seen directly: the witness re-run up to that step, then the
   * service's reads of what that step acted on. The plain reading (no hidden event) must depart on one of those
   * reads, and the conjectured one must explain all of them — on the target, now, with no fault in between.
   */
  private async corroborates(witness: Execution<Cmd>, event: HiddenEvent, settings: CheckerSettings): Promise<boolean> {
    const setupSteps = witness.steps.filter((s) => s.setup).length;
    // A fixture step's observers run after the whole fixture: the generated commands before the cause, then them.
    const before = Math.max(0, event.causeStep + 1 - setupSteps);
    const seen = this.adapter.observers?.(witness.stepCommands[event.causeStep]!);
    const observers = seen ? [...seen.reads, ...seen.writes] : [];
    if (!observers.length) return false;
    const commands = [...witness.commands.slice(0, before), ...observers];
    const run = await this.executor.run(commands, { ...settings, setAside: new Set(), conjectured: [] }, 0, true);
    if (run.commands.length !== commands.length) return false;
    const same = run.steps[event.causeStep];
    if (!same || same.outcome.kind !== witness.steps[event.causeStep]!.outcome.kind) return false;
    if (run.steps.some((s) => s.outcome.kind === 'fault' || s.outcome.kind === 'unsupported')) return false;
    const plain = replayOffline(this.model, settings, this.initial as never, run.steps);
    if (plain.divergence === null || plain.divergence.at <= event.causeStep) return false;
    const conjectured = replayOffline(this.model, settings, this.initial as never, run.steps, { at: event.causeStep, kind: event.kind });
    return conjectured.divergence === null;
  }

  /**
   * Before blaming a write that departed, check what the model believed just before it: the witness re-run up to
   * that write, then the service's reads of what it acts on. If a read already departs there, the state was not
   * what the model believed, and the departure lies earlier: that shorter sequence is the witness to explain.
   */
  private async stateBefore(witness: Execution<Cmd>, settings: CheckerSettings): Promise<Execution<Cmd> | undefined> {
    if (witness.end.status !== 'departed' || witness.commands.length === 0) return undefined;
    const failing = witness.commands.at(-1)!;
    if (this.adapter.readOperations.has(witness.steps[witness.end.at]!.operation)) return undefined;
    const reads = this.adapter.observers?.(failing).reads ?? [];
    if (!reads.length) return undefined;
    const commands = [...witness.commands.slice(0, -1), ...reads];
    const run = await this.executor.run(commands, probeSettings(settings));
    const firstRead = witness.end.at;
    if (run.end.status !== 'departed' || run.end.at < firstRead) return undefined;
    // A read that departs on a rule about reads themselves (Get answers ResourceNotFound where "{}" is due) shows the
    // read misbehaving, whatever the state: no evidence that the state before the write was off.
    return this.model.rules[run.end.verdict.rule]?.readAnswer ? undefined : run;
  }

  /**
   * A switch value explains the target only if the service's targeted sequence for that question departs under the
   * default and passes under the value, on the target, now (and again on a second run: it must not be luck).
   * Where the targeted sequence departs under the value too, the target fails the question's premise (e.g.
   * "CreateTable refuses an invalid ResourcePolicy" before "which check comes first"): its shortest departing
   * prefix, departing under both readings, is returned as `premise`.
   */
  private async trySwitch(name: string, value: string, settings: CheckerSettings): Promise<{ confirmed: boolean; premise?: Execution<Cmd> }> {
    const commands = this.adapter.targeted?.(name, value);
    if (!commands?.length) return { confirmed: false };
    const under = { ...settings, switches: { ...settings.switches, [name]: value } };
    for (let i = 0; i < 2; i++) {
      // Every answer recorded (`toTheEnd`), then judged offline both ways: departs under the default, all of it
      // passes under the value.
      const seen = await this.executor.run(commands, probeSettings(settings), 0, true);
      if (seen.commands.length !== commands.length || seen.steps.some((s) => s.outcome.kind === 'fault' || s.outcome.kind === 'unsupported')) return { confirmed: false };
      if (replayOffline(this.model, probeSettings(settings), this.initial as never, seen.steps).divergence === null) return { confirmed: false };
      const asValue = replayOffline(this.model, probeSettings(under), this.initial as never, seen.steps);
      if (asValue.divergence !== null) {
        const premise = await this.premise(commands, settings, under);
        return { confirmed: false, ...(premise ? { premise } : {}) };
      }
      if (asValue.taintedAt !== null) return { confirmed: false };
    }
    return { confirmed: true };
  }

  /** The shortest prefix of `commands` that departs, live, under `settings` and also (offline) under `under`. */
  private async premise(commands: readonly Cmd[], settings: CheckerSettings, under: CheckerSettings): Promise<Execution<Cmd> | undefined> {
    for (let k = 1; k <= commands.length; k++) {
      const e = await this.executor.run(commands.slice(0, k), settings);
      if (this.executor.infra || e.commands.length < k) return undefined;
      if (e.end.status !== 'departed') continue;
      const asValue = replayOffline(this.model, under, this.initial as never, e.steps.slice(0, e.end.at + 1));
      return asValue.divergence !== null ? e : undefined;
    }
    return undefined;
  }

  /** From now on: the switch value holds, or the rule is set aside, or its hidden effect is assumed. */
  private adopt(rule: string, kind: DepartureKind, explainedBy: { switch: string; value: string } | undefined): void {
    if (explainedBy) this.switches[explainedBy.switch] = explainedBy.value;
    else if (kind === 'error-with-side-effect' || kind === 'success-without-effect') {
      if (!this.conjectured.some((c) => c.rule === rule && c.kind === kind)) this.conjectured.push({ rule, kind });
    } else if (kind === 'wrong-answer' || kind === 'stale-read') this.setAside.add(rule);
    // A crash stays known by its command (the executor's knownCrashes): its rule's wrong answers are still entries.
  }

  /** One more live run of `commands`: the rule its last step departed on (null when it did not), or infra. */
  private async rerunRule(commands: Cmd[], settings: CheckerSettings, shift = 0): Promise<ReplayOutcome> {
    const e = await this.executor.run(commands, settings, shift);
    if (this.executor.infra) return { infra: true };
    const last = e.commands.length === commands.length;
    if (last && (e.end.status === 'departed' || e.end.status === 'crash')) return { rule: blamedRule(e) };
    return { rule: null };
  }

  private async recheck(records: readonly RecordedSequence[]): Promise<void> {
    this.result.rechecked = await recheckRecorded(
      records,
      async (r) => {
        const settings: CheckerSettings = { switches: { ...this.switches, ...r.switches }, consistency: this.options.consistency, ...this.identity, setAside: new Set(r.setAside) };
        return this.rerunRule(r.commands as Cmd[], settings);
      },
      this.progress,
    );
  }

  private replayCommand(where: { seed: number; path: string } | undefined): string {
    const words = [`npx policy-conformance run ${this.options.replayBase}`, `--services ${this.adapter.service}`, `--seed ${where?.seed ?? this.options.seed}`, `--path ${where?.path ?? ''}`, `--consistency ${this.options.consistency}`];
    for (const [k, v] of Object.entries(this.switches)) if (this.defaults[k] !== v) words.push(`--switch ${k}=${v}`);
    return words.join(' ');
  }
}

/**
 * A failure's identity for "seen before": its first blame and the shape of its failing command (see commandShape).
 * Two departures with both alike are taken to have the same cause once one of them has been explained.
 */
function causeKey(rule: string, e: Execution<unknown>): string {
  const at = e.end.status === 'departed' || e.end.status === 'crash' ? e.end.at : e.steps.length - 1;
  return `${rule}|${commandShape(e.stepCommands[at] ?? null)}`;
}

/** Discovery is a handful of calls; a throttle or a passing fault there should not end the run. */
export async function discoverWithRetries<Cmd>(connection: Connection<Cmd>, prefix: string) {
  for (let attempt = 0; ; attempt++) {
    const discovered = await connection.discover(attempt === 0 ? prefix : `${prefix}r${attempt}`);
    if (!('failure' in discovered) || discovered.failure.kind !== 'fault' || attempt >= DISCOVERY_RETRIES) return discovered;
    await sleep(200 * 2 ** attempt);
  }
}

function describeFailure(o: Observation): string {
  if (o.kind === 'fault' || o.kind === 'unsupported') return o.reason;
  return o.kind === 'error' ? `${o.code} (HTTP ${o.status})` : 'unexpected success';
}

export type { Step };

/** What one replay of a witness did. */
export interface WitnessReplay {
  /** `departs`: at its last step, as when it was found; `departs-earlier`: at an earlier step; `conforms`: no departure. */
  /** `refused`: the safety profile never sends one of its commands as written; nothing but discovery's reads was sent. */
  status: 'departs' | 'departs-earlier' | 'conforms' | 'infra' | 'unsupported' | 'stopped' | 'refused';
  rule?: string;
  kind?: DepartureKind;
  steps: Step[];
  reason?: string;
}

/**
 * Pure: under `safety`, the first of `commands` the profile would not send as it is (a Deny of the caller's own
 * actions, a public document where the API need not refuse it, a write to an OpsItemGroup someone else keeps), as a
 * sentence naming the step; undefined when the profile sends them all unchanged.
 */
export function firstUnsafeCommand<Cmd>(adapter: ServiceAdapter<Cmd>, safety: SafetyProfile, commands: readonly Cmd[], initialState: unknown): string | undefined {
  if (!adapter.safeCommand) return undefined;
  for (const [i, command] of commands.entries()) {
    const safe = adapter.safeCommand(safety, command, initialState);
    if (JSON.stringify(safe) !== JSON.stringify(command)) {
      return `command ${i + 1} of ${commands.length} (${(command as { op?: string }).op ?? 'a command'}) is one the ${safety.name} profile never sends: ${JSON.stringify(command)}`;
    }
  }
  return undefined;
}

/** Re-run one witness (its commands on fresh resources, under the switches it was found with) and judge it. */
export async function replayWitness<Cmd>(
  adapter: ServiceAdapter<Cmd>,
  endpoint: Endpoint,
  witness: { commands: readonly unknown[]; switches: SwitchSettings; consistency: Consistency; withoutFixture?: readonly number[] },
  options: { settleMs?: number; waitSeconds?: number; windowMs?: number; safety?: SafetyProfile },
): Promise<WitnessReplay> {
  const model = adapter.model as ServiceModel<unknown>;
  // The profile renders the documents as a run under it would (real-account: the caller's account as principal).
  const connection = adapter.connect(endpoint, { settleMs: lagBoundFor(adapter, witness.consistency, options.settleMs), waitSeconds: options.waitSeconds ?? DEFAULT_WAIT_SECONDS, ...(options.safety ? { safety: options.safety } : {}) });
  const prefix = runPrefix();
  const realAccount = isRealAccount(options.safety);
  const unsafe = (initialState: unknown) => (realAccount ? firstUnsafeCommand(adapter, options.safety!, witness.commands as Cmd[], initialState) : undefined);
  try {
    // Before any request, what the profile refuses whatever the target holds; after discovery, what it refuses
    // because of what the target holds (an OpsItemGroup policy someone else put).
    const before = unsafe(undefined);
    if (before) return { status: 'refused', steps: [], reason: `${before}; nothing was sent` };
    const discovered = await discoverWithRetries(connection, prefix);
    if ('failure' in discovered) return { status: discovered.failure.kind === 'unsupported' ? 'unsupported' : 'infra', steps: [], reason: describeFailure(discovered.failure) };
    const after = unsafe(discovered.initialState);
    if (after) return { status: 'refused', steps: [], reason: `${after}; only the service's discovery was sent` };
    // One sequence, so no pool: its cleanup deletes the fixture too (a pooled one would outlive the replay).
    const executor = new Executor<Cmd>(model, connection, discovered.identity, discovered.initialState, prefix, { ...executorOptions(adapter, endpoint, { consistency: witness.consistency, fixturePool: false, ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}), ...(options.windowMs ? { windowMs: options.windowMs } : {}) }), ...(realAccount ? { guardPublic: true } : {}) }, discovered.answered);
    executor.skipFixture(witness.withoutFixture ?? []);
    const settings: CheckerSettings = { switches: { ...defaultSwitches(model.switches), ...witness.switches }, consistency: witness.consistency, ...discovered.identity };
    const e = await executor.run(witness.commands as Cmd[], settings);
    if (executor.infra) return { status: 'infra', steps: e.steps, reason: executor.infra };
    if (e.end.status === 'departed' || e.end.status === 'crash') {
      const last = e.commands.length === witness.commands.length;
      return { status: last ? 'departs' : 'departs-earlier', rule: blamedRule(e), kind: kindOf(e), steps: e.steps };
    }
    if (e.end.status === 'stopped') return { status: 'stopped', steps: e.steps, reason: `step ${e.end.at + 1} answered ${e.end.why === 'fault' ? 'with a fault' : e.end.why}` };
    return { status: 'conforms', steps: e.steps };
  } finally {
    connection.close();
  }
}
