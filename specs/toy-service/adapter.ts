/**
 * The toy service's side of the harness: a tiny HTTP client standing in for an AWS SDK client (awsJson-like: POST,
 * X-Amz-Target `Toy_1.<Operation>`, JSON body; errors as `{"__type": code}` with the SDK's error shape), and the
 * operation table that the harness's one TableSequence runs.
 */
import type { Connection, ServiceAdapter } from '../../harness/service.js';
import { keep, type OperationTable, readOperations, TableSequence } from '../../harness/operations.js';
import type { Endpoint } from '../../harness/sdk.js';
import type { JsonObject } from '../../models/types.js';
import { type ToyCommand, toyCommands } from './commands.js';
import { toyModel } from './model.js';

/** A call of the toy API: what an SDK command class is for a real service. */
function call(operation: string) {
  return class {
    static readonly operation = operation;
    constructor(readonly input: JsonObject) {}
  };
}

class ToyClient {
  constructor(private readonly url: string) {}

  async send(command: { input: JsonObject; constructor: unknown }): Promise<JsonObject> {
    const operation = (command.constructor as { operation: string }).operation;
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `Toy_1.${operation}` }, body: JSON.stringify(command.input) });
    const body = (await res.json()) as JsonObject;
    if (res.ok) return body;
    // Shaped as the SDK shapes a service error, so the harness classifies it the same way.
    throw Object.assign(new Error(String(body.message ?? '')), { name: String(body.__type ?? 'Error'), $metadata: { httpStatusCode: res.status } });
  }
}

/** What one sequence knows: its name prefix and the revisions the service returned. */
interface ToyContext {
  prefix: string;
  revisions: Record<string, string[]>;
}

const name = (ctx: ToyContext, slot: string) => `${ctx.prefix}-${slot}`;

export const toyOperations: OperationTable<ToyCommand, ToyContext> = {
  PutNote: {
    bind: (c, ctx) => {
      const seen = ctx.revisions[name(ctx, c.slot)] ?? [];
      const expected = c.expected === 'current' ? seen.at(-1) ?? 'never-issued' : c.expected === 'stale' ? seen.at(-2) ?? '0' : undefined;
      return { Name: name(ctx, c.slot), Text: c.text, ...(expected !== undefined ? { ExpectedRevision: expected } : {}) };
    },
    send: { command: call('PutNote'), output: keep('Revision') },
    learn: (input, o, ctx) => {
      if (o.kind === 'ok' && typeof o.output.Revision === 'string') (ctx.revisions[String(input.Name)] ??= []).push(o.output.Revision);
    },
  },
  GetNote: { bind: (c, ctx) => ({ Name: name(ctx, c.slot) }), send: { command: call('GetNote'), output: keep('Text', 'Revision') }, read: true },
  DeleteNote: { bind: (c, ctx) => ({ Name: name(ctx, c.slot) }), send: { command: call('DeleteNote'), output: keep() } },
};

const CODES = new Set(['NotFound', 'RevisionMismatch']);

class ToyConnection implements Connection<ToyCommand> {
  private readonly client: ToyClient;

  constructor(endpoint: Endpoint) {
    this.client = new ToyClient(endpoint.url!); // the toy service runs only on its own local server
  }

  async discover() {
    return { identity: { account: '000000000000', region: 'us-east-1' } };
  }

  sequence(prefix: string) {
    const ctx: ToyContext = { prefix, revisions: {} };
    return new TableSequence(toyOperations, this.client, CODES, ctx, {
      setup: [],
      // Notes are the sequence's own (its prefix): delete whatever it may have written.
      cleanup: async () => {
        for (const slot of ['n0', 'n1']) await this.client.send(new (call('DeleteNote'))({ Name: name(ctx, slot) })).catch(() => undefined);
      },
      idle: () => ({ operation: 'GetNote', input: { Name: `${prefix}-idle` } }),
    });
  }

  close(): void {}
}

export const toyAdapter: ServiceAdapter<ToyCommand> = {
  service: 'toy',
  model: toyModel as ServiceAdapter['model'],
  readOperations: readOperations(toyOperations as never),
  commands: () => toyCommands(),
  connect: (endpoint) => new ToyConnection(endpoint),
};
