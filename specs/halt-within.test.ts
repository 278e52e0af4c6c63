/** Halt.within: a part of a run (a matrix's aws column) with budgets of its own under the run's Halt. */
import { describe, expect, it } from 'vitest';
import { describeHalt, Halt } from '../harness/halt.js';

describe('Halt.within', () => {
  it('stops the part at its own budget, not the whole run; what the part spends counts for the run too', () => {
    const run = new Halt({ maxCalls: 100 });
    const column = run.within({ timeLimitMs: 60_000, maxResources: 3 });
    expect(column.budgets).toEqual({ maxCalls: 100, timeLimitMs: 60_000, maxResources: 3 });
    expect(column.check(10, 2)).toBeUndefined();
    column.charge(10, 3);
    expect(column.check()).toEqual({ kind: 'incomplete', budget: 'max-resources' });
    expect(run.check()).toBeUndefined();
    expect(run.callsSpent).toBe(10);
    run.charge(85);
    // The run's budget, reached with the column's calls in flight, stops the column too, and is named as the run's.
    const cause = run.within({ timeLimitMs: 60_000 }).check(5);
    expect(cause).toEqual({ kind: 'incomplete', budget: 'max-calls' });
    expect(describeHalt(cause!, column.budgets)).toBe('call budget reached (--max-calls 100)');
  });

  it('a signal to the run stops every part of it', () => {
    const run = new Halt();
    const column = run.within({ maxCalls: 2000 });
    run.interrupt('SIGTERM');
    expect(column.check()).toEqual({ kind: 'interrupted', signal: 'SIGTERM' });
  });

  it("the part's time limit runs from when the part starts", () => {
    let now = 0;
    const run = new Halt({}, () => now);
    now = 50_000;
    const column = run.within({ timeLimitMs: 10_000 });
    now = 59_999;
    expect(column.check()).toBeUndefined();
    now = 60_000;
    expect(column.check()).toEqual({ kind: 'incomplete', budget: 'time-limit' });
    expect(run.check()).toBeUndefined();
  });
});
