/**
 * results.json `time`: where a service's wall time went. Against the reference server over real HTTP with a seeded
 * mutant, the run explores, shrinks the failure it found, explains it and confirms its witness by replaying it; the
 * split accounts for every sequence it started and no more wall time than the run took; report.md shows it.
 */
import { describe, expect, it, vi } from 'vitest';
import { TimeSplitter } from '../harness/time-split.js';
import { renderMarkdown } from '../reports/markdown.js';
import { serviceNamed } from '../services/index.js';
import { runAgainstReference } from './support/reference.js';

describe('the time split', () => {
  it('a run that finds, shrinks, explains and confirms a departure says how long each took, and how many sequences', async () => {
    const reproduce = 3;
    const r = await runAgainstReference(serviceNamed('dynamodb')!.adapter, { runs: 100, reproduce }, 'ddb-ignore-expected-revision');
    expect(r.verdict).toBe('fail');
    const t = r.time!;
    expect(Object.keys(t).sort()).toEqual(expect.arrayContaining(['confirm', 'explain', 'explore', 'shrink']));
    // Exploration started at least the sequences fast-check counted as runs (a repeated one may be re-judged offline).
    expect(t.explore!.sequences).toBeGreaterThan(0);
    expect(t.explore!.sequences).toBeLessThanOrEqual(r.runs);
    expect(t.shrink!.sequences).toBeGreaterThan(0);
    // Each entry's witness replayed `reproduce` times, and nothing else confirmed here (no crash).
    expect(t.confirm!.sequences).toBe(reproduce * r.divergences.length);
    const ms = Object.values(t).reduce((n, v) => n + v!.ms, 0);
    expect(ms).toBeLessThanOrEqual(r.durationMs);
    expect(ms).toBeGreaterThan(r.durationMs / 2);
    const md = renderMarkdown({ target: 'reference', seed: 1, consistency: 'strict', startedAt: new Date().toISOString(), services: [r] });
    expect(md).toMatch(/^Time: [\d.]+ s — explore [\d.]+ s \(\d+ sequences\), shrink [\d.]+ s \(\d+ sequences\), explain/m);
  }, 120_000);

  it('time spent in a nested activity goes back to the one it interrupted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      let started = 0;
      const split = new TimeSplitter(() => started);
      split.switchTo('explore');
      vi.advanceTimersByTime(100);
      started += 2;
      await split.during('explain', async () => {
        vi.advanceTimersByTime(30);
        started += 1;
      });
      vi.advanceTimersByTime(20);
      split.switchTo('shrink');
      started += 4;
      vi.advanceTimersByTime(5);
      expect(split.summary()).toEqual({ explore: { ms: 120, sequences: 2 }, explain: { ms: 30, sequences: 1 }, shrink: { ms: 5, sequences: 4 } });
    } finally {
      vi.useRealTimers();
    }
  });
});
