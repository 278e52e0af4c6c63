/**
 * Lagging visibility (spec §7 item 1, §7.1): after a policy write, reads of that slot show the state from before
 * the write for a lag drawn from the observed range of the change's kind, then switch once to the committed state
 * and never back. Writes are carried out on the committed state (the reference engine), so conditional writes see
 * it at once (§7 item 2). Several writes inside one lag keep showing the state from before the first of them until
 * the last one's lag has run: what a read shows only ever moves forward.
 */
import type { HttpResponse } from '../reference/protocol.js';
import type { Random } from './random.js';
import type { ChangeKind } from './service.js';

/** A lag distribution: per change kind, the range (simulated milliseconds) a lag is drawn from uniformly. */
export type LagDistribution = Record<ChangeKind, [number, number]>;

/** DynamoDB's observed lags (spec §7 item 1: first Put 1.05–1.71 s, replace 1.47–2.73 s, delete 0.84–2.32 s; n=6 each). */
export const DDB_LIKE_LAG: LagDistribution = { 'first-put': [1050, 1710], replace: [1470, 2730], delete: [840, 2320] };

export type LagSetting = 'off' | 'ddb-like';

export function lagDistribution(setting: LagSetting): LagDistribution | undefined {
  return setting === 'ddb-like' ? DDB_LIKE_LAG : undefined;
}

interface Pending {
  /** What a read showed before the first write of this lag. */
  shown: HttpResponse;
  /** When reads start to show the committed state (simulated ms). */
  visibleAt: number;
}

export class Visibility {
  private readonly pending = new Map<string, Pending>();
  /** Under flipBack: slots whose new state was shown once, with the old answer to show once more. */
  private readonly flipping = new Map<string, HttpResponse>();
  /** Every lag drawn, for specs and reports to compare measurements with. */
  readonly drawn: Array<{ key: string; kind: ChangeKind; lagMs: number }> = [];

  constructor(private readonly random: Random) {}

  /**
   * A stale answer for a read of `key` at `now`, or undefined: the committed state is what it shows. `flipBack`:
   * the mutant aws-read-flips-back (right after first showing the new state, the old one is shown once more).
   */
  staleRead(key: string, now: number, live: HttpResponse, flipBack = false): HttpResponse | undefined {
    // A resource that is gone is gone: no policy of it is shown any more (its deletion has its own timing).
    if (/ResourceNotFound/.test(live.body) || /ResourceNotFound/.test(live.headers['x-amzn-errortype'] ?? '')) {
      this.pending.delete(key);
      return undefined;
    }
    const p = this.pending.get(key);
    if (p && now < p.visibleAt) return p.shown;
    if (p) {
      this.pending.delete(key);
      if (flipBack) {
        this.flipping.set(key, p.shown);
        return undefined;
      }
    }
    const back = this.flipping.get(key);
    if (back) {
      this.flipping.delete(key);
      return back;
    }
    return undefined;
  }

  /** What a read of `key` shows now, given the committed read: the stale answer while a lag runs. */
  shown(key: string, now: number, live: HttpResponse): HttpResponse {
    const p = this.pending.get(key);
    return p && now < p.visibleAt ? p.shown : live;
  }

  /** A write changed `key` at `now` (`before`: what a read showed just before it, committed). */
  changed(key: string, kind: ChangeKind, now: number, before: HttpResponse, lag: LagDistribution): void {
    const lagMs = this.random.between(...lag[kind]);
    this.drawn.push({ key, kind, lagMs });
    this.flipping.delete(key);
    const p = this.pending.get(key);
    const shown = p && now < p.visibleAt ? p.shown : before;
    this.pending.set(key, { shown, visibleAt: Math.max(p && now < p.visibleAt ? p.visibleAt : 0, now + lagMs) });
  }

  /** Whether a lag runs on `key` at `now`. */
  lagging(key: string, now: number): boolean {
    const p = this.pending.get(key);
    return !!p && now < p.visibleAt;
  }

  forget(key: string): void {
    this.pending.delete(key);
    this.flipping.delete(key);
  }
}
