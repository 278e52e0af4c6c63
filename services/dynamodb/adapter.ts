import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteResourcePolicyCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DynamoDBClient,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  type TableDescription,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import {
  type DdbCommand,
  type DdbSlot,
  type DdbTarget,
  type ForeignPart,
  DDB_SETUP,
  DDB_STREAM_VOCABULARY,
  DDB_VOCABULARY,
  dynamodbCommands,
  simplifyDynamodbCommand,
  dynamodbObservers,
  dynamodbTargeted,
  safeDynamodbCommand,
} from './commands.js';
import { renderPolicy } from '../../generators/policy.js';
import { DENY_OF_CALLER_REASON, isRealAccount, principalsFor, type SafetyProfile } from '../../generators/safety.js';
import { AWS_PRICES } from '../../models/aws-prices.js';
import { type RevisionMemory, rememberRevision, resolveRevision } from '../../generators/revision.js';
import { dynamodbModel, INDEX_NAME, SETTLE, tableArn } from './model.js';
import type { JsonObject, Request } from '../../models/types.js';
import { observeError, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, removeConfirmed, retryAfter, waitOrTimeout, waiterBudget, type WaitBudget, withReadRetries } from '../../harness/adapter-kit.js';
import { isCode, RUN_TAG_KEY, stillThere } from '../../harness/sweep.js';
import { createdKinds, fixtureSlots, keep, lifecycleOperations, type OperationTable, readOperations, type SequenceHooks, type SlotNaming, slotOfName, slotPrefix, TableSequence } from '../../harness/operations.js';
import { shellQuote } from '../../models/cli-hints.js';

const KNOWN_CODES = new Set([
  'PolicyNotFoundException',
  'ResourceNotFoundException',
  'ResourceInUseException',
  'LimitExceededException',
  'ValidationException',
  'AccessDeniedException',
]);

/**
 * The change window's second refusal (spec §7.3): "… modified within the previous 15000 milliseconds. Please try
 * again after <ISO time>" — DynamoDB's answer to a changing write, judged by the model (ddb.put.window); any other
 * throttle stays infrastructure.
 */
const WINDOW_THROTTLE = { code: 'ThrottlingException', message: /modified within the previous \d+ milliseconds|try again after/i };

/** Operations a change window may refuse. */
const WINDOWED = new Set(['PutResourcePolicy', 'DeleteResourcePolicy', 'DeleteTable']);

/** The table (`name`) or stream (`name/stream/label`) an ARN or table name stands for, and its kind. */
function ddbResource(request: Request): { key: string; kind: string } | undefined {
  const input = request.input;
  if (typeof input.TableName === 'string') return { key: input.TableName, kind: 'table' };
  const arn = input.ResourceArn;
  if (typeof arn !== 'string') return undefined;
  const path = arn.split(':table/')[1];
  if (path === undefined) return { key: arn, kind: 'other' };
  return { key: path, kind: path.includes('/stream/') ? 'stream' : path.includes('/index/') ? 'index' : 'table' };
}

/** A CreateTable input; `run` tags the table with the run's name prefix (harness/sweep.ts RUN_TAG_KEY). */
export function createTableInput(name: string, stream: boolean, policy?: string, run?: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: INDEX_NAME, KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    ...(policy !== undefined ? { ResourcePolicy: policy } : {}),
    ...(run !== undefined ? { Tags: [{ Key: RUN_TAG_KEY, Value: run }] } : {}),
  };
}

/** A local table's name in an ARN of another account, region or partition (spec §7.6). */
export function foreignTableArn(identity: TargetIdentity, name: string, differs: ForeignPart): string {
  const { account, region } = identity;
  switch (differs) {
    case 'account':
      return `arn:aws:dynamodb:${region}:${account === '111122223333' ? '444455556666' : '111122223333'}:table/${name}`;
    case 'region':
      return `arn:aws:dynamodb:${region === 'us-west-2' ? 'eu-west-1' : 'us-west-2'}:${account}:table/${name}`;
    case 'partition':
      return `arn:aws-cn:dynamodb:${region}:${account}:table/${name}`;
  }
}

