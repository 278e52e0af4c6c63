/** How reads lagged behind writes (results.json `staleness`), as report.md's table and the summary's line. */
import type { Staleness, Step } from '../models/results.js';

const ms = (n: number) => `${n} ms`;

/** report.md: the bound, then one row per write, read and resource kind. */
export function stalenessSection(s: Staleness): string[] {
  const lines = [
    `Eventual consistency (lag bound ${ms(s.boundMs)}): a read after a write to its resource is polled until it shows the write; "stale" reads did not at first. Visibility is measured from the write's answer to the first answer that showed it, on the reads that were stale at first.`,
    '',
  ];
  if (!s.figures.length) lines.push('No read followed a write to its resource.', '');
  else {
    lines.push('| write | read | resource | reads | stale at first | visible after p50 / p95 / max | stale after the bound | flipped back |', '|---|---|---|---:|---:|---|---:|---:|');
    for (const f of s.figures) {
      const visible = f.visibleMs ? `${ms(f.visibleMs.p50)} / ${ms(f.visibleMs.p95)} / ${ms(f.visibleMs.max)}` : '—';
      lines.push(`| \`${f.write}\` | \`${f.read}\` | ${f.resource} | ${f.reads} | ${f.stale} | ${visible} | ${f.late} | ${f.flippedBack} |`);
    }
    lines.push('');
  }
  if (s.windowRefusals) lines.push(`${s.windowRefusals} write${s.windowRefusals === 1 ? ' was' : 's were'} refused inside the change window and sent again after waiting.`, '');
  return lines;
}

/** The summary's line: stale reads over all reads, the slowest visibility, late reads and flips. */
export function stalenessLine(s: Staleness): string {
  const reads = s.figures.reduce((n, f) => n + f.reads, 0);
  const stale = s.figures.reduce((n, f) => n + f.stale, 0);
  const late = s.figures.reduce((n, f) => n + f.late, 0);
  const flipped = s.figures.reduce((n, f) => n + f.flippedBack, 0);
  const maxes = s.figures.flatMap((f) => (f.visibleMs ? [f.visibleMs.max] : []));
  const slowest = maxes.length ? `, visible after at most ${ms(Math.max(...maxes))}` : '';
  const window = s.windowRefusals ? `, ${s.windowRefusals} window refusals re-sent` : '';
  return `staleness (bound ${ms(s.boundMs)}): ${stale} of ${reads} reads after a write stale at first${slowest}, ${late} still stale after the bound, ${flipped} flipped back${window}`;
}

/** A step's polling and window notes, for step lists. */
export function stepLagNotes(st: Pick<Step, 'lag' | 'polled' | 'visibleAfterMs' | 'windowWaitMs'>): string[] {
  const lag = { late: 'a stale read: it showed the write only later', flipped: 'a stale read after the write had shown (flipped back)', lasting: 'its old view did not give way: judged as the state' } as const;
  return [
    st.polled ? `polled ${st.polled} time${st.polled === 1 ? '' : 's'}${st.visibleAfterMs !== undefined ? `, the write visible after ${ms(st.visibleAfterMs)}` : ''}` : '',
    st.lag ? lag[st.lag] : '',
    st.windowWaitMs !== undefined ? `refused inside the change window: sent again after ${ms(st.windowWaitMs)}` : '',
  ].filter(Boolean);
}
