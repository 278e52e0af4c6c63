import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KinCommand, type KinTarget, kinesisCommands, simplifyKinesis } from '../../services/kinesis/commands.js';
import type { PolicyGen } from '../../generators/policy.js';
import { kinesisAdapter } from '../../services/kinesis/adapter.js';
import { KINESIS_RULES, KINESIS_SWITCHES } from '../../services/kinesis/rules.js';
import { consumerArnFormat, type KinesisState, kinesisModel, MAX_CONSUMERS, streamArn } from '../../services/kinesis/model.js';
import { fitsFormat, symbolView } from '../../models/match.js';
import { defaultSwitches, type JsonObject, type ModelContext } from '../../models/types.js';
import { ACCOUNT, REGION, call, checkerFor, err, okOut, policy } from './support.js';

const ctx = { account: ACCOUNT, region: REGION };
const ARN = streamArn(ctx, 'orders');
const CONSUMER_ARN = `${ARN}/consumer/reader:1700000000`;
const DOC = policy('s1');
const DOC2 = policy('s2', 'arn:aws:iam::444455556666:root');

function withStream(switches: Record<string, string> = {}) {
  const c = checkerFor(kinesisModel, switches);
  expect(call(c, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, okOut())).toEqual({ status: 'match', rules: ['kin.createstream.create'] });
  return c;
}

function withConsumer() {
  const c = withStream();
  expect(call(c, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: CONSUMER_ARN })).status).toBe('match');
  return c;
}

describe('kinesis rules and switches', () => {
  it('are prefixed and every switch default is one of its values', () => {
    for (const id of Object.keys(KINESIS_RULES)) expect(id.startsWith('kin.')).toBe(true);
    for (const s of KINESIS_SWITCHES) {
      expect(s.name.startsWith('kin.')).toBe(true);
      expect(s.values).toContain(s.default);
    }
  });

  it('throws on an unknown operation', () => {
    expect(() => call(checkerFor(kinesisModel), 'ListStreams', {}, okOut())).toThrow(/unknown operation/);
  });
});

describe('GetResourcePolicy', () => {
  it('shows "{}" when no policy is attached (AWS-verified)', () => {
    const c = withStream();
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' }))).toEqual({ status: 'match', rules: ['kin.get.no-policy'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{ }' })).status).toBe('match');
  });

  it('diverges when a stream without policy answers otherwise', () => {
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: ARN }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'kin.get.no-policy' });
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: ARN }, okOut({}))).toMatchObject({ status: 'diverged', rule: 'kin.get.no-policy' });
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '' }))).toMatchObject({ status: 'diverged', rule: 'kin.get.no-policy' });
  });

  it('returns the stored document, compared as JSON', () => {
    const c = withStream();
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut())).toEqual({ status: 'match', rules: ['kin.put.create'] });
    const reformatted = JSON.stringify(JSON.parse(DOC), null, 2);
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: reformatted }))).toEqual({ status: 'match', rules: ['kin.get.policy'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC2 }))).toMatchObject({ status: 'diverged', rule: 'kin.get.policy' });
  });

  it('diverges when a valid Put is refused', () => {
    const c = withStream();
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, err('InvalidArgumentException'))).toMatchObject({ status: 'diverged', rule: 'kin.put.create' });
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut());
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC2 }, err('ResourceInUseException'))).toMatchObject({ status: 'diverged', rule: 'kin.put.replace' });
  });

  it('a second Put replaces the document entirely', () => {
    const c = withStream();
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut());
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC2 }, okOut())).toEqual({ status: 'match', rules: ['kin.put.replace'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC }))).toMatchObject({ status: 'diverged', rule: 'kin.get.policy' });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC2 })).status).toBe('match');
  });
});