/** What one sequence knows: where it sends, its tables' names, and what the target returned so far. */
interface DdbContext extends SlotNaming {
  readonly client: DynamoDBClient;
  readonly wait: WaitBudget;
  readonly settleMs: number;
  readonly identity: TargetIdentity;
  /** The stream ARN each slot's table was created with (it carries the creation time, so only the target knows it). */
  readonly streamArns: Map<DdbSlot, string>;
  readonly revisions: Map<string, RevisionMemory>;
  /** Tables this sequence may have created, for cleanup. */
  readonly created: Set<string>;
  /** The document last sent for each resource ARN, for `previous` documents. */
  readonly lastPolicy: Map<string, string>;
  /** The accounts documents grant to (the safety profile's). */
  readonly principals: readonly string[];
}

function tableName(ctx: DdbContext, slot: DdbSlot): string {
  return `${slotPrefix(ctx, slot, DDB_FIXTURE)}-${slot}`;
}

/** The fixture's tables of this sequence (what the pool keeps). */
function fixtureTables(ctx: DdbContext): string[] {
  return [...DDB_FIXTURE].map((slot) => tableName(ctx, slot as DdbSlot));
}

function targetArn(ctx: DdbContext, target: DdbTarget): string {
  const base = (slot: DdbSlot) => tableArn(ctx.identity, tableName(ctx, slot));
  switch (target.kind) {
    case 'table':
      return base(target.slot);
    case 'index':
      return `${base(target.slot)}/index/${INDEX_NAME}`;
    case 'stream':
      return ctx.streamArns.get(target.slot) ?? `${base(target.slot)}/stream/2000-01-01T00:00:00.000`;
    case 'foreign':
      return foreignTableArn(ctx.identity, tableName(ctx, target.slot), target.differs);
    case 'malformed':
      switch (target.variant) {
        case 'not-an-arn':
          return 'not-an-arn';
        case 'no-table-name':
          return `arn:aws:dynamodb:${ctx.identity.region}:${ctx.identity.account}:table`;
        case 'other-service':
          return `arn:aws:s3:::${ctx.prefix}-bucket`;
        case 'empty':
          return '';
        case 'too-long':
          return `${base('t0')}/${'x'.repeat(1284)}`.slice(0, 1284);
        case 'unknown-stream':
          return `${base('t0')}/stream/2000-01-01T00:00:00.000`;
        case 'bare-name':
          return tableName(ctx, 't0');
        case 'wrong-case':
          return tableArn(ctx.identity, tableName(ctx, 't0').toUpperCase());
      }
  }
}

/**
 * The table once it is ACTIVE. AWS's CreateTable answers while the table is still CREATING, so the waiter polls
 * DescribeTable until it is ACTIVE; a target whose CreateTable already answers ACTIVE (moto, ministack, the
 * reference server) is taken at its word — a DescribeTable then would only repeat that answer, and on moto it was
 * a sixth of every request a run sent (issue #11: no repeated describes).
 */
async function activeTable(client: DynamoDBClient, wait: WaitBudget, TableName: string, created?: TableDescription): Promise<TableDescription | undefined> {
  if (created?.TableStatus === 'ACTIVE') return created;
  // The waiter's last DescribeTable answer (ACTIVE) is the table as it is: no second DescribeTable.
  const { reason } = await withReadRetries(() => waitOrTimeout(client, wait, (config) => waitUntilTableExists(config, { TableName })));
  const seen = (reason as DescribeTableCommandOutput | undefined)?.Table;
  if (seen) return seen;
  const { Table } = await withReadRetries(() => client.send(new DescribeTableCommand({ TableName })));
  return Table;
}

/** `--table-name` of a table call's input, for the CLI's table waiters and describe-table (which take no --cli-input-json of it). */
const tableNameArg = (input: JsonObject) => `--table-name ${shellQuote(String(input.TableName ?? ''))}`;

