/**
 * `calibrate` for one service: its probes (services/<service>/calibration.ts) run once each against the target,
 * recorded as a history (harness/record.ts), and each UNVERIFIED switch decided offline from that history
 * (models/calibration.ts decideSwitch) — so the profile can be re-derived later from the file alone.
 */
import { decideSwitch, type SwitchFinding } from '../models/calibration.js';
import type { HistoryFile } from '../models/history.js';
import { type Consistency, defaultSwitches, isSettled, type ServiceModel } from '../models/types.js';
import { Executor } from './execution.js';
import { HistoryRecorder } from './record.js';
import { RequestTally } from './requests.js';
import { discoverWithRetries, executorOptions, runPrefix } from './runner.js';
import type { Endpoint } from './sdk.js';
import { DEFAULT_WAIT_SECONDS, type ServiceDefinition } from './service.js';

export interface CalibrateOptions {
  target: string;
  targetVersion?: string;
  mutant?: string;
  consistency: Consistency;
  settleMs: number;
  waitSeconds?: number;
}

export type ServiceCalibration =
  | { service: string; history: HistoryFile; findings: Array<Omit<SwitchFinding, 'history'>> }
  /** Discovery failed: the service is not served (`unsupported`) or the target broke down (`infra`). */
  | { service: string; failure: 'unsupported' | 'infra'; reason: string; history?: HistoryFile };

/** The switches `calibrate` decides for a service: its UNVERIFIED ones that have probes. */
export function calibratedSwitches(definition: ServiceDefinition): string[] {
  const probes = new Set((definition.calibration ?? []).map((p) => p.switch));
  return definition.adapter.model.switches.filter((s) => !isSettled(s) && probes.has(s.name)).map((s) => s.name);
}

export async function calibrateService(definition: ServiceDefinition, endpoint: Endpoint, o: CalibrateOptions): Promise<ServiceCalibration> {
  const { adapter } = definition;
  const model = adapter.model as ServiceModel<unknown>;
  const service = adapter.service;
  const tally = new RequestTally();
  const recorder = new HistoryRecorder({ target: o.target, ...(o.targetVersion ? { targetVersion: o.targetVersion } : {}), ...(o.mutant ? { mutant: o.mutant } : {}), service, about: `calibration probes of ${service}'s UNVERIFIED switches against ${o.target}` });
  const recorded: Endpoint = { ...endpoint, onRequest: tally.count, onExchange: recorder.exchanges(tally) };
  const connection = adapter.connect(recorded, { settleMs: o.settleMs, waitSeconds: o.waitSeconds ?? DEFAULT_WAIT_SECONDS });
  const prefix = runPrefix();
  try {
    const discovered = await discoverWithRetries(connection, prefix);
    if ('failure' in discovered) {
      const f = discovered.failure;
      const reason = f.kind === 'fault' || f.kind === 'unsupported' ? f.reason : f.kind === 'error' ? `${f.code} (HTTP ${f.status})` : 'unexpected success';
      return { service, failure: f.kind === 'unsupported' ? 'unsupported' : 'infra', reason, history: recorder.history() };
    }
    recorder.discovered(discovered.identity, discovered.initialState);
    const executor = new Executor(model, connection, discovered.identity, discovered.initialState, prefix, { ...executorOptions(adapter, recorded, { consistency: o.consistency }), tally, onExecution: recorder.execution.bind(recorder) }, discovered.answered);
    const settings = { switches: defaultSwitches(model.switches), consistency: o.consistency, ...discovered.identity };
    const wanted = new Set(calibratedSwitches(definition));
    const probes = (definition.calibration ?? []).filter((p) => wanted.has(p.switch));
    const ran = new Map<string, string[]>();
    try {
      for (const p of probes) {
        const ids: string[] = [];
        for (const commands of p.probes) {
          if (executor.infra) break;
          // Every command sent (`toTheEnd`): the answers are judged offline afterwards, under each value.
          await executor.run(commands, settings, 0, true);
          ids.push(recorder.lastSequence!);
        }
        ran.set(p.switch, ids);
      }
    } finally {
      await executor.drainPool();
    }
    const history = recorder.history();
    if (executor.infra) return { service, failure: 'infra', reason: executor.infra, history };
    const findings = probes.map((p) => ({ service, ...decideSwitch(model, history, model.switches.find((s) => s.name === p.switch)!, ran.get(p.switch) ?? [], p.lenient) }));
    return { service, history, findings };
  } finally {
    connection.close();
  }
}
