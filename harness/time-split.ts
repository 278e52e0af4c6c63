/**
 * Where a service's run spent its wall time: exploring (fast-check's cases), shrinking a failure, explaining it
 * (the state before a write, switch and hidden-effect checks, plainer inputs), replaying its witness to confirm it,
 * and the rest (re-checks of earlier failures, consequences re-run cleanly, unsupported operations confirmed).
 * One activity at a time, by wall clock: with --concurrency, sequences run ahead during exploration count there.
 */
import type { TimeSplit as Split, TimeActivity } from '../models/results.js';

export class TimeSplitter {
  private current: TimeActivity = 'other';
  private since = Date.now();
  private executionsSince: number;
  private readonly split: Split = {};

  /** `executions`: how many sequences have been started so far (counted into the activity they start in). */
  constructor(private readonly executions: () => number) {
    this.executionsSince = executions();
  }

  /** From now on, time goes to `activity`. */
  switchTo(activity: TimeActivity): void {
    const now = Date.now();
    const done = this.executions();
    const into = (this.split[this.current] ??= { ms: 0, sequences: 0 });
    into.ms += now - this.since;
    into.sequences += done - this.executionsSince;
    this.current = activity;
    this.since = now;
    this.executionsSince = done;
  }

  /** Run `fn` as `activity`, then go back to what was being done before. */
  async during<T>(activity: TimeActivity, fn: () => Promise<T>): Promise<T> {
    const before = this.current;
    this.switchTo(activity);
    try {
      return await fn();
    } finally {
      this.switchTo(before);
    }
  }

  /** The split so far (activities that took no time and started no sequence are left out). */
  summary(): Split {
    this.switchTo(this.current);
    return Object.fromEntries(Object.entries(this.split).filter(([, v]) => v.ms > 0 || v.sequences > 0)) as Split;
  }
}