/** Every operation the DynamoDB suite sends, one entry each (see harness/operations.ts). */
export const dynamodbOperations: OperationTable<DdbCommand, DdbContext> = {
  PutResourcePolicy: {
    bind(command, ctx) {
      const arn = targetArn(ctx, command.target);
      const resource = command.target.kind === 'malformed' ? tableArn(ctx.identity, tableName(ctx, 't0')) : arn;
      // A stream policy speaks of stream actions, a table policy of table actions (spec §7.7).
      const vocabulary = command.target.kind === 'stream' ? DDB_STREAM_VOCABULARY : DDB_VOCABULARY;
      const policy = renderPolicy(command.policy, resource, vocabulary, ctx.lastPolicy.get(arn), '', ctx.principals);
      // A caller who leaves a required member out: the SDK sends the request without it (spec §0.2).
      return compact({
        ResourceArn: command.omit === 'ResourceArn' ? undefined : arn,
        Policy: command.omit === 'Policy' ? undefined : policy,
        ExpectedRevisionId: command.expected && resolveRevision(command.expected, ctx.revisions.get(arn)),
        ConfirmRemoveSelfResourceAccess: command.confirm,
      });
    },
    send: { command: PutResourcePolicyCommand, output: keep('RevisionId') },
    refusals: [WINDOW_THROTTLE],
    learn(input, observation, ctx) {
      const arn = input.ResourceArn;
      if (typeof arn !== 'string') return;
      // Whatever the answer: a `previous` document is the one last sent, accepted or not.
      if (typeof input.Policy === 'string') ctx.lastPolicy.set(arn, input.Policy);
      if (observation.kind === 'ok') rememberRevision(ctx.revisions, arn, observation.output.RevisionId as string | undefined);
    },
  },
  GetResourcePolicy: {
    bind: (command, ctx) => ({ ResourceArn: targetArn(ctx, command.target) }),
    send: { command: GetResourcePolicyCommand, output: keep('Policy', 'RevisionId') },
    learn(input, observation, ctx) {
      const arn = String(input.ResourceArn);
      if (observation.kind === 'ok') rememberRevision(ctx.revisions, arn, observation.output.RevisionId as string | undefined);
      else if (observation.kind === 'error' && observation.code === 'PolicyNotFoundException') rememberRevision(ctx.revisions, arn, undefined);
    },
    read: true,
  },
  DeleteResourcePolicy: {
    bind(command, ctx) {
      const arn = targetArn(ctx, command.target);
      return compact({ ResourceArn: arn, ExpectedRevisionId: command.expected && resolveRevision(command.expected, ctx.revisions.get(arn)) });
    },
    send: { command: DeleteResourcePolicyCommand, output: keep('RevisionId') },
    refusals: [WINDOW_THROTTLE],
    learn(input, observation, ctx) {
      if (observation.kind === 'ok') rememberRevision(ctx.revisions, String(input.ResourceArn), undefined);
    },
  },
  CreateTable: {
    creates: 'table',
    lifecycle: true,
    bind(command, ctx) {
      const name = tableName(ctx, command.slot);
      const arn = tableArn(ctx.identity, name);
      const policy = command.policy && renderPolicy(command.policy, arn, DDB_VOCABULARY, ctx.lastPolicy.get(arn), '', ctx.principals);
      return createTableInput(name, command.stream, policy, slotPrefix(ctx, command.slot, DDB_FIXTURE)) as unknown as JsonObject;
    },
    async send(input, ctx) {
      const { TableDescription } = await ctx.client.send(new CreateTableCommand(input as never));
      const table = await activeTable(ctx.client, ctx.wait, String(input.TableName), TableDescription);
      return compact({ TableArn: table?.TableArn, TableStatus: table?.TableStatus, LatestStreamArn: table?.LatestStreamArn });
    },
    learn(input, observation, ctx) {
      const name = String(input.TableName);
      // Whatever the answer: a call that faulted may still have created the table, and cleanup must look for it.
      ctx.created.add(name);
      if (typeof input.ResourcePolicy === 'string') ctx.lastPolicy.set(tableArn(ctx.identity, name), input.ResourcePolicy);
      if (observation.kind === 'ok' && typeof observation.output.LatestStreamArn === 'string') {
        ctx.streamArns.set(slotOfName(ctx, name, '', '-') as DdbSlot, observation.output.LatestStreamArn);
      }
    },
    cli: {
      waitAfter: (at, input) => [`aws dynamodb wait table-exists ${at} ${tableNameArg(input)}`],
      // What the adapter reports is DescribeTable's view once the table is ACTIVE, not CreateTable's own answer.
      outputsVia: (at, input) => ({ command: `aws dynamodb describe-table ${at} ${tableNameArg(input)}`, prefix: 'Table' }),
    },
  },
  DeleteTable: {
    lifecycle: true,
    bind: (command, ctx) => ({ TableName: tableName(ctx, command.slot) }),
    async send(input, ctx) {
      await ctx.client.send(new DeleteTableCommand(input as never));
      await withReadRetries(() => waitOrTimeout(ctx.client, ctx.wait, (config) => waitUntilTableNotExists(config, { TableName: String(input.TableName) })));
      return {};
    },
    cli: { waitAfter: (at, input) => [`aws dynamodb wait table-not-exists ${at} ${tableNameArg(input)}`] },
  },
  // A pause for eventual consistency, not an AWS call: the model's `$Settle` step.
  Settle: {
    bind: () => ({}),
    async send(_input, ctx) {
      await sleep(ctx.settleMs);
      return {};
    },
    read: true,
  },
};

