import type { AllowedOutcome } from './checker.js';
import type { Consistency, Evidence, Json, JsonObject, Observation, ServiceName, SwitchSettings } from './types.js';

/**
 * `internal-error`: the suite itself failed (a model, adapter or checker bug); the service's result says nothing
 * about the target, and the run exits 4.
 */
/**
 * `interrupted`: a signal stopped the run (what was done is reported, what it created removed). `incomplete`: a
 * budget (--max-calls, --time-limit) ran out before any departure was found: never a pass.
 */
export type Verdict = 'pass' | 'fail' | 'infra' | 'unsupported' | 'internal-error' | 'interrupted' | 'incomplete';

/**
 * What kind of departure an entry is. `wrong-answer`: the target answered what AWS never answers there.
 * `error-with-side-effect`: a write answered an error but changed the state anyway (a later answer shows it).
 * `success-without-effect`: a write answered success but changed nothing (a later answer shows it).
 * `crash`: the target answers a server error (5xx, or no AWS-shaped answer) at this step on every replay.
 * `stale-read`: a read showed a state older than the last write where it may not (strict mode; eventual mode after
 * the lag bound, or after a read had already shown the write): a consistency departure, not a wrong answer.
 */
export type DepartureKind = 'wrong-answer' | 'error-with-side-effect' | 'success-without-effect' | 'crash' | 'stale-read';

export interface Step {
  operation: string;
  input: JsonObject;
  outcome: Observation;
  /** Fixture call made before the generated sequence. */
  setup?: boolean;
  /**
   * A fixture resource lent by the pool: this call was not sent in this sequence; its outcome is what the target
   * answered when an earlier sequence created the resource (whose policies were removed since, and that confirmed).
   */
  reused?: true;
  /** The model could not judge this answer: it departs on a rule already reported (the state after it is a guess). */
  setAside?: string;
  /**
   * Sent at the same time as the other steps with the same value (a race, numbered from 0 in the sequence): they
   * are judged together, by whether some order of them explains every answer (models/linearizability.ts).
   */
  race?: number;
  /** Steps after a departure, fault or unsupported answer are not judged against the model's guess: why not. */
  unjudged?: 'after-departure' | 'after-fault';
  /**
   * A read after a write to its resource: when it was judged, if not within the lag bound (models/types.ts Lag:
   * `late`, after the bound; `flipped`, after a read of it had shown the write; `lasting`, its lagging view never
   * gave way, so it is judged as the state). Judged with it (also offline).
   */
  lag?: 'late' | 'flipped' | 'lasting';
  /** Eventual mode, a read: how many earlier answers of it were polled (not yet showing the write) before this one. */
  polled?: number;
  /** Eventual mode, a read that was polled: how long after the write's answer this one came (ms). */
  visibleAfterMs?: number;
  /**
   * A write the target refused inside its change window (DynamoDB's 15 s, spec §7.3) and the harness sent again
   * after waiting: how long it waited (ms) before the next step, the same request.
   */
  windowWaitMs?: number;
  /**
   * A write sent while its resource's change window was surely open (DynamoDB, spec §7.3): every write to the
   * resource in this sequence was sent less than a third of the window (`--window-ms`) before this one was
   * answered. A success that needs the window closed is then no answer (models/types.ts Branch.windowClosed).
   */
  windowOpen?: true;
}

/**
 * How reads lagged behind writes (eventual mode), per write operation, read operation and resource kind: reads
 * made after a write to their resource, how many of them were stale at first, how long the write took to become
 * visible on those (from the write's answer to the first answer that showed it; `null` when none was stale), how
 * many were still stale after the bound, and how many flipped back.
 */
export interface StalenessFigure {
  write: string;
  read: string;
  resource: string;
  reads: number;
  stale: number;
  visibleMs: { p50: number; p95: number; max: number } | null;
  late: number;
  flippedBack: number;
}

/** The lag bound polling used and what it saw (results.json `staleness`). */
export interface Staleness {
  boundMs: number;
  figures: StalenessFigure[];
  /** Writes refused inside the change window (spec §7.3) and sent again. */
  windowRefusals?: number;
}