describe('resource resolution', () => {
  it('a stream that does not exist: ResourceNotFoundException', () => {
    const c = checkerFor(kinesisModel);
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['kin.stream.not-found'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' }))).toMatchObject({ status: 'diverged', rule: 'kin.stream.not-found' });
  });

  it('an ARN violating the model pattern uses switch kin.invalidArnError', () => {
    const bad = 'arn:aws:s3:::bucket';
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: bad }, err('ValidationException'))).toEqual({ status: 'match', rules: ['kin.arn.invalid'] });
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: bad }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'kin.arn.invalid' });
    expect(call(withStream({ 'kin.invalidArnError': 'InvalidArgumentException' }), 'GetResourcePolicy', { ResourceARN: bad }, err('InvalidArgumentException')).status).toBe('match');
  });

  it('another account\'s stream ARN uses switch kin.unknownArnError', () => {
    const foreign = 'arn:aws:kinesis:us-east-1:999999999999:stream/orders';
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: foreign }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['kin.arn.unknown'] });
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: foreign }, okOut({ Policy: '{}' }))).toMatchObject({ status: 'diverged', rule: 'kin.arn.unknown' });
  });

  it('a consumer ARN with a creation timestamp never returned: ResourceNotFoundException', () => {
    const c = withConsumer();
    const other = `${ARN}/consumer/reader:1600000000`;
    expect(call(c, 'GetResourcePolicy', { ResourceARN: other }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['kin.consumer.not-found'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: other }, okOut({ Policy: '{}' }))).toMatchObject({ status: 'diverged', rule: 'kin.consumer.not-found' });
  });
});

describe('PutResourcePolicy document checks', () => {
  it('rejects a non-policy with switch kin.invalidPolicyError', () => {
    expect(call(withStream(), 'PutResourcePolicy', { ResourceARN: ARN, Policy: 'not json' }, err('InvalidArgumentException'))).toEqual({ status: 'match', rules: ['kin.policy.invalid'] });
    expect(call(withStream(), 'PutResourcePolicy', { ResourceARN: ARN, Policy: '{"Version":"2012-10-17"}' }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.policy.invalid' });
    const c = withStream({ 'kin.invalidPolicyError': 'ValidationException' });
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: '' }, err('InvalidArgumentException'))).toMatchObject({ status: 'diverged', rule: 'kin.policy.invalid' });
  });

  it('a rejected document leaves the stream without policy', () => {
    const c = withStream();
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: 'not json' }, err('InvalidArgumentException'));
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' })).status).toBe('match');
  });
});

