import { type KinesisState, kinesisModel, streamArn } from './model.js';
import type { JsonObject, Outcome, Request } from '../../models/types.js';
import { decodeJson, nameToken, pageLimit, pageOfNames, REFERENCE_EPOCH_MS, type ReferenceCodec, tick } from '../../harness/reference/codec.js';
import type { EngineView } from '../../harness/reference/engine.js';
import { kinesisMutants } from './mutants.js';
import { awsJsonOperation, errorResponse, okResponse } from '../../harness/reference/protocol.js';

/** Kinesis timestamps are epoch seconds: streams are created at the reference clock's start, consumers one tick later each. */
const EPOCH_S = REFERENCE_EPOCH_MS / 1000;

/** StreamName, or the name inside a StreamARN of this account and region (what DescribeStream* accept). */
function streamNameOf(input: JsonObject, view: EngineView<KinesisState>): string {
  if (typeof input.StreamName === 'string') return input.StreamName;
  const prefix = streamArn(view.ctx, '');
  const arn = typeof input.StreamARN === 'string' ? input.StreamARN : '';
  return arn.startsWith(prefix) ? arn.slice(prefix.length) : '';
}

function notFound(what: string): Outcome {
  return { kind: 'error', code: 'ResourceNotFoundException', status: 400, message: `${what} not found.` };
}

function consumerDescription(arn: string, status: string): JsonObject {
  const m = /^(.*:stream\/[^/]+)\/consumer\/([^:]+):([0-9]+)$/.exec(arn);
  return {
    ConsumerName: m?.[2] ?? '',
    ConsumerARN: arn,
    ConsumerStatus: status,
    ConsumerCreationTimestamp: Number(m?.[3] ?? EPOCH_S),
    ...(m ? { StreamARN: m[1]! } : {}),
  };
}

/**
 * A new ConsumerARN in AWS's form, `<stream ARN>/consumer/<name>:<creation timestamp>` (what the model's format
 * demands): for the consumer the symbol belongs to, or else the one the request registers.
 */
function consumerArn(symbol: string, request: Request, view: EngineView<KinesisState>): string {
  for (const stream of Object.values(view.state.streams)) {
    const consumer = stream.consumers.find((c) => c.arn === symbol);
    if (consumer) return `${streamArn(view.ctx, stream.name)}/consumer/${consumer.name}:${tick(view, 's')}`;
  }
  return `${streamArn(view.ctx, streamNameOf(request.input, view))}/consumer/${String(request.input.ConsumerName ?? '')}:${tick(view, 's')}`;
}

/** The reference keeps every stream ACTIVE: the model has no CREATING/DELETING phase (the harness waits). */
function describeStream(request: Request, view: EngineView<KinesisState>): Outcome {
  const name = streamNameOf(request.input, view);
  const stream = view.state.streams[name];
  if (!stream) return notFound(`Stream ${name} under account ${view.ctx.account}`);
  const base = {
    StreamName: name,
    StreamARN: streamArn(view.ctx, name),
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
    RetentionPeriodHours: 24,
    StreamCreationTimestamp: EPOCH_S,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
  if (request.operation === 'DescribeStreamSummary') {
    return { kind: 'ok', output: { StreamDescriptionSummary: { ...base, OpenShardCount: 1, ConsumerCount: stream.consumers.length } } };
  }
  const shard = {
    ShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
    SequenceNumberRange: { StartingSequenceNumber: '49600000000000000000000000000000000000000000000000000000' },
  };
  return { kind: 'ok', output: { StreamDescription: { ...base, Shards: [shard], HasMoreShards: false } } };
}

/** ListStreams: names and summaries, up to 100 a page, continued by NextToken or ExclusiveStartStreamName. */
function listStreams(request: Request, view: EngineView<KinesisState>): Outcome {
  const after = nameToken.read(request.input.NextToken) ?? (request.input.ExclusiveStartStreamName as string | undefined);
  const page = pageOfNames(Object.keys(view.state.streams), after, pageLimit(request.input.Limit, 10_000, 100));
  const summaries = page.names.map((name) => ({
    StreamName: name,
    StreamARN: streamArn(view.ctx, name),
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
    StreamCreationTimestamp: EPOCH_S,
  }));
  return { kind: 'ok', output: { StreamNames: page.names, StreamSummaries: summaries, HasMoreStreams: !!page.last, ...(page.last ? { NextToken: nameToken.of(page.last) } : {}) } };
}

function listStreamConsumers(request: Request, view: EngineView<KinesisState>): Outcome {
  const name = streamNameOf(request.input, view);
  const stream = view.state.streams[name];
  if (!stream) return notFound(`Stream ${name} under account ${view.ctx.account}`);
  const consumers = stream.consumers.flatMap((c) => {
    const arn = view.bindings[c.arn];
    return arn ? [consumerDescription(arn, 'ACTIVE')] : [];
  });
  return { kind: 'ok', output: { Consumers: consumers.map(({ StreamARN: _, ...c }) => c) } };
}

export const kinesisCodec: ReferenceCodec<KinesisState> = {
  service: 'kinesis',
  model: kinesisModel,
  mutants: kinesisMutants,
  route: (request) => awsJsonOperation(request, 'Kinesis_20131202'),
  decode: (operation, request) => decodeJson(operation, request, (message) => errorResponse('awsJson1_1', 'SerializationException', 400, message)),
  serveDirectly(request, view) {
    switch (request.operation) {
      case 'DescribeStream':
      case 'DescribeStreamSummary':
        return describeStream(request, view);
      case 'ListStreamConsumers':
        return listStreamConsumers(request, view);
      case 'ListStreams':
        return listStreams(request, view);
      default:
        return undefined;
    }
  },
  encodeOk(request, output) {
    switch (request.operation) {
      case 'RegisterStreamConsumer': {
        // A new consumer is CREATING first (AWS); the harness waits on DescribeStreamConsumer, which says ACTIVE.
        const { StreamARN: _, ...consumer } = consumerDescription(String(output.ConsumerARN), 'CREATING');
        return okResponse('awsJson1_1', { Consumer: consumer });
      }
      case 'DescribeStreamConsumer':
        return okResponse('awsJson1_1', { ConsumerDescription: consumerDescription(String(output.ConsumerARN), 'ACTIVE') });
      default:
        // Get answers { Policy }; Put/Delete policy, Create/DeleteStream and Deregister answer an empty body.
        return okResponse('awsJson1_1', output);
    }
  },
  encodeError: (code, status, message) => errorResponse('awsJson1_1', code, status, message),
  invent(symbol, field, request, view) {
    if (field === 'ConsumerARN') return consumerArn(symbol, request, view);
    return String(tick(view, 's'));
  },
};
