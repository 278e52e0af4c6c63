/**
 * The simulator's seeded randomness: every lag, window phase, lifecycle duration and throttle is drawn from here,
 * so one `--seed` replays a run's timings. A tiny generator of our own (mulberry32) rather than fast-check's: the
 * simulator is not a property and needs independent streams that one purpose's draws cannot shift for another's.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max]. */
  between(min: number, max: number): number;
}

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, between: (min, max) => min + (max - min) * next() };
}

/** One independent stream per purpose, all from one seed: throttling more requests moves no lag. */
export function randomStreams<K extends string>(seed: number, purposes: readonly K[]): Record<K, Random> {
  return Object.fromEntries(purposes.map((p, i) => [p, seededRandom(Math.imul(seed ^ 0x9e3779b9, i + 1) ^ (i * 0x85ebca6b))])) as Record<K, Random>;
}
