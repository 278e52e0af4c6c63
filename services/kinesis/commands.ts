import fc from 'fast-check';
import { focusedSequences } from '../../generators/focus.js';
import type { Consistency, Simplification } from '../../models/types.js';
import { describePolicy, isPlainPolicy, PLAIN_POLICY, type PolicyGen, type PolicyVocabulary, policyGen } from '../../generators/policy.js';
import { isRealAccount, type Placement, type SafetyProfile, safePolicy } from '../../generators/safety.js';

/**
 * Stream slots: each sequence maps them to fresh stream names (see KIN_SETUP for how they start). Consumer names
 * are per stream: (s0, c0) is the fixture's consumer.
 */
export type KinSlot = 's0' | 's1' | 's2';
export type KinConsumerName = 'c0' | 'c1';

/**
 * ARNs that name nothing of this account and region, each for a different reason:
 * missing (no ResourceARN member at all: required, but SDK v3 does not enforce `required` at run time) /
 * not-an-arn / empty / too-long / other-service / bare-name (s0's stream name alone, no ARN) violate the API's
 * constraints; other-account / other-region /
 * other-partition / no-timestamp (a consumer ARN without its `:<creation timestamp>`, as moto builds them) /
 * extra-segment are pattern-valid but no stream or consumer ARN here; wrong-timestamp is s0's consumer c0 with a
 * creation timestamp the service never returned.
 */
export type KinMalformedArn =
  | 'missing'
  | 'not-an-arn'
  | 'bare-name'
  | 'empty'
  | 'too-long'
  | 'other-service'
  | 'other-account'
  | 'other-region'
  | 'other-partition'
  | 'no-timestamp'
  | 'extra-segment'
  | 'wrong-timestamp';

export const KIN_MALFORMED: readonly KinMalformedArn[] = [
  'missing',
  'not-an-arn',
  'bare-name',
  'empty',
  'too-long',
  'other-service',
  'other-account',
  'other-region',
  'other-partition',
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
export function kinesisCommands(_consistency: Consistency, maxCommands = 14, safety?: SafetyProfile): fc.Arbitrary<KinCommand[]> {
  const sequences = focusedSequences<KinSlot, KinCommand>(['s0', 's1', 's2'], (focus) => kinesisCommand(focus), maxCommands);
  // Mapped only under real-account: under `full` the arbitrary is the one it always was (same seed, same sequences).
  return isRealAccount(safety) ? sequences.map((commands) => commands.map((c) => safeKinesisCommand(safety!, c))) : sequences;
}

/** No source says Kinesis must refuse a public Allow (spec §2): the real-account profile never sends one. */
const KIN_PLACEMENT: Placement = { accountWide: false, rejectsPublic: false };

/** `command` as the safety profile allows it (generators/safety.ts): only its document may change. */
export function safeKinesisCommand(safety: SafetyProfile, command: KinCommand): KinCommand {
  return command.op === 'PutResourcePolicy' ? { ...command, policy: safePolicy(safety, command.policy, KIN_PLACEMENT) } : command;
}

function describeTarget(target: KinTarget): string {
  switch (target.kind) {
    case 'stream':
      return `stream ${target.slot}`;
    case 'consumer':
      return `consumer ${target.slot}/${target.consumer}`;
    case 'malformed':
      return `malformed ${target.variant}`;
  }
}

/**
 * `command` made plainer in one field each, in this order: the target (a consumer or a malformed ARN → the stream
 * of the same slot; the malformed ARNs are all built from s0), the document (→ the plainest valid one),
 * DeleteStream's force (false → true), how a consumer is named (ConsumerARN → StreamARN + ConsumerName).
 */
export function simplifyKinesis(command: KinCommand): Simplification<KinCommand>[] {
  const out: Simplification<KinCommand>[] = [];
  switch (command.op) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicy':
    case 'DeleteResourcePolicy': {
      const t = command.target;
      const to = (target: KinTarget) => out.push({ change: `target: ${describeTarget(t)} → ${describeTarget(target)}`, command: { ...command, target } });
      // An ARN of s0's consumer c0 with another creation timestamp: first the consumer it almost names.
      if (t.kind === 'malformed' && (t.variant === 'wrong-timestamp' || t.variant === 'no-timestamp')) to({ kind: 'consumer', slot: 's0', consumer: 'c0' });
      if (t.kind !== 'stream') to({ kind: 'stream', slot: t.kind === 'consumer' ? t.slot : 's0' });
      // The plainest stream: s1 exists from the start, with no policy and no consumers.
      if (t.kind === 'stream' && t.slot !== 's1') to({ kind: 'stream', slot: 's1' });
      if (command.op === 'PutResourcePolicy' && !isPlainPolicy(command.policy)) {
        out.push({ change: `policy: ${describePolicy(command.policy)} → ${describePolicy(PLAIN_POLICY)}`, command: { ...command, policy: PLAIN_POLICY } });
      }
      break;
    }
    case 'DeleteStream':
      if (!command.force) out.push({ change: 'force: false → true', command: { ...command, force: true } });
      break;
    case 'DescribeStreamConsumer':
    case 'DeregisterStreamConsumer':
      if (command.by === 'arn') out.push({ change: 'by: ConsumerARN → StreamARN + ConsumerName', command: { ...command, by: 'name' } });
      break;
    case 'CreateStream':
    case 'RegisterStreamConsumer':
      break;
  }
  return out;
}