describe('DeleteResourcePolicy', () => {
  it('without a policy is an error (switch kin.deleteNoPolicyError)', () => {
    expect(call(withStream(), 'DeleteResourcePolicy', { ResourceARN: ARN }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['kin.delete.no-policy'] });
    expect(call(withStream(), 'DeleteResourcePolicy', { ResourceARN: ARN }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.delete.no-policy' });
    const c = withStream({ 'kin.deleteNoPolicyError': 'InvalidArgumentException' });
    expect(call(c, 'DeleteResourcePolicy', { ResourceARN: ARN }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'kin.delete.no-policy' });
  });

  it('removes the policy; Get then shows "{}" and a second Delete fails', () => {
    const c = withStream();
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut());
    expect(call(c, 'DeleteResourcePolicy', { ResourceARN: ARN }, okOut())).toEqual({ status: 'match', rules: ['kin.delete.removes'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC }))).toMatchObject({ status: 'diverged', rule: 'kin.get.no-policy' });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' })).status).toBe('match');
    expect(call(c, 'DeleteResourcePolicy', { ResourceARN: ARN }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.delete.no-policy' });
  });

  it('diverges when a Delete with a policy fails', () => {
    const c = withStream();
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut());
    expect(call(c, 'DeleteResourcePolicy', { ResourceARN: ARN }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'kin.delete.removes' });
  });
});

describe('consumers', () => {
  it('hold their own policy, independent of the stream', () => {
    const c = withConsumer();
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut())).toEqual({ status: 'match', rules: ['kin.put.create'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: DOC }))).toMatchObject({ status: 'diverged', rule: 'kin.consumer.own-policy' });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: '{}' }))).toEqual({ status: 'match', rules: ['kin.consumer.own-policy'] });
    expect(call(c, 'PutResourcePolicy', { ResourceARN: CONSUMER_ARN, Policy: DOC2 }, okOut())).toEqual({ status: 'match', rules: ['kin.put.create'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: DOC2 })).status).toBe('match');
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC2 }))).toMatchObject({ status: 'diverged', rule: 'kin.get.policy' });
    expect(call(c, 'DeleteResourcePolicy', { ResourceARN: ARN }, okOut())).toEqual({ status: 'match', rules: ['kin.delete.removes'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: DOC2 })).status).toBe('match');
  });

  it('Register binds the ConsumerARN that Describe must return again', () => {
    const c = withConsumer();
    expect(call(c, 'DescribeStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: CONSUMER_ARN }))).toEqual({
      status: 'match',
      rules: ['kin.describeconsumer.found'],
    });
    expect(call(c, 'DescribeStreamConsumer', { ConsumerARN: CONSUMER_ARN }, okOut({ ConsumerARN: `${ARN}/consumer/reader:1` }))).toMatchObject({
      status: 'diverged',
      rule: 'kin.describeconsumer.found',
    });
  });

  it('a duplicate name is refused; a missing stream is not found', () => {
    const c = withConsumer();
    expect(call(c, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: `${ARN}/consumer/reader:2` }))).toMatchObject({
      status: 'diverged',
      rule: 'kin.register.exists',
    });
    expect(call(c, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, err('ResourceInUseException'))).toEqual({ status: 'match', rules: ['kin.register.exists'] });
    expect(call(c, 'RegisterStreamConsumer', { StreamARN: streamArn(ctx, 'nope'), ConsumerName: 'r' }, okOut({ ConsumerARN: 'x' }))).toMatchObject({
      status: 'diverged',
      rule: 'kin.consumer.stream-not-found',
    });
  });

  it('a deregistered consumer ARN names nothing', () => {
    const c = withConsumer();
    call(c, 'PutResourcePolicy', { ResourceARN: CONSUMER_ARN, Policy: DOC }, okOut());
    expect(call(c, 'DeregisterStreamConsumer', { ConsumerARN: CONSUMER_ARN }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'kin.deregister.delete' });
    expect(call(c, 'DeregisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut())).toEqual({ status: 'match', rules: ['kin.deregister.delete'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: DOC }))).toMatchObject({ status: 'diverged', rule: 'kin.consumer.gone' });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['kin.consumer.gone'] });
    expect(call(c, 'DeregisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, err('ResourceNotFoundException'))).toEqual({
      status: 'match',
      rules: ['kin.deregister.not-found'],
    });
    expect(call(c, 'DeregisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.deregister.not-found' });
  });

  it('a consumer registered by a call whose answer was lost may be any ARN of that name', () => {
    const c = withStream();
    expect(call(c, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, { kind: 'fault', reason: 'timeout' }).status).toBe('indeterminate');
    expect(call(c, 'PutResourcePolicy', { ResourceARN: CONSUMER_ARN, Policy: DOC }, okOut())).toEqual({ status: 'match', rules: ['kin.put.create'] });
    expect(c.agreedBindings).toEqual({ 'consumer#1': CONSUMER_ARN });
    expect(call(c, 'DescribeStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: `${ARN}/consumer/reader:5` }))).toMatchObject({
      status: 'diverged',
      rule: 'kin.describeconsumer.found',
    });
  });
});

