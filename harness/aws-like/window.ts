/**
 * The 15-second window (spec §7 item 3, DynamoDB): within 15 s of a slot's last change, a Put of a different
 * document or a Delete is refused — first with ResourceInUseException ("pending previous resource-based policy
 * update") for a drawn 0.6–2 s, then with ThrottlingException naming when to try again (last change + 15 s, in the
 * simulated clock). An equivalent re-Put passes (and returns the same RevisionId: the engine's ddb.put.identical).
 * Each slot has its own window: a stream's is not its table's (§7 item 11). The window is checked before the
 * engine sees the write, so before its condition (ExpectedRevisionId): which of the two AWS checks first is not
 * recorded (assumed).
 */
import type { Request } from '../../models/types.js';
import type { HttpResponse } from '../reference/protocol.js';
import type { Random } from './random.js';
import type { WindowHooks } from './service.js';

interface LastChange {
  at: number;
  inUseUntil: number;
}

export class PolicyWindow {
  private readonly last = new Map<string, LastChange>();

  constructor(
    private readonly random: Random,
    private readonly hooks: WindowHooks,
    /** False: the mutant aws-no-window (the window is never enforced). */
    private readonly enforced = true,
  ) {}

  /**
   * The refusal of `write` to `key` at `now`, or undefined when it may go ahead (`before`: the committed read of
   * the slot; the service says which writes pass regardless, e.g. an equivalent re-Put).
   */
  gate(key: string, slotName: string, now: number, write: Request, before: HttpResponse): HttpResponse | undefined {
    const last = this.last.get(key);
    if (!this.enforced || !last || now >= last.at + this.hooks.windowMs || this.hooks.passes(write, before)) return undefined;
    if (now < last.inUseUntil) return this.hooks.inUse(slotName);
    return this.hooks.throttled(slotName, last.at + this.hooks.windowMs);
  }

  /** `write` changed `key` (received at `now`, answered with `answer`): its window starts. */
  changed(key: string, now: number, write: Request, answer: HttpResponse): void {
    const at = this.hooks.changedAt?.(write, answer) ?? now;
    this.last.set(key, { at, inUseUntil: at + this.random.between(...this.hooks.inUseMs) });
  }

  /** Whether `key` is in the ResourceInUse part of its window (spec §7 item 12: DeleteTable is refused then too). */
  pendingUpdate(key: string, now: number): boolean {
    const last = this.last.get(key);
    return !!last && now < last.inUseUntil;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
