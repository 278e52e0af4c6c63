/**
 * `--record DIR`: the history of one service's run (models/history.ts), kept as it happens and written as one JSON
 * file per service. Two feeds: the SDK's HTTP handler tells of every exchange (harness/sdk.ts `Endpoint.onExchange`),
 * filed under the phase and sequence the request tally holds in the sender's async context — so sequences run side
 * by side (--concurrency) keep their own requests — and the executor tells of every sequence once it ended
 * (harness/execution.ts `ExecutorOptions.onExecution`), with the steps exactly as the checker judged them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { HISTORY_FORMAT, HISTORY_VERSION, type HistoryFile, type HistoryRequest, type HistorySequence } from '../models/history.js';
import { asJson } from '../models/results.js';
import type { Json, ServiceName } from '../models/types.js';
import type { ExecutionRecord } from './execution.js';
import type { RequestTally } from './requests.js';
import type { Exchange } from './sdk.js';
import type { TargetIdentity } from './service.js';

/** The SDK client package of each service (its version goes into the history). */
const SDK_CLIENT: Record<string, string> = { dynamodb: 'client-dynamodb', kinesis: 'client-kinesis', ssm: 'client-ssm', xray: 'client-xray' };

/** The suite's, Node's and the service's SDK client's versions. */
export function versions(service: ServiceName): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = { node: process.version };
  try {
    out.suite = (require('../package.json') as { version: string }).version;
  } catch {
    // Run from somewhere without the package file: the other versions still say enough.
  }
  const client = SDK_CLIENT[service];
  try {
    if (client) out[`@aws-sdk/${client}`] = (require(`@aws-sdk/${client}/package.json`) as { version: string }).version;
  } catch {
    // A client whose package file is not exported: left out.
  }
  return out;
}

/** The operation an exchange was for: the JSON protocols' X-Amz-Target, or the query protocol's Action. */
function operationOf(e: Exchange): string | undefined {
  const target = Object.entries(e.headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
  if (target) return target;
  const action = e.body ? /(?:^|&)Action=([^&]+)/.exec(e.body)?.[1] : undefined;
  return action ? decodeURIComponent(action) : undefined;
}

export interface RecordedRun {
  target: string;
  targetVersion?: string;
  mutant?: string;
  service: ServiceName;
  seed?: number;
  /** What the history is, in words (default: the run's target and service). */
  about?: string;
}

export class HistoryRecorder {
  private readonly requests: HistoryRequest[] = [];
  private readonly sequences: HistorySequence[] = [];
  private identity: TargetIdentity | undefined;
  private initialState: Json | undefined;
  private readonly recordedAt = new Date().toISOString();

  constructor(private readonly run: RecordedRun) {}

  /** The endpoint's `onExchange`: each exchange filed under the tally's phase and sequence at the time it was sent. */
  exchanges(tally: RequestTally): (e: Exchange) => void {
    return (e) => {
      const sequence = tally.sequence;
      const operation = operationOf(e);
      this.requests.push({
        n: this.requests.length,
        phase: tally.phase,
        ...(sequence ? { sequence } : {}),
        startedAt: new Date(e.startedAt).toISOString(),
        durationMs: e.durationMs,
        method: e.method,
        url: e.url,
        ...(operation ? { operation } : {}),
        ...(e.body !== undefined ? { body: e.body } : {}),
        ...(e.status !== undefined ? { status: e.status } : {}),
        ...(e.response !== undefined ? { response: e.response } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
      });
    };
  }

  /** What discovery found: the account and region ARNs are built from, and the account-wide state at the start. */
  discovered(identity: TargetIdentity, initialState: unknown): void {
    this.identity = identity;
    if (initialState !== undefined) this.initialState = asJson(initialState);
  }

  /** The executor's `onExecution`: one sequence, with the settings it was judged under. */
  execution(ran: ExecutionRecord): void {
    const end = ran.end;
    this.sequences.push({
      id: ran.id,
      switches: { ...ran.settings.switches },
      consistency: ran.settings.consistency,
      ...(ran.settings.setAside?.size ? { setAside: [...ran.settings.setAside] } : {}),
      commands: asJson(ran.commands) as Json[],
      judged: end.status === 'departed' ? { status: end.status, at: end.at, rule: end.verdict.rule } : end.status === 'pass' ? { status: 'pass' } : { status: end.status, at: end.at },
      startedAt: ran.startedAt,
      steps: asJson(ran.steps) as unknown as HistorySequence['steps'],
    });
  }

  /** The id of the sequence recorded last. */
  get lastSequence(): string | undefined {
    return this.sequences.at(-1)?.id;
  }

  history(): HistoryFile {
    const { target, targetVersion, mutant, service, seed } = this.run;
    return {
      format: HISTORY_FORMAT,
      version: HISTORY_VERSION,
      origin: 'recorded',
      about: this.run.about ?? `${service} against ${target}${mutant ? ` (mutant ${mutant})` : ''}, recorded by policy-conformance`,
      target,
      ...(targetVersion ? { targetVersion } : {}),
      ...(mutant ? { mutant } : {}),
      service,
      // Discovery failed: no account was learnt, and no sequence ran (the requests say what happened).
      account: this.identity?.account ?? '000000000000',
      region: this.identity?.region ?? 'us-east-1',
      versions: versions(service),
      recordedAt: this.recordedAt,
      ...(seed !== undefined ? { seed } : {}),
      ...(this.initialState !== undefined ? { initialState: this.initialState } : {}),
      sequences: this.sequences,
      requests: this.requests,
    };
  }

  /** Write `dir/<service>.json` (the folder made if need be); the file's path. */
  async write(dir: string, name = `${this.run.service}.json`): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, name);
    await writeFile(file, `${JSON.stringify(this.history(), null, 1)}\n`);
    return file;
  }
}
