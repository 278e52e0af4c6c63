import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteResourcePolicyCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
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
} from './commands.js';
import { renderPolicy } from '../../generators/policy.js';
import { type RevisionMemory, rememberRevision, resolveRevision } from '../../generators/revision.js';
import { dynamodbModel, INDEX_NAME, SETTLE, tableArn } from './model.js';
import type { JsonObject, Observation, Request } from '../../models/types.js';
import { observeError, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, waiterBudget, type WaitBudget, pick, tryCall, withReadRetries } from '../../harness/adapter-kit.js';

const KNOWN_CODES = new Set([
  'PolicyNotFoundException',
  'ResourceNotFoundException',
  'ResourceInUseException',
  'LimitExceededException',
  'ValidationException',
  'AccessDeniedException',
]);

export function createTableInput(name: string, stream: boolean, policy?: string): CreateTableCommandInput {
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

class DynamoDBSequence implements Sequence<DdbCommand> {
  readonly setup = DDB_SETUP;
  private readonly streamArns = new Map<DdbSlot, string>();
  private readonly revisions = new Map<string, RevisionMemory>();
  private readonly created = new Set<string>();
  private readonly lastPolicy = new Map<string, string>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly prefix: string,
    private readonly identity: TargetIdentity,
    private readonly settleMs: number,
    private readonly wait: WaitBudget,
  ) {}

  private tableName(slot: DdbSlot): string {
    return `${this.prefix}-${slot}`;
  }

  private arn(target: DdbTarget): string {
    const base = (slot: DdbSlot) => tableArn(this.identity, this.tableName(slot));
    switch (target.kind) {
      case 'table':
        return base(target.slot);
      case 'index':
        return `${base(target.slot)}/index/${INDEX_NAME}`;
      case 'stream':
        return this.streamArns.get(target.slot) ?? `${base(target.slot)}/stream/2000-01-01T00:00:00.000`;
      case 'foreign':
        return foreignTableArn(this.identity, this.tableName(target.slot), target.differs);
      case 'malformed':
        switch (target.variant) {
          case 'not-an-arn':
            return 'not-an-arn';
          case 'no-table-name':
            return `arn:aws:dynamodb:${this.identity.region}:${this.identity.account}:table`;
          case 'other-service':
            return `arn:aws:s3:::${this.prefix}-bucket`;
          case 'empty':
            return '';
          case 'too-long':
            return `${base('t0')}/${'x'.repeat(1284)}`.slice(0, 1284);
          case 'unknown-stream':
            return `${base('t0')}/stream/2000-01-01T00:00:00.000`;
          case 'bare-name':
            return this.tableName('t0');
          case 'wrong-case':
            return tableArn(this.identity, this.tableName('t0').toUpperCase());
        }
    }
  }

  request(command: DdbCommand): Request {
    switch (command.op) {
      case 'PutResourcePolicy': {
        const arn = this.arn(command.target);
        const resource = command.target.kind === 'malformed' ? tableArn(this.identity, this.tableName('t0')) : arn;
        // A stream policy speaks of stream actions, a table policy of table actions (spec §7.7).
        const vocabulary = command.target.kind === 'stream' ? DDB_STREAM_VOCABULARY : DDB_VOCABULARY;
        const policy = renderPolicy(command.policy, resource, vocabulary, this.lastPolicy.get(arn));
        if (command.omit !== 'Policy') this.lastPolicy.set(arn, policy);
        // A caller who leaves a required member out: the SDK sends the request without it (spec §0.2).
        return {
          operation: command.op,
          input: compact({
            ResourceArn: command.omit === 'ResourceArn' ? undefined : arn,
            Policy: command.omit === 'Policy' ? undefined : policy,
            ExpectedRevisionId: command.expected && resolveRevision(command.expected, this.revisions.get(arn)),
            ConfirmRemoveSelfResourceAccess: command.confirm,
          }),
        };
      }
      case 'GetResourcePolicy':
        return { operation: command.op, input: { ResourceArn: this.arn(command.target) } };
      case 'DeleteResourcePolicy': {
        const arn = this.arn(command.target);
        return { operation: command.op, input: compact({ ResourceArn: arn, ExpectedRevisionId: command.expected && resolveRevision(command.expected, this.revisions.get(arn)) }) };
      }
      case 'CreateTable': {
        const name = this.tableName(command.slot);
        const arn = tableArn(this.identity, name);
        const policy = command.policy && renderPolicy(command.policy, arn, DDB_VOCABULARY, this.lastPolicy.get(arn));
        if (policy !== undefined) this.lastPolicy.set(arn, policy);
        return { operation: command.op, input: createTableInput(name, command.stream, policy) as unknown as JsonObject };
      }
      case 'DeleteTable':
        return { operation: command.op, input: { TableName: this.tableName(command.slot) } };
      case 'Settle':
        return { operation: SETTLE, input: {} };
    }
  }

  async send(request: Request): Promise<Observation> {
    const input = request.input as never;
    const c = this.client;
    switch (request.operation) {
      case 'PutResourcePolicy':
        return tryCall(async () => pick(await c.send(new PutResourcePolicyCommand(input)), ['RevisionId']), KNOWN_CODES);
      case 'GetResourcePolicy':
        return tryCall(async () => pick(await c.send(new GetResourcePolicyCommand(input)), ['Policy', 'RevisionId']), KNOWN_CODES);
      case 'DeleteResourcePolicy':
        return tryCall(async () => pick(await c.send(new DeleteResourcePolicyCommand(input)), ['RevisionId']), KNOWN_CODES);
      case 'CreateTable':
        this.created.add(String(request.input.TableName));
        return tryCall(async () => {
          await c.send(new CreateTableCommand(input));
          return this.describeWhenActive(String(request.input.TableName));
        }, KNOWN_CODES);
      case 'DeleteTable':
        return tryCall(async () => {
          await c.send(new DeleteTableCommand(input));
          await withReadRetries(() => waitUntilTableNotExists({ client: c, ...this.wait }, { TableName: String(request.input.TableName) }));
          return {};
        }, KNOWN_CODES);
      case SETTLE:
        await sleep(this.settleMs);
        return { kind: 'ok', output: {} };
      default:
        throw new Error(`dynamodb adapter: unknown operation ${request.operation}`);
    }
  }

  private async describeWhenActive(name: string): Promise<JsonObject> {
    await withReadRetries(() => waitUntilTableExists({ client: this.client, ...this.wait }, { TableName: name }));
    const { Table } = await withReadRetries(() => this.client.send(new DescribeTableCommand({ TableName: name })));
    return compact({ TableArn: Table?.TableArn, TableStatus: Table?.TableStatus, LatestStreamArn: Table?.LatestStreamArn });
  }

  learn(request: Request, observation: Observation): void {
    const arn = request.input.ResourceArn as string | undefined;
    if (arn === undefined && request.operation !== 'CreateTable') return;
    if (observation.kind === 'ok') {
      const out = observation.output;
      if (request.operation === 'PutResourcePolicy' || request.operation === 'GetResourcePolicy') rememberRevision(this.revisions, arn!, out.RevisionId as string);
      if (request.operation === 'DeleteResourcePolicy') rememberRevision(this.revisions, arn!, undefined);
      if (request.operation === 'CreateTable' && typeof out.LatestStreamArn === 'string') {
        const slot = String(request.input.TableName).slice(this.prefix.length + 1) as DdbSlot;
        this.streamArns.set(slot, out.LatestStreamArn);
      }
    } else if (observation.kind === 'error' && observation.code === 'PolicyNotFoundException' && request.operation === 'GetResourcePolicy') {
      rememberRevision(this.revisions, arn!, undefined);
    }
  }

  idle(): Request {
    return { operation: 'GetResourcePolicy', input: { ResourceArn: tableArn(this.identity, `${this.prefix}-idle`) } };
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.created].map((TableName) => this.client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
  }
}


