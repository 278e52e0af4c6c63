/**
 * What the AWS-like simulator must know of one service, given by the service's own folder
 * (services/<service>/aws-like.ts, registered through its definition): which operations read and write which
 * policy slot, how a read of a slot is asked, how AWS refuses a request in that service's protocol, and (where the
 * evidence has it) the 15-second window, lifecycle timing and the resources the account holds before the suite
 * comes. The simulator's behaviours (harness/aws-like/*) are generic over it.
 */
import type { JsonObject, Request, ServiceName } from '../../models/types.js';
import type { ReferenceCodec } from '../reference/codec.js';
import type { HttpResponse, JsonProtocol } from '../reference/protocol.js';
import { errorResponse } from '../reference/protocol.js';
import type { Clock } from './clock.js';
import type { LagSetting } from './visibility.js';

/** Why a request was not authenticated (harness/aws-like/sigv4.ts). */
export type AuthFailure = 'missing' | 'unknown-key' | 'bad-signature' | 'expired';

/** A request the simulator sends to the reference engine on its own (a read of a slot, a deferred deletion). */
export interface InternalCall {
  operation: string;
  input: JsonObject;
}

/** How a write changed what a read of its slot shows (spec §7.1 gives each its own lag). */
export type ChangeKind = 'first-put' | 'replace' | 'delete';

/** A policy slot an operation touches: `key` names it within the region (an ARN, or the account's X-Ray policies). */
export interface SlotAccess {
  key: string;
  access: 'read' | 'write';
}

/** A resource with a lifecycle (table, stream, consumer): its kind and its id within the region (a name or an ARN). */
export interface LifecycleSubject {
  kind: string;
  id: string;
}

/** Where a resource is in its lifecycle; `hidden` is the first part of CREATING (spec §7 item 10). */
export type Phase = 'hidden' | 'creating' | 'active' | 'deleting';

/**
 * Lifecycle timing of one resource kind (spec §7 item 10 for DynamoDB tables; the others assumed, docs/aws-like.md).
 * All durations in simulated milliseconds, drawn uniformly from [min, max].
 */
export interface LifecycleKind {
  kind: string;
  creating: [number, number];
  deleting: [number, number];
  /** The first part of CREATING during which policy operations on it answer as if it did not exist. */
  hidden?: [number, number];
}

/** What a lifecycle hook may ask of the simulator while it decides. */
export interface LifecycleContext {
  region: string;
  account: string;
  /** A call to the engine, never lagging (the committed state). */
  call(call: InternalCall): HttpResponse;
  /** Whether a policy write on the slot `key` is in the ResourceInUse part of its window (spec §7 item 12). */
  pendingUpdate(key: string): boolean;
}

export interface LifecycleHooks {
  kinds: readonly LifecycleKind[];
  /** The resource `request` is about, when it is one with a lifecycle (a policy op on a table ARN, DescribeTable …). */
  subject(request: Request, ctx: LifecycleContext): LifecycleSubject | undefined;
  /** The resource a successful answer of the engine starts CREATING. */
  created(request: Request, answer: HttpResponse, ctx: LifecycleContext): LifecycleSubject | undefined;
  /**
   * A delete of a resource that exists and may be deleted now: the resource and the answer AWS gives at once (the
   * engine is told only when DELETING has run out, so it keeps answering for the resource meanwhile). Undefined:
   * the engine answers the request as usual (not found, refused …).
   */
  deleting(request: Request, ctx: LifecycleContext): { subject: LifecycleSubject; answer: HttpResponse } | undefined;
  /** The engine call that removes a resource whose DELETING has run out. */
  finishDelete(subject: LifecycleSubject, region: string, account: string): InternalCall;
  /** The policy slots that go with the resource (their lag and window end with it). */
  slotsOf(subject: LifecycleSubject, region: string, account: string): string[];
  /** How the service answers `request` about `subject` in `phase` (undefined: as usual), e.g. a policy change on a DELETING table → ResourceInUseException. */
  gate(request: Request, subject: LifecycleSubject, phase: Phase, ctx: LifecycleContext): HttpResponse | undefined;
  /** The engine's answer with the resources' phases shown (TableStatus CREATING, StreamStatus DELETING …). */
  show(request: Request, answer: HttpResponse, phaseOf: (subject: LifecycleSubject) => Phase, ctx: LifecycleContext): HttpResponse;
}

export interface WindowHooks {
  /** How long after a change another change is refused (spec §7.3: 15 000 ms). */
  windowMs: number;
  /** The first part of the window answered ResourceInUseException instead of ThrottlingException (spec §7.3). */
  inUseMs: [number, number];
  /** A write the window lets through whatever its timing, given the committed read before it (an equivalent re-Put). */
  passes(write: Request, before: HttpResponse): boolean;
  inUse(key: string): HttpResponse;
  throttled(key: string, retryAfterMs: number): HttpResponse;
  /** When a successful write's change happened, as its answer tells (DynamoDB: the RevisionId, epoch ms); undefined: when it was received. */
  changedAt?(write: Request, answer: HttpResponse): number | undefined;
}

