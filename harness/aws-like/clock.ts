/**
 * The simulator's clock. `--time-scale F` multiplies every duration the simulator plays by F: simulated time runs
 * 1/F times as fast as the wall clock, from the wall clock's reading at start, so at F = 1 it is the wall clock and
 * at F = 0.01 the 15-second window (spec §7.3) passes in 150 ms. Durations and instants inside the simulator are in
 * simulated milliseconds; timestamps it puts on the wire (RevisionIds, "try again after") are simulated too.
 * Signature dates are checked against the wall clock: the client signs with its own.
 */
export interface Clock {
  readonly scale: number;
  /** Simulated epoch milliseconds. */
  now(): number;
  /** How long a simulated duration takes on the wall clock, in milliseconds. */
  realMs(simulatedMs: number): number;
}

export function scaledClock(scale: number, wall: () => number = Date.now): Clock {
  const start = wall();
  return {
    scale,
    now: () => start + (wall() - start) / scale,
    realMs: (simulatedMs) => simulatedMs * scale,
  };
}
