import type fc from 'fast-check';
import type { Consistency, Observation, Request, ServiceModel, ServiceName } from '../models/types.js';
import type { Endpoint } from './sdk.js';

/** Where the suite found the target's account and region (ARNs are built from them). */
export interface TargetIdentity {
  account: string;
  region: string;
}

/** One generated sequence's view of the world: resource names, what the target returned so far. */
export interface Sequence<Cmd> {
  /** Fixture commands run (and checked) before the generated ones. */
  readonly setup: readonly Cmd[];
  /** The concrete request a command stands for, given what was observed so far. */
  request(command: Cmd): Request;
  /** One attempt, never throws: errors come back as observations. */
  send(request: Request): Promise<Observation>;
  /** Remember what the target returned (revision ids, ARNs) for later commands. */
  learn(request: Request, observation: Observation): void;
  /** Remove every resource this sequence may have created. */
  cleanup(): Promise<void>;
}

export interface Connection<Cmd> {
  /** Probe the target once per run; an infrastructure failure or an unsupported service comes back as such. */
  discover(runPrefix: string): Promise<{ identity: TargetIdentity; initialState?: unknown } | { failure: Observation }>;
  sequence(namePrefix: string, identity: TargetIdentity): Sequence<Cmd>;
  close(): void;
}

/** What AWS may need for a table, stream or consumer transition; emulators on this machine need far less. */
export const DEFAULT_WAIT_SECONDS = 300;

export interface ConnectOptions {
  /** Pause inserted by SETTLE steps (eventual consistency). */
  settleMs: number;
  /** Longest the adapter waits for a resource to finish a transition (CREATING → ACTIVE, DELETING → gone). */
  waitSeconds: number;
}

/** One command made one step plainer in one field, e.g. `{ change: 'target: stream → table', command }`. */
export interface Simplification<Cmd> {
  change: string;
  command: Cmd;
}

export interface ServiceAdapter<Cmd = unknown, S = unknown> {
  service: ServiceName;
  model: ServiceModel<S>;
  /** Operations that change nothing, so the harness may retry them after a fault. */
  readOperations: ReadonlySet<string>;
  commands(consistency: Consistency): fc.Arbitrary<Cmd[]>;
  connect(endpoint: Endpoint, options: ConnectOptions): Connection<Cmd>;
  /**
   * Pure: `command` made plainer in exactly one field each (toward the plainest valid value: a table instead of a
   * stream, a valid document instead of a malformed one, no ExpectedRevisionId …), in a fixed order; empty when it
   * is as plain as it gets. The runner uses it to find which of a failing step's conditions the target broke.
   */
  simplify?(command: Cmd): Simplification<Cmd>[];
}
