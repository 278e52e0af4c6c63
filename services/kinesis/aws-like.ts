/**
 * Kinesis as the AWS-like simulator plays it (harness/aws-like/): policy slots are stream and consumer ARNs, read
 * with GetResourcePolicy (an empty document "{}" when there is none). Evidence is weaker than DynamoDB's (spec
 * §7.1): lag is off unless `--lag kinesis=ddb-like`.
 */
import type { JsonObject, Request } from '../../models/types.js';
import { errorResponse, type HttpResponse, okResponse } from '../../harness/reference/protocol.js';
import { type AwsLikeService, changeBetween, type InternalCall, jsonAuthError, type LifecycleHooks, type Phase } from '../../harness/aws-like/service.js';

const POLICY_OPERATIONS: Record<string, 'read' | 'write'> = { GetResourcePolicy: 'read', PutResourcePolicy: 'write', DeleteResourcePolicy: 'write' };

function holdsPolicy(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const policy = (JSON.parse(body) as { Policy?: unknown }).Policy;
    return typeof policy === 'string' && policy !== '{}' && policy !== '';
  } catch {
    return false;
  }
}

const kinesisError = (code: string, message: string): HttpResponse => errorResponse('awsJson1_1', code, 400, message);
const streamArnOf = (region: string, account: string, name: string) => `arn:aws:kinesis:${region}:${account}:stream/${name}`;
const CONSUMER_ARN = /^arn:aws:kinesis:[^:]+:\d{12}:stream\/([^/]+)\/consumer\/([^:]+):\d+$/;

function bodyOf(answer: HttpResponse): JsonObject {
  try {
    return JSON.parse(answer.body || '{}') as JsonObject;
  } catch {
    return {};
  }
}

function rewrite(answer: HttpResponse, change: (body: JsonObject) => void): HttpResponse {
  if (answer.status !== 200) return answer;
  const body = bodyOf(answer);
  change(body);
  return { ...answer, body: JSON.stringify(body) };
}

/** The stream a request names: StreamName, or the name in a StreamARN of this account and region. */
function streamNameOf(input: JsonObject, region: string, account: string): string | undefined {
  if (typeof input.StreamName === 'string') return input.StreamName;
  const prefix = streamArnOf(region, account, '');
  const arn = typeof input.StreamARN === 'string' ? input.StreamARN : undefined;
  return arn?.startsWith(prefix) && !arn.slice(prefix.length).includes('/') ? arn.slice(prefix.length) : undefined;
}

/** A consumer's id, `<stream name>/<consumer name>`, from a ConsumerARN or a StreamARN + ConsumerName. */
function consumerOf(input: JsonObject, region: string, account: string): string | undefined {
  const arn = typeof input.ConsumerARN === 'string' ? input.ConsumerARN : typeof input.ResourceARN === 'string' ? input.ResourceARN : undefined;
  const m = arn === undefined ? null : CONSUMER_ARN.exec(arn);
  if (m) return `${m[1]}/${m[2]}`;
  const stream = streamNameOf({ StreamARN: input.StreamARN ?? null }, region, account);
  return stream !== undefined && typeof input.ConsumerName === 'string' ? `${stream}/${input.ConsumerName}` : undefined;
}

const STATUS: Record<Phase, string> = { hidden: 'CREATING', creating: 'CREATING', active: 'ACTIVE', deleting: 'DELETING' };
const CONSUMER_OPERATIONS = new Set(['RegisterStreamConsumer', 'DescribeStreamConsumer', 'DeregisterStreamConsumer']);
/** What a stream that is not ACTIVE refuses (spec §2.3: ResourceInUseException, "resource must be in the ACTIVE state"). */
const NEEDS_ACTIVE = new Set(['PutResourcePolicy', 'DeleteResourcePolicy', 'RegisterStreamConsumer', 'DeleteStream', 'DeregisterStreamConsumer']);

/**
 * Stream and consumer lifecycle (assumed timings: AWS documents none; docs/aws-like.md): a stream is CREATING for
 * 5–10 s and DELETING for 3–6 s, a consumer CREATING for 3–6 s and DELETING for 2–4 s. Meanwhile policy writes,
 * consumer registration and deletions of it are refused with ResourceInUseException (§2.3's meaning of the code);
 * reads and Describe* answer, with the status shown.
 */
