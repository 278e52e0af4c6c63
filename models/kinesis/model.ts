import { clone, fail, ok } from '../branches.js';
import { parseJsonOrUndefined } from '../match.js';
import { inspectPolicy } from '../policy-document.js';
import type { Branch, JsonObject, ModelContext, Request, ServiceModel } from '../types.js';
import { KINESIS_RULES, KINESIS_SWITCHES } from './rules.js';

export interface KinConsumer {
  name: string;
  /** Symbol bound to the ConsumerARN (it carries a creation timestamp the service picks). */
  arn: string;
  policy: string | null;
}

export interface KinStream {
  name: string;
  policy: string | null;
  consumers: KinConsumer[];
  /** Created again after a DeleteStream of the same name, and no policy put since. */
  recreated: boolean;
}

export interface KinesisState {
  seq: number;
  streams: Record<string, KinStream>;
  deletedNames: string[];
  /** Symbols of consumer ARNs that were deregistered or whose stream was deleted. */
  goneConsumers: string[];
}

/** "You can register up to 20 consumers per data stream" (Kinesis API RegisterStreamConsumer). */
export const MAX_CONSUMERS = 20;
const MAX_ARN = 2048;
const ARN_PATTERN = /^arn:aws.*:kinesis:.*:\d{12}:.*stream\/\S+$/;
const NAME = '[a-zA-Z0-9_.-]{1,128}';
const STREAM_PART = new RegExp(`^${NAME}$`);
const CONSUMER_PART = new RegExp(`^(${NAME})/consumer/(${NAME}):([0-9]+)$`);

export function streamArn(ctx: Pick<ModelContext, 'region' | 'account'>, name: string): string {
  return `arn:aws:kinesis:${ctx.region}:${ctx.account}:stream/${name}`;
}

/** One way the ResourceARN may be read: `assume` when it is taken to be a consumer whose ARN was never seen. */
type Target =
  | { kind: 'stream'; stream: string; assume?: undefined }
  | { kind: 'consumer'; stream: string; consumer: string; assume?: Record<string, string> }
  | { kind: 'error'; rule: string; code: string };
type ConsumerTarget = Exclude<Target, { kind: 'stream' }>;

