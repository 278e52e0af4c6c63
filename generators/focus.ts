import fc from 'fast-check';

/**
 * Sequences that keep most of their calls on one focus (a slot, a name): the focus is drawn first, then an array of
 * commands near it. The per-focus arrays are built once, here, and `.chain` only picks one: building them inside the
 * chainer rebuilt every command arbitrary (documents, ARNs, revision choices) for every sequence drawn, which cost
 * more than drawing the values. Building an arbitrary draws nothing, so the values are those of the per-sequence
 * build for the same seed (specs/models/generation.test.ts checks it). `foci` may repeat a focus to weight it.
 */
export function focusedSequences<F, C>(foci: readonly F[], command: (focus: F) => fc.Arbitrary<C>, maxLength: number): fc.Arbitrary<C[]> {
  const byFocus = new Map<F, fc.Arbitrary<C[]>>();
  for (const focus of foci) if (!byFocus.has(focus)) byFocus.set(focus, fc.array(command(focus), { minLength: 1, maxLength, size: 'max' }));
  return fc.constantFrom(...foci).chain((focus) => byFocus.get(focus)!);
}
