import { symbolView } from '../../models/match.js';
import type { Branch, Expect, JsonObject, ModelContext, Outcome, Request, ServiceModel, SwitchSettings } from '../../models/types.js';
import { defaultSwitches } from '../../models/types.js';

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
  step?(original: StepFn<S>, state: S, request: Request, ctx: ModelContext, memory: Memory): Branch<S>[];
  respond?(request: Request, outcome: Outcome, memory: Memory): Outcome;
}

export interface EngineView<S> {
  state: S;
  bindings: Record<string, string>;
  ctx: ModelContext;
  memory: Memory;
}

/** How a service's server invents the values its model leaves symbolic. */
export type Inventor<S> = (symbol: string, field: string, request: Request, view: EngineView<S>) => string;

/**
 * Runs a model as a server: each request takes the model's first (most likely) branch, invents values for new
 * symbols, and moves on. The checker never sees this code path, so a model bug cannot hide itself here.
 */
export class ReferenceEngine<S> {
  private state: S;
  private bindings: Record<string, string> = {};
  readonly memory: Memory = {};
  private readonly mutantMemory: Memory = {};
  private readonly switches: SwitchSettings;

  constructor(
    private readonly model: ServiceModel<S>,
    private readonly invent: Inventor<S>,
    private readonly identity: { account: string; region: string },
    private readonly mutant?: Mutant<S>,
    initial?: S,
  ) {
    this.state = initial ?? model.initial();
    this.switches = defaultSwitches(model.switches);
  }

  view(): EngineView<S> {
    return { state: this.state, bindings: this.bindings, ctx: this.ctx(), memory: this.memory };
  }

  private ctx(): ModelContext {
    return { switches: this.switches, consistency: 'strict', ...this.identity, symbols: symbolView(this.bindings) };
  }

  handle(request: Request): Outcome & { rule: string } {
    const ctx = this.ctx();
    const step: StepFn<S> = (s, r, c) => this.model.step(s, r, c);
    const branches = this.mutant?.step ? this.mutant.step(step, this.state, request, ctx, this.mutantMemory) : step(this.state, request, ctx);
    const branch = branches[0];
    if (!branch) throw new Error(`model gave no outcome for ${request.operation}`);
    if (branch.assume) Object.assign(this.bindings, branch.assume);
    let outcome = this.realize(branch.expect, request);
    this.state = branch.next;
    if (this.mutant?.respond) outcome = this.mutant.respond(request, outcome, this.mutantMemory);
    return { ...outcome, rule: branch.rule };
  }

  private realize(expect: Expect, request: Request): Outcome {
    if (expect.kind === 'error') return { kind: 'error', code: expect.code, status: expect.status };
    const output: JsonObject = {};
    for (const [field, pattern] of Object.entries(expect.output)) {
      if ('eq' in pattern) output[field] = pattern.eq;
      else if ('json' in pattern) output[field] = JSON.stringify(pattern.json);
      else if ('present' in pattern) output[field] = this.invent(`${field}#present`, field, request, this.view());
      else if ('sym' in pattern) {
        const value = (this.bindings[pattern.sym] ??= this.invent(pattern.sym, field, request, this.view()));
        output[field] = value;
      } else if (!('absent' in pattern)) {
        output[field] = this.realizeOther(pattern, field, request);
      }
    }
    return { kind: 'ok', output };
  }

  /** Extension point for pattern kinds that are not plain fields (see subclasses in service codecs). */
  protected realizeOther(pattern: unknown, field: string, _request: Request): JsonObject[keyof JsonObject] {
    throw new Error(`reference engine cannot realize pattern for ${field}: ${JSON.stringify(pattern)}`);
  }
}
