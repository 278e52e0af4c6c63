/**
 * Histories: what a target answered, kept as plain data so it can be judged again later, offline, against the
 * model as it is then (`policy-conformance check`). A history is one service's: its sequences (the model-level
 * steps — operation, input, outcome — exactly as the checker saw them, the results file's `Step`), the settings
 * each was judged under, and (recorded histories) every HTTP request the suite sent, fixture and bookkeeping calls
 * included, with its answer. Histories written by hand from AWS's recorded behaviour (histories/aws/) carry
 * `sources` and cite one per step instead of HTTP requests.
 *
 * The format is documented in docs/histories.md; `format` and `version` say which one a file is.
 */
import { replayOffline } from './checker.js';
import type { AllowedOutcome } from './checker.js';
import type { Divergence, RunResult, ServiceResult, Step } from './results.js';
import { type Consistency, defaultSwitches, type Json, type Observation, type ServiceModel, type ServiceName, type SwitchSettings } from './types.js';

export const HISTORY_FORMAT = 'policy-conformance history';
export const HISTORY_VERSION = 1;

/** What a request was for (harness/requests.ts RequestPhase): repeated here so the pure core needs nothing from the harness. */
export type HistoryPhase = 'discovery' | 'fixture' | 'judged' | 'idle' | 'cleanup' | 'bookkeeping';

/** A source a transcribed history's facts come from (spec §0.1's tags: [DDB-PROBES], [MOTO-V], [LS-V] …). */
export interface HistorySource {
  tag: string;
  /** Where it is: a repository path, a document section, a URL. */
  where: string;
  /** How strong it is: `aws-verified` (tests run against AWS), `aws-observed` (probe notes recorded against AWS). */
  evidence: 'aws-verified' | 'aws-observed' | 'documented';
}

/** One step of a history: a results-file step, with when it was answered and (transcribed histories) where the fact comes from. */
export interface HistoryStep extends Step {
  /** Milliseconds since the sequence started, when known. */
  atMs?: number;
  /** The source tag and place this answer is recorded in (transcribed histories: required on every step). */
  source?: string;
}

/** One sequence: fixture and generated steps, in the order sent, and the settings they were judged under. */
export interface HistorySequence {
  /** Unique in the file: the name prefix of the sequence's resources (recorded), or a short name (transcribed). */
  id: string;
  /** What the sequence shows, in words (transcribed histories). */
  about?: string;
  /** Every switch's value in force (defaults included). */
  switches: SwitchSettings;
  consistency: Consistency;
  /** Rules already reported when the run judged it (for reading the file; `check` judges against the plain model). */
  setAside?: string[];
  /** The generated commands (plain data), when recorded by a run. */
  commands?: Json[];
  /** How the run's checker ended the sequence: pass, departed (step and rule), crash, stopped. */
  judged?: { status: string; at?: number; rule?: string };
  startedAt?: string;
  steps: HistoryStep[];
}

/** One HTTP exchange as sent through the SDK (recorded histories). */
export interface HistoryRequest {
  /** Order of sending in the file, from 0. */
  n: number;
  phase: HistoryPhase;
  /** The sequence (its id) the request was sent for; absent for discovery and bookkeeping. */
  sequence?: string;
  startedAt: string;
  durationMs: number;
  method: string;
  /** Host and path as sent. */
  url: string;
  /** `X-Amz-Target` (JSON protocols) or the form's `Action`, whichever names the operation. */
  operation?: string;
  body?: string;
  /** The answer: its status and body, or what went wrong before one came. */
  status?: number;
  response?: string;
  error?: string;
}

export interface HistoryFile {
  format: typeof HISTORY_FORMAT;
  version: typeof HISTORY_VERSION;
  /** `recorded`: written by `--record` or `calibrate`; `transcribed`: written by hand from the sources listed. */
  origin: 'recorded' | 'transcribed';
  /** What the history is, in words. */
  about?: string;
  /** The target as named on the command line (`aws` for AWS's recorded behaviour), its version, the seeded bug. */
  target: string;
  targetVersion?: string;
  mutant?: string;
  service: ServiceName;
  account: string;
  region: string;
  /** The suite's, Node's and the SDK client's versions that recorded it. */
  versions?: Record<string, string>;
  recordedAt?: string;
  /** The run's seed (recorded histories). */
  seed?: number;
  /** The model's initial state as discovery found it (account-wide state: X-Ray's policies, the OpsItemGroup); absent: the model's empty one. */
  initialState?: Json;
  sources?: HistorySource[];
  sequences: HistorySequence[];
  requests?: HistoryRequest[];
}

