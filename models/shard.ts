/**
 * Sharding a matrix: its cells are (target, service) pairs; shard i of N runs a share of them that depends only on
 * the cell list — sorted by (target slug, service name), then dealt round-robin — never on timing or on the order
 * the targets were given, so every cell lands in exactly one shard and the shards together are the whole matrix.
 * A shard writes a manifest (plain data: settings, the cells it ran, each column's result) that `merge` joins back
 * into one matrix. Pure: no I/O; reasons a set of manifests does not fit together come back as text.
 */
import type { Consistency, ServiceName } from './types.js';
import type { RunResult } from './results.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** One cell of the matrix: a target (as named on the command line, and its slug) and a service. */
export interface Cell {
  target: string;
  slug: string;
  service: ServiceName;
}

/** `i/N` with 1 ≤ i ≤ N, both plain positive integers; anything else is undefined. */
export function parseShard(value: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || count < 1 || index > count) return undefined;
  return { index, count };
}

export const shardName = (s: Shard) => `${s.index}/${s.count}`;

/** The cells of a matrix, in matrix order (targets as given, then services as given). */
export function matrixCells(targets: ReadonlyArray<{ target: string; slug: string }>, services: readonly ServiceName[]): Cell[] {
  return targets.flatMap((t) => services.map((service) => ({ target: t.target, slug: t.slug, service })));
}

const byKey = (a: Cell, b: Cell) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : a.service < b.service ? -1 : a.service > b.service ? 1 : 0);

/** The shard (1-based) of each cell, in the order of `cells`: sorted by (slug, service), then dealt round-robin. */
export function assignShards(cells: readonly Cell[], count: number): number[] {
  const order = cells.map((c, i) => ({ c, i })).sort((a, b) => byKey(a.c, b.c));
  const shardOf = new Array<number>(cells.length);
  order.forEach(({ i }, k) => (shardOf[i] = (k % count) + 1));
  return shardOf;
}

/** The cells shard `shard` runs, in matrix order. */
export function cellsOfShard(cells: readonly Cell[], shard: Shard): Cell[] {
  const shardOf = assignShards(cells, shard.count);
  return cells.filter((_, i) => shardOf[i] === shard.index);
}

export const SHARD_FORMAT = 'policy-conformance shard';

/** What a shard's results depend on besides its cells: shards fit together only when all of it is the same. */
export interface ShardSettings {
  seed: number;
  runs: number;
  services: ServiceName[];
  region: string;
  consistency?: Consistency;
  maxDivergences: number;
  reproduce: number;
  settleMs?: number;
  waitSeconds?: number;
  budgets: { maxCalls?: number; maxResources?: number; timeLimitMs?: number };
}

/** One target as a shard ran it: its result (only the shard's services), or why it could not be started. */
export interface ShardColumn {
  target: string;
  slug: string;
  exit: number;
  durationMs: number;
  result?: RunResult;
  error?: string;
}

/** `<out>/shard.json`: a shard's run as plain data, all that `merge` needs. */
export interface ShardManifest {
  format: typeof SHARD_FORMAT;
  version: 1;
  shard: Shard;
  settings: ShardSettings;
  /** Every target of the whole matrix, in the order given (not only this shard's). */
  targets: Array<{ target: string; slug: string }>;
  /** The cells this shard ran, in matrix order. */
  cells: Array<{ target: string; service: ServiceName }>;
  /** The targets this shard had cells of, in matrix order. */
  columns: ShardColumn[];
  /** The shard's own exit code (as `matrix` computes it over its columns). */
  exit: number;
  interruptedBy?: 'SIGINT' | 'SIGTERM';
}