const lifecycle: LifecycleHooks = {
  kinds: [
    { kind: 'stream', creating: [5000, 10_000], deleting: [3000, 6000] },
    { kind: 'consumer', creating: [3000, 6000], deleting: [2000, 4000] },
  ],
  subject(request, ctx) {
    const { input } = request;
    const arn = typeof input.ResourceARN === 'string' ? input.ResourceARN : undefined;
    if (CONSUMER_OPERATIONS.has(request.operation) || (arn !== undefined && CONSUMER_ARN.test(arn))) {
      const consumer = consumerOf(input, ctx.region, ctx.account);
      return consumer === undefined ? undefined : { kind: 'consumer', id: consumer };
    }
    const stream = arn !== undefined ? streamNameOf({ StreamARN: arn }, ctx.region, ctx.account) : streamNameOf(input, ctx.region, ctx.account);
    return stream === undefined ? undefined : { kind: 'stream', id: stream };
  },
  created(request, _answer, ctx) {
    if (request.operation === 'CreateStream') return { kind: 'stream', id: String(request.input.StreamName) };
    if (request.operation === 'RegisterStreamConsumer') {
      const id = consumerOf(request.input, ctx.region, ctx.account);
      return id === undefined ? undefined : { kind: 'consumer', id };
    }
    return undefined;
  },
  deleting(request, ctx) {
    if (request.operation === 'DeleteStream') {
      const name = streamNameOf(request.input, ctx.region, ctx.account);
      const summary = ctx.call({ operation: 'DescribeStreamSummary', input: { StreamName: name ?? '' } });
      if (name === undefined || summary.status !== 200) return undefined;
      const consumers = Number((bodyOf(summary).StreamDescriptionSummary as JsonObject | undefined)?.ConsumerCount ?? 0);
      // The engine's own refusal of a stream with consumers (kin.deletestream.has-consumers) stays the engine's.
      if (consumers > 0 && request.input.EnforceConsumerDeletion !== true) return undefined;
      return { subject: { kind: 'stream', id: name }, answer: okResponse('awsJson1_1', {}) };
    }
    if (request.operation === 'DeregisterStreamConsumer') {
      const id = consumerOf(request.input, ctx.region, ctx.account);
      const described = ctx.call({ operation: 'DescribeStreamConsumer', input: request.input });
      if (id === undefined || described.status !== 200) return undefined;
      return { subject: { kind: 'consumer', id }, answer: okResponse('awsJson1_1', {}) };
    }
    return undefined;
  },
  finishDelete(subject, region, account): InternalCall {
    if (subject.kind === 'stream') return { operation: 'DeleteStream', input: { StreamName: subject.id, EnforceConsumerDeletion: true } };
    const [stream, consumer] = subject.id.split('/') as [string, string];
    return { operation: 'DeregisterStreamConsumer', input: { StreamARN: streamArnOf(region, account, stream), ConsumerName: consumer } };
  },
  slotsOf: (subject, region, account) => (subject.kind === 'stream' ? [streamArnOf(region, account, subject.id)] : []),
  gate(request, subject, phase) {
    if (phase === 'active' || !NEEDS_ACTIVE.has(request.operation)) return undefined;
    // A consumer's own lifecycle does not hold up its stream's writes, nor the stream's its consumer's Describe.
    if (subject.kind === 'stream' && request.operation === 'DeregisterStreamConsumer') return undefined;
    const what = subject.kind === 'stream' ? `Stream ${subject.id}` : `Consumer ${subject.id.split('/')[1]} of stream ${subject.id.split('/')[0]}`;
    return kinesisError('ResourceInUseException', `${what} is ${STATUS[phase]}, not ACTIVE.`);
  },
  show(request, answer, phaseOf, ctx) {
    const streamStatus = (name: unknown) => STATUS[phaseOf({ kind: 'stream', id: String(name) })];
    switch (request.operation) {
      case 'DescribeStream':
        return rewrite(answer, (b) => void ((b.StreamDescription as JsonObject).StreamStatus = streamStatus((b.StreamDescription as JsonObject).StreamName)));
      case 'DescribeStreamSummary':
        return rewrite(answer, (b) => void ((b.StreamDescriptionSummary as JsonObject).StreamStatus = streamStatus((b.StreamDescriptionSummary as JsonObject).StreamName)));
      case 'ListStreams':
        return rewrite(answer, (b) => {
          for (const summary of (b.StreamSummaries as JsonObject[] | undefined) ?? []) summary.StreamStatus = streamStatus(summary.StreamName);
        });
      case 'DescribeStreamConsumer':
        return rewrite(answer, (b) => {
          const d = b.ConsumerDescription as JsonObject;
          const id = consumerOf({ ConsumerARN: d.ConsumerARN ?? null }, ctx.region, ctx.account);
          if (id) d.ConsumerStatus = STATUS[phaseOf({ kind: 'consumer', id })];
        });
      case 'ListStreamConsumers':
        return rewrite(answer, (b) => {
          for (const c of (b.Consumers as JsonObject[] | undefined) ?? []) {
            const id = consumerOf({ ConsumerARN: c.ConsumerARN ?? null }, ctx.region, ctx.account);
            if (id) c.ConsumerStatus = STATUS[phaseOf({ kind: 'consumer', id })];
          }
        });
      case 'RegisterStreamConsumer':
        return answer; // already CREATING (the reference codec)
      default:
        return answer;
    }
  },
};

/** The account's own stream (spec: foreign resources). */
export const FOREIGN_STREAM = 'clickstream-events';

export const kinesisAwsLike: AwsLikeService = {
  service: 'kinesis',
  // Weaker evidence than DynamoDB's (spec §7.1): read-your-writes unless `--lag kinesis=ddb-like`.
  defaultLag: 'off',
  protocol: 'awsJson1_1',
  targetPrefix: 'Kinesis_20131202',
  authError: (failure, message) => jsonAuthError('awsJson1_1', failure, message),
  // Kinesis's control-plane rate error (spec §2.3: "number of concurrent stream requests exceeds the maximum").
  throttled: () => errorResponse('awsJson1_1', 'LimitExceededException', 400, 'Rate exceeded for this account.'),
  slot(request: Request) {
    const access = POLICY_OPERATIONS[request.operation];
    const arn = request.input.ResourceARN;
    return access && typeof arn === 'string' ? { key: arn, access } : undefined;
  },
  read: (key) => ({ operation: 'GetResourcePolicy', input: { ResourceARN: key } }),
  change: (_write, before, after) => changeBetween(before, after, (read) => holdsPolicy(read.status, read.body)),
  lifecycle,
  foreign: () => ({
    calls: [{ operation: 'CreateStream', input: { StreamName: FOREIGN_STREAM, ShardCount: 1 } }],
    resources: [{ service: 'kinesis', kind: 'stream', id: FOREIGN_STREAM }],
  }),
};
