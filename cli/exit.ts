/** What the CLI tells the shell: its exit codes, and the lines it writes on stderr. */
import { overallVerdict, type RunResult, type Verdict } from '../models/results.js';

export const EXIT = { pass: 0, fail: 1, usage: 2, infra: 3, internal: 4, SIGINT: 130, SIGTERM: 143 } as const;
// `interrupted` exits as the signal does (128 + its number); a spent budget is not a result, like infra.
const VERDICT_EXIT: Record<Verdict, number> = { pass: EXIT.pass, fail: EXIT.fail, unsupported: EXIT.fail, infra: EXIT.infra, 'internal-error': EXIT.internal, interrupted: EXIT.SIGINT, incomplete: EXIT.infra };

/** One target's exit code; with expectations it depends only on new departures (and infrastructure failures). */
export function exitFor(result: RunResult): number {
  const verdict = overallVerdict(result.services);
  if (verdict === 'interrupted') return EXIT[result.interruptedBy ?? 'SIGINT'];
  if (verdict === 'infra' || verdict === 'internal-error' || verdict === 'incomplete') return VERDICT_EXIT[verdict];
  if (result.expectations) return result.expectations.new.length ? EXIT.fail : EXIT.pass;
  return VERDICT_EXIT[verdict];
}

/** A progress or error line on stderr. */
export const stderr = (m: string) => process.stderr.write(`${m}\n`);
