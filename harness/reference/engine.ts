import { canonicalPolicyText } from '../../models/policy-document.js';
import type { Branch, Expect, JsonObject, ModelContext, Outcome, Pattern, Request, ServiceModel, SwitchSettings } from '../../models/types.js';
import { defaultSwitches } from '../../models/types.js';
import type { DepartureKind } from '../../models/results.js';
import type { HttpResponse } from './protocol.js';
import { referenced, stringsIn, SymbolTable } from './symbols.js';

export type StepFn<S> = (state: S, request: Request, ctx: ModelContext) => Branch<S>[];

/** Scratch space a mutant or codec keeps between requests. */
export type Memory = Record<string, unknown>;

/** A seeded bug: a plausible emulator mistake, for proving the suite catches it. */
export interface Mutant<S = any> {
  name: string;
  service: string;
  description: string;
  /** The rule whose check should catch it. */
  breaks: string;
  /** The kind of departure the suite must report it as (absent: `wrong-answer`). */
  kind?: DepartureKind;
  step?(original: StepFn<S>, state: S, request: Request, ctx: ModelContext, memory: Memory): Branch<S>[];
  respond?(request: Request, outcome: Outcome, memory: Memory): Outcome;
  /**
   * The last word on the wire: the response the codec encoded (or the 500 the server made of an exception), which
   * a mutant may replace, e.g. with an HTML error page. `answer` is what the engine answered and under which rule;
   * absent when the engine threw. `memory` is the one `step` and `respond` got for this request.
   */
  http?(request: Request, answer: (Outcome & { rule?: string }) | undefined, response: HttpResponse, memory: Memory): HttpResponse;
  /**
   * A check-then-write that is not atomic (a race mutant): a request for one of `operations` is decided on the
   * state as it is when it arrives, then the server lets other requests in for `gapMs` before its write takes
   * effect, replacing whatever they wrote. One request at a time never sees the difference; only writes sent at
   * the same time do.
   */
  checkThenWrite?: { operations: readonly string[]; gapMs: number };
}

export interface EngineView<S> {
  state: S;
  bindings: Record<string, string>;
  ctx: ModelContext;
  memory: Memory;
}

/** How a service's server invents the values its model leaves symbolic. */
export type Inventor<S> = (symbol: string, field: string, request: Request, view: EngineView<S>) => string;

/** What an engine holds, for benchmarks and specs: bound symbols, values recognised, keys in its scratch spaces. */
export interface EngineSizes {
  bindings: number;
  values: number;
  memoryKeys: number;
  /** Characters of the state's JSON. */
  stateChars: number;
}

/** Fewer bindings than this are never swept: a sweep walks the whole state, so it waits until there is something to gain. */
export const SWEEP_FLOOR = 256;

export interface PruneOptions {
  /** Forget the bindings nothing refers to (default true); false only to compare with an engine that keeps everything. */
  prune?: boolean;
  /** Bindings below which no sweep runs (default SWEEP_FLOOR; specs lower it to see sweeps in a few requests). */
  sweepFloor?: number;
}

/**
 * Runs a model as a server: each request takes the model's first (most likely) branch, invents values for new
 * symbols, and moves on. The checker never sees this code path, so a model bug cannot hide itself here.
 *
 * Its cost per request does not grow with what it served before: the models' steps copy only what they change
 * (copy-on-write, nothing of the state is copied whole), symbols are looked up by value in an index kept up to date
 * (SymbolTable), and the bindings of symbols nothing refers to any more — not the state, nor the codec's or the
 * mutant's scratch space — are forgotten (`sweep`), which changes no answer (see SymbolTable). A sweep walks
 * everything once, so it runs only when the bindings have doubled since the last one: amortized, a constant per
 * binding made. What the models keep of history because a later request can observe it (names once deleted,
 * deregistered consumers, DynamoDB streams outliving their tables) stays in the state as short lists; a write that
 * adds to one copies that list, a create looks a name up in it.
 */
export class ReferenceEngine<S> {
  private state: S;
  private readonly symbols = new SymbolTable();
  readonly memory: Memory = {};
  /** The mutant's scratch space (its `step`, `respond` and `http` hooks share it). */
  readonly mutantMemory: Memory = {};
  private readonly switches: SwitchSettings;
  /** Bindings after the last sweep. */
  private swept = 0;

  constructor(
    private readonly model: ServiceModel<S>,
    private readonly invent: Inventor<S>,
    private readonly identity: { account: string; region: string },
    private readonly mutant?: Mutant<S>,
    initial?: S,
    private readonly pruning: PruneOptions = {},
  ) {
    this.state = initial ?? model.initial();
    this.switches = defaultSwitches(model.switches);
  }

