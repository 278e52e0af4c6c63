/**
 * Witness files: one reported departure as data — the target, the service, the switch values it was found
 * under, the generated commands and the answers seen — so `policy-conformance replay FILE` re-runs exactly that
 * sequence on fresh resources and says whether it departs again. A witness departs at its last step and at no
 * earlier one, so replaying it needs no list of rules to set aside.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Consistency, Json, ServiceName, SwitchSettings } from '../models/types.js';
import type { DepartureKind, Divergence, RunResult, Step } from '../models/results.js';
import { UsageError } from './targets/index.js';

export const WITNESS_FORMAT = 'policy-conformance witness';

export interface WitnessFile {
  format: typeof WITNESS_FORMAT;
  version: 1;
  /** The target as named on the command line, and the seeded bug for the reference. */
  target: string;
  mutant?: string;
  region: string;
  service: ServiceName;
  consistency: Consistency;
  /** The change window the departure was judged with (RunResult.windowMs); replay measures against it too. */
  windowMs?: number;
  /** The generation profile the departure was found under (RunResult.safety; absent in older files: full). */
  safety?: { profile: 'full' | 'real-account'; partnerAccounts: string[] };
  /** Switch values away from their default that the departure was found under. */
  switches: SwitchSettings;
  rule: string;
  kind: DepartureKind;
  explainedBy?: { switch: string; value: string };
  /** The generated commands (plain data): replaying them gives the same requests on fresh resources. */
  commands: Json[];
  /** Fixture steps (indices into the service's setup) the witness runs without. */
  withoutFixture?: number[];
  /** The steps as the target answered them when the departure was found. */
  steps: Step[];
}

export function witnessOf(result: RunResult, service: ServiceName, d: Divergence, region: string, target = result.target): WitnessFile {
  return {
    format: WITNESS_FORMAT,
    version: 1,
    target,
    ...(result.mutant ? { mutant: result.mutant } : {}),
    region,
    service,
    consistency: result.consistency,
    ...(result.windowMs ? { windowMs: result.windowMs } : {}),
    ...(result.safety ? { safety: result.safety } : {}),
    switches: d.foundUnder?.switches ?? {},
    rule: d.rule,
    kind: d.kind ?? 'wrong-answer',
    ...(d.explainedBy ? { explainedBy: d.explainedBy } : {}),
    commands: d.commands ?? [],
    ...(d.foundUnder?.withoutFixture?.length ? { withoutFixture: d.foundUnder.withoutFixture } : {}),
    steps: d.steps,
  };
}

/**
 * Write one witness file per departure under `dir/witnesses/`, and point each divergence's `witnessFile` and
 * `replay` at it. `target` is how a user names the target again (a managed emulator by name, not its port).
 */
export async function writeWitnesses(dir: string, result: RunResult, region: string, target: string): Promise<void> {
  const entries = result.services.flatMap((s) => s.divergences.map((d, i) => ({ s, d, i })));
  if (entries.length === 0) return;
  await mkdir(join(dir, 'witnesses'), { recursive: true });
  for (const { s, d, i } of entries) {
    const name = `${s.service}-${i + 1}-${d.rule.replace(/[^a-zA-Z0-9.-]/g, '_')}.json`;
    const file = join(dir, 'witnesses', name);
    await writeFile(file, `${JSON.stringify(witnessOf(result, s.service, d, region, target), null, 2)}\n`);
    d.witnessFile = join('witnesses', name);
    d.replay = `npx policy-conformance replay ${file}`;
  }
}

export async function loadWitness(file: string, services: readonly string[]): Promise<WitnessFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read witness file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let w: Partial<WitnessFile>;
  try {
    w = JSON.parse(text) as Partial<WitnessFile>;
  } catch (error) {
    throw new UsageError(`witness file ${file} is not JSON (${(error as Error).message})`);
  }
  if (w?.format !== WITNESS_FORMAT || w.version !== 1) throw new UsageError(`${file} is not a policy-conformance witness file (version 1)`);
  if (!w.service || !services.includes(w.service)) throw new UsageError(`witness file ${file}: unknown service "${String(w.service)}"`);
  if (!Array.isArray(w.commands) || w.commands.length === 0) throw new UsageError(`witness file ${file}: no commands`);
  if (w.consistency !== 'strict' && w.consistency !== 'eventual') throw new UsageError(`witness file ${file}: consistency must be strict or eventual`);
  if (w.windowMs !== undefined && !(Number.isSafeInteger(w.windowMs) && (w.windowMs as number) > 0)) throw new UsageError(`witness file ${file}: windowMs must be a positive number of milliseconds`);
  if (typeof w.target !== 'string' || typeof w.rule !== 'string') throw new UsageError(`witness file ${file}: target and rule are required`);
  return w as WitnessFile;
}
