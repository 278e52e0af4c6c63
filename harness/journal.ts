/**
 * The journal: before a service's run sends its first request, it writes down on disk which target it is about to
 * change and the prefix every name it creates will start with (harness/sweep.ts: the suite's mark), so a run killed
 * at any point — kill -9 included — leaves a record `policy-conformance sweep` acts on. One small JSON file per
 * service run in the journal folder: POLICY_CONFORMANCE_JOURNAL_DIR, else $XDG_STATE_HOME/policy-conformance/
 * journals, else ~/.local/state/policy-conformance/journals. A run that ends with nothing of its own left on the
 * target (read back from the target, not assumed) deletes its file.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

export const JOURNAL_FORMAT = 'policy-conformance journal';

export interface JournalEntry {
  format: typeof JOURNAL_FORMAT;
  version: 1;
  /** The run prefix: every name the run gives a resource starts with it. */
  prefix: string;
  service: string;
  /** The endpoint the resources live on (what `sweep --target` matches), and its region. */
  endpoint: string;
  region: string;
  /** The account, once the run has discovered it (what a sweep needs to read account-wide state such as the OpsItemGroup). */
  account?: string;
  pid: number;
  host: string;
  startedAt: string;
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POLICY_CONFORMANCE_JOURNAL_DIR) return env.POLICY_CONFORMANCE_JOURNAL_DIR;
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'policy-conformance', 'journals');
}

/** Write the entry (synchronously: it is on disk before the first request). Returns the file. */
export function openJournal(entry: Omit<JournalEntry, 'format' | 'version' | 'pid' | 'host' | 'startedAt'>, dir = journalDir()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${entry.prefix}-${entry.service}.json`);
  const full: JournalEntry = { format: JOURNAL_FORMAT, version: 1, ...entry, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
  return file;
}

/** Add the account the run discovered (a new file renamed over the old: a kill at any point leaves one whole entry). */
export function noteAccount(file: string, account: string): void {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as JournalEntry;
    const next = `${file}.${process.pid}.tmp`;
    writeFileSync(next, `${JSON.stringify({ ...entry, account }, null, 2)}\n`);
    renameSync(next, file);
  } catch {
    // The journal went (a sweep of a run it thought over): nothing to add to.
  }
}

export function closeJournal(file: string): void {
  rmSync(file, { force: true });
}

export interface JournalRecord {
  file: string;
  entry: JournalEntry;
}

/** Every journal in the folder (files that are not journals are left alone). */
export function readJournals(dir = journalDir()): JournalRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const records: JournalRecord[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as JournalEntry;
      if (entry.format === JOURNAL_FORMAT && typeof entry.prefix === 'string' && statSync(file).isFile()) records.push({ file, entry });
    } catch {
      // Not a journal (or cut short by a kill before it was whole: its run sent nothing yet).
    }
  }
  return records;
}

/** Whether the run that wrote a journal is still running (same host, its pid alive). */
export function stillRunning(entry: Pick<JournalEntry, 'pid' | 'host'>): boolean {
  if (entry.host !== hostname()) return false;
  try {
    process.kill(entry.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
