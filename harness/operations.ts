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
import { tryCall } from './adapter-kit.js';
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
  /** The kind of resource a success creates (counted in results.json, bounded by --max-resources). */
  creates?: string;
  cli?: CliHint;
}

/** A service's operation table, keyed by operation name (the `op` of its commands). */
export type OperationTable<Cmd extends { op: string }, Ctx> = { [Op in Cmd['op']]: OperationEntry<Extract<Cmd, { op: Op }>, Ctx> };

/** The read operations of a table (what the harness may retry). */
export function readOperations(table: Record<string, OperationEntry<never, never>>): ReadonlySet<string> {
  return new Set(Object.entries(table).flatMap(([op, e]) => (e.read ? [op] : [])));
}

/** Operation → the kind of resource a success creates. */
export function createdKinds(table: Record<string, OperationEntry<never, never>>): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(table).flatMap(([op, e]) => (e.creates ? [[op, e.creates]] : [])));
}

/** The CLI hints of a table, for reports. */
export function cliHints(table: Record<string, OperationEntry<never, never>>): Record<string, CliHint> {
  return Object.fromEntries(Object.entries(table).flatMap(([op, e]) => (e.cli ? [[op, e.cli]] : [])));
}

export interface SequenceHooks<Cmd, Ctx> {
  setup: readonly Cmd[];
  /** Remove what the sequence created; false when account-wide state could not be confirmed as found. */
  cleanup(ctx: Ctx): Promise<boolean | void>;
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
    const how = this.entry(request.operation).send;
    return tryCall(async () => {
      if (typeof how === 'function') return how(request.input, this.ctx);
      const Command = how.command as unknown as new (input: JsonObject) => unknown;
      return how.output((await this.client.send(new Command(request.input))) as Record<string, unknown>);
    }, this.knownCodes);
  }

  learn(request: Request, observation: Observation): void {
    this.entry(request.operation).learn?.(request.input, observation, this.ctx);
  }

  cleanup(): Promise<boolean | void> {
    return this.hooks.cleanup(this.ctx);
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