describe('stream lifecycle', () => {
  it('CreateStream of an existing name: ResourceInUseException', () => {
    const c = withStream();
    expect(call(c, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.createstream.exists' });
  });

  it('DeleteStream with consumers needs EnforceConsumerDeletion and then removes them', () => {
    const c = withConsumer();
    expect(call(c, 'DeleteStream', { StreamName: 'orders' }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.deletestream.has-consumers' });
    expect(call(c, 'DeleteStream', { StreamName: 'orders' }, err('ResourceInUseException')).status).toBe('match');
    expect(call(c, 'DeleteStream', { StreamName: 'orders', EnforceConsumerDeletion: true }, okOut())).toEqual({ status: 'match', rules: ['kin.deletestream.delete'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, err('ResourceNotFoundException'))).toEqual({ status: 'match', rules: ['kin.consumer.gone'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' }))).toMatchObject({ status: 'diverged', rule: 'kin.stream.not-found' });
  });

  it('a stream created again starts without policy', () => {
    const c = withStream();
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut());
    expect(call(c, 'DeleteStream', { StreamName: 'orders' }, okOut()).status).toBe('match');
    expect(call(c, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, okOut()).status).toBe('match');
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC }))).toMatchObject({ status: 'diverged', rule: 'kin.deletestream.drops-policy' });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' }))).toEqual({ status: 'match', rules: ['kin.deletestream.drops-policy'] });
  });

  it('DeleteStream of an unknown stream: ResourceNotFoundException', () => {
    expect(call(checkerFor(kinesisModel), 'DeleteStream', { StreamName: 'orders' }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.deletestream.not-found' });
  });
});

describe('rate limiting', () => {
  it('LimitExceededException is allowed on policy calls and changes nothing', () => {
    const c = withStream();
    expect(call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, err('LimitExceededException'))).toEqual({ status: 'match', rules: ['kin.rate-limited'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: DOC }))).toMatchObject({ status: 'diverged', rule: 'kin.get.no-policy' });
  });
});

/** Drive the model by its first (most likely) branch, as the reference server does; `bindings` are the symbol values seen. */
function drive(requests: Array<[string, JsonObject]>, bindings: Record<string, string> = {}): { state: KinesisState; ctx: ModelContext } {
  const mctx: ModelContext = { switches: defaultSwitches(kinesisModel.switches), consistency: 'strict', ...ctx, symbols: symbolView(bindings) };
  let state = kinesisModel.initial();
  for (const [operation, input] of requests) state = kinesisModel.step(state, { operation, input }, mctx)[0]!.next;
  return { state, ctx: mctx };
}

const effectsOf = (state: KinesisState, operation: string, input: JsonObject, c: ModelContext) => kinesisModel.effects!(state, { operation, input }, c);
const firstRule = (state: KinesisState, operation: string, input: JsonObject, c: ModelContext) => kinesisModel.step(state, { operation, input }, c)[0]!;

/** A stream "orders" with consumer "reader" (ARN bound to CONSUMER_ARN); with a stream policy when asked. */
function streamWithConsumer(withPolicy = false) {
  return drive(
    [
      ['CreateStream', { StreamName: 'orders', ShardCount: 1 }],
      ['RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }],
      ...(withPolicy ? [['PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }] as [string, JsonObject]] : []),
    ],
    { 'consumer#1': CONSUMER_ARN },
  );
}

describe('effects: a write carried out with its checks ignored', () => {
  it('DeleteStream of a stream with consumers, without EnforceConsumerDeletion: the stream, its consumers and their policies gone', () => {
    const { state, ctx: c } = streamWithConsumer(true);
    expect(firstRule(state, 'DeleteStream', { StreamName: 'orders' }, c).rule).toBe('kin.deletestream.has-consumers');
    const [after, ...more] = effectsOf(state, 'DeleteStream', { StreamName: 'orders' }, c);
    expect(more).toEqual([]);
    expect(after!.streams).toEqual({});
    expect(after!.goneConsumers).toEqual(['consumer#1']);
    expect(firstRule(after!, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, c).rule).toBe('kin.consumer.gone');
    expect(firstRule(after!, 'GetResourcePolicy', { ResourceARN: ARN }, c).rule).toBe('kin.stream.not-found');
    // Deleted while it held a policy: a re-created stream's "{}" then shows the policy was dropped.
    const recreated = kinesisModel.step(after!, { operation: 'CreateStream', input: { StreamName: 'orders' } }, c)[0]!.next;
    expect(firstRule(recreated, 'GetResourcePolicy', { ResourceARN: ARN }, c).rule).toBe('kin.deletestream.drops-policy');
  });

  it('the same conjecture through the checker explains a later "not found": one departure at the DeleteStream, not at every later call', () => {
    const c = withConsumer();
    // Judged as an ordinary answer, kinesis-local's DeleteStream is fine, and the next call departs...
    expect(call(c, 'DeleteStream', { StreamName: 'orders' }, err('ResourceInUseException'))).toEqual({ status: 'match', rules: ['kin.deletestream.has-consumers'] });
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, err('ResourceNotFoundException'))).toMatchObject({ status: 'diverged', rule: 'kin.get.no-policy' });
    // ...while the effect of that DeleteStream accepts it.
    const { state, ctx: mc } = streamWithConsumer();
    const [gone] = effectsOf(state, 'DeleteStream', { StreamName: 'orders' }, mc);
    expect(kinesisModel.step(gone!, { operation: 'GetResourcePolicy', input: { ResourceARN: ARN } }, mc).map((b) => b.expect)).toContainEqual({
      kind: 'error',
      code: 'ResourceNotFoundException',
      status: 400,
    });
  });

  it('PutResourcePolicy with an invalid document on a stream or consumer: that document attached (Get returns it as sent)', () => {
    const { state, ctx: c } = streamWithConsumer();
    expect(firstRule(state, 'PutResourcePolicy', { ResourceARN: ARN, Policy: 'not json' }, c).rule).toBe('kin.policy.invalid');
    const [onStream] = effectsOf(state, 'PutResourcePolicy', { ResourceARN: ARN, Policy: 'not json' }, c);
    expect(onStream!.streams.orders!.policy).toBe('not json');
    expect(firstRule(onStream!, 'GetResourcePolicy', { ResourceARN: ARN }, c).expect).toEqual({ kind: 'ok', output: { Policy: { eq: 'not json' } } });
    const [onConsumer] = effectsOf(state, 'PutResourcePolicy', { ResourceARN: CONSUMER_ARN, Policy: '{"Version":"2012-10-17"}' }, c);
    expect(onConsumer!.streams.orders!.consumers[0]!.policy).toBe('{"Version":"2012-10-17"}');
    expect(onConsumer!.streams.orders!.policy).toBeNull();
  });

  it('DeleteResourcePolicy without a policy: unchanged; a request naming nothing, or a read: no effect', () => {
    const { state, ctx: c } = streamWithConsumer();
    expect(effectsOf(state, 'DeleteResourcePolicy', { ResourceARN: ARN }, c)).toEqual([state]);
    expect(effectsOf(state, 'PutResourcePolicy', { ResourceARN: streamArn(ctx, 'nope'), Policy: DOC }, c)).toEqual([]);
    expect(effectsOf(state, 'PutResourcePolicy', { ResourceARN: `${ARN}/consumer/reader:1`, Policy: DOC }, c)).toEqual([]);
    expect(effectsOf(state, 'PutResourcePolicy', { Policy: DOC }, c)).toEqual([]);
    expect(effectsOf(state, 'DeleteStream', { StreamName: 'nope' }, c)).toEqual([]);
    expect(effectsOf(state, 'RegisterStreamConsumer', { StreamARN: streamArn(ctx, 'nope'), ConsumerName: 'x' }, c)).toEqual([]);
    expect(effectsOf(state, 'GetResourcePolicy', { ResourceARN: ARN }, c)).toEqual([]);
    expect(effectsOf(state, 'DescribeStreamConsumer', { ConsumerARN: CONSUMER_ARN }, c)).toEqual([]);
  });

  it('CreateStream of an existing name: the stream exists fresh (no policy, no consumers)', () => {
    const { state, ctx: c } = streamWithConsumer(true);
    expect(firstRule(state, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, c).rule).toBe('kin.createstream.exists');
    const [fresh] = effectsOf(state, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, c);
    expect(fresh!.streams.orders).toEqual({ name: 'orders', policy: null, consumers: [], recreated: true });
    expect(fresh!.goneConsumers).toEqual(['consumer#1']);
  });

  it('RegisterStreamConsumer of an existing name or over the limit: registered, under a fresh ARN symbol', () => {
    const { state, ctx: c } = streamWithConsumer();
    expect(firstRule(state, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, c).rule).toBe('kin.register.exists');
    const [again] = effectsOf(state, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, c);
    expect(again!.streams.orders!.consumers).toEqual([{ name: 'reader', arn: `consumer#${again!.seq}`, policy: null }]);
    expect(again!.seq).toBeGreaterThan(state.seq);
    expect(again!.goneConsumers).toEqual(['consumer#1']);

    const full = drive([
      ['CreateStream', { StreamName: 'orders' }],
      ...Array.from({ length: MAX_CONSUMERS }, (_, i): [string, JsonObject] => ['RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: `c${i}` }]),
    ]);
    expect(firstRule(full.state, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'extra' }, full.ctx).rule).toBe('kin.register.limit');
    const [over] = effectsOf(full.state, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'extra' }, full.ctx);
    expect(over!.streams.orders!.consumers).toHaveLength(MAX_CONSUMERS + 1);
  });

  it('DeregisterStreamConsumer: the consumer gone, whatever the answer', () => {
    const { state, ctx: c } = streamWithConsumer();
    const [after] = effectsOf(state, 'DeregisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, c);
    expect(after!.streams.orders!.consumers).toEqual([]);
    expect(after!.goneConsumers).toEqual(['consumer#1']);
    expect(effectsOf(state, 'DeregisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'other' }, c)).toEqual([]);
  });
});

describe('focus: the stream or consumer a request is about', () => {
  it('a stream with its policy and consumers; a consumer with its stream\'s policy; what an ARN naming nothing names', () => {
    const { state, ctx: c } = streamWithConsumer(true);
    const focus = (operation: string, input: JsonObject) => kinesisModel.focus!(state, { operation, input }, c);
    expect(focus('GetResourcePolicy', { ResourceARN: ARN })).toEqual({
      stream: 'orders',
      exists: true,
      policy: DOC,
      consumers: [{ name: 'reader', arn: CONSUMER_ARN, policy: null }],
    });
    expect(focus('PutResourcePolicy', { ResourceARN: CONSUMER_ARN, Policy: DOC2 })).toEqual({
      stream: 'orders',
      streamExists: true,
      streamPolicy: DOC,
      consumer: { name: 'reader', arn: CONSUMER_ARN, policy: null },
    });
    expect(focus('DeleteStream', { StreamName: 'orders' })).toMatchObject({ stream: 'orders', exists: true });
    expect(focus('CreateStream', { StreamName: 'other' })).toEqual({ stream: 'other', exists: false });
    expect(focus('GetResourcePolicy', { ResourceARN: streamArn(ctx, 'other') })).toEqual({ stream: 'other', exists: false });
    expect(focus('DescribeStreamConsumer', { ConsumerARN: CONSUMER_ARN })).toMatchObject({ stream: 'orders', consumer: { name: 'reader' } });
    expect(focus('GetResourcePolicy', { ResourceARN: 'arn:aws:s3:::bucket' })).toMatchObject({ resourceArn: 'arn:aws:s3:::bucket' });
    expect(focus('GetResourcePolicy', {})).toMatchObject({ resourceArn: null });
  });
});

describe('ConsumerARN format (spec §2.2)', () => {
  it('is stream ARN + /consumer/<name>:<creation timestamp digits>', () => {
    const format = consumerArnFormat(ctx, 'orders', 'reader');
    expect(fitsFormat(format, CONSUMER_ARN)).toBe(true);
    expect(fitsFormat(format, `${ARN}/consumer/reader`)).toBe(false);
    expect(fitsFormat(format, `${ARN}/consumer/reader:17x`)).toBe(false);
    expect(fitsFormat(format, `${streamArn(ctx, 'ordersX')}/consumer/reader:1`)).toBe(false);
    expect(fitsFormat(format, `${ARN}/consumer/readers:1`)).toBe(false);
    // The name is literal: a '.' in it matches only itself.
    expect(fitsFormat(consumerArnFormat(ctx, 'a.b', 'r'), `${streamArn(ctx, 'aXb')}/consumer/r:1`)).toBe(false);
  });

  it('RegisterStreamConsumer and DescribeStreamConsumer diverge on an ARN of another form (moto omits the timestamp)', () => {
    for (const bad of [`${ARN}/consumer/reader`, `${streamArn(ctx, 'other')}/consumer/reader:1`, 'consumer-1']) {
      expect(call(withStream(), 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: bad }))).toMatchObject({
        status: 'diverged',
        rule: 'kin.register.create',
      });
    }
    const c = withStream();
    expect(call(c, 'RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, { kind: 'fault', reason: 'timeout' }).status).toBe('indeterminate');
    expect(call(c, 'DescribeStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: `${ARN}/consumer/reader` }))).toMatchObject({
      status: 'diverged',
      rule: 'kin.describeconsumer.found',
    });
    expect(call(c, 'DescribeStreamConsumer', { StreamARN: ARN, ConsumerName: 'reader' }, okOut({ ConsumerARN: CONSUMER_ARN })).status).toBe('match');
  });
});

describe('requests the SDK sends without a required member', () => {
  it('a policy call without ResourceARN: kin.arn.invalid (switch kin.invalidArnError)', () => {
    expect(call(withStream(), 'GetResourcePolicy', {}, err('ValidationException'))).toEqual({ status: 'match', rules: ['kin.arn.invalid'] });
    expect(call(withStream(), 'PutResourcePolicy', { Policy: DOC }, okOut())).toMatchObject({ status: 'diverged', rule: 'kin.arn.invalid' });
    expect(call(withStream({ 'kin.invalidArnError': 'InvalidArgumentException' }), 'DeleteResourcePolicy', {}, err('InvalidArgumentException')).status).toBe('match');
  });

  it('another partition\'s stream ARN is pattern-valid but names nothing here: kin.arn.unknown', () => {
    expect(call(withStream(), 'GetResourcePolicy', { ResourceARN: `arn:aws-cn:kinesis:${REGION}:${ACCOUNT}:stream/orders` }, err('ResourceNotFoundException'))).toEqual({
      status: 'match',
      rules: ['kin.arn.unknown'],
    });
  });

  it('the generator sends both now and then', () => {
    const commands = fc.sample(kinesisCommands('strict'), { numRuns: 400, seed: 7 }).flat();
    const variants = commands.flatMap((c) => ('target' in c && c.target.kind === 'malformed' ? [c.target.variant] : []));
    expect(variants).toContain('missing');
    expect(variants).toContain('other-partition');
  });
});

describe('attribution: relabels only where the answer shows the rule\'s fact', () => {
  it('kin.deletestream.drops-policy only for a stream whose predecessor held a policy', () => {
    const c = withStream();
    call(c, 'DeleteStream', { StreamName: 'orders' }, okOut());
    call(c, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, okOut());
    expect(call(c, 'GetResourcePolicy', { ResourceARN: ARN }, okOut({ Policy: '{}' }))).toEqual({ status: 'match', rules: ['kin.get.no-policy'] });
  });

  it('kin.consumer.own-policy only for a consumer without a policy whose stream has one', () => {
    const c = withConsumer();
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: '{}' }))).toEqual({ status: 'match', rules: ['kin.get.no-policy'] });
    call(c, 'PutResourcePolicy', { ResourceARN: ARN, Policy: DOC }, okOut());
    expect(call(c, 'GetResourcePolicy', { ResourceARN: CONSUMER_ARN }, okOut({ Policy: '{}' }))).toEqual({ status: 'match', rules: ['kin.consumer.own-policy'] });
  });
});

describe('simplify: one field plainer at a time', () => {
  const put = (target: KinTarget, policy: PolicyGen): KinCommand => ({ op: 'PutResourcePolicy', target, policy });

  it('target → the stream of the same slot, then the document → the plainest valid one', () => {
    expect(simplifyKinesis(put({ kind: 'consumer', slot: 's1', consumer: 'c1' }, { kind: 'malformed', variant: 'not-json' }))).toEqual([
      { change: 'target: consumer s1/c1 → stream s1', command: put({ kind: 'stream', slot: 's1' }, { kind: 'malformed', variant: 'not-json' }) },
      { change: 'policy: malformed not-json → valid 0', command: put({ kind: 'consumer', slot: 's1', consumer: 'c1' }, { kind: 'valid', variant: 0, whitespace: 0 }) },
    ]);
    expect(simplifyKinesis({ op: 'GetResourcePolicy', target: { kind: 'malformed', variant: 'missing' } })).toEqual([
      { change: 'target: malformed missing → stream s0', command: { op: 'GetResourcePolicy', target: { kind: 'stream', slot: 's0' } } },
    ]);
  });

  it('DeleteStream force → true, consumers by name; plain commands have nothing left', () => {
    expect(simplifyKinesis({ op: 'DeleteStream', slot: 's0', force: false })).toEqual([{ change: 'force: false → true', command: { op: 'DeleteStream', slot: 's0', force: true } }]);
    expect(simplifyKinesis({ op: 'DescribeStreamConsumer', slot: 's0', consumer: 'c0', by: 'arn' })[0]!.command).toEqual({ op: 'DescribeStreamConsumer', slot: 's0', consumer: 'c0', by: 'name' });
    // s1 is the plainest stream (exists from the start, no policy, no consumers).
    expect(simplifyKinesis(put({ kind: 'stream', slot: 's1' }, { kind: 'valid', variant: 0, whitespace: 0 }))).toEqual([]);
    expect(simplifyKinesis(put({ kind: 'stream', slot: 's2' }, { kind: 'valid', variant: 0, whitespace: 0 })).map((s) => s.change)).toEqual(['target: stream s2 → stream s1']);
    expect(simplifyKinesis({ op: 'DeleteStream', slot: 's0', force: true })).toEqual([]);
    expect(simplifyKinesis({ op: 'CreateStream', slot: 's0' })).toEqual([]);
  });

  it('is wired into the adapter', () => {
    expect(kinesisAdapter.simplify).toBe(simplifyKinesis);
  });
});
