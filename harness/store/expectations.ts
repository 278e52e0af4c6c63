/**
 * Expectations: the known departures of one target, committed per target (expectations/<target>.json), so a
 * nightly run fails only on something new. Entries are keyed by stable words only — service, rule, the switch
 * value that explains it, or the unsupported operation — never by seeds, paths or resource names.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ServiceName } from '../../models/types.js';
import { divergenceKey, unsupportedKey } from '../../models/departure-keys.js';
import type { DepartureKind, DepartureRef, ExpectationReport, RunResult, ServiceResult } from '../../models/results.js';
import { SERVICE_NAMES, serviceNamed } from '../../services/index.js';
import { UsageError } from '../errors.js';

export interface ExpectedDeparture {
  service: ServiceName;
  rule: string;
  /** Absent: `wrong-answer` (files written before kinds existed mean that). */
  kind?: DepartureKind;
  explainedBy?: { switch: string; value: string };
  /** The rule's summary, for people reading the file (not part of the key). */
  summary?: string;
  /** A maintainer's note; kept when the file is rewritten with --update-expectations. */
  note?: string;
}

export interface ExpectedUnsupported {
  service: ServiceName;
  /** Absent: the whole service is missing. */
  operation?: string;
  note?: string;
}

export interface ExpectationsFile {
  /** The target these are for (as named on the command line). */
  target: string;
  /** Free text: versions, how the file was made. Not compared. */
  about?: string;
  departures: ExpectedDeparture[];
  unsupported: ExpectedUnsupported[];
}

const SERVICES = new Set(SERVICE_NAMES);

const KINDS: readonly DepartureKind[] = ['wrong-answer', 'error-with-side-effect', 'success-without-effect', 'crash', 'stale-read'];

function bad(file: string, why: string): never {
  throw new UsageError(`expectations file ${file}: ${why}`);
}

