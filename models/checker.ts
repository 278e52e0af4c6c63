import { linearize } from './linearizability.js';
import { type Bindings, matchOutcomeAll, matchPattern, renderExpect, symbolView } from './match.js';
import type { Branch, Consistency, Json, Lag, ModelContext, Observation, Request, ServiceModel, SwitchSettings } from './types.js';

/** A hidden event the checker may assume to explain what a target answered later. */
export type ConjectureKind = 'error-with-side-effect' | 'success-without-effect';

/**
 * What the harness measured about a step, beside its answer (kept in the step, so offline judging sees it too):
 * `lag`, when a read was judged (models/types.ts Lag); `windowOpen`, a write sent while its resource's change
 * window was surely still open (Branch.windowClosed).
 */
export interface Measured {
  lag?: Lag | undefined;
  windowOpen?: boolean;
}

export interface CheckerSettings {
  switches: SwitchSettings;
  consistency: Consistency;
  account: string;
  region: string;
  /**
   * Rules already reported as wrong answers (or crashes): a departure blamed on one of them is not judged; the
   * state after it is unknown, so the checker keeps every conjecture about it and the sequence is tainted.
   */
  setAside?: ReadonlySet<string>;
  /**
   * Rules already reported as hidden effects: a step answered under one of them may have had (or lacked) its
   * effect, so the checker keeps both readings from there on and the sequence is tainted.
   */
  conjectured?: ReadonlyArray<{ rule: string; kind: ConjectureKind }>;
}

interface World<S> {
  state: S;
  bindings: Bindings;
}

export interface AllowedOutcome {
  rule: string;
  expect: Json;
}

export type StepVerdict =
  /** `conjectured`: the step matched under a rule reported as a hidden effect (the state from here is a conjecture). */
  | { status: 'match'; rules: string[]; conjectured?: string }
  | { status: 'indeterminate'; reason: 'fault' | 'unsupported' | 'set-aside'; rules: string[] }
  /** `stale`: the answer is a lagging view where none may be (a stale read, named by a consistency rule). */
  | { status: 'diverged'; rule: string; allowed: AllowedOutcome[]; stale?: true };

/** Where the checker should assume a hidden event: at which step, and which one. */
export interface Conjecture {
  at: number;
  kind: ConjectureKind;
}

/** Far more than any documented nondeterminism needs; a guard against a model bug exploding the set. */
export const MAX_WORLDS = 512;

/** The model produced more candidate states than any real nondeterminism needs: a bug in the suite, not the target. */
export class ModelError extends Error {}

/**
 * Keeps the set of model states still consistent with everything observed on the target. Each observation
 * filters that set through the model's allowed branches; faults keep every possibility.
 */
export class Checker<S> {
  private worlds: World<S>[];
  /** The worlds before the last observed step (what `believedBefore` describes). */
  private prior: World<S>[] = [];

  constructor(
    private readonly model: ServiceModel<S>,
    private readonly settings: CheckerSettings,
    initial: S = model.initial(),
  ) {
    this.worlds = [{ state: initial, bindings: {} }];
  }

  get worldCount(): number {
    return this.worlds.length;
  }

  /** Bindings every surviving world agrees on (what the harness may rely on). */
  get agreedBindings(): Record<string, string> {
    const [first, ...rest] = this.worlds;
    if (!first) return {};
    return Object.fromEntries(Object.entries(first.bindings).filter(([k, v]) => rest.every((w) => w.bindings[k] === v)));
  }

  /** What the model believes about the resource `request` names, in each candidate world (for reports). */
  believed(request: Request): Json[] {
    return this.describe(this.worlds, request);
  }

  /** What the model believed about that resource just before the last observed step. */
  believedBefore(request: Request): Json[] {
    return this.describe(this.prior, request);
  }

  private describe(worlds: World<S>[], request: Request): Json[] {
    const seen = new Map<string, Json>();
    for (const w of worlds) {
      const view = this.model.focus ? this.model.focus(w.state, request, this.ctx(w)) : (w.state as Json);
      seen.set(JSON.stringify(view), view);
    }
    return [...seen.values()];
  }

  /** Every outcome the model allows for `request` now, without observing anything (e.g. for a step that crashed). */
  allowed(request: Request): AllowedOutcome[] {
    return dedupeAllowed(this.worlds.flatMap((w) => this.eligible(w, request, undefined).map((b) => ({ rule: b.rule, expect: renderExpect(b.expect, w.bindings) }))));
  }

