// Plain, serializable data shared by models, harness and reports.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * A service's name as results and files spell it ("dynamodb"). The list of services is services/index.ts (the
 * pure core does not know it); a name that is not on it is refused where input is read.
 */
export type ServiceName = string;

/**
 * How sure we are that AWS behaves as a rule says, strongest first: `aws-verified` (tests run against AWS by other
 * projects, real error texts), `aws-observed` (third-party probe notes recorded against AWS, spec §7), `documented`
 * (the AWS documentation says so), `assumed` (AWS never said; our recommended reading).
 */
export type Evidence = 'aws-verified' | 'aws-observed' | 'documented' | 'assumed';

export interface Rule {
  id: string;
  evidence: Evidence;
  /** Section of shared/spec/resource-policy-semantics.md, e.g. "§1.5". */
  spec: string;
  summary: string;
  /**
   * The rule is about what a read answers (its `get` / `list` area): a read departing on it says the read misbehaves,
   * not that the resource's state differs from what the model believed. A read departing on another area's rule
   * (CreateTable attached no policy, streams unsupported …) says something about the state.
   */
  readAnswer?: true;
}

/** The areas (second word of a rule id) whose rules are about what a read answers. */
const READ_AREAS = new Set(['get', 'list']);

/** A rule, as every service's rules file declares them. */
export function defineRule(id: string, evidence: Evidence, spec: string, summary: string): Rule {
  return { id, evidence, spec, summary, ...(READ_AREAS.has(id.split('.')[1] ?? '') ? { readAnswer: true as const } : {}) };
}

/** One rule as a rules file lists it: `defineRule`'s arguments. */
export type RuleRow = readonly [id: string, evidence: Evidence, spec: string, summary: string];

/** A service's rules keyed by id, in the order listed. */
export function ruleTable(rows: readonly RuleRow[]): Record<string, Rule> {
  return Object.fromEntries(rows.map((row) => [row[0], defineRule(...row)]));
}

/** An UNVERIFIED choice point: AWS's most likely value is the default. */
export interface Switch {
  name: string;
  spec: string;
  summary: string;
  values: readonly string[];
  default: string;
  /**
   * How the default is known. Absent or `assumed`: still an open question, so the runner may adopt another value
   * to explain a target ("AWS, except …"). `aws-verified` / `aws-observed`: AWS's answer is known (spec §7); the
   * other values stay reachable with `--switch`, but a target that needs one of them departs from AWS.
   */
  evidence?: Evidence;
}

/** A switch whose default is AWS's observed behaviour: never adopted automatically to explain a target. */
export function isSettled(s: Switch): boolean {
  return s.evidence === 'aws-verified' || s.evidence === 'aws-observed';
}

export type SwitchSettings = Record<string, string>;
export type Consistency = 'strict' | 'eventual';

/** A request as sent to the target (concrete values only). */
export interface Request {
  operation: string;
  input: JsonObject;
}

/** What the target answered, normalized by the service adapter. */
export type Outcome =
  | { kind: 'ok'; output: JsonObject }
  /** `message`: the target's whole error message, as it sent it. */
  | { kind: 'error'; code: string; status: number; message?: string };

/** Why a call said nothing about conformance: it timed out, the connection failed, the server erred, it was throttled, or its answer could not be read. */
export type FaultCause = 'timeout' | 'connection' | 'server-error' | 'throttle' | 'unparseable';

/** Outcomes that say nothing about conformance. */
export type NonVerdictOutcome =
  | { kind: 'fault'; reason: string; status?: number; cause?: FaultCause }
  | { kind: 'unsupported'; reason: string; status?: number };

export type Observation = Outcome | NonVerdictOutcome;

/**
 * How one output field must look. `sym` names a value the service invents: the first observation binds it,
 * later ones must equal it; `distinctFrom` lists symbols whose values it must differ from.
 * `setOf` is an unordered list of objects: the actual array must have exactly as many elements, each matched by
 * a different record (every field of the record matched by its pattern; fields the record does not name are not
 * checked), in any order; an absent list counts as empty. Symbols inside are bound as for top-level fields, and
 * when several pairings fit, each gives its own bindings (see matchPatternAll).
 */
export type Pattern =
  | { eq: Json }
  | { json: Json }
  | { absent: true }
  | { present: true; format?: StringFormat }
  | { sym: string; distinctFrom?: string[]; format?: StringFormat }
  /** A policy document canonically equal to this one (models/policy-document.ts canonicallyEqual, spec §7.4). */
  | { policy: string }
  | { setOf: Array<Record<string, Pattern>> };

/**
 * What the API documents about a string the service returns (lengths, pattern): a value outside it is never
 * AWS's answer, whatever a switch allows. `pattern` is a JavaScript regular expression source, anchored by
 * the matcher (the whole value must match).
 */