/** Read and check an expectations file; every problem is a one-line usage error. */
export async function loadExpectations(file: string): Promise<ExpectationsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `expectations file ${file} does not exist (write it with --update-expectations)` : `cannot read expectations file ${file}: ${code ?? String(error)}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    bad(file, `not JSON (${(error as Error).message})`);
  }
  const o = data as Partial<ExpectationsFile>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad(file, 'must be a JSON object');
  if (typeof o.target !== 'string') bad(file, '"target" must be a string');
  if (!Array.isArray(o.departures)) bad(file, '"departures" must be an array');
  if (o.unsupported !== undefined && !Array.isArray(o.unsupported)) bad(file, '"unsupported" must be an array');
  o.departures.forEach((d, i) => {
    if (!d || typeof d !== 'object') bad(file, `departures[${i}] must be an object`);
    if (!SERVICES.has(d.service)) bad(file, `departures[${i}].service "${String(d.service)}" is not one of ${[...SERVICES].join(', ')}`);
    if (typeof d.rule !== 'string' || !d.rule) bad(file, `departures[${i}].rule must be a rule id`);
    if (d.kind !== undefined && !KINDS.includes(d.kind)) bad(file, `departures[${i}].kind "${String(d.kind)}" is not one of ${KINDS.join(', ')}`);
    if (d.explainedBy !== undefined && (typeof d.explainedBy?.switch !== 'string' || typeof d.explainedBy?.value !== 'string')) {
      bad(file, `departures[${i}].explainedBy must be {"switch": "...", "value": "..."}`);
    }
  });
  (o.unsupported ?? []).forEach((u, i) => {
    if (!u || typeof u !== 'object' || !SERVICES.has(u.service)) bad(file, `unsupported[${i}].service must be one of ${[...SERVICES].join(', ')}`);
    if (u.operation !== undefined && typeof u.operation !== 'string') bad(file, `unsupported[${i}].operation must be a string`);
  });
  return { target: o.target, ...(o.about ? { about: o.about } : {}), departures: o.departures, unsupported: o.unsupported ?? [] };
}

/** The service is missing altogether: discovery found nothing to run against. */
function wholeServiceUnsupported(s: ServiceResult): boolean {
  return s.verdict === 'unsupported' && s.runs === 0;
}

/** Every departure of one run, by stable key. */
export function observedDepartures(result: RunResult): DepartureRef[] {
  const out = new Map<string, DepartureRef>();
  for (const s of result.services) {
    for (const d of s.divergences) {
      const departureKind = d.kind ?? 'wrong-answer';
      const key = divergenceKey(s.service, d.rule, d.explainedBy, departureKind);
      if (!out.has(key)) out.set(key, { key, service: s.service, kind: 'divergence', rule: d.rule, departureKind, ...(d.explainedBy ? { explainedBy: d.explainedBy } : {}) });
    }
    if (wholeServiceUnsupported(s)) out.set(unsupportedKey(s.service), { key: unsupportedKey(s.service), service: s.service, kind: 'unsupported' });
    for (const operation of s.unsupportedOperations) {
      const key = unsupportedKey(s.service, operation);
      out.set(key, { key, service: s.service, kind: 'unsupported', operation });
    }
  }
  return [...out.values()];
}

function expectedRefs(file: ExpectationsFile): DepartureRef[] {
  return [
    ...file.departures.map((d) => ({
      key: divergenceKey(d.service, d.rule, d.explainedBy, d.kind),
      service: d.service,
      kind: 'divergence' as const,
      departureKind: d.kind ?? ('wrong-answer' as const),
      rule: d.rule,
      ...(d.explainedBy ? { explainedBy: d.explainedBy } : {}),
    })),
    ...file.unsupported.map((u) => ({ key: unsupportedKey(u.service, u.operation), service: u.service, kind: 'unsupported' as const, ...(u.operation ? { operation: u.operation } : {}) })),
  ];
}

/**
 * Compare a run with the expectations. A divergence explained by a switch value that an expected departure of
 * the same service names is expected too: which rule first shows a switch depends on exploration order, the
 * behaviour ("AWS, except switch=value") is the same. An expected departure the run did not see is `fixed`
 * when the run reached its rule (or the operation answered) and `notSeen` when it has no evidence — neither
 * fails the run, since exploration order can leave a known departure unfound.
 */
export function compareWithExpectations(file: string, expectations: ExpectationsFile, result: RunResult): ExpectationReport {
  const report: ExpectationReport = { file, new: [], stillPresent: [], fixed: [], notSeen: [] };
  const expected = expectedRefs(expectations);
  const byKey = new Map(expected.map((e) => [e.key, e]));
  const matched = new Set<string>();
  for (const o of observedDepartures(result)) {
    if (byKey.has(o.key)) {
      matched.add(o.key);
      report.stillPresent.push(o);
      continue;
    }
    const sameSwitch = o.explainedBy && expected.find((e) => e.service === o.service && e.explainedBy?.switch === o.explainedBy!.switch && e.explainedBy.value === o.explainedBy!.value);
    if (sameSwitch) {
      report.stillPresent.push({ ...o, note: `same switch value as the expected "${sameSwitch.key}"` });
      matched.add(sameSwitch.key);
      continue;
    }
    const wholeService = o.kind === 'unsupported' && byKey.get(unsupportedKey(o.service));
    if (wholeService) {
      report.stillPresent.push({ ...o, note: `the whole service is expected to be unsupported` });
      matched.add(wholeService.key);
      continue;
    }
    report.new.push(o);
  }
  for (const e of expected) {
    if (matched.has(e.key)) continue;
    const s = result.services.find((x) => x.service === e.service);
    if (!s) {
      report.notSeen.push({ ...e, note: 'service not run' });
      continue;
    }
    if (s.verdict === 'infra') {
      report.notSeen.push({ ...e, note: 'infrastructure failure' });
      continue;
    }
    if (e.kind === 'divergence') {
      if (e.explainedBy && s.profile[e.explainedBy.switch] === e.explainedBy.value) {
        report.stillPresent.push({ ...e, note: `explained by the adopted switch ${e.explainedBy.switch}=${e.explainedBy.value}` });
      } else if (s.rulesReached.includes(e.rule!)) report.fixed.push({ ...e, note: 'rule reached without this departure' });
      else report.notSeen.push({ ...e, note: 'rule not reached this run' });
    } else if (wholeServiceUnsupported(s)) report.notSeen.push({ ...e, note: 'service unsupported' });
    else report.fixed.push({ ...e, note: e.operation ? 'the operation is implemented now' : 'the service answers now' });
  }
  return report;
}

const ruleSummary = (service: string, rule: string) => serviceNamed(service)?.adapter.model.rules[rule]?.summary;

/**
 * The expectations a run implies: its departures, plus the entries of `previous` this run has no evidence
 * about (service not run, rule not reached, an infrastructure failure) — only what the run shows fixed is
 * dropped. Notes written by people are kept. Sorted, so a rewrite changes only what changed.
 */
export function expectationsFrom(target: string, result: RunResult, previous?: ExpectationsFile, about?: string): ExpectationsFile {
  const report = previous ? compareWithExpectations('', previous, result) : undefined;
  const notes = new Map<string, string>();
  for (const d of previous?.departures ?? []) if (d.note) notes.set(divergenceKey(d.service, d.rule, d.explainedBy, d.kind), d.note);
  for (const u of previous?.unsupported ?? []) if (u.note) notes.set(unsupportedKey(u.service, u.operation), u.note);
  const keep = [...observedDepartures(result), ...(report ? [...report.notSeen, ...report.stillPresent.filter((r) => r.note?.startsWith('explained by the adopted'))] : [])];
  const departures = new Map<string, ExpectedDeparture>();
  const unsupported = new Map<string, ExpectedUnsupported>();
  for (const r of keep) {
    const note = notes.get(r.key);
    if (r.kind === 'divergence') {
      const summary = ruleSummary(r.service, r.rule!);
      const kind = r.departureKind && r.departureKind !== 'wrong-answer' ? { kind: r.departureKind } : {};
      departures.set(r.key, { service: r.service, rule: r.rule!, ...kind, ...(r.explainedBy ? { explainedBy: r.explainedBy } : {}), ...(summary ? { summary } : {}), ...(note ? { note } : {}) });
    } else unsupported.set(r.key, { service: r.service, ...(r.operation ? { operation: r.operation } : {}), ...(note ? { note } : {}) });
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { target, ...(about ? { about } : {}), departures: sorted(departures), unsupported: sorted(unsupported) };
}

export async function saveExpectations(file: string, expectations: ExpectationsFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(expectations, null, 2)}\n`);
}