/**
 * What shows the state of what a command acted on: its policy and consumer reads, then a write that succeeds only in
 * one state (Delete of the policy needs one; CreateStream / RegisterStreamConsumer need the name free).
 */
export function kinesisObservers(command: KinCommand): { reads: KinCommand[]; writes: KinCommand[] } {
  const none = { reads: [], writes: [] };
  switch (command.op) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicy':
    case 'DeleteResourcePolicy': {
      const t = command.target;
      if (t.kind === 'stream') return { reads: [{ op: 'GetResourcePolicy', target: t }], writes: [{ op: 'DeleteResourcePolicy', target: t }] };
      if (t.kind === 'consumer') {
        return {
          reads: [{ op: 'GetResourcePolicy', target: t }, { op: 'DescribeStreamConsumer', slot: t.slot, consumer: t.consumer, by: 'name' }],
          writes: [{ op: 'DeleteResourcePolicy', target: t }],
        };
      }
      return none;
    }
    case 'CreateStream':
    case 'DeleteStream':
      return {
        reads: [{ op: 'GetResourcePolicy', target: { kind: 'stream', slot: command.slot } }, { op: 'DescribeStreamConsumer', slot: command.slot, consumer: 'c0', by: 'name' }],
        writes: [{ op: 'CreateStream', slot: command.slot }],
      };
    case 'RegisterStreamConsumer':
    case 'DeregisterStreamConsumer':
      return {
        reads: [{ op: 'DescribeStreamConsumer', slot: command.slot, consumer: command.consumer, by: 'name' }],
        writes: [{ op: 'RegisterStreamConsumer', slot: command.slot, consumer: command.consumer }],
      };
    case 'DescribeStreamConsumer':
      return none;
  }
}

/** For each open question (switch), the shortest sequence whose last answer it decides. */
export function kinesisTargeted(switchName: string): KinCommand[] | undefined {
  switch (switchName) {
    case 'kin.deleteNoPolicyError':
      return [{ op: 'DeleteResourcePolicy', target: { kind: 'stream', slot: 's1' } }];
    case 'kin.invalidPolicyError':
      return [{ op: 'PutResourcePolicy', target: { kind: 'stream', slot: 's1' }, policy: { kind: 'malformed', variant: 'not-json' } }];
    case 'kin.invalidArnError':
      // The premise first: an ARN that breaks the pattern but ends in a real stream's name is refused too (a target
      // that only looks the last segment up does not check the pattern, whatever code it answers for garbage).
      return [
        { op: 'GetResourcePolicy', target: { kind: 'malformed', variant: 'bare-name' } },
        { op: 'GetResourcePolicy', target: { kind: 'malformed', variant: 'not-an-arn' } },
      ];
    case 'kin.unknownArnError':
      return [{ op: 'GetResourcePolicy', target: { kind: 'malformed', variant: 'other-account' } }];
    default:
      return undefined;
  }
}
