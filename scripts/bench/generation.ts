// Generation cost alone: how long fast-check takes to draw N command sequences per service, in-process, with no
// target (nothing is sent). The arbitrary is built inside each measurement, as the runner builds it once per round.
import fc from 'fast-check';
import { SERVICES } from '../../services/index.js';

export interface GenerationCost {
  service: string;
  sequences: number;
  commands: number;
  ms: number;
  /** Microseconds per generated sequence. */
  usPerSequence: number;
}

/** The best of `repeats` draws of `sequences` sequences per service (the machine is shared: the minimum is the cost). */
export function generationCost(sequences: number, repeats = 3, seed = 20261123): GenerationCost[] {
  return SERVICES.map(({ name, adapter }) => {
    // One warm-up draw, so module-level work and JIT warm-up are not charged to the first service measured.
    fc.sample(adapter.commands('strict'), { seed, numRuns: 5 });
    let ms = Infinity;
    let drawn: unknown[][] = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      drawn = fc.sample(adapter.commands('strict'), { seed, numRuns: sequences });
      ms = Math.min(ms, performance.now() - started);
    }
    return { service: name, sequences, commands: drawn.reduce((n, s) => n + (s as unknown[]).length, 0), ms: Math.round(ms), usPerSequence: Math.round((ms * 1000) / sequences) };
  });
}
