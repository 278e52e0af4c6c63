/** `policy-conformance run`: the suite against one target. */
import { Halt } from '../harness/halt.js';
import { runSummary } from '../reports/summary.js';
import { withInterrupts } from './interrupts.js';
import { exitFor, stderr } from './exit.js';
import { runOptions } from './options.js';
import { applyExpectations, runTarget, writeReports } from './run-target.js';

export async function run(argv: string[]): Promise<number> {
  const o = await runOptions(argv);
  const result = await withInterrupts(new Halt(o.target.budgets ?? {}), (halt) => runTarget(o.target, halt));
  if (o.expect) result.expectations = await applyExpectations(result, o.expect.target, o.expect.file, o.expect.update, o.target.quiet ? undefined : stderr);
  await writeReports(o.out, result);
  process.stdout.write(runSummary(result, o.out));
  return exitFor(result);
}