/** Why the blamed rule is blamed. */
export interface Attribution {
  /**
   * `first-check`: the failing step's closest allowed answer (the step needed no simplifying); `simplified`: its
   * inputs were made plainer field by field while it still departed, and the rule of what remained is blamed;
   * `conjecture`: a hidden effect (or a missing one) of an earlier write explains every later answer; `switch`: a
   * switch value, confirmed by re-running the witness, explains it.
   */
  method: 'first-check' | 'simplified' | 'conjecture' | 'switch';
  /** The rule the unsimplified failing step was first blamed on, when it differs. */
  firstBlamed?: string;
  /** Each simplification that kept the departure, e.g. `policy: malformed not-json → valid`. */
  kept?: string[];
  /** Simplifications that made the departure go away (so they name the cause). */
  needed?: string[];
  /** For `conjecture`: the step (index into `steps`) whose write did (or did not) take effect. */
  causeStep?: number;
  /**
   * Open questions (switches) another reading of which would have excused the first failing sequence: the target
   * failed the question's premise as well, and that — departing whatever the answer to the question — is the
   * witness kept (absent in older files).
   */
  independentOf?: string[];
}


export interface Divergence {
  rule: string;
  /** Absent in files written before kinds existed: `wrong-answer`. */
  kind?: DepartureKind;
  evidence: Evidence | 'unknown';
  summary: string;
  /** How the blamed rule was chosen (absent in older files). */
  attribution?: Attribution;
  /**
   * Other rules this departure also showed up under, in sequences that went through it first: consequences, not
   * entries of their own (each with how many sequences showed it).
   */
  alsoShowsAs?: Array<{ rule: string; sequences: number }>;
  /** What the model believed the resource's state was before the failing step (one element per candidate). */
  believed?: Json[];
  /** The witness as a file the CLI replays (`policy-conformance replay FILE`), relative to the report directory. */
  witnessFile?: string;
  /** A non-default switch value under which the model accepts this sequence. */
  explainedBy?: { switch: string; value: string };
  expected: AllowedOutcome[];
  actual: Observation;
  steps: Step[];
  /** Generated calls in the shrunk sequence (fixture calls not counted). */
  calls: number;
  /** Earlier-reported rules this sequence passed through: the divergence may be their consequence. */
  afterSetAside: string[];
  replay: string;
  seed: number;
  path: string;
  /** The generated commands (plain data) of the shrunk sequence: what reproducibility replays and the failures file re-run. */
  commands?: Json[];
  /**
   * The checker settings it was found under: switches away from their default, rules already set aside, and the
   * fixture steps (indices into the service's setup) left out because they departed on a reported rule.
   */
  foundUnder?: { switches: SwitchSettings; setAside: string[]; withoutFixture?: number[] };
  /** How the shrunk sequence behaved when replayed before it was reported (absent when not replayed). */
  reproducibility?: Reproducibility;
  /** The steps as pasteable AWS CLI lines (`--endpoint-url`), comments included. */
  reproducer?: string[];
}

/** `reproducible`: every replay diverged again on the same rule; `flaky`: at least one did not. */
export interface Reproducibility {
  label: 'reproducible' | 'flaky';
  replays: number;
  /** Replays that diverged again on the same rule. */
  sameRule: number;
  /** Rules other replays diverged on instead (a replay that passed adds nothing here). */
  otherRules: string[];
}

/** A failing sequence from an earlier run (the failures file), re-run before exploring. */
export interface RecheckResult {
  rule: string;
  explainedBy?: { switch: string; value: string };
  /** `still-fails`: diverges again on the same rule; `fails-differently`: on another rule; `passes`: the model accepts it now; `stale`: the record no longer fits this suite. */
  status: 'still-fails' | 'fails-differently' | 'passes' | 'stale';
  /** The rule it failed on now, when not the recorded one. */
  nowRule?: string;
  recordedAt: string;
  replay: string;
}