  view(): EngineView<S> {
    return { state: this.state, bindings: this.symbols.values, ctx: this.ctx(), memory: this.memory };
  }

  private ctx(): ModelContext {
    return { switches: this.switches, consistency: 'strict', ...this.identity, symbols: this.symbols.view() };
  }

  /**
   * Forget the bindings of symbols nothing refers to any more, when they have doubled since the last sweep (the
   * server calls it after each request, once the codec and the mutant's `http` hook are done with it; `force`
   * sweeps now). Returns how many were forgotten.
   */
  sweep(force = false): number {
    const { bindings } = this.symbols.size;
    if (this.pruning.prune === false || (!force && bindings < Math.max(this.pruning.sweepFloor ?? SWEEP_FLOOR, 2 * this.swept))) return 0;
    const strings = stringsIn([this.state, this.memory, this.mutantMemory]);
    const dropped = this.symbols.forget((symbol) => referenced(symbol, strings));
    this.swept = this.symbols.size.bindings;
    return dropped;
  }

  sizes(): EngineSizes {
    const keys = (m: Memory) => Object.values(m).reduce<number>((n, v) => n + 1 + (v !== null && typeof v === 'object' ? Object.keys(v).length : 0), 0);
    return { ...this.symbols.size, memoryKeys: keys(this.memory) + keys(this.mutantMemory), stateChars: JSON.stringify(this.state).length };
  }

  /**
   * What the model's first branch would answer `request` now (ok or the error code), without carrying it out: no
   * state change, no symbol bound, the mutant not consulted. The AWS-like simulator asks it to let the service's own
   * refusals (an invalid document, a stale condition) come before its timing rules.
   */
  preview(request: Request): { kind: 'ok' } | { kind: 'error'; code: string } {
    const branch = this.model.step(this.state, request, this.ctx())[0];
    if (!branch) throw new Error(`model gave no outcome for ${request.operation}`);
    return branch.expect.kind === 'error' ? { kind: 'error', code: branch.expect.code } : { kind: 'ok' };
  }

  handle(request: Request): Outcome & { rule: string } {
    return this.decide(request)();
  }

  /**
   * The answer to `request`, decided on the state as it is now; calling the result makes it take effect (the
   * answer's values invented, the next state set). `handle` does both at once; a race mutant's server waits in
   * between (Mutant.checkThenWrite).
   */
  decide(request: Request): () => Outcome & { rule: string } {
    const ctx = this.ctx();
    const step: StepFn<S> = (s, r, c) => this.model.step(s, r, c);
    const branches = this.mutant?.step ? this.mutant.step(step, this.state, request, ctx, this.mutantMemory) : step(this.state, request, ctx);
    const branch = branches[0];
    if (!branch) throw new Error(`model gave no outcome for ${request.operation}`);
    return () => {
      for (const [symbol, value] of Object.entries(branch.assume ?? {})) this.symbols.bind(symbol, value);
      let outcome = this.realize(branch.expect, request);
      this.state = branch.next;
      if (this.mutant?.respond) outcome = this.mutant.respond(request, outcome, this.mutantMemory);
      return { ...outcome, rule: branch.rule };
    };
  }

  /** How long a race mutant waits between deciding `request` and carrying it out (0: no wait). */
  gapBefore(request: Request): number {
    const racy = this.mutant?.checkThenWrite;
    return racy && racy.operations.includes(request.operation) ? racy.gapMs : 0;
  }

  private realize(expect: Expect, request: Request): Outcome {
    if (expect.kind === 'error') return { kind: 'error', code: expect.code, status: expect.status };
    return { kind: 'ok', output: this.realizeFields(expect.output, request) };
  }

  private bindNew(symbol: string, field: string, request: Request): string {
    const value = this.invent(symbol, field, request, this.view());
    this.symbols.bind(symbol, value);
    return value;
  }

  private realizeFields(fields: Record<string, Pattern>, request: Request): JsonObject {
    const output: JsonObject = {};
    for (const [field, pattern] of Object.entries(fields)) {
      if ('eq' in pattern) output[field] = pattern.eq;
      else if ('json' in pattern) output[field] = JSON.stringify(pattern.json);
      // As AWS does (spec §7.4): the document read back in its canonical form.
      else if ('policy' in pattern) output[field] = canonicalPolicyText(pattern.policy) ?? pattern.policy;
      else if ('present' in pattern) output[field] = this.invent(`${field}#present`, field, request, this.view());
      else if ('sym' in pattern) output[field] = this.symbols.values[pattern.sym] ?? this.bindNew(pattern.sym, field, request);
      else if ('setOf' in pattern) output[field] = pattern.setOf.map((record) => this.realizeFields(record, request));
    }
    return output;
  }
}
