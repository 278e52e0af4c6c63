/** `policy-conformance matrix`: the suite against several targets, one column each, and the matrix of them. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpectationReport } from '../models/results.js';
import { InfraError } from '../harness/errors.js';
import { describeHalt, Halt } from '../harness/halt.js';
import { renderMatrixJson } from '../reports/json.js';
import { buildMatrix, type ColumnInput, type MatrixService } from '../reports/matrix.js';
import { renderMatrixHtml } from '../reports/matrix-html.js';
import { renderMatrixMarkdown } from '../reports/matrix-md.js';
import { matrixSummary } from '../reports/summary.js';
import { serviceNamed } from '../services/index.js';
import { EXIT, exitFor, stderr } from './exit.js';
import { type MatrixCommand, matrixOptions } from './options.js';
import { withInterrupts } from './interrupts.js';
import { applyExpectations, runTarget, writeReports } from './run-target.js';

export async function matrix(argv: string[]): Promise<number> {
  const o = await matrixOptions(argv);
  // One budget for the whole matrix; a signal stops it after the target in flight (whose reports are written).
  return withInterrupts(new Halt(o.shared.budgets), (halt) => runMatrix(o, halt));
}

async function runMatrix(o: MatrixCommand, halt: Halt): Promise<number> {
  const log = o.shared.quiet ? undefined : stderr;
  const columns: ColumnInput[] = [];
  const reports: Array<ExpectationReport | undefined> = [];
  const exits: number[] = [];
  for (const { spec, slug, expectFile } of o.columns) {
    const started = Date.now();
    const halted = halt.check();
    if (halted?.kind === 'interrupted') {
      columns.push({ slug, target: spec, error: `not run: ${describeHalt(halted, halt.budgets)}`, durationMs: 0 });
      reports.push(undefined);
      exits.push(EXIT[halted.signal]);
      continue;
    }
    log?.(`== target ${spec}`);
    try {
      const result = await runTarget({ ...o.shared, spec, switches: {}, setAside: [], ...(o.failuresFile ? { failuresFile: o.failuresFile } : {}) }, halt);
      if (expectFile) result.expectations = await applyExpectations(result, spec, expectFile, o.updateExpectations, log);
      await writeReports(join(o.out, slug), result);
      columns.push({ slug, target: spec, result, durationMs: Date.now() - started });
      reports.push(result.expectations);
      exits.push(exitFor(result));
    } catch (error) {
      // A target that cannot be started is that column's infrastructure failure; the others still run.
      if (!(error instanceof InfraError)) throw error;
      log?.(`[${spec}] infra: ${error.message}`);
      columns.push({ slug, target: spec, error: error.message, durationMs: Date.now() - started });
      reports.push(undefined);
      exits.push(EXIT.infra);
    }
  }
  // The matrix renders plain data: each service's rules come from the service list here.
  const services: MatrixService[] = o.shared.services.map((name) => ({ name, rules: serviceNamed(name)!.adapter.model.rules }));
  const built = buildMatrix(columns, reports, services);
  await mkdir(o.out, { recursive: true });
  const htmlFile = join(o.out, 'matrix.html');
  await writeFile(htmlFile, renderMatrixHtml(built));
  await writeFile(join(o.out, 'matrix.md'), renderMatrixMarkdown(built));
  await writeFile(join(o.out, 'matrix.json'), renderMatrixJson(built, { seed: o.shared.seed, exits }));
  const interrupted = halt.check();
  const exit = interrupted?.kind === 'interrupted' ? EXIT[interrupted.signal] : exits.includes(EXIT.infra) ? EXIT.infra : exits.includes(EXIT.fail) ? EXIT.fail : EXIT.pass;
  process.stdout.write(matrixSummary(built, { seed: o.shared.seed, exits, exit, out: o.out, htmlFile }));
  return exit;
}
