/**
 * The failures file: failing sequences kept between runs, keyed by target and service, so the next run against
 * the same target re-runs them first and says at once whether a fix worked. It is local state (under the
 * report directory by default, git-ignored), never an input a run depends on: a missing or unreadable file is
 * an empty one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Consistency, ServiceName } from '../../models/types.js';
import type { RecordedSequence } from '../reproduce.js';
import type { ServiceResult } from '../../models/results.js';

export interface FailuresFile {
  version: 1;
  /** target key → recorded failing sequences (any service). */
  targets: Record<string, RecordedSequence[]>;
}

/** Per target and service: enough to re-run, few enough to stay quick. */
const MAX_PER_SERVICE = 30;

export function defaultFailuresPath(outDir: string): string {
  return join(outDir, '.failures.json');
}

/** The key a target's failures are kept under: how it was named, and the seeded bug for the reference. */
export function targetKey(target: string, mutant?: string): string {
  return mutant ? `${target} --mutant ${mutant}` : target;
}

function empty(): FailuresFile {
  return { version: 1, targets: {} };
}

export async function loadFailures(file: string, warn?: (m: string) => void): Promise<FailuresFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return empty();
  }
  try {
    const parsed = JSON.parse(text) as FailuresFile;
    if (parsed?.version !== 1 || typeof parsed.targets !== 'object' || parsed.targets === null) throw new Error('not a failures file');
    for (const list of Object.values(parsed.targets)) if (!Array.isArray(list)) throw new Error('not a failures file');
    return parsed;
  } catch (error) {
    warn?.(`ignoring the failures file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return empty();
  }
}

export function recordedFor(store: FailuresFile, target: string, service: ServiceName, consistency: Consistency): RecordedSequence[] {
  return (store.targets[target] ?? []).filter(
    (r) => r.service === service && r.consistency === consistency && Array.isArray(r.commands) && typeof r.rule === 'string',
  );
}

const identity = (r: { rule: string; explainedBy?: { switch: string; value: string } }) => `${r.rule}|${r.explainedBy ? `${r.explainedBy.switch}=${r.explainedBy.value}` : ''}`;

/**
 * After a service ran: drop the recorded sequences that pass now (or can no longer run), keep those that still
 * fail, and add this run's divergences (one per rule and explaining switch, the newest kept). An infrastructure
 * failure proves nothing, so then nothing is dropped.
 */
export function updateFailures(store: FailuresFile, target: string, result: ServiceResult, consistency: Consistency, now = new Date().toISOString()): void {
  const others = (store.targets[target] ?? []).filter((r) => r.service !== result.service || r.consistency !== consistency);
  let mine = (store.targets[target] ?? []).filter((r) => r.service === result.service && r.consistency === consistency);
  if (result.verdict !== 'infra') {
    const gone = new Set((result.rechecked ?? []).filter((c) => c.status === 'passes' || c.status === 'stale').map((c) => `${identity(c)}|${c.recordedAt}`));
    mine = mine.filter((r) => !gone.has(`${identity(r)}|${r.recordedAt}`));
  }
  for (const d of result.divergences) {
    if (!d.commands) continue;
    const record: RecordedSequence = {
      service: result.service,
      rule: d.rule,
      ...(d.explainedBy ? { explainedBy: d.explainedBy } : {}),
      commands: d.commands,
      switches: d.foundUnder?.switches ?? {},
      setAside: d.foundUnder?.setAside ?? [],
      consistency,
      recordedAt: now,
      replay: d.replay,
    };
    mine = [...mine.filter((r) => identity(r) !== identity(record)), record];
  }
  const kept = [...others, ...mine.slice(-MAX_PER_SERVICE)];
  if (kept.length) store.targets[target] = kept;
  else delete store.targets[target];
}

/** Written atomically (temp file + rename): a run that is killed never leaves half a file. */
export async function saveFailures(file: string, store: FailuresFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(store, null, 1)}\n`);
  await rename(temp, file);
}
