import { fail, ok, stepByOperation } from '../../models/branches.js';
import { parseJsonOrUndefined } from '../../models/match.js';
import { inspectPolicy } from '../../models/policy-document.js';
import type { Branch, Json, JsonObject, ModelContext, Pattern, Request, ServiceModel, StringFormat } from '../../models/types.js';
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
  /**
   * Created again after a stream of the same name was deleted while it held a policy, and no policy put since: only
   * then does "{}" show that the old policy was dropped (a stream deleted without one proves nothing).
   */
  recreated: boolean;
}

export interface KinesisState {
  seq: number;
  streams: Record<string, KinStream>;
  /** Names of streams that were deleted (or replaced) while they held a policy. */
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What a ConsumerARN returned for consumer `consumer` of stream `stream` must look like (spec §2.2, the documented
 * consumer pattern): `arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<consumer>:<creation timestamp>`.
 */
export function consumerArnFormat(ctx: Pick<ModelContext, 'region' | 'account'>, stream: string, consumer: string): StringFormat {
  return { pattern: `${escapeRegExp(streamArn(ctx, stream))}/consumer/${escapeRegExp(consumer)}:[0-9]+` };
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

/**
 * A new state with `change` applied to stream `name` (a copy of it, which `change` may edit). Copy-on-write: only
 * the path to the stream is copied, everything else is shared with `state`, which is never changed (the checker
 * keeps both); keys keep their order, so the JSON is what a deep copy changed in place would give.
 */
function withStream(state: KinesisState, name: string, change: (stream: KinStream) => void): KinesisState {
  const stream = { ...state.streams[name]! };
  change(stream);
  return { ...state, streams: { ...state.streams, [name]: stream } };
}

/** A new state with the policy of the stream or consumer `t` names set to `policy` (copy-on-write, see withStream). */
function withPolicy(state: KinesisState, t: Extract<Target, { stream: string }>, policy: string | null): KinesisState {
  return withStream(state, t.stream, (stream) => {
    if (t.kind === 'stream') stream.policy = policy;
    else stream.consumers = stream.consumers.map((c) => (c.name === t.consumer ? { ...c, policy } : c));
  });
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

/** Answers that say "no such stream or consumer" for a pattern-valid ARN. */
const NOT_FOUND_RULES = new Set(['kin.stream.not-found', 'kin.consumer.not-found', 'kin.consumer.gone']);

function putResourcePolicy(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  const doc = str(input, 'Policy') ?? '';
  const invalid = !inspectPolicy(doc).valid;
  const branches = policyCall(state, input, ctx, (t) => {
    if (invalid) return [fail('kin.policy.invalid', state, ctx.switches['kin.invalidPolicyError']!)];
    const had = holderOf(state, t).policy !== null;
    let next = withPolicy(state, t, doc);
    if (t.kind === 'stream') next = withStream(next, t.stream, (s) => (s.recreated = false));
    return [ok(had ? 'kin.put.replace' : 'kin.put.create', next)];
  });
  // An invalid document for a stream or consumer that does not exist: AWS does not document which check answers
  // first, so the document's error is as much AWS's answer as "not found" (ministack checks the document first).
  if (invalid && branches.some((b) => NOT_FOUND_RULES.has(b.rule))) branches.push(fail('kin.policy.invalid', state, ctx.switches['kin.invalidPolicyError']!));
  return branches;
}

/** A stored document as Get must return it: compared as JSON; one that is not JSON (a conjectured effect stored it) as sent. */
function storedPolicy(policy: string): Pattern {
  const parsed = parseJsonOrUndefined(policy);
  return parsed === undefined ? { eq: policy } : { json: parsed };
}

function getResourcePolicy(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return policyCall(state, input, ctx, (t) => {
    const policy = holderOf(state, t).policy;
    if (policy !== null) return [ok('kin.get.policy', state, { Policy: storedPolicy(policy) })];
    const stream = state.streams[t.stream]!;
    const rule =
      t.kind === 'consumer' ? (stream.policy !== null ? 'kin.consumer.own-policy' : 'kin.get.no-policy') : stream.recreated ? 'kin.deletestream.drops-policy' : 'kin.get.no-policy';
    // Those two rules are about the document a success shows (the stream's, the old stream's); an error instead of
    // "{}" departs from the plain no-policy rule.
    const branch = ok(rule, state, { Policy: { json: {} } });
    return [rule === 'kin.get.no-policy' ? branch : { ...branch, errorRule: 'kin.get.no-policy' }];
  });
}

function deleteResourcePolicy(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return policyCall(state, input, ctx, (t) => {
    if (holderOf(state, t).policy === null) return [fail('kin.delete.no-policy', state, ctx.switches['kin.deleteNoPolicyError']!)];
    return [ok('kin.delete.removes', withPolicy(state, t, null))];
  });
}

/**
 * Remove stream `name` from `next` (a top-level copy the caller owns; its members are replaced, never changed, so
 * the state it was copied from stays as it was): its consumers' ARNs name nothing from now on.
 */
function dropStream(next: KinesisState, name: string): void {
  const stream = next.streams[name]!;
  next.goneConsumers = [...next.goneConsumers, ...stream.consumers.map((c) => c.arn)];
  const streams = { ...next.streams };
  delete streams[name];
  next.streams = streams;
  if (stream.policy !== null && !next.deletedNames.includes(name)) next.deletedNames = [...next.deletedNames, name];
}

/** Add a new stream `name` to `next` (a top-level copy the caller owns, as for dropStream). */
function freshStream(next: KinesisState, name: string): void {
  next.streams = { ...next.streams, [name]: { name, policy: null, consumers: [], recreated: next.deletedNames.includes(name) } };
}

function createStream(state: KinesisState, input: JsonObject): Branch<KinesisState>[] {
  const name = str(input, 'StreamName') ?? '';
  if (state.streams[name]) return [fail('kin.createstream.exists', state, 'ResourceInUseException')];
  const next = { ...state };
  freshStream(next, name);
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
  const next = { ...state };
  dropStream(next, name);
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
  const next = { ...state };
  const arn = fresh(next, 'consumer');
  next.streams = { ...next.streams, [stream.name]: { ...stream, consumers: [...stream.consumers, { name, arn, policy: null }] } };
  // A new consumer's ARN is new: it carries its creation time, so it differs from every consumer's before it,
  // deregistered ones included (a target that reuses one hands the new consumer whatever the old ARN held).
  const earlier = [...state.goneConsumers, ...Object.values(state.streams).flatMap((s) => s.consumers.map((c) => c.arn))];
  return [ok('kin.register.create', next, { ConsumerARN: { sym: arn, distinctFrom: earlier, format: consumerArnFormat(ctx, stream.name, name) } })];
}

function describeStreamConsumer(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return consumerTargets(state, input, ctx).map((t) => {
    if (t.kind === 'error') return fail(t.rule, state, t.code);
    const consumer = state.streams[t.stream]!.consumers.find((c) => c.name === t.consumer)!;
    const output = { ConsumerARN: { sym: consumer.arn, format: consumerArnFormat(ctx, t.stream, consumer.name) } };
    return withAssume(ok('kin.describeconsumer.found', state, output), t.assume);
  });
}

function deregisterStreamConsumer(state: KinesisState, input: JsonObject, ctx: ModelContext): Branch<KinesisState>[] {
  return consumerTargets(state, input, ctx).map((t) => {
    if (t.kind === 'error') return fail(t.rule, state, t.code);
    return withAssume(ok('kin.deregister.delete', deregistered(state, t)), t.assume);
  });
}

/** The state after consumer `t` is deregistered (copy-on-write, see withStream): its ARN names nothing from now on. */
function deregistered(state: KinesisState, t: Extract<ConsumerTarget, { kind: 'consumer' }>): KinesisState {
  const consumer = state.streams[t.stream]!.consumers.find((c) => c.name === t.consumer)!;
  const next = withStream(state, t.stream, (s) => (s.consumers = s.consumers.filter((c) => c !== consumer)));
  next.goneConsumers = [...next.goneConsumers, consumer.arn];
  return next;
}

/** Every stream or consumer `arn` may name (the not-found readings left out). */
function holdersNamed(state: KinesisState, arn: string, ctx: ModelContext): Array<Extract<Target, { stream: string }>> {
  return resolve(state, arn, ctx).filter((t): t is Extract<Target, { stream: string }> => t.kind !== 'error');
}

/**
 * The states a write leaves when carried out with its checks ignored: an invalid document attached, a stream with
 * consumers deleted without EnforceConsumerDeletion, an existing name created afresh, a consumer registered over
 * the limit or under a name already taken (replacing the old one). Empty when it names nothing the state has.
 */
function effects(state: KinesisState, request: Request, ctx: ModelContext): KinesisState[] {
  const input = request.input;
  switch (request.operation) {
    case 'PutResourcePolicy':
    case 'DeleteResourcePolicy': {
      const arn = str(input, 'ResourceARN');
      const doc = request.operation === 'PutResourcePolicy' ? str(input, 'Policy') : null;
      if (arn === undefined || doc === undefined) return [];
      return holdersNamed(state, arn, ctx).map((t) => {
        const next = withPolicy(state, t, doc);
        return doc !== null && t.kind === 'stream' ? withStream(next, t.stream, (s) => (s.recreated = false)) : next;
      });
    }
    case 'CreateStream': {
      const name = str(input, 'StreamName');
      if (name === undefined) return [];
      const next = { ...state };
      if (next.streams[name]) dropStream(next, name);
      freshStream(next, name);
      return [next];
    }
    case 'DeleteStream': {
      const name = streamNameOf(input, ctx);
      if (name === undefined || !state.streams[name]) return [];
      const next = { ...state };
      dropStream(next, name);
      return [next];
    }
    case 'RegisterStreamConsumer': {
      const stream = state.streams[streamNameOf({ StreamARN: input.StreamARN ?? null }, ctx) ?? ''];
      const name = str(input, 'ConsumerName');
      if (!stream || name === undefined) return [];
      const next = { ...state };
      const replaced = stream.consumers.filter((c) => c.name === name);
      next.goneConsumers = [...next.goneConsumers, ...replaced.map((c) => c.arn)];
      const arn = fresh(next, 'consumer');
      next.streams = { ...next.streams, [stream.name]: { ...stream, consumers: [...stream.consumers.filter((c) => c.name !== name), { name, arn, policy: null }] } };
      return [next];
    }
    case 'DeregisterStreamConsumer':
      return consumerTargets(state, input, ctx).flatMap((t) => (t.kind === 'error' ? [] : [deregistered(state, t)]));
    default:
      return [];
  }
}

function consumerView(c: KinConsumer, ctx: ModelContext): Json {
  return { name: c.name, arn: ctx.symbols.valueOf(c.arn) ?? null, policy: c.policy };
}

function streamView(state: KinesisState, name: string, ctx: ModelContext): Json {
  const s = state.streams[name];
  if (!s) return { stream: name, exists: false };
  return { stream: name, exists: true, policy: s.policy, consumers: s.consumers.map((c) => consumerView(c, ctx)), ...(s.recreated ? { recreated: true } : {}) };
}

function consumerFocus(state: KinesisState, stream: string, consumer: string, ctx: ModelContext): Json {
  const s = state.streams[stream];
  const c = s?.consumers.find((x) => x.name === consumer);
  return { stream, streamExists: s !== undefined, streamPolicy: s?.policy ?? null, consumer: c ? consumerView(c, ctx) : { name: consumer, exists: false } };
}

/** The stream or consumer a request is about, as the model believes it is (bound ARNs shown with their values). */
function focus(state: KinesisState, request: Request, ctx: ModelContext): Json {
  const input = request.input;
  switch (request.operation) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicy':
    case 'DeleteResourcePolicy': {
      const arn = str(input, 'ResourceARN');
      const named = arn === undefined ? [] : holdersNamed(state, arn, ctx);
      const t = named[0];
      if (t) return t.kind === 'stream' ? streamView(state, t.stream, ctx) : consumerFocus(state, t.stream, t.consumer, ctx);
      const prefix = streamArn(ctx, '');
      const rest = arn?.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
      if (rest !== undefined && STREAM_PART.test(rest)) return streamView(state, rest, ctx);
      const m = rest === undefined ? null : CONSUMER_PART.exec(rest);
      if (m) return { ...(consumerFocus(state, m[1]!, m[2]!, ctx) as JsonObject), resourceArn: arn! };
      return { resourceArn: arn ?? null, names: 'no stream or consumer of this account and region' };
    }
    case 'CreateStream':
    case 'DeleteStream':
      return streamView(state, streamNameOf(input, ctx) ?? '', ctx);
    case 'RegisterStreamConsumer':
      return consumerFocus(state, streamNameOf({ StreamARN: input.StreamARN ?? null }, ctx) ?? '', str(input, 'ConsumerName') ?? '', ctx);
    case 'DescribeStreamConsumer':
    case 'DeregisterStreamConsumer': {
      const t = consumerTargets(state, input, ctx).find((x) => x.kind === 'consumer');
      if (t?.kind === 'consumer') return consumerFocus(state, t.stream, t.consumer, ctx);
      const name = str(input, 'ConsumerName');
      if (name !== undefined) return consumerFocus(state, streamNameOf({ StreamARN: input.StreamARN ?? null }, ctx) ?? '', name, ctx);
      return { consumerArn: str(input, 'ConsumerARN') ?? null, names: 'no registered consumer' };
    }
    default:
      return null;
  }
}

export const kinesisModel: ServiceModel<KinesisState> = {
  service: 'kinesis',
  rules: KINESIS_RULES,
  switches: KINESIS_SWITCHES,
  initial: () => ({ seq: 0, streams: {}, deletedNames: [], goneConsumers: [] }),
  effects,
  focus,
  step: stepByOperation('kinesis', {
    PutResourcePolicy: putResourcePolicy,
    GetResourcePolicy: getResourcePolicy,
    DeleteResourcePolicy: deleteResourcePolicy,
    CreateStream: createStream,
    DeleteStream: deleteStream,
    RegisterStreamConsumer: registerStreamConsumer,
    DescribeStreamConsumer: describeStreamConsumer,
    DeregisterStreamConsumer: deregisterStreamConsumer,
  }),
};
