/**
 * Every HTTP request a service's run makes, by what it was for: `discovery` (learning account and region),
 * `fixture` (a sequence's setup steps, with their waits), `judged` (the generated calls the checker judges, with
 * the waits and describes of compound calls), `idle` (alignment reads for crash checks), `cleanup` (removing what a
 * sequence created), `bookkeeping` (leftover checks before and after the run). The SDK's HTTP handler counts each
 * request into the phase the executor says it is in (harness/sdk.ts `Endpoint.onRequest`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type RequestPhase = 'discovery' | 'fixture' | 'judged' | 'idle' | 'cleanup' | 'bookkeeping';

export type RequestCounts = Record<RequestPhase | 'total', number>;

export class RequestTally {
  private readonly root: { phase: RequestPhase; sequence?: string } = { phase: 'discovery' };
  /**
   * Sequences run side by side (--concurrency) share one SDK client: each keeps its own phase in its async
   * context, so a request is counted into the phase of the sequence that sent it.
   */
  private readonly own = new AsyncLocalStorage<{ phase: RequestPhase; sequence?: string }>();
  private readonly counts: RequestCounts = { total: 0, discovery: 0, fixture: 0, judged: 0, idle: 0, cleanup: 0, bookkeeping: 0 };

  get phase(): RequestPhase {
    return (this.own.getStore() ?? this.root).phase;
  }

  set phase(phase: RequestPhase) {
    (this.own.getStore() ?? this.root).phase = phase;
  }

  /** The sequence (its resources' name prefix) requests are sent for now, when one is running in this async context (what `--record` files them under). */
  get sequence(): string | undefined {
    return this.own.getStore()?.sequence;
  }

  set sequence(id: string | undefined) {
    const store = this.own.getStore();
    if (store) store.sequence = id;
  }

  /** Run `fn` with a phase of its own (starting as the current one): what one sequence sets is not another's. */
  apart<T>(fn: () => Promise<T>): Promise<T> {
    return this.own.run({ phase: this.phase }, fn);
  }

  readonly count = (): void => {
    this.counts[this.phase]++;
    this.counts.total++;
  };

  /** A counter for requests that are always of one phase, whatever the run is doing (the lease's renewals). */
  countAs(phase: RequestPhase): () => void {
    return () => {
      this.counts[phase]++;
      this.counts.total++;
    };
  }

  snapshot(): RequestCounts {
    return { ...this.counts };
  }
}
