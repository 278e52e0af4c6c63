import fc from 'fast-check';

/**
 * Two or more conditional writes to one resource sent at the same time (issue #11, "races as properties"). The
 * writes are bound together, from what the sequence knew before any of them was sent (so racing Puts send the same
 * ExpectedRevisionId, PolicyHash or PolicyRevisionId), then sent at once; their answers are judged together, by
 * linearizability (models/linearizability.ts).
 */
export interface RaceCommand<W> {
  op: 'Race';
  writes: W[];
}

export function isRace<W>(command: unknown): command is RaceCommand<W> {
  return (command as { op?: unknown }).op === 'Race' && Array.isArray((command as { writes?: unknown }).writes);
}

/** One sequence in `RACE_ONE_IN` ends with a race. */
export const RACE_ONE_IN = 4;

/**
 * `sequences`, now and then with a race appended. The sequence is drawn first and exactly as without races (a
 * tuple draws its parts in order from one random stream), so the same seed gives the same non-race commands as
 * before races existed: the nightly expectations, which depend on them, stay valid (specs/models/generation.test.ts).
 */
export function withRaceAtEnd<C>(sequences: fc.Arbitrary<C[]>, race: fc.Arbitrary<RaceCommand<C>>): fc.Arbitrary<C[]> {
  const ending = fc.oneof({ weight: RACE_ONE_IN - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: race });
  return fc.tuple(sequences, ending).map(([commands, r]) => (r === undefined ? commands : [...commands, r as C]));
}

/** Two to `max` writes drawn from `write` (each racing write its own draw: documents may differ, conditions agree by construction). */
export function raceOf<C>(write: fc.Arbitrary<C>, max = 3): fc.Arbitrary<RaceCommand<C>> {
  return fc.record({ op: fc.constant('Race' as const), writes: fc.array(write, { minLength: 2, maxLength: max }) });
}

/**
 * What a service's `simplify` offers for a race: each write sent alone. A race that departs because one write's
 * answer is wrong in every order (the executor puts that write's step last) still departs with the write alone,
 * and that write's own fields can then be made plainer; a real race stops departing.
 */
export function eachWriteAlone<W extends { op: string }>(race: RaceCommand<W>): Array<{ change: string; command: W }> {
  return race.writes.map((command, i) => ({ change: `race → write ${i + 1} alone (${command.op})`, command }));
}
