/** `policy-conformance matrix`: the suite against several targets, one column each, and the matrix of them. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpectationReport } from '../models/results.js';
import { SHARD_FORMAT, type Shard, type ShardColumn, type ShardManifest } from '../models/shard.js';
import type { ServiceName } from '../models/types.js';
import { InfraError } from '../harness/errors.js';
import { describeHalt, Halt } from '../harness/halt.js';
import { renderMatrixJson, renderShardManifest } from '../reports/json.js';
import { buildMatrix, type ColumnInput, type MatrixService } from '../reports/matrix.js';
import { renderMatrixHtml } from '../reports/matrix-html.js';
import { renderMatrixMarkdown } from '../reports/matrix-md.js';
import { matrixSummary } from '../reports/summary.js';
import { serviceNamed } from '../services/index.js';
import { EXIT, exitFor, stderr } from './exit.js';
import { type MatrixCommand, matrixOptions, settingsFor } from './options.js';
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
  // A shard runs only its cells: the targets it has cells of, each with only those services.
  const servicesOf = (spec: string): ServiceName[] => (o.shard ? o.shard.mine.filter((c) => c.target === spec).map((c) => c.service) : o.shared.services);
  const run = o.columns.filter((c) => servicesOf(c.spec).length > 0);
  if (o.shard) log?.(`== shard ${o.shard.shard.index}/${o.shard.shard.count}: ${o.shard.mine.map((c) => `${c.target} × ${c.service}`).join(', ')}`);
  for (const { spec, slug, expectFile } of run) {
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
      const own = settingsFor(spec, o.shared, o.aws);
      // The matrix's budgets are the flags' (one for all columns); an `aws` column also keeps AWS's default budgets
      // where no flag set one, of its own (the emulators' calls before it do not spend them).
      const defaults = Object.fromEntries(Object.entries(own.budgets ?? {}).filter(([k]) => !(k in o.shared.budgets)));
      const columnHalt = Object.keys(defaults).length ? halt.within(defaults) : halt;
      const result = await runTarget({ ...o.shared, ...own, budgets: o.shared.budgets, services: servicesOf(spec), spec, switches: {}, setAside: [], ...(o.failuresFile ? { failuresFile: o.failuresFile } : {}), ...(o.shared.recordDir ? { recordDir: join(o.shared.recordDir, slug) } : {}) }, columnHalt);
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
  const interrupted = halt.check();
  const signal = interrupted?.kind === 'interrupted' ? interrupted.signal : undefined;
  const services = o.shard ? o.shared.services.filter((s) => o.shard!.mine.some((c) => c.service === s)) : o.shared.services;
  const exit = await writeMatrix({ out: o.out, columns, reports, exits, services, seed: o.shared.seed, ...(signal ? { signal } : {}), ...(o.shard ? { shard: o.shard.shard } : {}) });
  if (o.shard) {
    const { shared } = o;
    const manifest: ShardManifest = {
      format: SHARD_FORMAT,
      version: 1,
      shard: o.shard.shard,
      settings: {
        seed: shared.seed,
        runs: shared.runs,
        services: shared.services,
        region: shared.region,
        ...(shared.consistency ? { consistency: shared.consistency } : {}),
        maxDivergences: shared.maxDivergences,
        reproduce: shared.reproduce,
        ...(shared.settleMs !== undefined ? { settleMs: shared.settleMs } : {}),
        ...(shared.waitSeconds !== undefined ? { waitSeconds: shared.waitSeconds } : {}),
        budgets: shared.budgets,
      },
      targets: o.columns.map((c) => ({ target: c.spec, slug: c.slug })),
      cells: o.shard.mine.map((c) => ({ target: c.target, service: c.service })),
      columns: columns.map((c, i): ShardColumn => ({ target: c.target, slug: c.slug, exit: exits[i]!, durationMs: c.durationMs ?? 0, ...(c.result ? { result: c.result } : {}), ...(c.error ? { error: c.error } : {}) })),
      exit,
      ...(signal ? { interruptedBy: signal } : {}),
    };
    await writeFile(join(o.out, 'shard.json'), renderShardManifest(manifest));
  } else await rm(join(o.out, 'shard.json'), { force: true }); // a whole matrix in a shard's old folder is no shard
  return exit;
}

export interface MatrixOutput {
  out: string;
  columns: readonly ColumnInput[];
  reports: ReadonlyArray<ExpectationReport | undefined>;
  /** Each column's exit code. */
  exits: readonly number[];
  /** The services the matrix has rows for, in order. */
  services: readonly ServiceName[];
  seed: number;
  /** The signal that stopped the run (or a shard of it). */
  signal?: 'SIGINT' | 'SIGTERM';
  shard?: Shard;
}

/**
 * matrix.html, matrix.md and matrix.json from the columns' results, the summary on stdout, and the exit code: the
 * signal's when interrupted, else the worst of the columns' (3 before 1 before 0). `matrix` and `merge` both end so.
 */
export async function writeMatrix(m: MatrixOutput): Promise<number> {
  // The matrix renders plain data: each service's rules come from the service list here.
  const services: MatrixService[] = m.services.map((name) => ({ name, rules: serviceNamed(name)!.adapter.model.rules }));
  const built = buildMatrix(m.columns, m.reports, services);
  await mkdir(m.out, { recursive: true });
  const htmlFile = join(m.out, 'matrix.html');
  await writeFile(htmlFile, renderMatrixHtml(built));
  await writeFile(join(m.out, 'matrix.md'), renderMatrixMarkdown(built));
  await writeFile(join(m.out, 'matrix.json'), renderMatrixJson(built, { seed: m.seed, exits: m.exits, ...(m.shard ? { shard: m.shard } : {}) }));
  const exit = m.signal ? EXIT[m.signal] : m.exits.includes(EXIT.infra) ? EXIT.infra : m.exits.includes(EXIT.fail) ? EXIT.fail : EXIT.pass;
  process.stdout.write(matrixSummary(built, { seed: m.seed, exits: m.exits, exit, out: m.out, htmlFile }));
  return exit;
}
