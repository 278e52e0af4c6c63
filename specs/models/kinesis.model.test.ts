import { describe, expect, it } from 'vitest';
import { KINESIS_RULES, KINESIS_SWITCHES } from '../../models/kinesis/rules.js';
import { kinesisModel, streamArn } from '../../models/kinesis/model.js';
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
