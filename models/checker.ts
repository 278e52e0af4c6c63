import { type Bindings, matchOutcomeAll, renderExpect, symbolView } from './match.js';
import type { Branch, Consistency, Json, ModelContext, Observation, Request, ServiceModel, SwitchSettings } from './types.js';

export interface CheckerSettings {
  switches: SwitchSettings;
  consistency: Consistency;
  account: string;
  region: string;
  /** Rules already reported: a departure on one of them leaves the state indeterminate instead of failing. */
  setAside?: ReadonlySet<string>;
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
  | { status: 'match'; rules: string[] }
  | { status: 'indeterminate'; reason: 'fault' | 'unsupported' | 'set-aside'; rules: string[] }
  | { status: 'diverged'; rule: string; allowed: AllowedOutcome[] };

/** Far more than any documented nondeterminism needs; a guard against a model bug exploding the set. */
const MAX_WORLDS = 512;

/**
 * Keeps the set of model states still consistent with everything observed on the target. Each observation
 * filters that set through the model's allowed branches; faults keep every possibility.
 */
export class Checker<S> {
  private worlds: World<S>[];

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

  observe(request: Request, observation: Observation): StepVerdict {
    const expanded = this.worlds.map((world) => ({ world, branches: this.branchesOf(world, request) }));

    if (observation.kind === 'unsupported') {
      return { status: 'indeterminate', reason: 'unsupported', rules: [] };
    }
    if (observation.kind === 'fault') {
      this.worlds = dedupe(expanded.flatMap(({ world, branches }) => [world, ...branches.map((b) => ({ state: b.next, bindings: world.bindings }))]));
      return { status: 'indeterminate', reason: 'fault', rules: [] };
    }

    const survivors: World<S>[] = [];
    const rules = new Set<string>();
    for (const { world, branches } of expanded) {
      for (const branch of branches) {
        const assumed = assume(world.bindings, branch.assume);
        for (const bindings of assumed ? matchOutcomeAll(branch.expect, observation, assumed) : []) {
          survivors.push({ state: branch.next, bindings });
          rules.add(branch.rule);
        }
      }
    }
    if (survivors.length > 0) {
      this.worlds = dedupe(survivors);
      return { status: 'match', rules: [...rules] };
    }

    const allowed = dedupeAllowed(
      expanded.flatMap(({ world, branches }) => branches.map((b) => ({ rule: b.rule, expect: renderExpect(b.expect, world.bindings) }))),
    );
    const blamed = allowed[0]?.rule ?? 'model.no-branch';
    if (this.settings.setAside?.has(blamed)) {
      this.worlds = dedupe(expanded.flatMap(({ world, branches }) => [world, ...branches.map((b) => ({ state: b.next, bindings: world.bindings }))]));
      return { status: 'indeterminate', reason: 'set-aside', rules: [blamed] };
    }
    return { status: 'diverged', rule: blamed, allowed };
  }

  private branchesOf(world: World<S>, request: Request): Branch<S>[] {
    const ctx: ModelContext = {
      switches: this.settings.switches,
      consistency: this.settings.consistency,
      account: this.settings.account,
      region: this.settings.region,
      symbols: symbolView(world.bindings),
    };
    return this.model.step(world.state, request, ctx);
  }
}

function assume(bindings: Bindings, extra: Record<string, string> | undefined): Bindings | null {
  if (!extra) return bindings;
  const values = new Set(Object.values(bindings));
  for (const [symbol, value] of Object.entries(extra)) {
    if (bindings[symbol] !== undefined ? bindings[symbol] !== value : values.has(value)) return null;
  }
  return { ...bindings, ...extra };
}

function dedupe<S>(worlds: World<S>[]): World<S>[] {
  const seen = new Map<string, World<S>>();
  for (const w of worlds) {
    const key = JSON.stringify(w);
    if (!seen.has(key)) seen.set(key, w);
  }
  const unique = [...seen.values()];
  if (unique.length > MAX_WORLDS) {
    throw new Error(`model produced ${unique.length} candidate states (limit ${MAX_WORLDS}); this is a model bug`);
  }
  return unique;
}

function dedupeAllowed(allowed: AllowedOutcome[]): AllowedOutcome[] {
  const seen = new Map<string, AllowedOutcome>();
  for (const a of allowed) seen.set(JSON.stringify(a), a);
  return [...seen.values()];
}
