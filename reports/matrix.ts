/**
 * The conformance matrix: one row per rule of every model (plus one per operation some target does not
 * implement), one column per target, each cell conforms / diverges / unsupported / not reached (or infra when
 * the target broke down before the rule was judged).
 */
import { divergenceKey, unsupportedKey } from '../models/departure-keys.js';
import { type Divergence, type ExpectationReport, overallVerdict, type RunResult, type ServiceResult, type Verdict } from '../models/results.js';
import type { Rule, ServiceName } from '../models/types.js';

export type CellState = 'conforms' | 'diverges' | 'unsupported' | 'not-reached' | 'infra';

export interface MatrixCell {
  state: CellState;
  /** The divergences on this rule (diverges only). */
  divergences: Divergence[];
  /** Against the expectations, when the column has some: a departure the file lists, or a new one. */
  expectation?: 'expected' | 'new';
  /** Why (e.g. the reason a service is unsupported or infra). */
  note?: string;
}

export interface MatrixRow {
  service: ServiceName;
  kind: 'rule' | 'operation';
  /** Rule id, or operation name. */
  id: string;
  evidence?: string;
  spec?: string;
  summary: string;
  cells: MatrixCell[];
}

export interface MatrixColumn {
  /** File-system name (the per-target report directory). */
  slug: string;
  /** How the target was named on the command line. */
  target: string;
  verdict: Verdict;
  result?: RunResult;
  /** Why there is no result (the target could not be started). */
  error?: string;
  expectations?: ExpectationReport;
  durationMs: number;
}

export interface Matrix {
  generatedAt: string;
  services: ServiceName[];
  columns: MatrixColumn[];
  rows: MatrixRow[];
}

/** A service the matrix has rows for: its model's rules, as plain data (the caller reads them from the service list). */
export interface MatrixService {
  name: ServiceName;
  rules: Readonly<Record<string, Pick<Rule, 'evidence' | 'spec' | 'summary'>>>;
}

export interface ColumnInput {
  slug: string;
  target: string;
  result?: RunResult;
  error?: string;
  durationMs?: number;
}

/** A file-system-safe, stable name for a target: `container:localhost/x/moto:5.2.5` → `container-localhost-x-moto-5.2.5`. */
export function targetSlug(spec: string): string {
  const slug = spec
    .replace(/^https?:\/\//, (m) => `${m.slice(0, -3)}-`)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return slug || 'target';
}

function cellFor(s: ServiceResult | undefined, rule: string, column: ColumnInput, report: ExpectationReport | undefined): MatrixCell {
  if (!s) return { state: column.error ? 'infra' : 'not-reached', divergences: [], ...(column.error ? { note: column.error } : { note: 'service not run' }) };
  const divergences = s.divergences.filter((d) => d.rule === rule);
  if (divergences.length) {
    const keys = divergences.map((d) => divergenceKey(s.service, d.rule, d.explainedBy));
    const expectation = report ? (keys.some((k) => report.new.some((n) => n.key === k)) ? 'new' : 'expected') : undefined;
    return { state: 'diverges', divergences, ...(expectation ? { expectation } : {}) };
  }
  if (s.rulesReached.includes(rule)) return { state: 'conforms', divergences: [] };
  if (s.verdict === 'infra') return { state: 'infra', divergences: [], ...(s.reason ? { note: s.reason } : {}) };
  if (s.verdict === 'unsupported' && s.runs === 0) return { state: 'unsupported', divergences: [], ...(s.reason ? { note: s.reason } : {}) };
  return { state: 'not-reached', divergences: [] };
}

function operationCell(s: ServiceResult | undefined, operation: string, column: ColumnInput, report: ExpectationReport | undefined): MatrixCell {
  if (!s) return { state: column.error ? 'infra' : 'not-reached', divergences: [], ...(column.error ? { note: column.error } : {}) };
  const whole = s.verdict === 'unsupported' && s.runs === 0;
  if (whole || s.unsupportedOperations.includes(operation)) {
    const key = whole ? unsupportedKey(s.service) : unsupportedKey(s.service, operation);
    const expectation = report ? (report.new.some((n) => n.key === key) ? 'new' : 'expected') : undefined;
    return { state: 'unsupported', divergences: [], ...(expectation ? { expectation } : {}), ...(s.reason ? { note: s.reason } : {}) };
  }
  if (s.verdict === 'infra') return { state: 'infra', divergences: [], ...(s.reason ? { note: s.reason } : {}) };
  // A service stopped before it ran says nothing about its operations.
  if (s.runs === 0 && (s.verdict === 'interrupted' || s.verdict === 'incomplete')) return { state: 'not-reached', divergences: [], ...(s.reason ? { note: s.reason } : {}) };
  return { state: 'conforms', divergences: [], note: 'implemented' };
}

/** Build the matrix from the targets' results (in column order), with rows for `services` (in their order). */
export function buildMatrix(columns: readonly ColumnInput[], reports: ReadonlyArray<ExpectationReport | undefined>, services: readonly MatrixService[]): Matrix {
  const rows: MatrixRow[] = [];
  for (const { name: service, rules } of services) {
    const results = columns.map((c) => c.result?.services.find((s) => s.service === service));
    const ruleIds = Object.keys(rules);
    // A divergence on a rule the model does not list (e.g. model.no-branch) still gets its row.
    for (const r of results) for (const d of r?.divergences ?? []) if (!ruleIds.includes(d.rule)) ruleIds.push(d.rule);
    for (const id of ruleIds) {
      const rule = Object.hasOwn(rules, id) ? rules[id] : undefined;
      rows.push({
        service,
        kind: 'rule',
        id,
        ...(rule ? { evidence: rule.evidence, spec: rule.spec } : {}),
        summary: rule?.summary ?? 'a departure outside the model’s rules',
        cells: columns.map((c, i) => cellFor(results[i], id, c, reports[i])),
      });
    }
    const operations = [...new Set(results.flatMap((r) => r?.unsupportedOperations ?? []))].sort();
    for (const op of operations) {
      rows.push({ service, kind: 'operation', id: op, summary: `${op} is implemented`, cells: columns.map((c, i) => operationCell(results[i], op, c, reports[i])) });
    }
  }
  return {
    generatedAt: new Date().toISOString(),
    services: services.map((s) => s.name),
    columns: columns.map((c, i) => ({
      slug: c.slug,
      target: c.target,
      verdict: c.result ? overallVerdict(c.result.services) : 'infra',
      ...(c.result ? { result: c.result } : {}),
      ...(c.error ? { error: c.error } : {}),
      ...(reports[i] ? { expectations: reports[i] } : {}),
      durationMs: c.durationMs ?? c.result?.services.reduce((t, s) => t + s.durationMs, 0) ?? 0,
    })),
    rows,
  };
}

/** Cell counts per column, for summaries. */
export function columnCounts(matrix: Matrix, column: number): Record<CellState, number> {
  const counts: Record<CellState, number> = { conforms: 0, diverges: 0, unsupported: 0, 'not-reached': 0, infra: 0 };
  for (const row of matrix.rows) counts[row.cells[column]!.state]++;
  return counts;
}
