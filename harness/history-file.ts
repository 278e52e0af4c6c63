/** Reading history files (models/history.ts): a file that is missing, not JSON or not a history is a usage error, in one line. */
import { readFile } from 'node:fs/promises';
import { type HistoryFile, historyProblem } from '../models/history.js';
import { UsageError } from './errors.js';

export async function loadHistory(file: string, services: readonly string[], switchesOf: (service: string) => ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<HistoryFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read history file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`history file ${file} is not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const problem = historyProblem(parsed, services, switchesOf);
  if (problem) throw new UsageError(`history file ${file}: ${problem}`);
  return parsed as HistoryFile;
}