class DynamoDBConnection implements Connection<DdbCommand> {
  private readonly client: DynamoDBClient;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly settleMs: number,
    private readonly wait: WaitBudget,
  ) {
    this.client = new DynamoDBClient(clientConfig(endpoint));
  }

  async discover(runPrefix: string) {
    const TableName = `${runPrefix}-probe`;
    try {
      await this.client.send(new CreateTableCommand(createTableInput(TableName, false)));
      await withReadRetries(() => waitUntilTableExists({ client: this.client, ...this.wait }, { TableName }));
      const { Table } = await withReadRetries(() => this.client.send(new DescribeTableCommand({ TableName })));
      await this.client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      const match = /^arn:aws[a-z-]*:dynamodb:([^:]+):(\d{12}):table\//.exec(Table?.TableArn ?? '');
      if (!match) return { failure: { kind: 'fault' as const, reason: `DescribeTable returned no usable TableArn (${Table?.TableArn})` } };
      return { identity: { region: match[1]!, account: match[2]! }, answered: ['CreateTable'] };
    } catch (error) {
      return { failure: observeError(error, KNOWN_CODES) };
    }
  }

  sequence(namePrefix: string, identity: TargetIdentity): Sequence<DdbCommand> {
    return new DynamoDBSequence(this.client, namePrefix, identity, this.settleMs, this.wait);
  }

  close(): void {
    this.client.destroy();
  }
}

export const dynamodbAdapter: ServiceAdapter<DdbCommand> = {
  service: 'dynamodb',
  model: dynamodbModel as ServiceAdapter['model'],
  readOperations: new Set(['GetResourcePolicy', SETTLE]),
  commands: (consistency) => dynamodbCommands(consistency),
  simplify: simplifyDynamodbCommand,
  targeted: dynamodbTargeted,
  observers: dynamodbObservers,
  // The adapter waits for the table to be ACTIVE, or gone: their success shows their effect.
  confirmedWrites: new Set(['CreateTable', 'DeleteTable']),
  connect: (endpoint, { settleMs, waitSeconds }) => new DynamoDBConnection(endpoint, settleMs, waiterBudget(waitSeconds)),
};
