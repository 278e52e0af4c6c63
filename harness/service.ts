import type fc from 'fast-check';
import type { ReferenceCodec } from './reference/codec.js';
import type { Mutant } from './reference/engine.js';
import type { Calibration } from '../models/calibration.js';
import type { CliHint, ServiceCli } from '../models/cli-hints.js';
import type { SafetyProfile, UnreachableRule } from '../generators/safety.js';
import type { AwsPrice } from '../models/aws-prices.js';
import type { Consistency, Observation, Request, ServiceModel, ServiceName, Simplification } from '../models/types.js';
import type { Endpoint } from './sdk.js';
import type { Sweeper } from './sweep.js';
import type { AwsLikeService } from './aws-like/service.js';

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
  /**
   * Remove every resource this sequence may have created. Resolves `false` when it could not confirm that the
   * account-wide state (X-Ray policies, the OpsItemGroup) is as the sequence found it: the next sequence then
   * starts from a fresh reading of it (`Connection.resync`).
   */
  cleanup(keepFixture?: boolean): Promise<boolean | void>;
  /**
   * Remove every policy this sequence's resources may hold now and confirm it with a read, so the resources are as
   * right after their creation (the fixture pool lends them to the next sequence). False: not confirmed.
   */
  reset?: () => Promise<boolean>;
  /** A read whose answer is not judged (e.g. Get on a name nothing uses): shifts call alignment when a crash is re-checked. */
  idle?(): Request;
}

export interface Connection<Cmd> {
  /** Probe the target once per run; an infrastructure failure or an unsupported service comes back as such. */
  discover(runPrefix: string): Promise<{ identity: TargetIdentity; initialState?: unknown; answered?: string[] } | { failure: Observation }>;
  /**
   * A sequence's view of the target. `fixturePrefix`: the name prefix of the pooled fixture it runs on (its
   * fixture's slots are named with it, the others with `namePrefix`); absent: its own fixture, named `namePrefix`.
   */
  sequence(namePrefix: string, identity: TargetIdentity, fixturePrefix?: string): Sequence<Cmd>;
  /** Read the account-wide state again (after a cleanup that could not be confirmed): the model's new initial state. */
  resync?(): Promise<{ initialState?: unknown } | { failure: Observation }>;
  close(): void;
}

/** What AWS may need for a table, stream or consumer transition; emulators on this machine need far less. */
export const DEFAULT_WAIT_SECONDS = 300;

/**
 * How long after a write a read may still lag, by default (eventual mode): spec §7.1's observed DynamoDB lag is at
 * most 2.73 s, and about 3 s covers every sample. A service may set its own (ServiceAdapter.lagBoundMs); --settle-ms
 * overrides both.
 */
export const DEFAULT_LAG_BOUND_MS = 3000;

/**
 * The lag bound a run uses for a service: --settle-ms when given, else in eventual mode the service's own bound
 * (or the default); 0 in strict mode (nothing is polled, a Settle step does not pause).
 */
export function lagBoundFor(adapter: Pick<ServiceAdapter, 'lagBoundMs'>, consistency: Consistency, settleMs: number | undefined): number {
  if (settleMs !== undefined) return settleMs;
  return consistency === 'eventual' ? (adapter.lagBoundMs ?? DEFAULT_LAG_BOUND_MS) : 0;
}

export interface ConnectOptions {
  /** Pause inserted by SETTLE steps (eventual consistency): the lag bound (lagBoundFor). */
  settleMs: number;
  /** Longest the adapter waits for a resource to finish a transition (CREATING → ACTIVE, DELETING → gone). */
  waitSeconds: number;
  /** The generation profile (generators/safety.ts): which principals documents name. Absent: `full`. */
  safety?: SafetyProfile;
}

export type { Simplification };