  /**
   * Whether `observation` shows what the model expects for the committed state (`fresh`: a branch that is not a
   * lagging view matches), only a lagging view (`stale`), or nothing (`none`) — without observing it. The harness
   * polls a read that is not fresh yet (eventual mode) and judges it once it is, or once the lag bound has passed.
   */
  peek(request: Request, observation: Observation): 'fresh' | 'stale' | 'none' {
    if (observation.kind !== 'ok' && observation.kind !== 'error') return 'none';
    let stale = false;
    for (const world of this.worlds) {
      for (const branch of this.branchesOf(world, request)) {
        const assumed = assume(world.bindings, branch.assume);
        if (!assumed || matchOutcomeAll(branch.expect, observation, assumed).length === 0) continue;
        if (!branch.stale) return 'fresh';
        stale = true;
      }
    }
    return stale ? 'stale' : 'none';
  }

  /** A lagging view may be the answer only in eventual mode, within the lag bound. */
  private staleAllowed(lag: Lag | undefined): boolean {
    return this.settings.consistency === 'eventual' && (lag ?? 'within') === 'within';
  }

  private eligible(world: World<S>, request: Request, lag: Lag | undefined): Branch<S>[] {
    const branches = this.branchesOf(world, request);
    return this.staleAllowed(lag) ? branches : branches.filter((b) => !b.stale);
  }

  /** The consistency rule a stale read departs from when it was made (`lag`) in this mode. */
  private staleRule(lag: Lag | undefined): string {
    const rules = this.model.consistencyRules;
    if (!rules) return 'model.stale-read';
    if (this.settings.consistency === 'strict') return rules.strict;
    return lag === 'flipped' ? rules.flipped : rules.late;
  }

  /**
   * Judge one observation. With `conjecture`, the step is matched as usual and then assumed to have had the
   * hidden effect the conjecture names (its error took effect / its success did not); the caller asks whether
   * that explains the rest of the sequence.
   */
  observe(request: Request, observation: Observation, conjecture?: ConjectureKind, measured: Measured = {}): StepVerdict {
    const { lag, windowOpen } = measured;
    const prior = this.worlds;
    this.prior = prior;
    const all = prior.map((world) => ({ world, branches: this.branchesOf(world, request) }));
    const staleAllowed = this.staleAllowed(lag);
    // Inside a change window the harness measured to be open, a success that needs it closed is no answer.
    const expanded = all.map(({ world, branches }) => ({ world, branches: branches.filter((b) => (staleAllowed || !b.stale) && !(windowOpen && b.windowClosed)) }));

    if (observation.kind === 'unsupported') {
      return { status: 'indeterminate', reason: 'unsupported', rules: [] };
    }
    if (observation.kind === 'fault') {
      this.worlds = dedupe(all.flatMap(({ world, branches }) => [world, ...branches.map((b) => ({ state: b.next, bindings: world.bindings }))]));
      return { status: 'indeterminate', reason: 'fault', rules: [] };
    }

    const survivors: Array<World<S> & { from: World<S> }> = [];
    const rules = new Set<string>();
    for (const { world, branches } of expanded) {
      for (const branch of branches) {
        const assumed = assume(world.bindings, branch.assume);
        for (const bindings of assumed ? matchOutcomeAll(branch.expect, observation, assumed) : []) {
          survivors.push({ state: branch.next, bindings, from: world });
          rules.add(branch.rule);
        }
      }
    }
    if (survivors.length > 0) {
      const hidden = conjecture ?? this.reportedConjecture([...rules], observation);
      const plain = survivors.map(({ state, bindings }) => ({ state, bindings }));
      if (!hidden) {
        this.worlds = dedupe(plain);
        return { status: 'match', rules: [...rules] };
      }
      const assumed = this.assumeHidden(hidden, request, survivors);
      // The forced conjecture replaces the step's ordinary reading; a reported one only adds to it.
      this.worlds = dedupe(conjecture ? assumed : [...plain, ...assumed]);
      return { status: 'match', rules: [...rules], ...(conjecture ? {} : { conjectured: [...rules][0]! }) };
    }

    const allowed = dedupeAllowed(
      expanded.flatMap(({ world, branches }) => branches.map((b) => ({ rule: b.rule, expect: renderExpect(b.expect, world.bindings) }))),
    );
    // A lagging view answered where none may be, and the harness saw it give way to the write later (`late`) or
    // after the write had shown (`flipped`): a stale read, named by when it was made (strict mode: at all), not a
    // wrong answer of the rule whose current answer it is not. Without that evidence (no lag given, `lasting`) the
    // answer is judged as the state it shows.
    const staleMatch = !staleAllowed && (lag === 'late' || lag === 'flipped') && all.some(({ world, branches }) => branches.some((b) => b.stale && matchesBranch(b, world.bindings, observation)));
    const blamed = staleMatch ? this.staleRule(lag) : (closestRule(expanded, observation) ?? 'model.no-branch');
    if (this.settings.setAside?.has(blamed)) {
      this.assumeAnyReading(request);
      return { status: 'indeterminate', reason: 'set-aside', rules: [blamed] };
    }
    return { status: 'diverged', rule: blamed, allowed, ...(staleMatch ? { stale: true as const } : {}) };
  }