/** What `check` says about one sequence. */
export type SequenceJudgement =
  | { id: string; status: 'accepted'; rules: string[]; steps: number; tainted?: number }
  | {
      id: string;
      status: 'departs';
      /** Index into the sequence's steps. */
      at: number;
      rule: string;
      allowed: AllowedOutcome[];
      actual: Observation;
      rules: string[];
    };

/**
 * Judge one sequence against the model as it is now, under the switches and consistency the history records (a
 * switch the history does not name takes its default; one the model no longer has is ignored). Every step is
 * judged, fixture and unjudged tails included: the history says what the target answered, whatever the run then
 * made of it. A fault or unsupported answer keeps every possibility (never a departure by itself).
 */
export function judgeSequence<S>(model: ServiceModel<S>, history: Pick<HistoryFile, 'account' | 'region' | 'initialState'>, sequence: HistorySequence, switches?: SwitchSettings): SequenceJudgement {
  const defaults = defaultSwitches(model.switches);
  const own = Object.fromEntries(Object.entries(sequence.switches ?? {}).filter(([k]) => k in defaults));
  const settings = { switches: { ...defaults, ...own, ...switches }, consistency: sequence.consistency, account: history.account, region: history.region };
  const replay = replayOffline(model, settings, history.initialState as S | undefined, sequence.steps);
  if (replay.divergence) {
    const { at, verdict } = replay.divergence;
    return { id: sequence.id, status: 'departs', at, rule: verdict.rule, allowed: verdict.allowed, actual: sequence.steps[at]!.outcome, rules: replay.rules };
  }
  return { id: sequence.id, status: 'accepted', rules: replay.rules, steps: sequence.steps.length, ...(replay.taintedAt !== null ? { tainted: replay.taintedAt } : {}) };
}

/**
 * What is wrong with a parsed file as a history (the first problem, in words), or undefined when it is one. Pure:
 * the caller reads the file and names it in the message.
 */
export function historyProblem(h: unknown, services: readonly string[], switchesOf: (service: string) => ReadonlyArray<{ name: string; values: readonly string[] }>): string | undefined {
  if (!h || typeof h !== 'object' || Array.isArray(h)) return 'not a policy-conformance history (version 1)';
  const f = h as Partial<HistoryFile>;
  if (f.format !== HISTORY_FORMAT || f.version !== HISTORY_VERSION) return 'not a policy-conformance history (version 1)';
  if (typeof f.service !== 'string' || !services.includes(f.service)) return `unknown service "${String(f.service)}"`;
  if (typeof f.account !== 'string' || !/^\d{12}$/.test(f.account)) return 'account must be a 12-digit account id';
  if (typeof f.region !== 'string' || f.region === '') return 'region is required';
  if (typeof f.target !== 'string') return 'target is required';
  if (!Array.isArray(f.sequences) || f.sequences.length === 0) return 'no sequences';
  const known = switchesOf(f.service);
  const ids = new Set<string>();
  for (const [i, s] of f.sequences.entries()) {
    const where = `sequence ${i + 1}${s && typeof s.id === 'string' ? ` (${s.id})` : ''}`;
    if (!s || typeof s !== 'object' || typeof s.id !== 'string') return `${where}: id is required`;
    if (ids.has(s.id)) return `${where}: id used twice`;
    ids.add(s.id);
    if (s.consistency !== 'strict' && s.consistency !== 'eventual') return `${where}: consistency must be strict or eventual`;
    if (!s.switches || typeof s.switches !== 'object') return `${where}: switches are required (an empty object for the defaults)`;
    for (const [name, value] of Object.entries(s.switches)) {
      const sw = known.find((k) => k.name === name);
      if (sw && !sw.values.includes(value)) return `${where}: switch ${name} takes one of ${sw.values.join(', ')}, not "${value}"`;
    }
    if (!Array.isArray(s.steps) || s.steps.length === 0) return `${where}: no steps`;
    for (const [j, st] of s.steps.entries()) {
      const problem = stepProblem(st);
      if (problem) return `${where} step ${j + 1}: ${problem}`;
      if (f.origin === 'transcribed' && typeof st.source !== 'string') return `${where} step ${j + 1}: a transcribed history cites a source on every step`;
    }
  }
  return undefined;
}