export interface ServiceResult {
  service: ServiceName;
  verdict: Verdict;
  /** Why, for infra and unsupported verdicts. */
  reason?: string;
  runs: number;
  calls: number;
  faults: number;
  /** When the service's run began (absent in older files and for a service not run). */
  startedAt?: string;
  durationMs: number;
  rulesReached: string[];
  unsupportedOperations: string[];
  /** "AWS, except": switches set away from their default to explain what the target did. */
  profile: SwitchSettings;
  divergences: Divergence[];
  /** Failing sequences of earlier runs against this target, re-run first (see harness/failures.ts). */
  rechecked?: RecheckResult[];
  /** For `internal-error`: what failed inside the suite, and the sequence it failed in. */
  internalError?: { message: string; stack?: string; commands?: Json[]; steps?: Step[] };
  /**
   * Departures found once but not again when their witness was re-run on its own: not entries, not counted in the
   * verdict, listed so a flaky target is visible.
   */
  unconfirmed?: Array<{ rule: string; kind: DepartureKind; replays: number; reason: string }>;
  /** Departures seen only in sequences that had faulted before (never judged as entries). */
  departuresAfterFaults?: number;
  /** Why exploration ended early (a signal or a budget), when it did. */
  stoppedEarly?: string;
  /** Resources with the suite's mark that were on the target before this run started (earlier or concurrent runs). */
  leftoversAtStart?: string[];
  /** Resources of this run still on the target after its cleanup (its journal is kept for `sweep`). */
  leftBehind?: string[];
  /** Resources the run created, by kind (successful creating calls; `policy` counts policy writes). */
  created?: Record<string, number>;
  /**
   * Fixture resources (tables, streams, consumers, parameters a sequence's setup needs): `created` afresh, or
   * `reused` — lent by the fixture pool, their policies removed and the removal confirmed in between.
   */
  fixtures?: { created: number; reused: number };
  /**
   * Sequences that ran at once (absent: one at a time). For SSM, those that read or write the OpsItemGroup (the
   * account's one) still took turns among themselves.
   */
  concurrency?: number;
  /** Rules the run's generation profile cannot reach, and why (`--safety real-account`; absent: none). */
  unreachable?: Array<{ rule: string; reason: string }>;
  /**
   * Public documents the target accepted under the real-account profile, where its API must refuse them: each
   * ended its sequence at once and was removed by the sequence's cleanup. Reported prominently: check the account.
   */
  publicAccepted?: PublicAccepted[];
  /**
   * Every HTTP request the run made, by what it was for (`calls` counts sends of steps, fixture and generated, not their waits):
   * discovery, fixture (setup steps and their waits), judged (with the waits and describes of compound calls),
   * idle (alignment reads), cleanup, bookkeeping (leftover checks), and the total.
   */
  requests?: Record<'total' | 'discovery' | 'fixture' | 'judged' | 'idle' | 'cleanup' | 'bookkeeping', number>;
  /** Eventual mode: how reads lagged behind writes (absent in strict mode and in older files). */
  staleness?: Staleness;
  /** Where the run's wall time went, by activity (absent in older files; see harness/time-split.ts). */
  time?: TimeSplit;
}

/** What a service's run was doing: looking for a failure, shrinking it, explaining it, confirming its witness, or the rest. */
export const TIME_ACTIVITIES = ['explore', 'shrink', 'explain', 'confirm', 'other'] as const;
export type TimeActivity = (typeof TIME_ACTIVITIES)[number];

/** Per activity, its wall time and the sequences it started (each sequence is one execution on the target). */
export type TimeSplit = Partial<Record<TimeActivity, { ms: number; sequences: number }>>;