export interface StringFormat {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export type Expect =
  | { kind: 'ok'; output: Record<string, Pattern> }
  | { kind: 'error'; code: string; status: number };

/** One allowed answer of the model, with the state that follows it. */
export interface Branch<S> {
  rule: string;
  /**
   * The rule an *error* answer departs from, when it is not `rule`: a branch labelled with what its success shows
   * (a consumer's Get showing "{}" although its stream has a policy is about `kin.consumer.own-policy`) is, when the
   * target answers an error instead, a departure of the plain rule (`kin.get.no-policy`).
   */
  errorRule?: string;
  expect: Expect;
  next: S;
  /** Symbol values this branch takes for granted (e.g. an unobserved revision id equals the one sent). */
  assume?: Record<string, string>;
  /**
   * A lagging view: the answer a read gives while it does not show the last writes yet. It matches only in eventual
   * mode, while the read is within the lag bound (see Lag); otherwise a read that answers it is a stale read, a
   * consistency departure under the model's `consistencyRules`, not a wrong answer of `rule`.
   */
  stale?: true;
  /**
   * A success only possible once a change window has closed (DynamoDB, spec §7.3): not an answer of a step the
   * harness measured to be surely inside the window (the step's `windowOpen`); elsewhere it is like any branch.
   */
  windowClosed?: true;
}

/**
 * When a read was made, as the harness judged it: `within` the lag bound of the last write to its resource
 * (eventual mode: a lagging view is allowed; the default); `late`: its lagging view gave way to the write later,
 * after the bound (strict mode: at all); `flipped`: after a read of the same resource already showed the write;
 * `lasting`: its lagging view did not give way within the time the harness gave it, so it is the state, not a lag.
 * Only `late` and `flipped` make a lagging view a stale read; `lasting` (and, in strict mode, no lag at all) judge
 * it by the ordinary rules.
 */
export type Lag = 'within' | 'late' | 'flipped' | 'lasting';

/** The rules a stale read departs from, by when it was made (one per service whose model has lagging views). */
export interface ConsistencyRules {
  /** Strict mode: any stale read (the target is not read-your-writes). */
  strict: string;
  /** Eventual mode: a read still stale after the lag bound. */
  late: string;
  /** Eventual mode: a read that showed the write, then the state before it. */
  flipped: string;
}

/** Read-only view of the symbols bound so far in one candidate world. */
export interface SymbolView {
  valueOf(symbol: string): string | undefined;
  symbolOf(value: string): string | undefined;
}

export interface ModelContext {
  switches: SwitchSettings;
  consistency: Consistency;
  account: string;
  region: string;
  symbols: SymbolView;
}

/**
 * A pure reference state machine. `step` lists every outcome AWS may give for `request` in `state`.
 * States must be plain JSON data (the checker compares and copies them as JSON).
 */
export interface ServiceModel<S> {
  service: ServiceName;
  rules: Record<string, Rule>;
  switches: readonly Switch[];
  initial(): S;
  step(state: S, request: Request, ctx: ModelContext): Branch<S>[];
  /**
   * The conjecture "this write took effect although it answered an error": the states `request` would leave if
   * it were carried out with its checks ignored (a policy attached although the document is invalid, a stream
   * deleted although it has consumers, a table created although the name is taken). Empty when there is nothing
   * it could act on (an ARN naming no resource) and for reads. The checker uses it to explain later answers by
   * hidden effects (Hughes et al., ICST 2016) instead of judging them against a state the target does not have.
   */
  effects?(state: S, request: Request, ctx: ModelContext): S[];
  /** The part of `state` that `request` is about (one resource), for reports. Default: the whole state. */
  focus?(state: S, request: Request, ctx: ModelContext): Json;
  /**
   * Account-wide state the target already held at the start that takes coverage away (X-Ray's five policy slots
   * all taken), in words, and the rules it makes unreachable; undefined when there is none. A run that then did not
   * reach one of those rules is `incomplete`, not a pass.
   */
  sharedAtStart?(initial: S): { what: string; blocks: readonly string[] } | undefined;
  /** Where a stale read (a `stale` branch answered when it may not be) departs; absent: the model has no lagging views. */
  consistencyRules?: ConsistencyRules;
}

export function defaultSwitches(switches: readonly Switch[]): SwitchSettings {
  return Object.fromEntries(switches.map((s) => [s.name, s.default]));
}

/**
 * One command made one step plainer in one field, e.g. `{ change: 'target: stream → table', command }` (what a
 * service's `simplify` returns; here so the services' pure commands files need nothing from the harness).
 */
export interface Simplification<Cmd> {
  change: string;
  command: Cmd;
}
