/**
 * One generated sequence against the target: the fixture steps, then the generated ones, each sent, classified and
 * judged by the checker. A sequence is *clean* while every step matched the model; the first step that is not
 * (a departure, a fault, an unsupported answer, a step on a rule already reported) ends what it can prove:
 *
 * - a departure on a clean prefix is a candidate entry (its witness is this sequence up to that step);
 * - after a step on an already-reported rule, later answers are judged against every conjecture about what that
 *   step did, and a departure there is only a consequence (`alsoShowsAs`), never an entry;
 * - after a fault or an unsupported answer the sequence stops: nothing after it could be a witness.
 */
import type { RequestTally } from './requests.js';
import { type AllowedOutcome, Checker, type CheckerSettings, ModelError, raceRuleOf, type StepVerdict } from '../models/checker.js';
import { isRace, type RaceCommand } from '../generators/race.js';
import type { Json, Lag, Observation, Request, ServiceModel } from '../models/types.js';
import { isServerError, isThrottle, sleep } from './observe.js';
import { isPublicDocument } from '../generators/safety.js';
import type { PublicAccepted } from '../models/results.js';
import type { Step } from '../models/results.js';
import { LagFigures } from './staleness.js';
import { fixtureSlots } from './operations.js';
import type { Connection, Sequence, TargetIdentity } from './service.js';

export type Diverged = Extract<StepVerdict, { status: 'diverged' }>;

export type ExecutionEnd =
  | { status: 'pass' }
  /** A departure after a clean prefix, at step `at` (index into `steps`). */
  | { status: 'departed'; at: number; verdict: Diverged; believed: Json[] }
  /** A server error (or a non-AWS answer) at step `at` of an operation that answers properly otherwise: a crash, if it recurs. */
  | { status: 'crash'; at: number; allowed: AllowedOutcome[]; believed: Json[] }
  /** Nothing after step `at` could be a witness. */
  | { status: 'stopped'; at: number; why: 'fault' | 'unsupported' | 'infra' };

export interface Execution<Cmd> {
  /** The generated commands that ran (up to the step the sequence ended on). */
  commands: Cmd[];
  steps: Step[];
  /** The command (fixture or generated) behind each step. */
  stepCommands: Cmd[];
  /** Generated calls among the steps (fixture calls not counted). */
  calls: number;
  end: ExecutionEnd;
  /** The first step whose state is a conjecture (a step on an already-reported rule): what came after proves nothing on its own. */
  tainted?: { at: number; rule: string };
  /** Rules of departures seen after the taint: consequences of `tainted.rule`. */
  consequences: string[];
  /** Rules matched on the clean prefix. */
  rules: string[];
  /** Fixture steps (indices into the adapter's setup) this execution left out. */
  withoutFixture: number[];
}

/** A request's form: its operation and the top-level keys of its input (a crash on a missing key changes it). */
function requestForm(request: Request): string {
  return `${request.operation}|${Object.keys((request.input ?? {}) as object).sort().join(',')}`;
}

/** What identifies a crash: the operation and the generated command that caused it. */
export function crashSignature(operation: string, command: unknown): string {
  return `${operation}|${JSON.stringify(command)}`;
}

/** The suite itself failed inside a sequence (a model bug, an adapter bug, the checker's world limit). */
export class InternalError extends Error {
  constructor(
    message: string,
    readonly original: unknown,
    readonly commands: unknown[],
    readonly steps: Step[],
  ) {
    super(message);
  }
}

export interface ExecutorOptions {
  readOperations: ReadonlySet<string>;
  /** Consecutive calls that still fault after retries before the run is declared an infrastructure failure. */
  faultLimit: number;
  /** First backoff before retrying a throttled or faulted read; doubles each attempt (capped at 3 s). */
  retryBaseMs: number;
  /** Longest cleanup may take after a sequence (a stalled target must not hold the run). */
  cleanupMs: number;
  /** The per-request deadline: after a request timed out, cleanup gets only this long (the target may be stalling). */
  deadlineMs: number;
  /** Where the run's HTTP requests are counted, by phase. */
  tally?: RequestTally;
  /** Operation → the kind of resource a success creates: counted in `created`. */
  createdKinds?: Readonly<Record<string, string>>;
  /**
   * Operations that create or delete the fixture's resources. With them, the fixture pool: a sequence none of
   * whose commands is one of them borrows the resources an earlier such sequence created and reset (FixturePool).
   */
  lifecycleOperations?: ReadonlySet<string>;
  /** Whether a command changes the fixture itself (ServiceAdapter.touchesFixture); absent: the lifecycle rule below. */
  touchesFixture?: (command: unknown) => boolean;
  /**
   * Whether a command reads or writes account-wide state (ServiceAdapter.touchesAccountWide): sequences with one
   * take turns (the account turn), the others run beside them. Absent: runs are never overlapped for such a service.
   */
  touchesAccountWide?: (command: unknown) => boolean;
  /** Fixtures the pool keeps at most (one per sequence that may run at once; 0: no pool). */
  poolSize?: number;
  /** Eventual mode: poll a judged read that does not show the last write yet for at most this long after it (0: judge at once). */
  lagBoundMs?: number;
  /** Strict mode: how long a read that answered a lagging view is polled to tell a stale read from a lasting state (0: not). */
  staleConfirmMs?: number;
  /** The resource a request is about (ServiceAdapter.resourceOf). */
  resourceOf?: (request: Request) => { key: string; kind: string } | undefined;
  /** Whether a judged write answer is a change-window refusal to send again (ServiceAdapter.windowRefusal). */
  windowRefusal?: (request: Request, outcome: Observation) => { retryAt?: number } | undefined;
  /**
   * The change window the target keeps (ms; `--window-ms`, 15 000 on AWS, spec §7.3), for a service that has one
   * (`windowRefusal`): a write answered less than a third of it after the first write of this sequence to its
   * resource was sent is inside the window for sure (Step.windowOpen). Absent or 0: not measured — a refusal stays
   * allowed, never required.
   */
  windowMs?: number;
  /**
   * The real-account profile's guard (generators/safety.ts): a public document the target accepted ends its sequence
   * at once, so cleanup removes it, and is kept in `publicAccepted` for the report.
   */
  guardPublic?: boolean;
  /** Told of every sequence run, once it ended (`--record`, harness/record.ts): its name prefix, settings and steps. */
  onExecution?: (ran: ExecutionRecord) => void;
}

