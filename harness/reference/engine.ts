import { symbolView } from '../../models/match.js';
import { canonicalPolicyText } from '../../models/policy-document.js';
import type { Branch, Expect, JsonObject, ModelContext, Outcome, Pattern, Request, ServiceModel, SwitchSettings } from '../../models/types.js';
import { defaultSwitches } from '../../models/types.js';
import type { DepartureKind } from '../../models/results.js';
import type { HttpResponse } from './protocol.js';

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
  /** The mutant's scratch space (its `step`, `respond` and `http` hooks share it). */
  readonly mutantMemory: Memory = {};
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
    return { kind: 'ok', output: this.realizeFields(expect.output, request) };
  }

  private realizeFields(fields: Record<string, Pattern>, request: Request): JsonObject {
    const output: JsonObject = {};
    for (const [field, pattern] of Object.entries(fields)) {
      if ('eq' in pattern) output[field] = pattern.eq;
      else if ('json' in pattern) output[field] = JSON.stringify(pattern.json);
      // As AWS does (spec §7.4): the document read back in its canonical form.
      else if ('policy' in pattern) output[field] = canonicalPolicyText(pattern.policy) ?? pattern.policy;
      else if ('present' in pattern) output[field] = this.invent(`${field}#present`, field, request, this.view());
      else if ('sym' in pattern) output[field] = this.bindings[pattern.sym] ??= this.invent(pattern.sym, field, request, this.view());
      else if ('setOf' in pattern) output[field] = pattern.setOf.map((record) => this.realizeFields(record, request));
    }
    return output;
  }
}