/** The operation a command's request names: its `op`, except a settle step, which is the model's `$Settle`. */
const requestOperation = (op: string): string => (op === 'Settle' ? SETTLE : op);

/** The table under both names of a settle step: TableSequence binds by the command's op, sends and learns by the request's. */
const byEitherName = { ...dynamodbOperations, [SETTLE]: dynamodbOperations.Settle };

/** How long a reset waits for a read to show a removed policy gone (reads may lag: eventual mode settles this long). */
const resetPatienceMs = (ctx: DdbContext) => Math.max(2000, 2 * ctx.settleMs);

/**
 * DeleteTable for cleanup, sent again while the table is busy: AWS refuses it with ResourceInUseException for 1–2 s
 * after a policy write ("has a pending resource-based policy update", spec §7 item 12) and while the table is still
 * CREATING, and may throttle it; a cleanup that gave up at the first refusal would leave the table behind. Retried
 * with backoff within the run's wait budget; any other answer (gone already, an error) ends it — the leftover check
 * and `sweep` see what remains.
 */
async function deleteTableSoon(client: DynamoDBClient, TableName: string, wait: WaitBudget): Promise<void> {
  const until = Date.now() + wait.maxWaitTime * 1000;
  for (let pause = 250; ; pause = Math.min(pause * 2, 5000)) {
    try {
      await client.send(new DeleteTableCommand({ TableName }));
      return;
    } catch (error) {
      if (!isCode(error, 'ResourceInUseException', 'ThrottlingException') || Date.now() + pause > until) return;
    }
    await sleep(pause);
  }
}

/** The slots the fixture's tables fill (t0, t1). */
const DDB_FIXTURE = fixtureSlots(DDB_SETUP, lifecycleOperations(dynamodbOperations));

const hooks: SequenceHooks<DdbCommand, DdbContext> = {
  setup: DDB_SETUP,
  async cleanup(ctx, keepFixture) {
    const kept = new Set(keepFixture ? fixtureTables(ctx) : []);
    await Promise.all([...ctx.created].filter((name) => !kept.has(name)).map((TableName) => deleteTableSoon(ctx.client, TableName, ctx.wait)));
  },
  /** Every policy the sequence sent to one of the fixture's tables or their streams removed, each removal confirmed by a Get. */
  async reset(ctx) {
    // The fixture's tables and the streams they were created with: the resources a later sequence's fixture is.
    const own = new Set([...DDB_FIXTURE].flatMap((slot) => [tableArn(ctx.identity, tableName(ctx, slot as DdbSlot)), ...(ctx.streamArns.has(slot as DdbSlot) ? [ctx.streamArns.get(slot as DdbSlot)!] : [])]));
    const arns = [...ctx.lastPolicy.keys()].filter((arn) => own.has(arn));
    const results = await Promise.all(
      arns.map((ResourceArn) =>
        removeConfirmed(
          () => ctx.client.send(new DeleteResourcePolicyCommand({ ResourceArn })),
          (e) => isCode(e, 'PolicyNotFoundException'),
          async () => !(await stillThere(() => ctx.client.send(new GetResourcePolicyCommand({ ResourceArn })), 'PolicyNotFoundException')),
          resetPatienceMs(ctx),
        ),
      ),
    );
    return results.every(Boolean);
  },
  idle: (ctx) => ({ operation: 'GetResourcePolicy', input: { ResourceArn: tableArn(ctx.identity, `${ctx.prefix}-idle`) } }),
};

