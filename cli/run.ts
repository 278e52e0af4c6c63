/** `policy-conformance run`: the suite against one target. */
import { Halt } from '../harness/halt.js';
import { planRun } from '../harness/plan.js';
import { DEFAULT_CONSISTENCY } from '../harness/targets/index.js';
import { renderPlan } from '../reports/plan.js';
import { runSummary } from '../reports/summary.js';
import { withInterrupts } from './interrupts.js';
import { exitFor, stderr } from './exit.js';
import { runOptions } from './options.js';
import { applyExpectations, runTarget, safetyProfileOf, writeReports } from './run-target.js';

export async function run(argv: string[]): Promise<number> {
  const o = await runOptions(argv);
  if (o.plan) {
    // Nothing is started, sent or written: the target is not even resolved (an `aws` plan does not call STS).
    const t = o.target;
    const plan = planRun({ target: t.spec, region: t.region, services: t.services, runs: t.runs, seed: t.seed, consistency: t.consistency ?? DEFAULT_CONSISTENCY, safety: safetyProfileOf(t), budgets: t.budgets ?? {} });
    process.stdout.write(renderPlan(plan));
    return 0;
  }
  const result = await withInterrupts(new Halt(o.target.budgets ?? {}), (halt) => runTarget(o.target, halt));
  if (o.expect) result.expectations = await applyExpectations(result, o.expect.target, o.expect.file, o.expect.update, o.target.quiet ? undefined : stderr);
  await writeReports(o.out, result);
  process.stdout.write(runSummary(result, o.out));
  return exitFor(result);
}
