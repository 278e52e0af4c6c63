/**
 * Linearizability (Herlihy & Wing) of operations that ran at the same time, judged against a model kept as a set of
 * candidate states, the checker's worlds: the history is linearizable when some order of the operations (consistent
 * with real time: one that answered before another was sent comes first) explains every answer, each step taken
 * from the states the previous ones left. The search is the one Knossos and Porcupine make (Wing & Gong; Lowe's
 * just-in-time linearization): depth first over which pending operation takes effect next, with memo of
 * (operations done, states) so a configuration reached by two orders is explored once.
 *
 * Pure: `apply` steps a set of states by one operation (null when no state explains its answer). Every complete
 * order is followed, not just the first, and the states they leave are all returned: after a race the target may
 * be in any of them, and later steps are judged against each.
 */
export interface Linearization<W> {
  /** The state sets left by every order that explains all answers (empty: not linearizable). */
  ends: W[];
  /**
   * For each operation, whether its answer was explained at some point of some order. An operation never explained
   * anywhere is wrong whatever the order (a plain departure of its own rule, not a race); when every one is
   * explained somewhere but no order explains all of them, only the concurrency shows it.
   */
  explained: boolean[];
}

export function linearize<W>(
  start: W,
  count: number,
  apply: (states: W, op: number) => W | null,
  key: (states: W) => string,
  /** `precedes(a, b)`: operation a answered before b was sent (default: all overlap). */
  precedes: (a: number, b: number) => boolean = () => false,
): Linearization<W> {
  if (count > 16) throw new Error(`a race of ${count} operations is more than this search is meant for`);
  const ends = new Map<string, W>();
  const explained = new Array<boolean>(count).fill(false);
  const seen = new Set<string>();
  const all = (1 << count) - 1;
  const visit = (done: number, states: W): void => {
    const memo = `${done}|${key(states)}`;
    if (seen.has(memo)) return;
    seen.add(memo);
    if (done === all) {
      ends.set(key(states), states);
      return;
    }
    for (let op = 0; op < count; op++) {
      if (done & (1 << op)) continue;
      // Minimal in real time among those not done: nothing still pending answered before it was sent.
      let ready = true;
      for (let other = 0; other < count && ready; other++) if (other !== op && !(done & (1 << other)) && precedes(other, op)) ready = false;
      if (!ready) continue;
      const next = apply(states, op);
      if (next === null) continue;
      explained[op] = true;
      visit(done | (1 << op), next);
    }
  };
  visit(0, start);
  return { ends: [...ends.values()], explained };
}