/** TableSequence, with a settle step's request named `$Settle` (TableSequence names a request after its command's op). */
class DynamoDBSequence extends TableSequence<DdbCommand, DdbContext> {
  override request(command: DdbCommand): Request {
    const request = super.request(command);
    return { ...request, operation: requestOperation(request.operation) };
  }
}

class DynamoDBConnection implements Connection<DdbCommand> {
  private readonly client: DynamoDBClient;

  constructor(
    endpoint: Endpoint,
    private readonly settleMs: number,
    private readonly wait: WaitBudget,
    private readonly safety?: SafetyProfile,
  ) {
    this.client = new DynamoDBClient(clientConfig(endpoint));
  }

  async discover(runPrefix: string) {
    const TableName = `${runPrefix}-probe`;
    try {
      const { TableDescription } = await this.client.send(new CreateTableCommand(createTableInput(TableName, false, undefined, runPrefix)));
      const table = await activeTable(this.client, this.wait, TableName, TableDescription);
      await this.client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      const match = /^arn:aws[a-z-]*:dynamodb:([^:]+):(\d{12}):table\//.exec(table?.TableArn ?? '');
      if (!match) return { failure: { kind: 'fault' as const, reason: `DescribeTable returned no usable TableArn (${table?.TableArn})` } };
      return { identity: { region: match[1]!, account: match[2]! }, answered: ['CreateTable'] };
    } catch (error) {
      return { failure: observeError(error, KNOWN_CODES) };
    }
  }

  sequence(namePrefix: string, identity: TargetIdentity, fixturePrefix = namePrefix): Sequence<DdbCommand> {
    const ctx: DdbContext = {
      client: this.client,
      wait: this.wait,
      settleMs: this.settleMs,
      prefix: namePrefix,
      fixturePrefix,
      identity,
      streamArns: new Map(),
      revisions: new Map(),
      created: new Set(),
      lastPolicy: new Map(),
      principals: principalsFor(this.safety, identity.account),
    };
    return new DynamoDBSequence(byEitherName, this.client, KNOWN_CODES, ctx, hooks);
  }

  close(): void {
    this.client.destroy();
  }
}

export const dynamodbAdapter: ServiceAdapter<DdbCommand> = {
  service: 'dynamodb',
  model: dynamodbModel as ServiceAdapter['model'],
  createdKinds: createdKinds(dynamodbOperations),
  lifecycleOperations: lifecycleOperations(dynamodbOperations),
  readOperations: new Set([...readOperations(dynamodbOperations)].map(requestOperation)),
  commands: (consistency, safety) => dynamodbCommands(consistency, undefined, safety),
  safeCommand: (safety, command) => safeDynamodbCommand(safety, command),
  unreachableUnder: (safety) => (isRealAccount(safety) ? [{ rule: 'ddb.policy.self-lockout', reason: DENY_OF_CALLER_REASON }] : []),
  billedAs: (command) => (command.op === 'CreateTable' ? AWS_PRICES.dynamodbOnDemandTableHour : undefined),
  simplify: simplifyDynamodbCommand,
  targeted: dynamodbTargeted,
  observers: dynamodbObservers,
  // The adapter waits for the table to be ACTIVE, or gone: their success shows their effect.
  confirmedWrites: new Set(['CreateTable', 'DeleteTable']),
  // Spec §7.1: observed lag 0.84–2.73 s; about 3 s covers every sample.
  lagBoundMs: 3000,
  resourceOf: ddbResource,
  windowRefusal(request, outcome) {
    if (!WINDOWED.has(request.operation) || outcome.kind !== 'error') return undefined;
    if (outcome.code === 'ThrottlingException' && request.operation !== 'DeleteTable') return compact({ retryAt: retryAfter(outcome.message) }) as { retryAt?: number };
    return outcome.code === 'ResourceInUseException' ? {} : undefined;
  },
  connect: (endpoint, { settleMs, waitSeconds, safety }) => new DynamoDBConnection(endpoint, settleMs, waiterBudget(waitSeconds), safety),
};
