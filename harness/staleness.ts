/**
 * How reads lagged behind writes in eventual mode, gathered while sequences run (execution.ts polls a read until
 * it shows the last write to its resource) and summed up for results.json `staleness`.
 */
import type { Staleness, StalenessFigure } from '../models/results.js';

/** One judged read made after a write to its resource. */
export interface LagSample {
  write: string;
  read: string;
  resource: string;
  /** Answers polled before the judged one (not showing the write yet). */
  polled: number;
  /** From the write's answer to the first answer that showed it; only for reads that were stale at first. */
  visibleMs?: number;
  lag?: 'late' | 'flipped';
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class LagFigures {
  private readonly groups = new Map<string, { figure: Omit<StalenessFigure, 'visibleMs'>; visible: number[] }>();
  windowRefusals = 0;

  record(sample: LagSample): void {
    const key = `${sample.write}|${sample.read}|${sample.resource}`;
    const group = this.groups.get(key) ?? { figure: { write: sample.write, read: sample.read, resource: sample.resource, reads: 0, stale: 0, late: 0, flippedBack: 0 }, visible: [] };
    group.figure.reads++;
    if (sample.polled > 0 || sample.lag) group.figure.stale++;
    if (sample.lag === 'late') group.figure.late++;
    if (sample.lag === 'flipped') group.figure.flippedBack++;
    if (sample.visibleMs !== undefined) group.visible.push(sample.visibleMs);
    this.groups.set(key, group);
  }

  get empty(): boolean {
    return this.groups.size === 0 && this.windowRefusals === 0;
  }

  summary(boundMs: number): Staleness {
    const figures = [...this.groups.values()]
      .map(({ figure, visible }) => {
        const sorted = [...visible].sort((a, b) => a - b);
        return { ...figure, visibleMs: sorted.length ? { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)! } : null };
      })
      .sort((a, b) => a.write.localeCompare(b.write) || a.read.localeCompare(b.read) || a.resource.localeCompare(b.resource));
    return { boundMs, figures, ...(this.windowRefusals ? { windowRefusals: this.windowRefusals } : {}) };
  }
}
