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

describe('Halt.lane', () => {
  it('parts run side by side share the budget: what each has spent so far counts for the others', () => {
    const run = new Halt({ maxCalls: 100, maxResources: 10 });
    const [a, b] = [run.lane(), run.lane()];
    expect(a.check(60, 2)).toBeUndefined();
    // b alone is under the budget, but with a's 60 the run is not.
    expect(b.check(45, 1)).toEqual({ kind: 'incomplete', budget: 'max-calls' });
    expect(a.check(61)).toEqual({ kind: 'incomplete', budget: 'max-calls' });
    expect(describeHalt(b.check()!, b.budgets)).toBe('call budget reached (--max-calls 100)');
  });

  it('a lane asking with no figures (a part about to end) keeps what it said before; charging moves it to the spent', () => {
    const run = new Halt({ maxCalls: 100 });
    const [a, b] = [run.lane(), run.lane()];
    expect(a.check(70)).toBeUndefined();
    expect(a.check()).toBeUndefined();
    expect(b.check(31)).toEqual({ kind: 'incomplete', budget: 'max-calls' });
    const fresh = new Halt({ maxCalls: 100 });
    const [c, d] = [fresh.lane(), fresh.lane()];
    c.check(70);
    c.charge(70);
    expect(fresh.callsSpent).toBe(70);
    // Counted once: as spent, no longer as running.
    expect(d.check(29)).toBeUndefined();
    expect(d.check(30)).toEqual({ kind: 'incomplete', budget: 'max-calls' });
  });

  it("lanes of a part with budgets of its own: the part's budget and the run's both hold", () => {
    const run = new Halt({ maxCalls: 1000 });
    const column = run.within({ maxCalls: 50 });
    const [a, b] = [column.lane(), column.lane()];
    expect(a.check(30)).toBeUndefined();
    expect(b.check(20)).toEqual({ kind: 'incomplete', budget: 'max-calls' });
    expect(run.check()).toBeUndefined();
    const signalled = new Halt();
    const lane = signalled.lane();
    signalled.interrupt('SIGINT');
    expect(lane.check(1)).toEqual({ kind: 'interrupted', signal: 'SIGINT' });
  });
});
