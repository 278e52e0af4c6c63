import fc from 'fast-check';
import type { Consistency } from '../models/types.js';
import { type PolicyGen, type PolicyVocabulary, policyGen } from './policy.js';

/**
 * Stream slots: each sequence maps them to fresh stream names (see KIN_SETUP for how they start). Consumer names
 * are per stream: (s0, c0) is the fixture's consumer.
 */
export type KinSlot = 's0' | 's1' | 's2';
export type KinConsumerName = 'c0' | 'c1';

/**
 * ARNs that name nothing of this account and region, each for a different reason:
 * not-an-arn / empty / too-long / other-service violate the API's pattern or length; other-account /
 * other-region / no-timestamp (a consumer ARN without its `:<creation timestamp>`, as moto builds them) /
 * extra-segment are pattern-valid but no stream or consumer ARN here; wrong-timestamp is s0's consumer c0 with a
 * creation timestamp the service never returned.
 */
export type KinMalformedArn =
  | 'not-an-arn'
  | 'empty'
  | 'too-long'
  | 'other-service'
  | 'other-account'
  | 'other-region'
  | 'no-timestamp'
  | 'extra-segment'
  | 'wrong-timestamp';

export const KIN_MALFORMED: readonly KinMalformedArn[] = [
  'not-an-arn',
  'empty',
  'too-long',
  'other-service',
  'other-account',
  'other-region',
  'no-timestamp',
  'extra-segment',
  'wrong-timestamp',
];

export type KinTarget =
  | { kind: 'stream'; slot: KinSlot }
  | { kind: 'consumer'; slot: KinSlot; consumer: KinConsumerName }
  | { kind: 'malformed'; variant: KinMalformedArn };

/** How a Describe/DeregisterStreamConsumer names its consumer: by ConsumerARN or by StreamARN + ConsumerName. */
export type KinConsumerRef = 'arn' | 'name';

export type KinCommand =
  | { op: 'PutResourcePolicy'; target: KinTarget; policy: PolicyGen }
  | { op: 'GetResourcePolicy'; target: KinTarget }
  | { op: 'DeleteResourcePolicy'; target: KinTarget }
  | { op: 'CreateStream'; slot: KinSlot }
  /** `force` sends EnforceConsumerDeletion=true (what cleanup uses); without it a stream with consumers stays. */
  | { op: 'DeleteStream'; slot: KinSlot; force: boolean }
  | { op: 'RegisterStreamConsumer'; slot: KinSlot; consumer: KinConsumerName }
  | { op: 'DescribeStreamConsumer'; slot: KinSlot; consumer: KinConsumerName; by: KinConsumerRef }
  | { op: 'DeregisterStreamConsumer'; slot: KinSlot; consumer: KinConsumerName; by: KinConsumerRef };

export const KIN_STREAM_VOCABULARY: PolicyVocabulary = {
  actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStreamSummary'],
  policyActions: ['kinesis:PutResourcePolicy', 'kinesis:DeleteResourcePolicy'],
};

export const KIN_CONSUMER_VOCABULARY: PolicyVocabulary = {
  actions: ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'],
  policyActions: ['kinesis:PutResourcePolicy', 'kinesis:DeleteResourcePolicy'],
};

/**
 * Kinesis states no policy size limit (spec §2.6: do not assert one), so the "sized" documents stay far below
 * anything a service would plausibly cap; they only vary the bytes sent.
 */
export const KIN_SIZES = [1024];

/**
 * Created (and checked) before every sequence, so most generated calls land on a resource that exists: s0 has a
 * policy and consumer c0 (without one), s1 has neither, s2 is absent. A policy from the start makes "the consumer
 * does not see its stream's policy" and "a re-created stream starts without the old policy" one and three calls away.
 */
export const KIN_SETUP: KinCommand[] = [
  { op: 'CreateStream', slot: 's0' },
  { op: 'CreateStream', slot: 's1' },
  { op: 'RegisterStreamConsumer', slot: 's0', consumer: 'c0' },
  { op: 'PutResourcePolicy', target: { kind: 'stream', slot: 's0' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } },
];

/** Most calls of a sequence hit one stream, so that calls interact; the others keep cross-resource mix-ups visible. */
function slotNear(focus: KinSlot): fc.Arbitrary<KinSlot> {
  return fc.oneof({ weight: 6, arbitrary: fc.constant(focus) }, { weight: 1, arbitrary: fc.constantFrom<KinSlot>('s0', 's1', 's2') });
}

const consumerName: fc.Arbitrary<KinConsumerName> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('c0' as const) },
  { weight: 1, arbitrary: fc.constant('c1' as const) },
);

function targetNear(slot: fc.Arbitrary<KinSlot>): fc.Arbitrary<KinTarget> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('stream' as const), slot }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('consumer' as const), slot, consumer: consumerName }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('malformed' as const), variant: fc.constantFrom(...KIN_MALFORMED) }) },
  );
}

export function kinesisCommand(focus: KinSlot = 's0'): fc.Arbitrary<KinCommand> {
  const slot = slotNear(focus);
  const target = targetNear(slot);
  const by = fc.constantFrom<KinConsumerRef>('arn', 'name');
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ op: fc.constant('PutResourcePolicy' as const), target, policy: policyGen(KIN_SIZES) }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('GetResourcePolicy' as const), target }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('DeleteResourcePolicy' as const), target }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('CreateStream' as const), slot }) },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant('DeleteStream' as const), slot, force: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('RegisterStreamConsumer' as const), slot, consumer: consumerName }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('DescribeStreamConsumer' as const), slot, consumer: consumerName, by }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('DeregisterStreamConsumer' as const), slot, consumer: consumerName, by }) },
  );
}

/** Kinesis promises read-your-writes for these calls (spec §2.6), so both consistency modes draw the same calls. */
export function kinesisCommands(_consistency: Consistency, maxCommands = 14): fc.Arbitrary<KinCommand[]> {
  return fc
    .constantFrom<KinSlot>('s0', 's1', 's2')
    .chain((focus) => fc.array(kinesisCommand(focus), { minLength: 1, maxLength: maxCommands, size: 'max' }));
}