function str(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

function fresh(state: KinesisState, kind: string): string {
  state.seq += 1;
  return `${kind}#${state.seq}`;
}

function withAssume<S>(branch: Branch<S>, assume: Record<string, string> | undefined): Branch<S> {
  return assume ? { ...branch, assume } : branch;
}

/** The consumer whose ARN is `arn`, as far as symbols bound so far tell, plus unobserved candidates. */
function resolveConsumerArn(state: KinesisState, arn: string, ctx: ModelContext, notFoundRule = 'kin.consumer.not-found'): ConsumerTarget[] {
  for (const s of Object.values(state.streams)) {
    const c = s.consumers.find((x) => ctx.symbols.valueOf(x.arn) === arn);
    if (c) return [{ kind: 'consumer', stream: s.name, consumer: c.name }];
  }
  if (state.goneConsumers.some((sym) => ctx.symbols.valueOf(sym) === arn)) {
    return [{ kind: 'error', rule: 'kin.consumer.gone', code: 'ResourceNotFoundException' }];
  }
  const targets: ConsumerTarget[] = [];
  const m = arn.startsWith(streamArn(ctx, '')) ? CONSUMER_PART.exec(arn.slice(streamArn(ctx, '').length)) : null;
  const stream = m ? state.streams[m[1]!] : undefined;
  // A consumer registered by a call whose answer was lost: its ARN may be this one.
  for (const c of stream?.consumers ?? []) {
    if (c.name === m![2] && ctx.symbols.valueOf(c.arn) === undefined) {
      targets.push({ kind: 'consumer', stream: stream!.name, consumer: c.name, assume: { [c.arn]: arn } });
    }
  }
  return [{ kind: 'error', rule: notFoundRule, code: 'ResourceNotFoundException' }, ...targets];
}

function resolve(state: KinesisState, arn: string, ctx: ModelContext): Target[] {
  if (arn.length < 1 || arn.length > MAX_ARN || !ARN_PATTERN.test(arn)) {
    return [{ kind: 'error', rule: 'kin.arn.invalid', code: ctx.switches['kin.invalidArnError']! }];
  }
  const unknown: Target = { kind: 'error', rule: 'kin.arn.unknown', code: ctx.switches['kin.unknownArnError']! };
  const prefix = streamArn(ctx, '');
  if (!arn.startsWith(prefix)) return [unknown];
  const rest = arn.slice(prefix.length);
  if (STREAM_PART.test(rest)) {
    return state.streams[rest]
      ? [{ kind: 'stream', stream: rest }]
      : [{ kind: 'error', rule: 'kin.stream.not-found', code: 'ResourceNotFoundException' }];
  }
  if (CONSUMER_PART.test(rest)) return resolveConsumerArn(state, arn, ctx);
  return [unknown];
}

interface Holder {
  policy: string | null;
}

function holderOf(state: KinesisState, t: Extract<Target, { stream: string }>): Holder {
  const stream = state.streams[t.stream]!;
  return t.kind === 'stream' ? stream : stream.consumers.find((c) => c.name === t.consumer)!;
}

/** Branches for a policy call, one resolution of the ARN at a time; rate limiting is always possible. */
function policyCall(
  state: KinesisState,
  input: JsonObject,
  ctx: ModelContext,
  onTarget: (t: Extract<Target, { stream: string }>) => Branch<KinesisState>[],
): Branch<KinesisState>[] {
  const branches: Branch<KinesisState>[] = [];
  for (const t of resolve(state, str(input, 'ResourceARN') ?? '', ctx)) {
    if (t.kind === 'error') branches.push(fail(t.rule, state, t.code));
    else branches.push(...onTarget(t).map((b) => withAssume(b, t.assume)));
  }
  branches.push(fail('kin.rate-limited', state, 'LimitExceededException'));
  return branches;
}

function putResourcePolicy(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return policyCall(state, input, ctx, (t) => {
    const doc = str(input, 'Policy') ?? '';
    if (!inspectPolicy(doc).valid) return [fail('kin.policy.invalid', state, ctx.switches['kin.invalidPolicyError']!)];
    const had = holderOf(state, t).policy !== null;
    const next = clone(state);
    holderOf(next, t).policy = doc;
    if (t.kind === 'stream') next.streams[t.stream]!.recreated = false;
    return [ok(had ? 'kin.put.replace' : 'kin.put.create', next)];
  });
}

function getResourcePolicy(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return policyCall(state, input, ctx, (t) => {
    const policy = holderOf(state, t).policy;
    if (policy !== null) return [ok('kin.get.policy', state, { Policy: { json: parseJsonOrUndefined(policy) ?? null } })];
    const stream = state.streams[t.stream]!;
    const rule =
      t.kind === 'consumer' ? (stream.policy !== null ? 'kin.consumer.own-policy' : 'kin.get.no-policy') : stream.recreated ? 'kin.deletestream.drops-policy' : 'kin.get.no-policy';
    return [ok(rule, state, { Policy: { json: {} } })];
  });
}

function deleteResourcePolicy(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return policyCall(state, input, ctx, (t) => {
    if (holderOf(state, t).policy === null) return [fail('kin.delete.no-policy', state, ctx.switches['kin.deleteNoPolicyError']!)];
    const next = clone(state);
    holderOf(next, t).policy = null;
    return [ok('kin.delete.removes', next)];
  });
}

function createStream(state: KinesisState, input: JsonObject): Branch<KinesisState>[] {
  const name = str(input, 'StreamName') ?? '';
  if (state.streams[name]) return [fail('kin.createstream.exists', state, 'ResourceInUseException')];
  const next = clone(state);
  next.streams[name] = { name, policy: null, consumers: [], recreated: next.deletedNames.includes(name) };
  return [ok('kin.createstream.create', next)];
}

/** StreamName, or the name inside a StreamARN of this account and region. */
function streamNameOf(input: JsonObject, ctx: ModelContext): string | undefined {
  const name = str(input, 'StreamName');
  if (name !== undefined) return name;
  const arn = str(input, 'StreamARN');
  const prefix = streamArn(ctx, '');
  return arn?.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
}

function deleteStream(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  const name = streamNameOf(input, ctx) ?? '';
  const stream = state.streams[name];
  if (!stream) return [fail('kin.deletestream.not-found', state, 'ResourceNotFoundException')];
  if (stream.consumers.length > 0 && input.EnforceConsumerDeletion !== true) {
    return [fail('kin.deletestream.has-consumers', state, 'ResourceInUseException')];
  }
  const next = clone(state);
  next.goneConsumers.push(...stream.consumers.map((c) => c.arn));
  delete next.streams[name];
  if (!next.deletedNames.includes(name)) next.deletedNames.push(name);
  return [ok('kin.deletestream.delete', next)];
}

/** The consumer a Register/Describe/DeregisterStreamConsumer call names, by StreamARN + ConsumerName or ConsumerARN. */
function consumerTargets(state: KinesisState, input: JsonObject, ctx: ModelContext): ConsumerTarget[] {
  const consumerArn = str(input, 'ConsumerARN');
  if (consumerArn !== undefined) return resolveConsumerArn(state, consumerArn, ctx, 'kin.deregister.not-found');
  const stream = state.streams[streamNameOf({ StreamARN: input.StreamARN ?? null }, ctx) ?? ''];
  if (!stream) return [{ kind: 'error', rule: 'kin.consumer.stream-not-found', code: 'ResourceNotFoundException' }];
  const consumer = stream.consumers.find((c) => c.name === str(input, 'ConsumerName'));
  if (!consumer) return [{ kind: 'error', rule: 'kin.deregister.not-found', code: 'ResourceNotFoundException' }];
  return [{ kind: 'consumer', stream: stream.name, consumer: consumer.name }];
}

function registerStreamConsumer(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  const stream = state.streams[streamNameOf({ StreamARN: input.StreamARN ?? null }, ctx) ?? ''];
  if (!stream) return [fail('kin.consumer.stream-not-found', state, 'ResourceNotFoundException')];
  const name = str(input, 'ConsumerName') ?? '';
  if (stream.consumers.some((c) => c.name === name)) return [fail('kin.register.exists', state, 'ResourceInUseException')];
  if (stream.consumers.length >= MAX_CONSUMERS) return [fail('kin.register.limit', state, 'LimitExceededException')];
  const next = clone(state);
  const arn = fresh(next, 'consumer');
  next.streams[stream.name]!.consumers.push({ name, arn, policy: null });
  return [ok('kin.register.create', next, { ConsumerARN: { sym: arn } })];
}

function describeStreamConsumer(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return consumerTargets(state, input, ctx).map((t) => {
    if (t.kind === 'error') return fail(t.rule, state, t.code);
    const consumer = state.streams[t.stream]!.consumers.find((c) => c.name === t.consumer)!;
    return withAssume(ok('kin.describeconsumer.found', state, { ConsumerARN: { sym: consumer.arn } }), t.assume);
  });
}

function deregisterStreamConsumer(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return consumerTargets(state, input, ctx).map((t) => {
    if (t.kind === 'error') return fail(t.rule, state, t.code);
    const next = clone(state);
    const stream = next.streams[t.stream]!;
    const consumer = stream.consumers.find((c) => c.name === t.consumer)!;
    stream.consumers = stream.consumers.filter((c) => c !== consumer);
    next.goneConsumers.push(consumer.arn);
    return withAssume(ok('kin.deregister.delete', next), t.assume);
  });
}

export const kinesisModel: ServiceModel<KinesisState> = {
  service: 'kinesis',
  rules: KINESIS_RULES,
  switches: KINESIS_SWITCHES,
  initial: () => ({ seq: 0, streams: {}, deletedNames: [], goneConsumers: [] }),
  step(state: KinesisState, request: Request, ctx: ModelContext): Branch<KinesisState>[] {
    const input = request.input;
    switch (request.operation) {
      case 'PutResourcePolicy':
        return putResourcePolicy(state, input, ctx);
      case 'GetResourcePolicy':
        return getResourcePolicy(state, input, ctx);
      case 'DeleteResourcePolicy':
        return deleteResourcePolicy(state, input, ctx);
      case 'CreateStream':
        return createStream(state, input);
      case 'DeleteStream':
        return deleteStream(state, input, ctx);
      case 'RegisterStreamConsumer':
        return registerStreamConsumer(state, input, ctx);
      case 'DescribeStreamConsumer':
        return describeStreamConsumer(state, input, ctx);
      case 'DeregisterStreamConsumer':
        return deregisterStreamConsumer(state, input, ctx);
      default:
        throw new Error(`kinesis model: unknown operation ${request.operation}`);
    }
  },
};