/** One sequence as the executor ran it: what `--record` keeps of it. */
export interface ExecutionRecord {
  /** The sequence's resource name prefix (its requests are filed under it). */
  id: string;
  settings: CheckerSettings;
  commands: readonly unknown[];
  steps: readonly Step[];
  end: ExecutionEnd;
  startedAt: string;
}

/** The member of a request that carries a public policy document, if one does (Policy, PolicyDocument, ResourcePolicy). */
function publicMember(input: Request['input']): string | undefined {
  return Object.entries(input).find(([, v]) => typeof v === 'string' && isPublicDocument(v))?.[0];
}

/** What a request names as its resource, for the report. */
function resourceOf(input: Request['input']): string {
  const named = ['ResourceArn', 'ResourceARN', 'TableName', 'PolicyName', 'StreamName', 'Name'].map((k) => input[k]).find((v) => typeof v === 'string');
  return typeof named === 'string' ? named : '(unnamed)';
}

/** The last write to each resource in a sequence, and which reads have shown it since (for polling, eventual mode). */
interface Writes {
  last: Map<string, { at: number; operation: string }>;
  /** When the first write of the sequence to each resource was sent (any answer: a fault may have changed it). */
  firstSent: Map<string, number>;
  /** Reads (by request) that showed the last write to their resource: a later stale answer of theirs flipped back. */
  shown: Map<string, string>;
}

/** A window refusal is sent again at most this many times in a row (AWS's window is 15 s: a few waits). */
const WINDOW_RESENDS = 8;
/**
 * Longest "try again after" believed: DynamoDB's window is 15 s from the last change (spec §7.3). A time further
 * ahead says the clocks disagree (a skewed host, a simulator on a scaled clock): the backoff is used instead.
 */
const WINDOW_MAX_WAIT_MS = 16_000;
/** Unless the refusal says when: the first wait, doubling to the cap. */
const WINDOW_BACKOFF_MS = 250;
const WINDOW_BACKOFF_CAP_MS = 4000;

/**
 * A fixture kept for the next sequence: the name prefix its resources carry, and what the target answered when
 * they were created (its resource-creating setup steps, by index in the setup).
 */
interface PooledFixture {
  prefix: string;
  fixtureKey: string;
  created: Map<number, { request: Request; observation: Observation }>;
  /**
   * Not lent before this time (epoch ms): the change window (`windowMs`) its reset may have opened on its resources,
   * and in eventual mode the lag bound after the reset's removals. A sequence's model starts with no write in any
   * window and none still becoming visible, so a write the target refused because of the previous sequence's (AWS's
   * 15 s, spec §7.3), or a read still showing a removed policy, would be judged a departure that is not one.
   */
  quietAt?: number;
}

const READ_RETRIES = 3;
/** How many identical failures of an operation that never answered make it `unsupported`. */
const UNSUPPORTED_EVIDENCE = 3;
const THROTTLE_RETRIES = 6;
/** How an infra verdict for a stalled target begins (the CLI then skips the other services). */
export const STALLED = 'the target stopped answering';
/** Two request timeouts in a row: the target has stopped answering. */
const STALL_TIMEOUTS = 2;

/**
 * Runs sequences against one connection and keeps what a run learns across them: which operations the target
 * answers like AWS, fault counts, and whether it broke down (`infra`).
 */
export class Executor<Cmd> {
  /** Resources created, by kind (successful creating calls, fixture and generated). */
  readonly created: Record<string, number> = {};
  /** Public documents the target accepted (only with `guardPublic`): each was removed by its sequence's cleanup. */
  readonly publicAccepted: PublicAccepted[] = [];
  calls = 0;
  faults = 0;
  infra: string | undefined;
  /** Operations that answered properly at least once (so a non-AWS answer later is a crash, not a missing operation). */
  readonly answered = new Set<string>();
  /**
   * Request forms (operation and the input's top-level keys) the target has answered like AWS (a result or an AWS
   * error), whatever the phase: see send, which holds a server error against the target's health in a row only for
   * a form it has answered before.
   */
  private readonly answeredForms = new Set<string>();
  /** Operations that answered `unsupported`, with each distinct way they did. */
  readonly unsupported = new Map<string, { ways: Set<string>; times: number; first?: { commands: Cmd[]; at: number; fromServerError: boolean } }>();
  /**
   * Commands known to crash the target (a server error at the same step on every re-run): their faults are the
   * target's answer to that input, not a sign of it breaking down, so they do not count toward `infra`.
   */
  readonly knownCrashes = new Set<string>();
  /**
   * Crashes being confirmed (see confirmingCrash), by signature: the server errors their re-runs got at that request,
   * held back from the target's health until the confirmation is over.
   */
  private readonly suspectedCrashes = new Map<string, number>();
  private consecutiveFaults = 0;
  /**
   * Fixture steps (by index in the adapter's setup) left out of later sequences: one whose answer departed on a
   * rule already reported would taint every sequence from its first step, and nothing after it could be judged.
   */
  private readonly skippedFixture = new Set<number>();
  /** The last cleanup could not confirm the account-wide state is as it was: read it again before the next sequence. */
  private dirty = false;
  /** The target stopped answering (requests time out): nothing more is sent, cleanup included. */
  private stalled = false;
  private consecutiveTimeouts = 0;
  private persistentFaults = 0;
  private executions = 0;
  /** Sequences started so far (each one execution on the target, fixture and cleanup included). */
  get sequencesStarted(): number {
    return this.executions;
  }
  /** Fixtures ready to lend (their policies removed and the removal confirmed). */
  private readonly pool: PooledFixture[] = [];
  /** A reset failed once on this target (its policy operations misbehave): no more pooling. */
  private poolBroken = false;
  /** Fixtures waiting for their change window to close before their reset (see release), each with its "now, and delete it". */
  private readonly resetting = new Map<Promise<void>, () => void>();
  /** How long making a fixture afresh takes here (ms, a running mean): what waiting for a pooled one is weighed against. */
  private freshFixtureMs: number | undefined;
  /** Fixture steps sent vs. lent by the pool (for the report). */
  readonly fixtures = { created: 0, reused: 0 };
  /** How reads lagged behind writes (eventual mode), over every sequence this executor ran. */
  readonly lag = new LagFigures();