export interface ServiceAdapter<Cmd = unknown, S = unknown> {
  service: ServiceName;
  model: ServiceModel<S>;
  /** Operations that change nothing, so the harness may retry them after a fault. */
  readOperations: ReadonlySet<string>;
  /** Operation → the kind of resource a success creates (see harness/operations.ts `createdKinds`). */
  createdKinds?: Readonly<Record<string, string>>;
  /** Operations that create or delete the fixture's resources (see harness/operations.ts `lifecycleOperations`). */
  lifecycleOperations?: ReadonlySet<string>;
  /**
   * Pure: whether `command` changes the fixture itself, so the pool cannot lend it again (absent: it creates or
   * deletes a resource — a lifecycle operation — in one of the fixture's slots, or one without a slot). For a
   * service whose fixture is made of policies (X-Ray's fill policies), a write to one of them.
   */
  touchesFixture?(command: Cmd): boolean;
  /**
   * Its sequences change state the whole account shares (X-Ray's policies, SSM's OpsItemGroup): they run one at a
   * time whatever --concurrency says (but see touchesAccountWide), and runs against one target take turns (leases).
   */
  accountWide?: true;
  /**
   * Pure, only with accountWide: whether `command` reads or writes the account-wide state (SSM: a request on the
   * OpsItemGroup, a race's included). With it, --concurrency applies: a sequence with no such command runs beside
   * the others on resources of its own, and those with one take turns, first come first served. Absent: every
   * sequence is taken to touch it (X-Ray, where every policy counts toward the account's limit of five).
   */
  touchesAccountWide?(command: Cmd): boolean;
  /**
   * The sequences to draw. `safety`: the generation profile (absent: `full`, the same sequences a seed always gave);
   * `initialState`: what discovery found (account-wide state the profile must keep clear of, e.g. an OpsItemGroup
   * policy someone else put).
   */
  commands(consistency: Consistency, safety?: SafetyProfile, initialState?: unknown): fc.Arbitrary<Cmd[]>;
  /**
   * Rules the profile cannot reach, and why (e.g. a self-lockout rule under real-account); `initialState`: what
   * discovery found (absent for `run --plan`, which sends nothing). Empty or absent: none.
   */
  unreachableUnder?(safety: SafetyProfile, initialState?: unknown): UnreachableRule[];
  /**
   * Pure: `command` as the profile lets it be sent (the mapping `commands` applies to what it draws under that
   * profile; `initialState` as for `commands`). `replay` uses it to refuse a witness drawn under another profile
   * whose documents this one never sends. Absent: every command is sent as it is.
   */
  safeCommand?(safety: SafetyProfile, command: Cmd, initialState?: unknown): Cmd;
  /** `run --plan`: the AWS price a command's resource is billed at while it exists, if it succeeds (absent: free). */
  billedAs?(command: Cmd): AwsPrice | undefined;
  connect(endpoint: Endpoint, options: ConnectOptions): Connection<Cmd>;
  /**
   * Pure: `command` made plainer in exactly one field each (toward the plainest valid value: a table instead of a
   * stream, a valid document instead of a malformed one, no ExpectedRevisionId …), in a fixed order; empty when it
   * is as plain as it gets. The runner uses it to find which of a failing step's conditions the target broke.
   */
  simplify?(command: Cmd): Simplification<Cmd>[];
  /**
   * Pure: a short sequence aimed at one open question, whose last answer is decided by `switchName`: under the
   * switch's default the model expects one answer there, under `value` another (e.g. for `xray.deleteMissing`,
   * a Delete of a name that was never put). A switch value is adopted for a target only when this sequence departs
   * under the default and passes under the value — a witness that merely passes under some value proves nothing.
   * Undefined when the service has no such sequence for that switch (then the switch is never adopted).
   */
  targeted?(switchName: string, value: string): Cmd[] | undefined;
  /**
   * Pure: calls that show the state of what `command` acts on, each meaningful on its own right after it: `reads`
   * (its policy, whether its resource exists), then `writes` whose answer depends on that state too (a Put with
   * NO_POLICY, a Delete that needs the policy to be there) — a read alone cannot tell a write that had no effect
   * from a read that lags. Used to corroborate a conjectured hidden event, and (reads only) to check what the model
   * believed just before a failing write.
   */
  observers?(command: Cmd): { reads: Cmd[]; writes: Cmd[] };
  /** Eventual mode: how long after a write its reads may lag (default DEFAULT_LAG_BOUND_MS). */
  lagBoundMs?: number;
  /**
   * Pure: the resource a request reads or writes (`key`, the same for every request about it) and its kind for
   * the staleness figures (`table`, `stream` …). Absent, or undefined for a request: every write is taken to be about
   * what every read reads (polling then waits on the last write of the sequence).
   */
  resourceOf?(request: Request): { key: string; kind: string } | undefined;
  /**
   * Pure: whether this judged answer of a write is a refusal of its change window (spec §7.3), to be sent again
   * after waiting — until `retryAt` (epoch ms) when the refusal says, else a bounded backoff.
   */
  windowRefusal?(request: Request, outcome: Observation): { retryAt?: number } | undefined;
  /**
   * Operations whose success answer already includes a read that shows their effect (the adapter waits for the
   * table or stream to exist, or to be gone): such a success cannot have been without effect.
   */
  confirmedWrites?: ReadonlySet<string>;
}

