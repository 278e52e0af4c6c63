import { type DdbState, dynamodbModel, tableArn } from './model.js';
import type { JsonObject, Outcome, Request } from '../../models/types.js';
import { decodeJson, pageLimit, pageOfNames, REFERENCE_EPOCH_MS, type ReferenceCodec, tick } from '../../harness/reference/codec.js';
import { dynamodbMutants } from './mutants.js';
import type { EngineView } from '../../harness/reference/engine.js';
import { awsJsonOperation, errorResponse, okResponse } from '../../harness/reference/protocol.js';

const TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

interface DdbMemory {
  /** The CreateTable input of each table created: what DescribeTable shows of its schema. */
  inputs?: Record<string, JsonObject>;
}

function describe(name: string, view: EngineView<DdbState>, status: string): JsonObject {
  const table = view.state.tables[name];
  const input = (view.memory as DdbMemory).inputs?.[name] ?? {};
  const streamArn = table?.stream ? view.bindings[table.stream] : undefined;
  const arn = tableArn(view.ctx, name);
  const gsis = (input.GlobalSecondaryIndexes as JsonObject[] | undefined)?.map((g) => ({
    ...g,
    IndexArn: `${arn}/index/${g.IndexName}`,
    IndexStatus: 'ACTIVE',
  }));
  return {
    TableName: name,
    TableArn: arn,
    TableStatus: status,
    KeySchema: input.KeySchema ?? [],
    AttributeDefinitions: input.AttributeDefinitions ?? [],
    CreationDateTime: Math.floor(REFERENCE_EPOCH_MS / 1000),
    ItemCount: 0,
    TableSizeBytes: 0,
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    ...(gsis ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(input.StreamSpecification ? { StreamSpecification: input.StreamSpecification } : {}),
    ...(streamArn ? { LatestStreamArn: streamArn, LatestStreamLabel: streamArn.split('/stream/')[1]! } : {}),
  };
}

export const dynamodbCodec: ReferenceCodec<DdbState> = {
  service: 'dynamodb',
  model: dynamodbModel,
  mutants: dynamodbMutants,
  route: (request) => awsJsonOperation(request, 'DynamoDB_20120810'),
  decode: (operation, request) => decodeJson(operation, request, (message) => errorResponse('awsJson1_0', 'SerializationException', 400, message, TYPE_PREFIX)),
  serveDirectly(request: Request, view): Outcome | undefined {
    if (request.operation === 'ListTables') {
      // What `sweep` and a user's own checks read: up to 100 names a page (AWS's limit), after ExclusiveStartTableName.
      const page = pageOfNames(Object.keys(view.state.tables), request.input.ExclusiveStartTableName as string | undefined, pageLimit(request.input.Limit, 100, 100));
      return { kind: 'ok', output: { TableNames: page.names, ...(page.last ? { LastEvaluatedTableName: page.last } : {}) } };
    }
    if (request.operation !== 'DescribeTable') return undefined;
    const name = String(request.input.TableName ?? '');
    if (!view.state.tables[name]) return { kind: 'error', code: 'ResourceNotFoundException', status: 400, message: `Requested resource not found: Table: ${name} not found` };
    return { kind: 'ok', output: { Table: describe(name, view, 'ACTIVE') } };
  },
  encodeOk(request, output, view) {
    const name = String(request.input.TableName ?? '');
    if (request.operation === 'CreateTable') return okResponse('awsJson1_0', { TableDescription: describe(name, view, 'ACTIVE') });
    if (request.operation === 'DeleteTable') {
      return okResponse('awsJson1_0', { TableDescription: { TableName: name, TableArn: tableArn(view.ctx, name), TableStatus: 'DELETING' } });
    }
    return okResponse('awsJson1_0', output);
  },
  encodeError: (code, status, message) => errorResponse('awsJson1_0', code, status, message, TYPE_PREFIX),
  invent(symbol, field, request, view) {
    if (field === 'LatestStreamArn') {
      const label = new Date(tick(view)).toISOString().slice(0, 23);
      return `${tableArn(view.ctx, String(request.input.TableName))}/stream/${label}`;
    }
    return String(tick(view));
  },
  after(request, outcome, view) {
    const m = view.memory as DdbMemory;
    const name = String(request.input.TableName);
    if (request.operation === 'CreateTable' && outcome.kind === 'ok') (m.inputs ??= {})[name] = request.input;
    // A table the state no longer has is never described (DescribeTable answers not-found first) and a CreateTable
    // of its name writes its input anew before it is read: what it was created with can go. Asked of the state, not
    // the answer, so a mutant that keeps a table past its DeleteTable still describes it.
    if (request.operation === 'DeleteTable' && m.inputs && !view.state.tables[name]) delete m.inputs[name];
  },
};