export interface AwsLikeService {
  service: ServiceName;
  protocol: JsonProtocol;
  /** X-Amz-Target's prefix (JSON-RPC protocols); restJson1 routes by path. */
  targetPrefix?: string;
  /** AWS's answer to a request it did not authenticate, in this service's protocol. */
  authError(failure: AuthFailure, message: string): HttpResponse;
  /** AWS's answer to a request it throttled (not carried out). */
  throttled(): HttpResponse;
  /** The policy slot `request` reads or writes, if it is a policy operation. */
  slot(request: Request, region: string, account: string): SlotAccess | undefined;
  /** The read that shows a slot now (GetResourcePolicy of the ARN, the account's ListResourcePolicies …). */
  read(key: string): InternalCall;
  /** How `write` changed its slot, from reads before and after it (undefined: nothing changed). */
  change(write: Request, before: HttpResponse, after: HttpResponse): ChangeKind | undefined;
  /** Whether a Put writes a document equivalent to the one a read shows (spec §7.3: such a re-Put passes the window). */
  equivalentPut?(write: Request, current: HttpResponse): boolean;
  /** Conditional writes: the revision a write expects, the revision a read shows, and the refusal of a mismatch. */
  condition?: {
    expected(write: Request): string | undefined;
    shown(read: HttpResponse): string | undefined;
    mismatch(write: Request): HttpResponse;
  };
  /** Its reference codec as the simulator runs it (e.g. RevisionIds from the simulated clock). */
  codec?(base: ReferenceCodec, clock: Clock): ReferenceCodec;
  window?: WindowHooks;
  lifecycle?: LifecycleHooks;
  /** Lagging visibility when `--lag` does not say (spec §7.1: observed for DynamoDB only). */
  defaultLag: LagSetting;
  /** Its AWS-like seeded bugs (harness/aws-like/mutants.ts); `behaviour` names the simulator's fault each turns on. */
  mutants?: readonly Omit<AwsLikeMutant, 'service'>[];
  /** What the account holds before the suite comes (harness/aws-like/foreign.ts): the calls that make it, and what they make. */
  foreign?(region: string, account: string): { calls: InternalCall[]; resources: ForeignResource[] };
}

/** The simulator's faults a mutant can turn on (harness/aws-like/server.ts, visibility.ts, window.ts). */
export type AwsLikeFault = 'condition-on-visible' | 'read-flips-back' | 'no-window';

/** A seeded bug of the AWS-like simulator: a departure from §7 that a run against it must catch. */
export interface AwsLikeMutant {
  name: string;
  service: ServiceName;
  description: string;
  /** The rule whose check should catch it (services/<service>/rules.ts). */
  breaks: string;
  fault: AwsLikeFault;
}

/**
 * A resource the account held before the suite came, which the suite must leave as it is: names and Sids no
 * suite mark matches (harness/sweep.ts `marked`, `policyMarked`).
 */
export interface ForeignResource {
  service: ServiceName;
  kind: string;
  /** Its name or ARN, as the service lists it. */
  id: string;
  /** The policy it holds (the document as put), if any. */
  policy?: string;
}

/**
 * The answer of an awsJson service to a request AWS did not authenticate: the coral service error in `__type`, HTTP 400
 * (as DynamoDB, Kinesis and SSM answer them — the SDK names the error from `__type`, so a wrong status would not
 * change what a client sees but its retry decision; assumed, not verified on AWS).
 */
export function jsonAuthError(protocol: JsonProtocol, failure: AuthFailure, message: string, typePrefix = ''): HttpResponse {
  const code = AUTH_CODES[failure];
  if (protocol === 'restJson1') return errorResponse('restJson1', code, 403, message);
  return errorResponse(protocol, code, 400, message, typePrefix);
}

/** The code AWS's JSON services answer each failure with (STS has its own, harness/aws-like/sts-auth.ts). */
export const AUTH_CODES: Record<AuthFailure, string> = {
  missing: 'MissingAuthenticationTokenException',
  'unknown-key': 'UnrecognizedClientException',
  'bad-signature': 'InvalidSignatureException',
  expired: 'InvalidSignatureException',
};

/** A lag kind from reads before and after a write, given what shows a policy in a read (most services: HTTP 200). */
export function changeBetween(before: HttpResponse, after: HttpResponse, holds: (read: HttpResponse) => boolean): ChangeKind | undefined {
  if (before.status === after.status && before.body === after.body) return undefined;
  const had = holds(before);
  const has = holds(after);
  if (!has) return had ? 'delete' : undefined;
  return had ? 'replace' : 'first-put';
}
