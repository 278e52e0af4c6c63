/**
 * Why a run stops before its exploration is done: a signal (SIGINT, SIGTERM) or one of its budgets (calls, time).
 * One Halt is shared by every service of a target's run. The runner asks it between sequences — the sequence in
 * flight finishes and cleans up what it created, nothing new starts — so a halted run still ends with its
 * resources removed and its reports written.
 */
export type HaltCause = { kind: 'interrupted'; signal: 'SIGINT' | 'SIGTERM' } | { kind: 'incomplete'; budget: 'max-calls' | 'max-resources' | 'time-limit' };

export interface Budgets {
  /** Requests the whole run may make (every service together). */
  maxCalls?: number;
  /** Resources the whole run may create (every service together). */
  maxResources?: number;
  /** Wall time the whole run may take, in milliseconds, from when the Halt is made. */
  timeLimitMs?: number;
}

export class Halt {
  private cause: HaltCause | undefined;
  private readonly deadline: number | undefined;
  /** Calls made and resources created by the services that already finished. */
  private spent = 0;
  private spentResources = 0;

  /** Lanes running now (services side by side), with the most each has reported spending so far. */
  private readonly lanes = new Map<Halt, { calls: number; resources: number }>();

  constructor(
    readonly budgets: Budgets = {},
    private readonly now: () => number = Date.now,
    private readonly parent?: Halt,
    /** A lane of its parent (see `lane`), not a part with budgets of its own. */
    private readonly isLane = false,
  ) {
    this.deadline = budgets.timeLimitMs !== undefined ? now() + budgets.timeLimitMs : undefined;
  }

  /**
   * A Halt for one part of the run with budgets of its own (a matrix's `aws` column gets AWS's default budgets):
   * it stops when they are spent or when this one stops (a signal, a budget of its); what it spends counts here
   * too. Its `budgets` are both (this one's first checked), so a stop is described with the budget that caused it.
   */
  within(budgets: Budgets): Halt {
    return new Halt({ ...this.budgets, ...budgets }, this.now, this);
  }

  /**
   * A Halt for one of several parts that run at the same time (services side by side): the budgets are this one's,
   * and what each lane has spent so far — as it last told, when it asked whether to stop — counts for the others
   * too, so parts run side by side share one budget as parts run one after another do. A lane over-spends by at
   * most what the others spent since they last asked (a sequence each). `charge` it when its part ends.
   */
  lane(): Halt {
    return new Halt(this.budgets, this.now, this, true);
  }

  interrupt(signal: 'SIGINT' | 'SIGTERM'): void {
    this.cause ??= { kind: 'interrupted', signal };
  }

  /** Whether to stop now, given the calls the current service has made so far. The first cause found sticks. */
  check(currentCalls = 0, currentResources = 0): HaltCause | undefined {
    if (this.isLane) return this.parent!.checkFor(this, currentCalls, currentResources);
    if (this.cause) return this.cause;
    const above = this.parent?.check(currentCalls, currentResources);
    if (above) return above;
    if (this.budgets.maxCalls !== undefined && this.spent + currentCalls >= this.budgets.maxCalls) this.cause = { kind: 'incomplete', budget: 'max-calls' };
    else if (this.budgets.maxResources !== undefined && this.spentResources + currentResources >= this.budgets.maxResources) this.cause = { kind: 'incomplete', budget: 'max-resources' };
    else if (this.deadline !== undefined && this.now() >= this.deadline) this.cause = { kind: 'incomplete', budget: 'time-limit' };
    return this.cause;
  }

  /** A lane asks: its spending so far (never less than it said before: a part's calls only grow), with the others'. */
  private checkFor(lane: Halt, calls: number, resources: number): HaltCause | undefined {
    const before = this.lanes.get(lane) ?? { calls: 0, resources: 0 };
    const now = { calls: Math.max(before.calls, calls), resources: Math.max(before.resources, resources) };
    this.lanes.set(lane, now);
    let allCalls = 0;
    let allResources = 0;
    for (const spent of this.lanes.values()) {
      allCalls += spent.calls;
      allResources += spent.resources;
    }
    return this.check(allCalls, allResources);
  }

  /** A service finished: its calls count against the budget of the next ones. */
  charge(calls: number, resources = 0): void {
    if (this.isLane) {
      // The lane's part is over: its spending moves from the running lanes to what is spent.
      this.parent!.lanes.delete(this);
      this.parent!.charge(calls, resources);
      return;
    }
    this.parent?.charge(calls, resources);
    this.spent += calls;
    this.spentResources += resources;
  }

  get resourcesSpent(): number {
    return this.spentResources;
  }

  get callsSpent(): number {
    return this.spent;
  }
}

/** Resources created, of every kind (what --max-resources counts). */
export function createdCount(created: Readonly<Record<string, number>> = {}): number {
  return Object.values(created).reduce((a, b) => a + b, 0);
}

/** One line on why a run stopped early. */
export function describeHalt(cause: HaltCause, budgets: Budgets): string {
  if (cause.kind === 'interrupted') return `interrupted by ${cause.signal}`;
  if (cause.budget === 'max-calls') return `call budget reached (--max-calls ${budgets.maxCalls})`;
  if (cause.budget === 'max-resources') return `resource budget reached (--max-resources ${budgets.maxResources})`;
  return `time limit reached (--time-limit ${Math.round((budgets.timeLimitMs ?? 0) / 1000)} s)`;
}