/** A manifest and where it was read from (for the reasons). */
export interface NamedManifest {
  dir: string;
  manifest: ShardManifest;
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

const SETTING_FLAGS: Record<keyof ShardSettings, string> = {
  seed: '--seed',
  runs: '--runs',
  services: '--services',
  region: '--region',
  consistency: '--consistency',
  maxDivergences: '--max-divergences',
  reproduce: '--reproduce',
  settleMs: '--settle-ms',
  waitSeconds: '--wait-seconds',
  budgets: 'budgets (--max-calls, --max-resources, --time-limit)',
};

const shown = (v: unknown) => (v === undefined ? 'the default' : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? canonical(v) : String(v));

/**
 * Why these shards' outputs do not make one matrix, or undefined when they do: the same settings, targets and
 * shard count; every shard once; each shard's cells exactly the ones its index is assigned.
 */
export function shardsMisfit(shards: readonly NamedManifest[]): string | undefined {
  const [first, ...rest] = shards;
  if (!first) return 'merge needs the --out folders of the shards (merge DIR...)';
  const a = first.manifest;
  for (const { dir, manifest: b } of rest) {
    for (const key of Object.keys(SETTING_FLAGS) as Array<keyof ShardSettings>) {
      if (canonical(a.settings[key]) !== canonical(b.settings[key])) {
        return `shards do not fit together: ${first.dir} ran ${SETTING_FLAGS[key]} ${shown(a.settings[key])}, ${dir} ${SETTING_FLAGS[key]} ${shown(b.settings[key])}`;
      }
    }
    const targets = (m: ShardManifest) => m.targets.map((t) => t.target).join(',');
    if (targets(a) !== targets(b)) return `shards do not fit together: ${first.dir} ran --targets ${targets(a)}, ${dir} --targets ${targets(b)}`;
    if (a.shard.count !== b.shard.count) return `shards do not fit together: ${first.dir} is shard ${shardName(a.shard)}, ${dir} is shard ${shardName(b.shard)}`;
  }
  const seen = new Map<number, string>();
  for (const { dir, manifest } of shards) {
    const twice = seen.get(manifest.shard.index);
    if (twice !== undefined) return `${twice} and ${dir} are both shard ${shardName(manifest.shard)}; give each shard once`;
    seen.set(manifest.shard.index, dir);
  }
  const missing = Array.from({ length: a.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) return `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${a.shard.count}`).join(', ')} missing: the merge needs all ${a.shard.count} (given: ${[...seen.keys()].sort((x, y) => x - y).map((i) => `${i}/${a.shard.count}`).join(', ')})`;
  const cells = matrixCells(a.targets, a.settings.services);
  const owner = new Map<string, string>();
  for (const { dir, manifest } of shards) {
    for (const c of manifest.cells) {
      const key = `${c.target} × ${c.service}`;
      const other = owner.get(key);
      if (other !== undefined) return `${other} and ${dir} both ran ${key}: the shards overlap`;
      owner.set(key, dir);
    }
    const expected = cellsOfShard(cells, manifest.shard).map((c) => `${c.target} × ${c.service}`);
    const ran = manifest.cells.map((c) => `${c.target} × ${c.service}`);
    if (canonical(expected) !== canonical(ran)) return `${dir} ran ${ran.join(', ') || 'no cells'}, not the cells of shard ${shardName(manifest.shard)} (${expected.join(', ')})`;
  }
  return undefined;
}

/** One merged column: a target's result with every shard's services, in the matrix's service order. */
export interface MergedColumn {
  target: string;
  slug: string;
  result?: RunResult;
  error?: string;
  durationMs: number;
}

/**
 * Join fitting shards (checked with shardsMisfit) into the columns one unsharded matrix would have had. A target
 * that no shard could start is that column's error, as in `matrix`; one that some shards started and others not
 * gets `infra` services (reason: why it could not be started) for the cells of the shards that could not.
 * Expectations are not carried over: they are compared once, on the merged result.
 */
export function mergeShards(shards: readonly NamedManifest[]): MergedColumn[] {
  const ordered = [...shards].sort((x, y) => x.manifest.shard.index - y.manifest.shard.index);
  const { targets, settings } = ordered[0]!.manifest;
  return targets.map(({ target, slug }) => {
    const parts = ordered.flatMap(({ manifest }) => manifest.columns.filter((c) => c.target === target).map((column) => ({ column, manifest })));
    const durationMs = parts.reduce((t, p) => t + p.column.durationMs, 0);
    const started = parts.filter((p) => p.column.result);
    if (started.length === 0) {
      const error = parts.find((p) => p.column.error)?.column.error ?? 'not run by any shard';
      return { target, slug, error, durationMs };
    }
    const base = started[0]!.column.result!;
    const services = settings.services.flatMap((service) => {
      for (const { column, manifest } of parts) {
        if (!manifest.cells.some((c) => c.target === target && c.service === service)) continue;
        const s = column.result?.services.find((x) => x.service === service);
        if (s) return [s];
        return [{ service, verdict: 'infra' as const, reason: column.error ?? 'not run', runs: 0, calls: 0, faults: 0, durationMs: 0, rulesReached: [], unsupportedOperations: [], profile: {}, divergences: [] }];
      }
      return [];
    });
    const { expectations: _expectations, budgets: _budgets, interruptedBy: _interruptedBy, ...envelope } = base;
    const startedAt = started.map((p) => p.column.result!.startedAt).sort()[0]!;
    const interruptedBy = started.find((p) => p.column.result!.interruptedBy)?.column.result!.interruptedBy;
    const budgeted = started.filter((p) => p.column.result!.budgets).map((p) => p.column.result!.budgets!);
    const budgets = budgeted.length
      ? {
          ...budgeted[0]!,
          callsUsed: budgeted.reduce((n, b) => n + b.callsUsed, 0),
          ...(budgeted.some((b) => b.resourcesUsed !== undefined) ? { resourcesUsed: budgeted.reduce((n, b) => n + (b.resourcesUsed ?? 0), 0) } : {}),
          ...(budgeted.find((b) => b.stoppedBy) ? { stoppedBy: budgeted.find((b) => b.stoppedBy)!.stoppedBy! } : {}),
        }
      : undefined;
    const result: RunResult = { ...envelope, startedAt, services, ...(budgets ? { budgets } : {}), ...(interruptedBy ? { interruptedBy } : {}) };
    return { target, slug, result, durationMs };
  });
}
