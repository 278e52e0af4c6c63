/**
 * A service's operations as one table: for each operation, how a generated command becomes a request (pure), how
 * the SDK sends it (a command class and the output kept, or a compound call such as a write and the waiter that
 * shows its effect), what its answer teaches later commands, whether it may be retried, and what the AWS CLI
 * needs to reproduce it. One generic sequence (TableSequence) runs any table, so an operation is one entry, not an
 * arm in several parallel switch statements — the shape of the SDK's own command files (an operation as a value,
 * one pipeline to send it).
 */
import type { CliHint } from '../models/cli-hints.js';
import type { Json, JsonObject, Observation, Request } from '../models/types.js';
import { type ContractRefusal, tryCall } from './adapter-kit.js';
import type { Sequence } from './service.js';

/** Anything with the SDK clients' `send`. */
export interface SdkClient {
  send(command: unknown, options?: unknown): Promise<unknown>;
}

/** How one operation is sent: an SDK command class and the output members kept, or a whole compound call. */
export type Send<Ctx> =
  | { command: new (input: never) => unknown; output: (out: Record<string, unknown>) => JsonObject }
  | ((input: JsonObject, ctx: Ctx) => Promise<JsonObject>);

export interface OperationEntry<Cmd, Ctx> {
  /** Pure: the request input `command` stands for, given what the sequence knows. Reads `ctx`, never writes it. */
  bind(command: Cmd, ctx: Ctx): JsonObject;
  send: Send<Ctx>;
  /** What the answer teaches later commands (revision ids, ARNs, the document last sent), written into `ctx`. */
  learn?(input: JsonObject, observation: Observation, ctx: Ctx): void;
  /** Changes nothing: the harness may retry it after a fault. */
  read?: true;
  /** Throttle-like errors this operation answers as part of its contract (judged, not infrastructure). */
  refusals?: readonly ContractRefusal[];
  /** The kind of resource a success creates (counted in results.json, bounded by --max-resources). */
  creates?: string;
  /**
   * Creates or deletes a resource the fixture makes (a table, a stream, a consumer, a parameter — not a policy): a
   * sequence with such a command gets fresh resources, the others may reuse a pooled fixture (execution.ts).
   */
  lifecycle?: true;
  cli?: CliHint;
}

/** A service's operation table, keyed by operation name (the `op` of its commands). */
/** A race (generators/race.ts) is not an operation: the executor sends its writes, each through its own entry. */
export type OperationTable<Cmd extends { op: string }, Ctx> = { [Op in Exclude<Cmd['op'], 'Race'>]: OperationEntry<Extract<Cmd, { op: Op }>, Ctx> };

/** The read operations of a table (what the harness may retry). */
export function readOperations(table: Record<string, OperationEntry<never, never>>): ReadonlySet<string> {
  return new Set(Object.entries(table).flatMap(([op, e]) => (e.read ? [op] : [])));
}

/** Operation → the kind of resource a success creates. */
export function createdKinds(table: Record<string, OperationEntry<never, never>>): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(table).flatMap(([op, e]) => (e.creates ? [[op, e.creates]] : [])));
}

/** The operations that create or delete the fixture's resources (see OperationEntry.lifecycle). */
export function lifecycleOperations(table: Record<string, OperationEntry<never, never>>): ReadonlySet<string> {
  return new Set(Object.entries(table).flatMap(([op, e]) => (e.lifecycle ? [op] : [])));
}

/**
 * The slots the fixture's resources fill: the `slot` of each setup command that creates a resource. A lifecycle
 * command names its resource by `slot`; one on a fixture slot (or without one) changes the fixture itself.
 */
export function fixtureSlots(setup: readonly { op: string; slot?: string }[], lifecycle: ReadonlySet<string>): ReadonlySet<string> {
  return new Set(setup.flatMap((c) => (lifecycle.has(c.op) && c.slot !== undefined ? [c.slot] : [])));
}

/**
 * How a sequence names its resources: the fixture's slots under the fixture's prefix (a pooled fixture's, lent by
 * the executor, or the sequence's own), every other slot under the sequence's own — so a resource a sequence makes
 * beyond the fixture never has a name an earlier sequence used.
 */