/**
 * Everything the suite knows about one service, from its own folder (services/<name>/index.ts): the model and its
 * rules, the commands and how they are sent, the reference server's codec, its seeded bugs, which emulators claim
 * to serve it, and what the AWS CLI needs to reproduce its calls. services/index.ts lists them; nothing else names
 * a service.
 */
export interface ServiceDefinition<Cmd = any, S = any> {
  name: string;
  adapter: ServiceAdapter<Cmd, S>;
  codec: ReferenceCodec<S>;
  mutants: readonly Mutant<S>[];
  /** Managed or container emulators that say they serve it (`moto`, `ministack`, `kinesis-local`, `localstack`, `localstack-pro`). */
  claimedBy: readonly string[];
  /** The AWS CLI's name for it, and per operation what a reproducer needs. */
  cli: ServiceCli;
  /** Finds and deletes what runs left (`sweep`, journals, leftover checks); absent: the service creates nothing to sweep. */
  sweeper?: Sweeper;
  /** It changes account-wide state (X-Ray's policies, SSM's OpsItemGroup): runs on one target take turns. */
  accountWide?: true;
  /** The probes `calibrate` runs for its UNVERIFIED switches (services/<service>/calibration.ts). */
  calibration?: Calibration<Cmd>;
  /** How the AWS-like simulator (`serve --aws-like`, harness/aws-like/) plays it; absent: the simulator does not serve it. */
  awsLike?: AwsLikeService;
}

/**
 * A service's definition from the parts only it has: its name is its adapter's (and the AWS CLI's name for it),
 * its seeded bugs are its codec's, and `cliHints` says per operation what a reproducer needs (absent: nothing more).
 */
export function defineService(parts: {
  adapter: ServiceDefinition['adapter'];
  codec: ServiceDefinition['codec'];
  claimedBy: readonly string[];
  cliHints?: Readonly<Record<string, CliHint>>;
  sweeper?: Sweeper;
  calibration?: Calibration<any>;
  awsLike?: AwsLikeService;
}): ServiceDefinition {
  const { adapter, codec, claimedBy } = parts;
  return {
    name: adapter.service,
    adapter,
    codec,
    mutants: codec.mutants,
    claimedBy,
    cli: { service: adapter.service, operations: parts.cliHints ?? {} },
    ...(parts.sweeper ? { sweeper: parts.sweeper } : {}),
    ...(parts.calibration ? { calibration: parts.calibration } : {}),
    ...(adapter.accountWide ? { accountWide: true as const } : {}),
    ...(parts.awsLike ? { awsLike: parts.awsLike } : {}),
  };
}
