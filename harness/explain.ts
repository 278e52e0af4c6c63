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
import { isRace } from '../generators/race.js';
import { type ConjectureKind, type CheckerSettings, replayOffline } from '../models/checker.js';
import { isSettled, type ServiceModel } from '../models/types.js';
import type { Diverged, Execution, Executor } from './execution.js';
import type { Attribution, DepartureKind } from '../models/results.js';
import type { Simplification } from './service.js';

/** The rule a failing execution is blamed on as it stands (before any explanation). */
export function blamedRule(e: Execution<unknown>): string {
  if (e.end.status === 'departed') return e.end.verdict.rule;
  if (e.end.status === 'crash') return e.end.allowed[0]?.rule ?? 'model.no-branch';
  throw new Error(`execution did not fail (${e.end.status})`);
}

export function kindOf(e: Execution<unknown>): DepartureKind {
  if (e.end.status === 'departed' && e.end.verdict.stale) return 'stale-read';
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
 * The settings attribution re-runs are judged under: rules already reported are *not* set aside, so a re-run that
 * departs on one shows that this departure is that entry seen through another input. Reported hidden effects stay
 * assumed (a re-run through one proves nothing either way).
 */
export function probeSettings(settings: CheckerSettings): CheckerSettings {
  return { ...settings, setAside: new Set() };
}

/** The failing step's command name and the last words of its change, for the report (`without step 3 (DeleteTable)`). */
function opOf(command: unknown): string {
  return (command as { op?: string }).op ?? 'command';
}

/**
 * Make the witness plainer while it still departs at its last step with the same answer, re-running it each time:
 * first drop earlier generated commands one by one (state that makes the failing step's conditions special, such as
 * a deleted table under a stream), then make the failing command plainer one field at a time. A change that keeps
 * the departure is kept; one that makes it go away names part of the cause. Re-runs are judged with reported rules *not* set aside
 * (see probeSettings), so the rule blamed at the end may be an entry already reported. Faulted re-runs count as
 * "did not depart" (the witness stays as it was).
 */
export async function simplifyWitness<Cmd>(
  executor: Executor<Cmd>,
  simplify: ((c: Cmd) => Simplification<Cmd>[]) | undefined,
  e: Execution<Cmd>,
  settings: CheckerSettings,
  maxReruns = 16,
): Promise<Simplified<Cmd>> {
  let witness = e;
  const kept: string[] = [];
  const needed = new Set<string>();
  if (e.end.status !== 'departed' || e.commands.length === 0) return { witness, kept, needed: [] };
  const judged = probeSettings(settings);
  let reruns = 0;
  // Kept only if the target still answers the same way (success, or the same error code) and the model still
  // objects: the change did not touch what the target did wrong, only what else the step was about. A change that
  // makes the target answer otherwise (a Delete on a table without a policy instead of one with) is another story.
  const answer = (x: Execution<Cmd>) => {
    const o = x.steps.at(-1)?.outcome;
    return o?.kind === 'error' ? `error ${o.code}` : o?.kind;
  };
  const before = answer(e);
  const departsAtEnd = (trial: Execution<Cmd>, length: number) =>
    trial.end.status === 'departed' && trial.end.at === trial.steps.length - 1 && trial.commands.length === length && answer(trial) === before;

  // The failing command's fields first (a few options), then the earlier commands, then its fields again (a
  // plainer state may make another field irrelevant), within the re-run budget.
  const fields = async (): Promise<void> => {
    for (let progress = !!simplify; progress && reruns < maxReruns; ) {
      progress = false;
      for (const option of simplify!(witness.commands.at(-1)!)) {
        if (reruns++ >= maxReruns || executor.infra) break;
        const commands = [...witness.commands.slice(0, -1), option.command];
        const trial = await executor.run(commands, judged);
        if (departsAtEnd(trial, commands.length)) {
          kept.push(option.change);
          needed.delete(option.change);
          witness = trial;
          progress = true;
          break;
        }
        needed.add(option.change);
      }
    }
  };
  await fields();
  let shortened = false;
  for (let i = 0; i < witness.commands.length - 1 && reruns < maxReruns && !executor.infra; ) {
    const shorter = witness.commands.filter((_, j) => j !== i);
    reruns++;
    const trial = await executor.run(shorter, judged);
    if (departsAtEnd(trial, shorter.length)) {
      kept.push(`without step ${i + 1} (${opOf(witness.commands[i])})`);
      witness = trial;
      shortened = true;
    } else i++;
  }
  if (shortened) await fields();
  return { witness, kept, needed: [...needed] };
}

/** How a finding's rule was chosen, for the report. */
export function attributionOf(method: Attribution['method'], first: string, rule: string, extra: Partial<Attribution> = {}): Attribution {
  return { method, ...(first !== rule ? { firstBlamed: first } : {}), ...extra };
}

export type { Diverged };

/**
 * For a sequence that departed on its service's race rule at its last command (a race): the same sequence with the
 * race's writes sent one after another, in the order drawn and in the reverse. Undefined for any other departure.
 */
export function raceOneAfterAnother<Cmd>(model: ServiceModel<unknown>, e: Execution<Cmd>): Cmd[][] | undefined {
  if (e.end.status !== 'departed' || model.rules[e.end.verdict.rule]?.id.split('.')[1] !== 'race') return undefined;
  const race = e.commands.at(-1);
  if (!isRace<Cmd>(race)) return undefined;
  const before = e.commands.slice(0, -1);
  return [
    [...before, ...race.writes],
    [...before, ...[...race.writes].reverse()],
  ];
}