export interface SlotNaming {
  readonly prefix: string;
  readonly fixturePrefix: string;
}

export function slotPrefix(naming: SlotNaming, slot: string, fixture: ReadonlySet<string>): string {
  return fixture.has(slot) ? naming.fixturePrefix : naming.prefix;
}

/** The slot a name `<lead><prefix><sep><slot>` of this sequence stands for (fixture prefix first), or undefined. */
export function slotOfName(naming: SlotNaming, name: string, lead: string, sep: string): string | undefined {
  for (const prefix of [naming.fixturePrefix, naming.prefix]) {
    const head = `${lead}${prefix}${sep}`;
    if (name.startsWith(head)) return name.slice(head.length);
  }
  return undefined;
}

/** The CLI hints of a table, for reports. */
export function cliHints(table: Record<string, OperationEntry<never, never>>): Record<string, CliHint> {
  return Object.fromEntries(Object.entries(table).flatMap(([op, e]) => (e.cli ? [[op, e.cli]] : [])));
}

export interface SequenceHooks<Cmd, Ctx> {
  setup: readonly Cmd[];
  /**
   * Remove what the sequence created; false when account-wide state could not be confirmed as found. With
   * `keepFixture`, the fixture's resources stay (the fixture pool keeps them); the rest goes, and account-wide state
   * is still restored.
   */
  cleanup(ctx: Ctx, keepFixture: boolean): Promise<boolean | void>;
  /**
   * Bring the fixture's resources back to how they were right after they were created — every policy the sequence
   * (its fixture steps included) may have put on them removed, and the removal confirmed with a read — so another
   * sequence can use them as its fixture. False when that could not be confirmed.
   */
  reset?(ctx: Ctx): Promise<boolean>;
  /** A read whose answer is not judged, for shifting call alignment. */
  idle?(ctx: Ctx): Request;
}

/**
 * The one sequence every service uses: binds commands through its table, sends them through the SDK (or the
 * entry's compound call) and turns whatever happens into an observation, and lets each entry learn from the answer.
 */
export class TableSequence<Cmd extends { op: string }, Ctx> implements Sequence<Cmd> {
  readonly setup: readonly Cmd[];

  constructor(
    private readonly table: OperationTable<Cmd, Ctx>,
    private readonly client: SdkClient,
    private readonly knownCodes: ReadonlySet<string>,
    readonly ctx: Ctx,
    private readonly hooks: SequenceHooks<Cmd, Ctx>,
  ) {
    this.setup = hooks.setup;
  }

  private entry(op: string): OperationEntry<Cmd, Ctx> {
    const e = (this.table as Record<string, OperationEntry<Cmd, Ctx>>)[op];
    if (!e) throw new Error(`no operation ${op} in this service's table`);
    return e;
  }

  request(command: Cmd): Request {
    return { operation: command.op, input: this.entry(command.op).bind(command, this.ctx) };
  }

  send(request: Request): Promise<Observation> {
    const entry = this.entry(request.operation);
    const how = entry.send;
    return tryCall(async () => {
      if (typeof how === 'function') return how(request.input, this.ctx);
      const Command = how.command as unknown as new (input: JsonObject) => unknown;
      return how.output((await this.client.send(new Command(request.input))) as Record<string, unknown>);
    }, this.knownCodes, entry.refusals);
  }

  learn(request: Request, observation: Observation): void {
    this.entry(request.operation).learn?.(request.input, observation, this.ctx);
  }

  cleanup(keepFixture = false): Promise<boolean | void> {
    return this.hooks.cleanup(this.ctx, keepFixture);
  }

  get reset(): (() => Promise<boolean>) | undefined {
    const reset = this.hooks.reset;
    return reset && (() => reset(this.ctx));
  }

  idle(): Request {
    if (!this.hooks.idle) throw new Error('this service has no idle read');
    return this.hooks.idle(this.ctx);
  }
}

/** Output members kept as they are (undefined ones dropped). */
export function keep(...members: string[]): (out: Record<string, unknown>) => JsonObject {
  return (out) => Object.fromEntries(members.flatMap((m) => (out[m] === undefined ? [] : [[m, out[m] as Json]])));
}
