// Plain, serializable data shared by models, harness and reports.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ServiceName = 'dynamodb' | 'kinesis' | 'ssm' | 'xray';

/** How sure we are that AWS behaves as a rule says. */
export type Evidence = 'aws-verified' | 'documented' | 'assumed';

export interface Rule {
  id: string;
  evidence: Evidence;
  /** Section of shared/spec/resource-policy-semantics.md, e.g. "§1.5". */
  spec: string;
  summary: string;
}

/** An UNVERIFIED choice point: AWS's most likely value is the default. */
export interface Switch {
  name: string;
  spec: string;
  summary: string;
  values: readonly string[];
  default: string;
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
  | { kind: 'error'; code: string; status: number; message?: string };

/** Outcomes that say nothing about conformance. */
export type NonVerdictOutcome =
  | { kind: 'fault'; reason: string; status?: number }
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
  | { present: true }
  | { sym: string; distinctFrom?: string[] }
  | { setOf: Array<Record<string, Pattern>> };

export type Expect =
  | { kind: 'ok'; output: Record<string, Pattern> }
  | { kind: 'error'; code: string; status: number };

/** One allowed answer of the model, with the state that follows it. */
export interface Branch<S> {
  rule: string;
  expect: Expect;
  next: S;
  /** Symbol values this branch takes for granted (e.g. an unobserved revision id equals the one sent). */
  assume?: Record<string, string>;
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
}

export function defaultSwitches(switches: readonly Switch[]): SwitchSettings {
  return Object.fromEntries(switches.map((s) => [s.name, s.default]));
}
