import type { SymbolView } from '../../models/types.js';

/**
 * The reference engine's bindings — symbol → the value it invented (or a branch took for granted) — with the
 * reverse index kept up to date as values are bound, so a model's `symbolOf` costs the same however many symbols
 * came before (models/match.ts symbolView rebuilds its index from every binding on first use: per request here).
 *
 * Symbols nothing refers to any more (the revision ids of policies replaced or deleted, the ARNs of streams gone)
 * can be forgotten (`forget`): their values are dropped from `values`, so nothing holds a deleted resource's
 * symbols. What stays is the reverse index's entry for the value, because a later request can still show that the
 * value was handed out: DynamoDB answers an ExpectedRevisionId that was once a revision id as a mismatch, not as
 * an unobserved revision (models compareRevision). A forgotten symbol is never asked for by value again — nothing
 * in the state names it, and new symbols are always fresh — so `symbolOf` and `valueOf` answer exactly as they
 * would had nothing been forgotten. That one Map entry (two short strings) per value ever bound is the only thing
 * that grows with history.
 */
export class SymbolTable {
  /** Symbol → value, for the symbols still referred to (what codecs read as `EngineView.bindings`). */
  readonly values: Record<string, string> = {};
  /** Value → the symbol bound to it last, for every value ever bound (forgotten symbols included). */
  private readonly reverse = new Map<string, string>();
  private live = 0;

  /**
   * Bind `symbol` to `value`. Branches only take unbound symbols for granted and outputs bind new ones, so a bound
   * symbol is not bound again in practice; if it were, its value would be replaced as Object.assign did before.
   */
  bind(symbol: string, value: string): void {
    if (!Object.hasOwn(this.values, symbol)) this.live += 1;
    this.values[symbol] = value;
    this.reverse.set(value, symbol);
  }

  view(): SymbolView {
    return { valueOf: (symbol) => this.values[symbol], symbolOf: (value) => this.reverse.get(value) };
  }

  /** How many symbols are bound (not forgotten), and how many values are recognised. */
  get size(): { bindings: number; values: number } {
    return { bindings: this.live, values: this.reverse.size };
  }

  /** Forget the values of the symbols `keep` says nothing refers to any more; returns how many were forgotten. */
  forget(keep: (symbol: string) => boolean): number {
    let dropped = 0;
    for (const symbol of Object.keys(this.values)) {
      if (keep(symbol)) continue;
      delete this.values[symbol];
      dropped += 1;
    }
    this.live -= dropped;
    return dropped;
  }
}

/** Every string in `data` (values and keys, at any depth): the symbols a state or a scratch space may refer to. */
export function stringsIn(data: unknown, into = new Set<string>()): Set<string> {
  if (typeof data === 'string') into.add(data);
  else if (Array.isArray(data)) for (const item of data) stringsIn(item, into);
  else if (data !== null && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) {
      into.add(key);
      stringsIn(value, into);
    }
  }
  return into;
}

/**
 * Whether `symbol` is still referred to, given the strings of everything that can refer to one. A symbol derived
 * from another (`<symbol>/<suffix>`: the RevisionId a DynamoDB Delete may invent for the revision it removes) lives
 * as long as the one it is derived from.
 */
export function referenced(symbol: string, strings: ReadonlySet<string>): boolean {
  if (strings.has(symbol)) return true;
  const slash = symbol.indexOf('/');
  return slash > 0 && strings.has(symbol.slice(0, slash));
}
