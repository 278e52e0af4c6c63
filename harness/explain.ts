/**
 * From a failing sequence to an entry a user can trust: which rule the target broke, of which kind, shown by a
 * witness that touches no other departure. In order:
 *
 * 1. a switch value (an open question about AWS) under which the model accepts the whole witness, confirmed by
 *    re-running it live under that value — then it is "AWS, except switch=value", not a departure;
 * 2. a conjectured hidden event at an earlier step — a write that answered an error but took effect, or answered
 *    success but did nothing — under which the model accepts every later answer (Hughes et al., ICST 2016): the
 *    departure is named by that step's rule, with that kind;
 * 3. otherwise the failing step's inputs are made plainer field by field, re-running the witness each time, while
 *    it still departs; the rule of what remains is blamed (and the report says which simplifications kept it).
 */
import { type ConjectureKind, type CheckerSettings, replayOffline } from '../models/checker.js';
import { isSettled, type ServiceModel } from '../models/types.js';
import type { Diverged, Execution, Executor } from './execution.js';
import type { Attribution, DepartureKind } from './results.js';
import type { Simplification } from './service.js';

/** The rule a failing execution is blamed on as it stands (before any explanation). */
export function blamedRule(e: Execution<unknown>): string {
  if (e.end.status === 'departed') return e.end.verdict.rule;
  if (e.end.status === 'crash') return e.end.allowed[0]?.rule ?? 'model.no-branch';
  throw new Error(`execution did not fail (${e.end.status})`);
}

export function kindOf(e: Execution<unknown>): DepartureKind {
  return e.end.status === 'crash' ? 'crash' : 'wrong-answer';
}

/** The steps up to and including the failing one. */
function witnessSteps(e: Execution<unknown>) {
  const at = e.end.status === 'departed' || e.end.status === 'crash' ? e.end.at : e.steps.length - 1;
  return e.steps.slice(0, at + 1);
}

/** Switch values (still-open questions only) under which the model accepts the whole witness, cleanly. */
export function switchCandidates(model: ServiceModel<unknown>, settings: CheckerSettings, initial: unknown, e: Execution<unknown>): Array<{ switch: string; value: string }> {
  if (e.end.status !== 'departed') return [];
  const steps = witnessSteps(e);
  const out: Array<{ switch: string; value: string }> = [];
  for (const s of model.switches) {
    // A settled switch's default is AWS's observed answer; and a switch moves off its default once (by the user, or
    // to explain an earlier departure): a target that needs two values of it is not explained by either.
    if (isSettled(s) || settings.switches[s.name] !== s.default) continue;
    for (const value of s.values) {
      if (value === s.default) continue;
      const trial = replayOffline(model, { ...settings, switches: { ...settings.switches, [s.name]: value } }, initial as never, steps);
      if (trial.divergence === null && trial.taintedAt === null) out.push({ switch: s.name, value });
    }
  }
  return out;
}

export interface HiddenEvent {
  rule: string;
  kind: ConjectureKind;
  causeStep: number;
}

/**
 * Earlier steps whose conjectured hidden event explains every answer after it (the failing one included), latest
 * first: an error answer that took effect, or a success that did not. A success of an operation in `confirmed`
 * (its answer includes a read that showed the effect) is never conjectured to have had none.
 */
export function hiddenEvents(model: ServiceModel<unknown>, settings: CheckerSettings, initial: unknown, e: Execution<unknown>, confirmed: ReadonlySet<string> = new Set()): HiddenEvent[] {
  if (e.end.status !== 'departed') return [];
  const steps = witnessSteps(e);
  const found: HiddenEvent[] = [];
  for (let j = steps.length - 2; j >= 0; j--) {
    const o = steps[j]!.outcome;
    const kind: ConjectureKind | undefined = o.kind === 'error' ? 'error-with-side-effect' : o.kind === 'ok' && !confirmed.has(steps[j]!.operation) ? 'success-without-effect' : undefined;
    if (!kind) continue;
    const trial = replayOffline(model, settings, initial as never, steps, { at: j, kind });
    if (trial.divergence !== null) continue;
    const rule = ruleAt(model, settings, initial, steps, j);
    if (rule) found.push({ rule, kind, causeStep: j });
  }
  return found;
}

/** The first of hiddenEvents (what "is this the hidden effect already reported?" needs, without live calls). */
export function hiddenEvent(model: ServiceModel<unknown>, settings: CheckerSettings, initial: unknown, e: Execution<unknown>, confirmed?: ReadonlySet<string>): HiddenEvent | undefined {
  return hiddenEvents(model, settings, initial, e, confirmed)[0];
}

/** The rule step `at` matched under (replaying the clean prefix). */
function ruleAt(model: ServiceModel<unknown>, settings: CheckerSettings, initial: unknown, steps: ReturnType<typeof witnessSteps>, at: number): string | undefined {
  const prefix = replayOffline(model, settings, initial as never, steps.slice(0, at));
  if (prefix.divergence || prefix.taintedAt !== null) return undefined;
  return replayOffline(model, settings, initial as never, steps.slice(0, at + 1)).lastRules[0];
}

export interface Simplified<Cmd> {
  witness: Execution<Cmd>;
  kept: string[];
  needed: string[];
}

/**
 * Make the failing command plainer one field at a time, re-running the witness each time: a simplification that
 * still departs at the last step (cleanly) is kept, one that makes the departure go away names part of the cause.
 * Stops at a fixpoint. Faulted re-runs count as "did not depart" (the field is kept as it was).
 */
export async function simplifyWitness<Cmd>(
  executor: Executor<Cmd>,
  simplify: ((c: Cmd) => Simplification<Cmd>[]) | undefined,
  e: Execution<Cmd>,
  settings: CheckerSettings,
  maxReruns = 12,
): Promise<Simplified<Cmd>> {
  let witness = e;
  const kept: string[] = [];
  const needed = new Set<string>();
  if (!simplify || e.end.status !== 'departed' || e.commands.length === 0) return { witness, kept, needed: [] };
  let reruns = 0;
  for (let progress = true; progress && reruns < maxReruns; ) {
    progress = false;
    const last = witness.commands.at(-1)!;
    for (const option of simplify(last)) {
      if (reruns++ >= maxReruns || executor.infra) break;
      const trial = await executor.run([...witness.commands.slice(0, -1), option.command], settings);
      if (trial.end.status === 'departed' && trial.end.at === trial.steps.length - 1 && trial.commands.length === witness.commands.length) {
        kept.push(option.change);
        needed.delete(option.change);
        witness = trial;
        progress = true;
        break;
      }
      needed.add(option.change);
    }
  }
  return { witness, kept, needed: [...needed] };
}

/** How a finding's rule was chosen, for the report. */
export function attributionOf(method: Attribution['method'], first: string, rule: string, extra: Partial<Attribution> = {}): Attribution {
  return { method, ...(first !== rule ? { firstBlamed: first } : {}), ...extra };
}

export type { Diverged };