function stepProblem(st: unknown): string | undefined {
  if (!st || typeof st !== 'object') return 'not an object';
  const s = st as Partial<HistoryStep>;
  if (typeof s.operation !== 'string' || s.operation === '') return 'operation is required';
  if (!s.input || typeof s.input !== 'object' || Array.isArray(s.input)) return 'input must be an object';
  const o = s.outcome as Partial<Observation> | undefined;
  if (!o || typeof o !== 'object') return 'outcome is required';
  switch (o.kind) {
    case 'ok':
      return o.output && typeof o.output === 'object' ? undefined : 'an ok outcome has an output object';
    case 'error':
      return typeof o.code === 'string' && typeof o.status === 'number' ? undefined : 'an error outcome has a code and a status';
    case 'fault':
    case 'unsupported':
      return typeof o.reason === 'string' ? undefined : `a ${o.kind} outcome has a reason`;
    default:
      return `outcome kind must be ok, error, fault or unsupported, not "${String(o.kind)}"`;
  }
}

/** One history file as `check` judges it. */
export interface JudgedHistory {
  /** How the file is named in reports (as given on the command line). */
  file: string;
  history: HistoryFile;
  judgements: SequenceJudgement[];
}

/** Judge every sequence of a history (see judgeSequence). */
export function judgeHistory<S>(model: ServiceModel<S>, file: string, history: HistoryFile, switches?: SwitchSettings): JudgedHistory {
  return { file, history, judgements: history.sequences.map((s) => judgeSequence(model, history, s, switches)) };
}

/**
 * The results of `check` in a run's shape (results.json, report.md and the summary render it as they render a
 * run): one service entry per service, one sequence per "run", and per rule the first sequence that departs on it
 * as that rule's entry, its steps up to the departing one as the witness.
 */
export function checkResults(judged: readonly JudgedHistory[], modelOf: (service: string) => ServiceModel<unknown>, startedAt: string, durationMs: number): RunResult {
  const services = [...new Set(judged.map((j) => j.history.service))];
  const targets = [...new Set(judged.map((j) => j.history.target))];
  const consistencies = new Set(judged.flatMap((j) => j.history.sequences.map((s) => s.consistency)));
  return {
    target: targets.join(', '),
    seed: judged.find((j) => j.history.seed !== undefined)?.history.seed ?? 0,
    consistency: consistencies.size === 1 ? [...consistencies][0]! : 'strict',
    region: judged[0]?.history.region ?? 'us-east-1',
    startedAt,
    services: services.map((service) => serviceResult(service, judged.filter((j) => j.history.service === service), modelOf(service), durationMs)),
  };
}

function serviceResult(service: string, judged: readonly JudgedHistory[], model: ServiceModel<unknown>, durationMs: number): ServiceResult {
  const defaults = defaultSwitches(model.switches);
  const divergences: Divergence[] = [];
  const reached = new Set<string>();
  let runs = 0;
  let calls = 0;
  let faults = 0;
  for (const { file, history, judgements } of judged) {
    for (const [i, j] of judgements.entries()) {
      const sequence = history.sequences[i]!;
      runs++;
      calls += sequence.steps.filter((s) => !s.setup).length;
      faults += sequence.steps.filter((s) => s.outcome.kind === 'fault').length;
      for (const r of j.rules) if (!r.startsWith('model.')) reached.add(r);
      if (j.status !== 'departs' || divergences.some((d) => d.rule === j.rule)) continue;
      const rule = model.rules[j.rule];
      const steps = sequence.steps.slice(0, j.at + 1);
      divergences.push({
        rule: j.rule,
        kind: 'wrong-answer',
        evidence: rule?.evidence ?? 'unknown',
        summary: rule?.summary ?? j.rule,
        attribution: { method: 'first-check' },
        expected: j.allowed,
        actual: j.actual,
        steps,
        calls: steps.filter((s) => !s.setup).length,
        afterSetAside: [],
        replay: `npx policy-conformance check ${file}`,
        seed: history.seed ?? 0,
        path: `${file} sequence ${sequence.id} step ${j.at + 1}`,
        ...(sequence.commands?.length ? { commands: sequence.commands } : {}),
        foundUnder: { switches: Object.fromEntries(Object.entries(sequence.switches).filter(([k, v]) => k in defaults && defaults[k] !== v)), setAside: [] },
      });
    }
  }
  return {
    service,
    verdict: divergences.length ? 'fail' : 'pass',
    runs,
    calls,
    faults,
    durationMs,
    rulesReached: [...reached].sort(),
    unsupportedOperations: [],
    profile: {},
    divergences,
  };
}