  constructor(
    private readonly model: ServiceModel<unknown>,
    private readonly connection: Connection<Cmd>,
    private readonly identity: TargetIdentity,
    private initialState: unknown,
    private readonly prefix: string,
    private readonly options: ExecutorOptions,
    /** Operations that answered properly while the target was probed. */
    answeredInDiscovery: readonly string[] = [],
  ) {
    for (const op of answeredInDiscovery) this.answered.add(op);
  }

  /**
   * Execute `commands` on fresh resources and judge every answer under `settings`. Throws only InternalError.
   * `shift`: idle reads first. `toTheEnd`: send every command even after the sequence stopped being clean (the
   * answers are recorded, not judged) — for observation runs that are judged offline afterwards.
   */
  async run(commands: readonly Cmd[], settings: CheckerSettings, shift = 0, toTheEnd = false): Promise<Execution<Cmd>> {
    const touches = this.options.touchesAccountWide;
    // Which sequences touch the account-wide state is not known: they all may, and the runner runs them one at a time.
    if (!touches) return this.afterResync(commands, settings, shift, toTheEnd);
    // Without the account-wide state, a sequence depends on its own resources only: it needs no turn, and no fresh
    // reading of that state (a sequence that touches it will make one, in its turn, if a cleanup left it unsure).
    if (!commands.some((c) => touches(c))) return this.judged(commands, settings, shift, toTheEnd);
    const previous = this.accountTurn;
    let release!: () => void;
    this.accountTurn = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await this.afterResync(commands, settings, shift, toTheEnd);
    } finally {
      release();
    }
  }

  /**
   * The turn on the account-wide state, first come first served (a promise chain: each run waits for the one
   * before it). Sequences that leave the state alone do not queue (see run).
   */
  private accountTurn: Promise<void> = Promise.resolve();

  /**
   * Run a sequence that may read or write the account-wide state (its turn taken, where turns are taken), after
   * reading that state again if the last cleanup could not confirm it is as it was.
   */
  private async afterResync(commands: readonly Cmd[], settings: CheckerSettings, shift: number, toTheEnd: boolean): Promise<Execution<Cmd>> {
    if (this.dirty && this.connection.resync && !this.infra) {
      // The state read again would count the pooled fixtures' account-wide resources (X-Ray's fill policies) as
      // found there, and the fixture the setup then makes would not be the one the pool recorded: delete them first.
      await this.drainPool();
      const fresh = await this.connection.resync();
      if ('failure' in fresh) {
        if (fresh.failure.kind === 'fault' && fresh.failure.cause === 'timeout') this.timedOut(`reading the account-wide state: ${fresh.failure.reason}`);
        this.infra ??= `cannot read the account-wide state again after a cleanup that failed: ${fresh.failure.kind === 'fault' || fresh.failure.kind === 'unsupported' ? fresh.failure.reason : fresh.failure.kind}`;
      }
      else {
        this.initialState = fresh.initialState;
        this.dirty = false;
      }
    }
    return this.judged(commands, settings, shift, toTheEnd);
  }

  private judged(commands: readonly Cmd[], settings: CheckerSettings, shift: number, toTheEnd: boolean): Promise<Execution<Cmd>> {
    const tally = this.options.tally;
    return tally ? tally.apart(() => this.execute(commands, settings, shift, toTheEnd)) : this.execute(commands, settings, shift, toTheEnd);
  }

  /**
   * Whether the commands that ran left the fixture as its creation made it (up to policies, which a reset removes):
   * none of them created or deleted a resource in one of the fixture's slots (a consumer on a fixture stream
   * counts), nor one without a slot.
   */
  private fixtureIntact(sequence: Sequence<Cmd>, ran: readonly Cmd[]): boolean {
    const touches = this.options.touchesFixture;
    if (touches) return !ran.some((c) => touches(c));
    const lifecycle = this.options.lifecycleOperations!;
    const slots = fixtureSlots(sequence.setup as unknown as Array<{ op: string; slot?: string }>, lifecycle);
    return !ran.some((c) => {
      const { op, slot } = c as { op?: string; slot?: string };
      return lifecycle.has(op ?? '') && (slot === undefined || slots.has(slot));
    });
  }

  private async execute(commands: readonly Cmd[], settings: CheckerSettings, shift: number, toTheEnd: boolean): Promise<Execution<Cmd>> {
    const poolable = !!this.options.lifecycleOperations?.size && (this.options.poolSize ?? 1) > 0 && !this.poolBroken;
    const lent = poolable ? this.borrow() : undefined;
    if (lent?.quietAt !== undefined && lent.quietAt > Date.now()) await sleep(lent.quietAt - Date.now());
    const prefix = `${this.prefix}${(this.executions++).toString(36)}`;
    const startedAt = new Date().toISOString();
    if (this.options.tally) this.options.tally.sequence = prefix;
    const fixturePrefix = lent?.prefix ?? prefix;
    const sequence = this.connection.sequence(prefix, this.identity, fixturePrefix);
    /** The resource-creating fixture steps as the target answered them, to keep with the fixture afterwards. */
    const created = new Map<number, { request: Request; observation: Observation }>();
    const steps: Step[] = [];
    const result: Execution<Cmd> = { commands: [], steps, stepCommands: [], calls: 0, end: { status: 'pass' }, consequences: [], rules: [], withoutFixture: [...this.skippedFixture].sort() };
    const rules = new Set<string>();
    let races = 0;
    try {
      // Alignment shift for crash confirmation: idle reads before the sequence, so a fault that comes every N-th call
      // does not land on the same step of every replay.
      // Sent once each, never retried: a retry would undo the shift.
      if (this.options.tally) this.options.tally.phase = 'idle';
      for (let i = 0; i < shift && sequence.idle; i++) await this.send(sequence, sequence.idle(), { once: true });
      const checker = new Checker(this.model, settings, structuredClone(this.initialState ?? this.model.initial()));
      const fixture = sequence.setup.map((c, index) => ({ c, setup: true, index })).filter((f) => !this.skippedFixture.has(f.index));
      const all: Array<{ c: Cmd; setup: boolean; index: number; resend?: { request: Request; attempt: number } }> = [...fixture, ...commands.map((c) => ({ c, setup: false, index: -1 }))];
      const writes: Writes = { last: new Map(), shown: new Map(), firstSent: new Map() };
      let publicAccepted = false;
      const setupStarted = Date.now();
      let setupTimed = !poolable || lent !== undefined || fixture.length === 0;
      for (let position = 0; position < all.length; position++) {
        const { c, setup, index, resend } = all[position]!;
        if (!setup && !setupTimed) {
          setupTimed = true;
          this.timedFreshFixture(Date.now() - setupStarted);
        }
        // A public document the target took is removed now (the cleanup below), not after the rest of the sequence.
        if (publicAccepted) break;
        if (this.infra) {
          result.end = { status: 'stopped', at: steps.length, why: 'infra' };
          break;
        }
        if (!setup && !resend) result.commands.push(c);
        if (this.options.tally) this.options.tally.phase = setup ? 'fixture' : 'judged';
        if (!setup && !resend && isRace<Cmd>(c)) {
          if ((await this.race(sequence, c, races++, checker, result, toTheEnd, rules, writes)) === 'stop') break;
          continue;
        }
        // A write its change window refused is sent again as it was (binding it again could change it).
        const request = resend?.request ?? sequence.request(c);
        if (result.end.status !== 'pass') {
          // Only with `toTheEnd`: the sequence already ended being judged; record what the target answers.
          const outcome = await this.send(sequence, request);
          steps.push({ operation: request.operation, input: request.input, outcome, unjudged: 'after-departure', ...(setup ? { setup } : {}) });
          result.stepCommands.push(c);
          if (!setup) result.calls++;
          sequence.learn(request, outcome);
          continue;
        }
        const recorded = setup ? lent?.created.get(index) : undefined;
        if (recorded && JSON.stringify(recorded.request) !== JSON.stringify(request)) throw new Error(`pooled fixture step ${index} was ${JSON.stringify(recorded.request)}, now ${JSON.stringify(request)}`);
        // A resource the pool lends: not created again; its creation's answer stands for this step.
        const sentAt = Date.now();
        const signature = crashSignature(request.operation, c);
        const suspected = this.suspectedCrashes.get(signature);
        const first = recorded ? recorded.observation : await this.send(sequence, request, { knownCrash: suspected !== undefined || this.knownCrashes.has(signature) });
        if (suspected !== undefined && isServerError(first)) this.suspectedCrashes.set(signature, suspected + 1);
        const windowOpen = !recorded && this.measureWindow(request, sentAt, writes, !setup);
        const reading = !setup && !recorded && this.options.readOperations.has(request.operation);
        const polled = reading ? await this.pollRead(sequence, request, first, checker, settings, writes) : undefined;
        const sent = polled?.observation ?? first;
        if (setup && this.options.lifecycleOperations?.has(request.operation)) {
          created.set(index, { request, observation: sent });
          this.fixtures[recorded ? 'reused' : 'created']++;
        }
        // moto answers operations it lacks with an HTML 500 page, every time: unsupported, if it stays so.
        const outcome: Observation =
          sent.kind === 'fault' && this.neverAnswered(request.operation, sent) ? { kind: 'unsupported', reason: sent.reason, ...(sent.status !== undefined ? { status: sent.status } : {}) } : sent;
        // What the target really answered, before anything else: a fault stays a fault for the adapter (a write may
        // have happened, and cleanup must look for it), whatever the step then means for the verdict.
        sequence.learn(request, sent);
        if (this.options.guardPublic && sent.kind === 'ok') {
          const member = publicMember(request.input);
          if (member) {
            publicAccepted = true;
            this.publicAccepted.push({ operation: request.operation, resource: resourceOf(request.input), member, at: new Date().toISOString() });
          }
        }
        const step: Step = {
          operation: request.operation,
          input: request.input,
          outcome,
          ...(setup ? { setup } : {}),
          ...(recorded ? { reused: true as const } : {}),
          ...(polled?.lag ? { lag: polled.lag } : {}),
          ...(windowOpen ? { windowOpen } : {}),
          ...(polled?.polled ? { polled: polled.polled, ...(polled.visibleMs !== undefined ? { visibleAfterMs: polled.visibleMs } : {}) } : {}),
        };
        if (!reading && outcome.kind === 'ok') this.wrote(request, writes);
        steps.push(step);
        result.stepCommands.push(c);
        if (!setup) result.calls++;
        const at = steps.length - 1;
        if (outcome.kind === 'unsupported') this.noteUnsupported(request.operation, outcome, setup ? undefined : { commands: [...result.commands], at: steps.length - 1, fromServerError: sent.kind === 'fault' });
        if (outcome.kind === 'ok' || outcome.kind === 'error') this.answered.add(request.operation);
        const clean = result.tainted === undefined;

        if ((outcome.kind === 'fault' || outcome.kind === 'unsupported') && clean && this.crashCandidate(request.operation, outcome)) {
          result.end = { status: 'crash', at, allowed: checker.allowed(request), believed: checker.believed(request) };
          if (toTheEnd) continue;
          break;
        }
        let verdict: StepVerdict;
        try {
          verdict = checker.observe(request, outcome, undefined, { lag: polled?.lag, windowOpen });
        } catch (error) {
          // Past a step the model could not explain, every reading of it is kept; a long tail of such steps may
          // need more candidate states than the checker keeps. That ends what the sequence can show, not the run.
          if (error instanceof ModelError && !clean) break;
          throw error;
        }
        if (verdict.status === 'indeterminate' && verdict.reason !== 'set-aside') {
          result.end = { status: 'stopped', at, why: verdict.reason };
          // A fixture step the target does not implement would stop every sequence there: leave it out from now on.
          if (setup && verdict.reason === 'unsupported') this.skippedFixture.add(index);
          if (!clean) step.unjudged = 'after-departure';
          if (toTheEnd) continue;
          break;
        }
        if (!clean) {
          step.unjudged = 'after-departure';
          if (verdict.status === 'diverged') {
            // Judged against conjectures about an earlier reported departure: a consequence of it (listed under
            // that entry). Every reading of this step is kept, and the sequence goes on showing what else follows.
            result.consequences.push(verdict.rule);
            try {
              checker.assumeAnyReading(request);
            } catch (error) {
              if (error instanceof ModelError) break;
              throw error;
            }
          }
          continue;
        }
        if (verdict.status === 'diverged') {
          result.end = { status: 'departed', at, verdict, believed: checker.believedBefore(request) };
          if (toTheEnd) continue;
          break;
        }
        if (verdict.status === 'indeterminate') {
          step.setAside = verdict.rules[0]!;
          result.tainted = { at, rule: verdict.rules[0]! };
          if (setup) this.skippedFixture.add(index);
          continue;
        }
        if (verdict.conjectured) {
          step.setAside = verdict.conjectured;
          result.tainted = { at, rule: verdict.conjectured };
          if (setup) this.skippedFixture.add(index);
        }
        for (const r of verdict.rules) rules.add(r);
        // A write its change window refused (an allowed answer): wait as it says, then send it again as a new step.
        const refusal = setup ? undefined : this.options.windowRefusal?.(request, outcome);
        const attempt = resend?.attempt ?? 0;
        if (refusal && attempt < WINDOW_RESENDS) {
          const named = refusal.retryAt !== undefined ? refusal.retryAt - Date.now() : undefined;
          const wait = named !== undefined && named <= WINDOW_MAX_WAIT_MS ? Math.max(0, named) : Math.min(WINDOW_BACKOFF_CAP_MS, WINDOW_BACKOFF_MS * 2 ** attempt);
          step.windowWaitMs = wait;
          this.lag.windowRefusals++;
          await sleep(wait);
          all.splice(position + 1, 0, { c, setup, index, resend: { request, attempt: attempt + 1 } });
        }
      }
      result.rules = [...rules];
      return result;
    } catch (error) {
      if (error instanceof InternalError) throw error;
      const why = error instanceof ModelError ? error.message : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
      throw new InternalError(why, error, [...result.commands] as unknown[], steps);
    } finally {
      if (this.options.tally) this.options.tally.phase = 'cleanup';
      const keep = poolable && this.keepable(result, created) && this.fixtureIntact(sequence, result.commands) ? { prefix: fixturePrefix, fixtureKey: result.withoutFixture.join(','), created } : undefined;
      await this.release(sequence, keep, settings.consistency);
      this.options.onExecution?.({ id: prefix, settings, commands: result.commands, steps, end: result.end, startedAt });
    }
  }

  /**
   * A race: its writes bound together from what the sequence knew before (so they carry the same condition), sent
   * at once, each answer learnt like any other write's — the document a Put sent is what the fixture's reset
   * removes — and all of them judged together (Checker.observeRace). Each write is a step (`race` = `number`). A
   * fault or an unsupported answer among them ends what the sequence can show; so does any race after a taint (the
   * order the writes took is unknown there, and so is every state after it). 'stop': the sequence ends here.
   */
  private async race(sequence: Sequence<Cmd>, race: RaceCommand<Cmd>, number: number, checker: Checker<unknown>, result: Execution<Cmd>, toTheEnd: boolean, rules: Set<string>, writes: Writes): Promise<'stop' | 'go on'> {
    const requests = race.writes.map((w) => sequence.request(w));
    const sentAt = Date.now();
    for (const request of requests) this.measureWindow(request, sentAt, writes, false);
    // Sent together: against a stalled target they wait out one deadline between them, not one each.
    const observations = await Promise.all(requests.map((r) => this.send(sequence, r)));
    for (const [i, request] of requests.entries()) {
      sequence.learn(request, observations[i]!);
      // Reads after the race may lag behind whichever write took (eventual mode polls them like any other).
      if (observations[i]!.kind === 'ok') this.wrote(request, writes);
    }
    const first = result.steps.length;
    for (const [i, request] of requests.entries()) {
      const outcome = observations[i]!;
      if (outcome.kind === 'ok' || outcome.kind === 'error') this.answered.add(request.operation);
      result.steps.push({ operation: request.operation, input: request.input, outcome, race: number });
      result.stepCommands.push(race as Cmd);
      result.calls++;
    }
    const last = result.steps.length - 1;
    const unjudged = () => {
      for (const step of result.steps.slice(first)) step.unjudged = 'after-departure';
    };
    if (result.end.status !== 'pass') {
      unjudged();
      return 'go on';
    }
    const failed = observations.find((o) => o.kind === 'fault' || o.kind === 'unsupported');
    if (failed || result.tainted) {
      if (result.tainted) unjudged();
      else result.end = { status: 'stopped', at: last, why: failed!.kind === 'unsupported' ? 'unsupported' : 'fault' };
      return toTheEnd ? 'go on' : 'stop';
    }
    const verdict = checker.observeRace(
      requests.map((request, i) => ({ request, observation: observations[i]! })),
      raceRuleOf(this.model),
    );
    if (verdict.write !== undefined && verdict.write !== requests.length - 1) {
      // The write wrong whatever the order goes last (writes sent at once have no order of their own): the witness
      // ends on its answer, and attribution can try it alone (a service's simplify offers each write of a race).
      const [step] = result.steps.splice(first + verdict.write, 1);
      result.steps.push(step!);
    }
    if (verdict.status === 'diverged') {
      result.end = { status: 'departed', at: last, verdict, believed: checker.believedBefore(requests[verdict.write ?? 0]!) };
      return toTheEnd ? 'go on' : 'stop';
    }
    if (verdict.status === 'indeterminate') {
      // An answer on a rule already reported: which order the writes took, and so the state after them, is unknown.
      result.steps[last]!.setAside = verdict.rules[0]!;
      result.tainted = { at: last, rule: verdict.rules[0]! };
      return toTheEnd ? 'go on' : 'stop';
    }
    for (const r of verdict.rules) rules.add(r);
    return 'go on';
  }

  /**
   * A write (sent at `sentAt`, answered now) measured against its resource's change window: the first write of the
   * sequence to a resource is noted (the window a change opens starts no earlier); a later one answered less than a
   * third of the window after that is inside it for sure — any change this sequence made happened since (a third:
   * room for clocks that run at other rates, and for a window counted from a little before the change's answer).
   * Returns whether it was, for a `judged` write; false when no window is measured.
   */
  private measureWindow(request: Request, sentAt: number, writes: Writes, judged: boolean): boolean {
    const windowMs = this.options.windowMs;
    if (!windowMs || this.options.readOperations.has(request.operation)) return false;
    const key = this.options.resourceOf?.(request)?.key;
    if (key === undefined) return false;
    const first = writes.firstSent.get(key);
    if (first === undefined) {
      writes.firstSent.set(key, sentAt);
      return false;
    }
    return judged && Date.now() - first < windowMs / 3;
  }

  /** A write answered success: reads of its resource may lag behind it from now (`writes`, per sequence). */
  private wrote(request: Request, writes: Writes): void {
    const key = this.options.resourceOf?.(request)?.key ?? '*';
    writes.last.set(key, { at: Date.now(), operation: request.operation });
    for (const [read, resource] of writes.shown) if (resource === key || key === '*') writes.shown.delete(read);
  }

  /**
   * A judged read after a write to its resource, polled. Eventual mode: until it shows that write (what the model
   * expects for the committed state, Checker.peek) or the lag bound since the write has passed; a lagging view
   * still seen at the bound is polled for one bound more, to tell a late read (it then shows the write: `late`)
   * from a state that really is so (`lasting`: judged as it is, by the ordinary rules). A read that had already
   * shown the write is not polled: a lagging view then is a flip back (`flipped`). Strict mode: a read that answers
   * a lagging view is polled the same way only to tell a stale read (it then shows the write: judged as the stale
   * read it was) from a lasting state. Returns the answer to judge, how many answers were polled, when the write
   * became visible, and the lag to judge it with; undefined when there is nothing to poll for.
   */
  private async pollRead(
    sequence: Sequence<Cmd>,
    request: Request,
    first: Observation,
    checker: Checker<unknown>,
    settings: CheckerSettings,
    writes: Writes,
  ): Promise<{ observation: Observation; polled: number; visibleMs?: number; lag?: Exclude<Lag, 'within'> } | undefined> {
    const eventual = settings.consistency === 'eventual';
    const bound = eventual ? (this.options.lagBoundMs ?? 0) : (this.options.staleConfirmMs ?? 0);
    if (bound <= 0) return undefined;
    const resource = this.options.resourceOf?.(request);
    const write = writes.last.get(resource?.key ?? '*') ?? (resource ? writes.last.get('*') : undefined);
    if (!write) return undefined;
    const readKey = JSON.stringify(request);
    const interval = Math.min(250, Math.max(20, Math.round(bound / 30)));
    let observation = first;
    let polled = 0;
    let lag: Exclude<Lag, 'within'> | undefined;
    let fresh = false;
    /** The first lagging view that needed explaining (strict: any; eventual: one seen at the bound). */
    let staleSeen: Observation | undefined;
    for (;;) {
      if (observation.kind !== 'ok' && observation.kind !== 'error') break;
      const seen = checker.peek(request, observation);
      if (seen === 'fresh') {
        fresh = true;
        break;
      }
      if (eventual && writes.shown.has(readKey)) {
        lag = 'flipped';
        break;
      }
      const elapsed = Date.now() - write.at;
      if (!eventual || elapsed >= bound) {
        // Not a lagging view the model knows: judged as it is (strict at once; eventual once the bound has passed).
        if (seen !== 'stale') {
          if (eventual) lag = 'late';
          break;
        }
        staleSeen ??= observation;
        if (elapsed >= (eventual ? 2 * bound : bound)) {
          lag = 'lasting';
          break;
        }
      }
      await sleep(interval);
      observation = await this.send(sequence, request);
      polled++;
    }
    const visibleMs = fresh && polled > 0 ? Date.now() - write.at : undefined;
    if (fresh && eventual) writes.shown.set(readKey, resource?.key ?? '*');
    // A lagging view that gave way to the write: the stale answer is the one judged (late in eventual mode).
    if (fresh && staleSeen) {
      observation = staleSeen;
      lag = 'late';
    }
    if (eventual && (observation.kind === 'ok' || observation.kind === 'error')) {
      this.lag.record({ write: write.operation, read: request.operation, resource: resource?.kind ?? 'resource', polled, ...(visibleMs !== undefined ? { visibleMs } : {}), ...(lag === 'late' || lag === 'flipped' ? { lag } : {}) });
    }
    return { observation, polled, ...(visibleMs !== undefined ? { visibleMs } : {}), ...(lag ? { lag } : {}) };
  }

  /** A fixture fit to lend again: the sequence ended clean, every resource of the fixture was created, and the pool has room. */
  private keepable(e: Execution<Cmd>, created: ReadonlyMap<number, { observation: Observation }>): boolean {
    if (e.end.status !== 'pass' || e.tainted || this.infra || this.stalled || this.pool.length + this.resetting.size >= (this.options.poolSize ?? 1)) return false;
    return created.size > 0 && [...created.values()].every((c) => c.observation.kind === 'ok');
  }

  /**
   * A pooled fixture for the fixture steps sequences run now (one made for other steps is deleted): the one that is
   * quiet soonest (the latest pooled among equals), if waiting for it is quicker than making a fixture afresh.
   */
  private borrow(): PooledFixture | undefined {
    const key = [...this.skippedFixture].sort().join(',');
    let best = -1;
    for (let i = this.pool.length - 1; i >= 0; i--) {
      if (this.pool[i]!.fixtureKey === key && (best < 0 || (this.pool[i]!.quietAt ?? 0) < (this.pool[best]!.quietAt ?? 0))) best = i;
    }
    if (best < 0) return undefined;
    const wait = (this.pool[best]!.quietAt ?? 0) - Date.now();
    if (wait > 0 && wait > (this.freshFixtureMs ?? 0)) return undefined;
    return this.pool.splice(best, 1)[0];
  }

  private timedFreshFixture(ms: number): void {
    this.freshFixtureMs = this.freshFixtureMs === undefined ? ms : 0.8 * this.freshFixtureMs + 0.2 * ms;
  }

  /** The window a change to a fixture's policy opens, where the target has one and it is measured (`windowMs`). */
  private get windowMs(): number {
    return this.options.windowRefusal ? (this.options.windowMs ?? 0) : 0;
  }

  /**
   * After a sequence: its fixture reset and kept for the next one (`keep`), or everything it made removed. A reset
   * that cannot be confirmed removes the fixture instead, and ends pooling for this target. Where a change window is
   * measured, the last sequence's writes opened one on the fixture and the reset's removal would be refused inside
   * it: the reset waits for it to close, in the background (this sequence is done; drainPool waits for it).
   */
  private async release(sequence: Sequence<Cmd>, keep: PooledFixture | undefined, consistency: CheckerSettings['consistency']): Promise<void> {
    if (!keep || !sequence.reset || this.stalled) return this.cleanup(sequence);
    if (this.windowMs <= 0) return this.resetAndPool(sequence, keep, consistency);
    let now!: () => void;
    let removeInstead = false;
    const windowClosed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.windowMs);
      now = () => {
        removeInstead = true;
        clearTimeout(timer);
        resolve();
      };
    });
    const job = windowClosed.then(() => (removeInstead ? this.cleanup(sequence) : this.resetAndPool(sequence, keep, consistency))).catch(() => this.cleanup(sequence));
    this.resetting.set(job, now);
    void job.finally(() => this.resetting.delete(job));
  }

  private async resetAndPool(sequence: Sequence<Cmd>, keep: PooledFixture, consistency: CheckerSettings['consistency']): Promise<void> {
    if (!this.stalled && !this.infra && (await this.bounded('resetting a fixture', () => sequence.reset!()))) {
      await this.cleanup(sequence, true);
      // The reset's own removals open a window, and in eventual mode may take up to the lag bound to be seen.
      const quietMs = Math.max(this.windowMs, consistency === 'eventual' ? (this.options.lagBoundMs ?? 0) : 0);
      this.pool.push(quietMs > 0 ? { ...keep, quietAt: Date.now() + quietMs } : keep);
      return;
    }
    if (!this.stalled && !this.infra) this.poolBroken = true;
    await this.cleanup(sequence);
  }

  /** Fixtures still waiting for their reset are pooled (or removed) by then. */
  async resetsSettled(): Promise<void> {
    while (this.resetting.size) await Promise.all([...this.resetting.keys()]);
  }

  /**
   * `work` (a reset, a cleanup) within a bound: the cleanup budget, or one request deadline once a request timed out
   * (the target may be stalling). False when it failed or ran out of time; one that lasted a whole deadline had a
   * request time out in it, which counts toward "the target stopped answering".
   */
  private async bounded(what: string, work: () => Promise<boolean | void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const budget = this.consecutiveTimeouts > 0 ? this.options.deadlineMs : this.options.cleanupMs;
    const bound = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), budget)));
    const started = Date.now();
    try {
      return (await Promise.race([work().catch(() => false as const), bound])) !== false;
    } finally {
      clearTimeout(timer);
      // On this machine's emulators such work takes milliseconds, on AWS a few calls' time.
      if (Date.now() - started >= this.options.deadlineMs) this.timedOut(what);
    }
  }

  /** Delete the pooled fixtures (the end of the run), and those waiting for their reset without waiting any more. */
  async drainPool(): Promise<void> {
    for (const now of [...this.resetting.values()]) now();
    await this.resetsSettled();
    while (this.pool.length) {
      const fixture = this.pool.pop()!;
      const sequence = this.connection.sequence(fixture.prefix, this.identity, fixture.prefix);
      // What the sequence would have learnt from creating them: the names its cleanup deletes.
      for (const { request, observation } of fixture.created.values()) sequence.learn(request, observation);
      const run = () => this.cleanup(sequence);
      await (this.options.tally ? this.options.tally.apart(async () => ((this.options.tally!.phase = 'cleanup'), await run())) : run());
    }
  }

  /** Leave these fixture steps out of every later sequence (a witness replayed as it was found). */
  skipFixture(indices: readonly number[]): void {
    for (const i of indices) this.skippedFixture.add(i);
  }

  /** Which fixture steps sequences leave out now (part of what an execution's result depends on). */
  get fixtureKey(): string {
    return [...this.skippedFixture].sort().join(',');
  }

  /** Faults that do not show the target breaking down, so far (what makes a recurring 5xx believable as a crash). */
  get faultRate(): number {
    return this.calls === 0 ? 0 : this.persistentFaults / this.calls;
  }

  /**
   * Which operations never answered like AWS and failed the same way every time (at least UNSUPPORTED_EVIDENCE
   * times): unsupported. Those that failed in different ways are `inconsistent` (the target is unwell, not lacking).
   */
  unsupportedOperations(): { operations: string[]; inconsistent: string[] } {
    const operations: string[] = [];
    const inconsistent: string[] = [];
    for (const [op, { ways, times }] of this.unsupported) {
      if (this.answered.has(op)) continue;
      if (ways.size > 1) inconsistent.push(op);
      else if (times >= UNSUPPORTED_EVIDENCE) operations.push(op);
    }
    return { operations: operations.sort(), inconsistent: inconsistent.sort() };
  }

  private crashCandidate(operation: string, outcome: Observation): boolean {
    if (!this.answered.has(operation)) return false;
    if (outcome.kind === 'unsupported') return true;
    return isServerError(outcome);
  }

  /** `where`: the sequence it happened in, if a generated step (fixture steps may be left out of re-runs). */
  private noteUnsupported(operation: string, outcome: Extract<Observation, { kind: 'unsupported' }>, where: { commands: Cmd[]; at: number; fromServerError: boolean } | undefined): void {
    const seen = this.unsupported.get(operation) ?? { ways: new Set<string>(), times: 0 };
    seen.first ??= where;
    seen.ways.add(`${outcome.status ?? ''} ${outcome.reason.slice(0, 120)}`);
    seen.times++;
    this.unsupported.set(operation, seen);
  }

  /**
   * A non-AWS answer (an HTML or plain-text error page) from an operation that never answered like AWS: maybe one
   * it lacks. AWS-shaped server errors (InternalFailure, ServiceUnavailable …) are transient faults, never that.
   */
  private neverAnswered(operation: string, o: Observation): boolean {
    return o.kind === 'fault' && o.cause === 'unparseable' && !this.answered.has(operation);
  }

  /**
   * One request, with the retries that cannot change what it means: throttled calls, and reads. A request known to
   * crash the target is sent once and its server error is not held against the target's health.
   */
  async send(sequence: Sequence<Cmd>, request: Request, { knownCrash = false, once = false } = {}): Promise<Observation> {
    for (let attempt = 0; ; attempt++) {
      const observation = await sequence.send(request);
      this.calls++;
      const kind = observation.kind === 'ok' ? this.options.createdKinds?.[request.operation] : undefined;
      if (kind) this.created[kind] = (this.created[kind] ?? 0) + 1;
      if (observation.kind !== 'fault') {
        this.consecutiveFaults = 0;
        this.consecutiveTimeouts = 0;
        this.answeredForms.add(requestForm(request));
        return observation;
      }
      this.faults++;
      if (once) return observation;
      if (knownCrash && isServerError(observation)) return observation;
      // Not held against the target's health either: whether the operation is missing is decided by how it keeps failing.
      if (this.neverAnswered(request.operation, observation)) return observation;
      if (observation.cause === 'timeout') {
        if (this.timedOut(`${request.operation}: ${observation.reason}`)) return observation;
      } else this.consecutiveTimeouts = 0;
      const retryable = isThrottle(observation) ? attempt < THROTTLE_RETRIES : this.options.readOperations.has(request.operation) && attempt < READ_RETRIES && observation.cause !== 'timeout';
      if (!retryable) {
        // "In a row" means the target stopped answering what it answered before. A server error to a request of a
        // form it never answered may be a crash on that input (moto's HTML 500 to a PutResourcePolicy without a
        // ResourceArn) that the runner has yet to confirm; with sequences at once, several of them — each a
        // different command, so none a known crash yet — came one after another and ended moto's DynamoDB run
        // `infra` at --concurrency 8. Such errors still count below, in the share of calls that failed.
        if (!isServerError(observation) || this.answeredForms.has(requestForm(request))) this.consecutiveFaults++;
        this.persistentFaults++;
        if (this.consecutiveFaults >= this.options.faultLimit) this.infra = `${this.consecutiveFaults} calls in a row failed after retries; last: ${request.operation}: ${observation.reason}`;
        else if (this.persistentFaults > Math.max(10, this.calls / 10)) this.infra = `${this.persistentFaults} of ${this.calls} calls failed after retries; last: ${request.operation}: ${observation.reason}`;
        return observation;
      }
      await sleep(Math.min(this.options.retryBaseMs * 2 ** attempt, 3000));
    }
  }

  /**
   * Re-run a crash to confirm it (the runner's crashRecurs): meanwhile the server error of the crashing request is
   * the answer under test, not the target breaking down. Counted as faults, the re-runs of an early crash — confirmed
   * again for each plainer input shrinking tries — turned the run into an infrastructure verdict before it could
   * report the crash (moto, DynamoDB at seed 1517584155: 11 of the first 63 calls, all PutResourcePolicy without a
   * ResourceArn). A crash that does not recur had transient faults after all: they are counted then.
   */
  async confirmingCrash(signature: string, check: () => Promise<boolean>): Promise<boolean> {
    this.suspectedCrashes.set(signature, 0);
    try {
      const recurs = await check();
      if (!recurs) this.persistentFaults += this.suspectedCrashes.get(signature) ?? 0;
      return recurs;
    } finally {
      this.suspectedCrashes.delete(signature);
    }
  }

  /** One more request timed out; true when that makes the target stalled (the run ends as infra). */
  private timedOut(what: string): boolean {
    if (++this.consecutiveTimeouts < STALL_TIMEOUTS) return false;
    this.stalled = true;
    this.infra ??= `${STALLED}: ${this.consecutiveTimeouts} requests in a row timed out; last: ${what}`;
    return true;
  }

  /**
   * Remove what the sequence created, within a bound. A target that stopped answering is not cleaned up at all:
   * every call would wait out its deadline.
   */
  private async cleanup(sequence: Sequence<Cmd>, keepFixture = false): Promise<void> {
    if (this.stalled) return;
    // Not confirmed (or out of time): the account-wide state is read again before the next sequence.
    if (!(await this.bounded('cleanup', () => sequence.cleanup(keepFixture)))) this.dirty = true;
  }
}