  /**
   * Judge writes sent at the same time (a race): they match when some order of them explains every answer
   * (linearizability, models/linearizability.ts), and the states after them are those every such order leaves. An
   * answer that no order explains is that write's own departure (judged as if it had come first; `write` says which
   * one); answers each
   * explained by some order but not all by one depart on `raceRule`. A fault among them keeps every possibility.
   */
  observeRace(ops: ReadonlyArray<{ request: Request; observation: Observation }>, raceRule: string): StepVerdict & { write?: number } {
    const start = this.worlds;
    const rules = new Set<string>();
    const apply = (worlds: World<S>[], i: number): World<S>[] | null => {
      this.worlds = worlds;
      const verdict = this.observe(ops[i]!.request, ops[i]!.observation);
      if (verdict.status === 'diverged' || (verdict.status === 'indeterminate' && verdict.reason !== 'fault')) return null;
      for (const r of verdict.rules) rules.add(r);
      return this.worlds;
    };
    let found;
    try {
      found = linearize(start, ops.length, apply, (w) => JSON.stringify(w));
    } finally {
      this.worlds = start;
    }
    this.prior = start;
    if (found.ends.length > 0) {
      this.worlds = dedupe(found.ends.flat());
      return { status: 'match', rules: [...rules, raceRule] };
    }
    const unexplained = found.explained.indexOf(false);
    if (unexplained >= 0) {
      // Wrong whatever the order: judged as a plain step on the state before the race.
      const verdict = this.observe(ops[unexplained]!.request, ops[unexplained]!.observation);
      this.prior = start;
      return { ...verdict, write: unexplained };
    }
    return { status: 'diverged', rule: raceRule, allowed: dedupeAllowed(ops.flatMap((op) => this.allowed(op.request))) };
  }

  /**
   * After a step whose answer the model does not explain (on a rule set aside, or a consequence of one), nothing
   * says what the target's state is: keep every reading of that step — unchanged, its effects although it failed,
   * each of its branches. Judging later steps against these proves nothing on its own (the caller marks them).
   */
  assumeAnyReading(request: Request): void {
    const prior = this.prior;
    const effects = prior.flatMap((w) => this.effectsOf(w, request).map((state) => ({ state, bindings: w.bindings })));
    const branches = prior.flatMap((w) => this.branchesOf(w, request).map((b) => ({ state: b.next, bindings: w.bindings })));
    this.worlds = dedupe([...prior, ...effects, ...branches]);
  }

  /** A reported hidden-effect rule this matched step falls under, if any (error answers for side effects, successes for missing ones). */
  private reportedConjecture(rules: string[], observation: Observation): ConjectureKind | undefined {
    for (const c of this.settings.conjectured ?? []) {
      if (!rules.includes(c.rule)) continue;
      if (c.kind === 'error-with-side-effect' && observation.kind === 'error') return c.kind;
      if (c.kind === 'success-without-effect' && observation.kind === 'ok') return c.kind;
    }
    return undefined;
  }

  /** The worlds a hidden event leaves: the write's effects although it failed, or the state before it although it succeeded. */
  private assumeHidden(kind: ConjectureKind, request: Request, survivors: Array<World<S> & { from: World<S> }>): World<S>[] {
    // An error answer binds nothing, so the effects start from the worlds the step was matched in; a success's
    // values (a RevisionId, an ARN) stay bound although the state stays as it was: the target did say them.
    if (kind === 'error-with-side-effect') return survivors.flatMap((s) => this.effectsOf(s.from, request).map((state) => ({ state, bindings: s.bindings })));
    return survivors.map((s) => ({ state: s.from.state, bindings: s.bindings }));
  }

  private effectsOf(world: World<S>, request: Request): S[] {
    return this.model.effects ? this.model.effects(world.state, request, this.ctx(world)) : [];
  }

  private ctx(world: World<S>): ModelContext {
    return {
      switches: this.settings.switches,
      consistency: this.settings.consistency,
      account: this.settings.account,
      region: this.settings.region,
      symbols: symbolView(world.bindings),
    };
  }

  private branchesOf(world: World<S>, request: Request): Branch<S>[] {
    return this.model.step(world.state, request, this.ctx(world));
  }
}

/**
 * The rule to blame when no allowed outcome matches. A success is compared with the allowed successes, and the
 * one with the most matching fields is blamed (a Get that returns the right document with a malformed RevisionId
 * departs from the Get rule, not from a rule that expected another document). Otherwise the model's first (most
 * likely) outcome is blamed: an error where AWS succeeds, or another error than AWS's, departs from what AWS does.
 */
