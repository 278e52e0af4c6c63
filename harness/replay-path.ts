/**
 * `--path`: fast-check's replay path, as a run prints it in each replay command. Its form is colon-separated
 * non-negative integers: the index of the generated case among the run's `numRuns`, then, for each shrink step, the
 * index of the smaller case taken. fast-check itself rejects a path that is not numbers only after the target has
 * started ("Unable to replay, got invalid path", an internal error), and one that walks past the end of a shrink
 * stream either the same way ("got wrong path") or by replaying no case at all — a pass with 0 sequences.
 *
 * Generating is pure (a seed and an arbitrary), so both are checked here before anything starts: the walk below is
 * the one fc.check does for the runner's property (same arbitrary, seed and path), without running anything.
 */
import fc from 'fast-check';

/** What fast-check prints: `12`, `12:3:0`. */
export const PATH_FORM = /^\d+(?::\d+)*$/;

/**
 * Why `path` selects no case of the `runs` cases `arbitrary` generates under `seed` ("it …"; null when it selects one).
 * The first index must be one of the run's cases; the shrink steps after it must exist.
 */
export function pathMiss<T>(arbitrary: fc.Arbitrary<T>, seed: number, path: string, runs: number): string | null {
  if (!PATH_FORM.test(path)) return 'it is not a fast-check path (colon-separated numbers, e.g. 12:3:0)';
  const first = Number(path.split(':')[0]);
  if (first >= runs) return `it starts at case ${first}, past the ${runs} cases generated`;
  try {
    // The first case the path selects fails at once (and is not shrunk): failed means the path selects one.
    const details = fc.check(fc.property(arbitrary, () => false), { seed, path, numRuns: runs, endOnFailure: true });
    return details.failed ? null : `it walks past the last shrink step of case ${first}`;
  } catch {
    return `it walks past the last shrink step of case ${first}`;
  }
}