export interface RunResult {
  target: string;
  /** The emulator's pinned version (managed targets). */
  targetVersion?: string;
  /** The services the target says it implements; the others are still probed (and usually `unsupported`). */
  targetClaims?: ServiceName[];
  seed: number;
  consistency: Consistency;
  /**
   * The change window the run measured DynamoDB's writes against (ms; `--window-ms`, 15 000 on AWS): a changing
   * write surely inside it had to be refused. Absent: not measured (a refusal allowed, never required).
   */
  windowMs?: number;
  /** The region the run used (absent in older files). */
  region?: string;
  mutant?: string;
  startedAt: string;
  /**
   * The services ran at the same time, not one after another (a remote target at --concurrency above 1: see
   * docs/interpreting.md). Absent: one after another. Each service's own `startedAt` and `durationMs` say when.
   */
  sideBySide?: true;
  /**
   * Side by side on an emulator the suite starts (moto, ministack): each service ran against an emulator process of
   * its own, all of the same version (see docs/interpreting.md). Absent: the services shared one target.
   */
  emulatorPerService?: true;
  services: ServiceResult[];
  /** This run against an expectations file of known departures (`--expect`). */
  expectations?: ExpectationReport;
  /** The run's budgets (--max-calls, --time-limit in ms), and what stopped it early, if anything. */
  budgets?: { maxCalls?: number; maxResources?: number; timeLimitMs?: number; callsUsed: number; resourcesUsed?: number; stoppedBy?: string };
  /** The signal that interrupted the run (its verdict is then `interrupted`). */
  interruptedBy?: 'SIGINT' | 'SIGTERM';
  /** The generation profile (`--safety`) and the partner accounts documents may name (absent in older files: full). */
  safety?: { profile: 'full' | 'real-account'; partnerAccounts: string[] };
  /** `--target aws`: the account and caller STS GetCallerIdentity named, the region, and every endpoint used. */
  aws?: AwsRunInfo;
}

export interface AwsRunInfo {
  account: string;
  callerArn: string;
  region: string;
  /** Per service (its SigV4 signing name: sts, dynamodb, kinesis, ssm, xray), each origin the SDK sent requests to. */
  endpoints: Record<string, string[]>;
}

/** A public policy document a target accepted (ServiceResult.publicAccepted). */
export interface PublicAccepted {
  operation: string;
  /** The resource the request named (ARN or name). */
  resource: string;
  /** The request member that carried the document. */
  member: string;
  /** When it was accepted (ISO time); the sequence's cleanup ran right after. */
  at: string;
}

/** A departure named by stable words only: no seeds, paths or resource names. */
export interface DepartureRef {
  /** e.g. `dynamodb rule ddb.arn.index [ddb.indexArnError=ResourceNotFoundException]`, `kinesis operation PutResourcePolicy unsupported`. */
  key: string;
  service: ServiceName;
  kind: 'divergence' | 'unsupported';
  /** For a divergence: its kind (absent in older reports: wrong-answer). */
  departureKind?: DepartureKind;
  rule?: string;
  explainedBy?: { switch: string; value: string };
  /** For `unsupported`: the operation, or absent when the whole service is. */
  operation?: string;
  /** Why it was classified so (e.g. "same switch value as an expected departure"). */
  note?: string;
}

export interface ExpectationReport {
  file: string;
  /** Departures of this run the file does not list: these fail the run. */
  new: DepartureRef[];
  /** Listed departures this run saw again. */
  stillPresent: DepartureRef[];
  /** Listed departures this run did not see although it reached their rule (or the operation answered). */
  fixed: DepartureRef[];
  /** Listed departures this run has no evidence about (rule not reached, service not run). Never a failure. */
  notSeen: DepartureRef[];
}

export function overallVerdict(services: readonly ServiceResult[]): Verdict {
  if (services.some((s) => s.verdict === 'internal-error')) return 'internal-error';
  if (services.some((s) => s.verdict === 'infra')) return 'infra';
  if (services.some((s) => s.verdict === 'interrupted')) return 'interrupted';
  if (services.some((s) => s.verdict === 'fail')) return 'fail';
  if (services.some((s) => s.verdict === 'incomplete')) return 'incomplete';
  return services.every((s) => s.verdict === 'unsupported') && services.length > 0 ? 'unsupported' : 'pass';
}

export function asJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}