function closestRule<S>(expanded: Array<{ world: World<S>; branches: Branch<S>[] }>, observation: Observation): string | undefined {
  let best: { rule: string; score: number } | undefined;
  let first: string | undefined;
  for (const { world, branches } of expanded) {
    for (const branch of branches) {
      first ??= observation.kind === 'error' && branch.errorRule ? branch.errorRule : branch.rule;
      if (observation.kind !== 'ok' || branch.expect.kind !== 'ok') continue;
      const score = Object.entries(branch.expect.output).filter(([field, pattern]) => matchPattern(pattern, observation.output[field], world.bindings) !== null).length;
      if (!best || score > best.score) best = { rule: branch.rule, score };
    }
  }
  return best?.rule ?? first;
}

function matchesBranch<S>(branch: Branch<S>, bindings: Bindings, observation: Observation): boolean {
  if (observation.kind !== 'ok' && observation.kind !== 'error') return false;
  const assumed = assume(bindings, branch.assume);
  return !!assumed && matchOutcomeAll(branch.expect, observation, assumed).length > 0;
}

function assume(bindings: Bindings, extra: Record<string, string> | undefined): Bindings | null {
  if (!extra) return bindings;
  const values = new Set(Object.values(bindings));
  for (const [symbol, value] of Object.entries(extra)) {
    if (bindings[symbol] !== undefined ? bindings[symbol] !== value : values.has(value)) return null;
  }
  return { ...bindings, ...extra };
}

/** A service's rule for races (area `race`): writes sent at once that no order explains. */
export function raceRuleOf<S>(model: ServiceModel<S>): string {
  const id = Object.keys(model.rules).find((r) => r.split('.')[1] === 'race');
  if (!id) throw new ModelError(`${model.service} has no race rule (an id <service>.race.…) but its sequences race`);
  return id;
}

function dedupe<S>(worlds: World<S>[]): World<S>[] {
  const seen = new Map<string, World<S>>();
  for (const w of worlds) {
    const key = JSON.stringify(w);
    if (!seen.has(key)) seen.set(key, w);
  }
  const unique = [...seen.values()];
  if (unique.length > MAX_WORLDS) {
    throw new ModelError(`model produced ${unique.length} candidate states (limit ${MAX_WORLDS}); this is a model bug`);
  }
  return unique;
}

function dedupeAllowed(allowed: AllowedOutcome[]): AllowedOutcome[] {
  const seen = new Map<string, AllowedOutcome>();
  for (const a of allowed) seen.set(JSON.stringify(a), a);
  return [...seen.values()];
}

/**
 * Replaying a recorded trace offline, with no target: where it first departs, and whether a conjectured hidden
 * event at one step explains all of it.
 */
export interface OfflineReplay {
  /** The first departure (index into `steps`), or null when the model accepts the whole trace. */
  divergence: { at: number; verdict: Extract<StepVerdict, { status: 'diverged' }> } | null;
  /** The first step the checker could not judge cleanly (set aside, conjectured, fault, unsupported), if any. */
  taintedAt: number | null;
  /** Rules matched before the first taint. */
  rules: string[];
  /** Rules the last step matched under (empty when it did not match). */
  lastRules: string[];
}

export function replayOffline<S>(
  model: ServiceModel<S>,
  settings: CheckerSettings,
  initial: S | undefined,
  /** `race`: steps with the same value, one after another, were sent at the same time (Checker.observeRace). */
  steps: ReadonlyArray<{ operation: string; input: Request['input']; outcome: Observation; race?: number; lag?: Lag; windowOpen?: true }>,
  conjecture?: Conjecture,
): OfflineReplay {
  const checker = new Checker(model, settings, initial ?? model.initial());
  let taintedAt: number | null = null;
  let lastRules: string[] = [];
  const rules = new Set<string>();
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    let verdict: StepVerdict;
    if (step.race !== undefined) {
      // Writes sent at once are judged together (their last step stands for them); no hidden event is assumed in them.
      const group = [];
      while (steps[i]?.race === step.race) group.push(steps[i++]!);
      i--;
      verdict = checker.observeRace(group.map((g) => ({ request: { operation: g.operation, input: g.input }, observation: g.outcome })), raceRuleOf(model));
    } else verdict = checker.observe({ operation: step.operation, input: step.input }, step.outcome, conjecture?.at === i ? conjecture.kind : undefined, { lag: step.lag, windowOpen: step.windowOpen === true });
    if (verdict.status === 'diverged') return { divergence: { at: i, verdict }, taintedAt, rules: [...rules], lastRules: [] };
    const clean = verdict.status === 'match' && !verdict.conjectured;
    lastRules = verdict.status === 'match' ? verdict.rules : [];
    if (!clean) taintedAt ??= i;
    if (clean && taintedAt === null && conjecture === undefined) for (const r of verdict.rules) rules.add(r);
  }
  return { divergence: null, taintedAt, rules: [...rules], lastRules };
}
