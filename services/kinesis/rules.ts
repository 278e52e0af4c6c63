import { defineRule, type Rule, type Switch } from '../../models/types.js';

const rule = defineRule;

export const KINESIS_RULES: Record<string, Rule> = Object.fromEntries(
  [
    rule('kin.arn.invalid', 'assumed', '§2.2, §2.3', 'A ResourceARN that is missing (required; SDK v3 does not enforce it), outside 1..2048 characters or not matching arn:aws*:kinesis:*:<12 digits>:*stream/<non-blank> is rejected (code: switch kin.invalidArnError)'),
    rule('kin.arn.unknown', 'assumed', '§2.2, §2.3', 'A pattern-valid ResourceARN that is not a stream or consumer ARN of this account and region is rejected (code: switch kin.unknownArnError)'),
    rule('kin.stream.not-found', 'documented', '§2.3, §2.5', 'Put/Get/DeleteResourcePolicy on a stream that does not exist: ResourceNotFoundException (an error is AWS-verified for Put)'),
    rule('kin.consumer.not-found', 'documented', '§2.3, §2.5', 'Put/Get/DeleteResourcePolicy on a consumer ARN that names no registered consumer: ResourceNotFoundException'),
    rule('kin.consumer.gone', 'assumed', '§2.5', 'A consumer ARN whose consumer was deregistered, or whose stream was deleted, names nothing: ResourceNotFoundException'),
    rule('kin.policy.invalid', 'assumed', '§2.3, §2.5', 'A policy that is not JSON or not a policy (no Statement, bad Effect/Principal/Action) is rejected (code: switch kin.invalidPolicyError); for a stream or consumer that does not exist either this or not-found may answer (the order of the two checks is undocumented)'),
    rule('kin.put.create', 'aws-verified', '§2.5', 'PutResourcePolicy on a stream or consumer without a policy attaches it; 200 with an empty body'),
    rule('kin.put.replace', 'aws-verified', '§2.5', 'PutResourcePolicy on a resource with a policy replaces it entirely; 200 with an empty body'),
    rule('kin.get.no-policy', 'aws-verified', '§2.5', 'GetResourcePolicy on a resource without a policy succeeds with Policy "{}" (compared as JSON)'),
    rule('kin.get.policy', 'aws-verified', '§2.5', 'GetResourcePolicy returns the stored document (compared as parsed JSON: byte preservation is UNVERIFIED)'),
    rule('kin.delete.removes', 'aws-verified', '§2.5', 'DeleteResourcePolicy removes the policy; 200 with an empty body; a later Get shows "{}"'),
    rule('kin.delete.no-policy', 'aws-verified', '§2.5', 'DeleteResourcePolicy on a resource without a policy is an error (AWS-verified; code: switch kin.deleteNoPolicyError)'),
    rule('kin.consumer.own-policy', 'documented', '§2.2, §2.4', 'A consumer holds its own policy, independent of its stream\'s (Get on a consumer without one shows "{}" whatever the stream has)'),
    rule('kin.rate-limited', 'documented', '§2.3, §2.6', 'Any policy call may be refused by control-plane rate limits with LimitExceededException, changing nothing'),
    rule('kin.createstream.create', 'assumed', '§2.4', 'CreateStream creates a stream (modelled ACTIVE at once: the harness waits) without a policy or consumers'),
    rule('kin.createstream.exists', 'assumed', '§2.4', 'CreateStream of an existing stream name: ResourceInUseException'),
    rule('kin.deletestream.not-found', 'assumed', '§2.4', 'DeleteStream of a stream that does not exist: ResourceNotFoundException'),
    rule('kin.deletestream.has-consumers', 'documented', '§2.4 (Kinesis API DeleteStream)', 'DeleteStream of a stream with registered consumers without EnforceConsumerDeletion=true: ResourceInUseException'),
    rule('kin.deletestream.delete', 'assumed', '§2.4, §2.5', 'DeleteStream removes the stream (modelled gone at once: the harness waits), its policy and its consumers with theirs'),
    rule('kin.deletestream.drops-policy', 'assumed', '§2.5', 'A stream re-created after DeleteStream of a stream of that name that held a policy starts without a policy (Get shows "{}")'),
    rule('kin.register.create', 'assumed', '§2.2, §2.4', 'RegisterStreamConsumer registers a consumer without a policy; its ConsumerARN is a new value of the documented form arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<creation timestamp digits>'),
    rule('kin.register.exists', 'assumed', '§2.4', 'RegisterStreamConsumer of a consumer name the stream already has: ResourceInUseException'),
    rule('kin.register.limit', 'assumed', '§2.4 (Kinesis API RegisterStreamConsumer)', 'A stream holds at most 20 consumers; registering a 21st: LimitExceededException'),
    rule('kin.consumer.stream-not-found', 'assumed', '§2.4', 'Register/Deregister/DescribeStreamConsumer with a StreamARN naming no stream: ResourceNotFoundException'),
    rule('kin.describeconsumer.found', 'assumed', '§2.4', 'DescribeStreamConsumer returns the ConsumerARN RegisterStreamConsumer returned (of the documented consumer ARN form)'),
    rule('kin.deregister.not-found', 'assumed', '§2.4', 'Deregister/DescribeStreamConsumer of a consumer that is not registered: ResourceNotFoundException'),
    rule('kin.deregister.delete', 'assumed', '§2.5', 'DeregisterStreamConsumer removes the consumer (modelled gone at once) and its policy'),
  ].map((r) => [r.id, r]),
);

export const KINESIS_SWITCHES: readonly Switch[] = [
  {
    name: 'kin.deleteNoPolicyError',
    spec: '§2.5, §6.2',
    summary: 'error code of DeleteResourcePolicy on a resource without a policy (an error is AWS-verified, the code is not)',
    values: ['ResourceNotFoundException', 'InvalidArgumentException', 'ValidationException', 'ResourceInUseException'],
    default: 'ResourceNotFoundException',
  },
  {
    name: 'kin.invalidPolicyError',
    spec: '§2.3, §2.5, §6.2',
    summary: 'error code for a policy document that is not JSON or not a policy',
    values: ['InvalidArgumentException', 'ValidationException'],
    default: 'InvalidArgumentException',
  },
  {
    name: 'kin.invalidArnError',
    spec: '§2.2, §2.3',
    summary: 'error code for a ResourceARN that violates the model length/pattern constraints',
    values: ['ValidationException', 'InvalidArgumentException', 'ResourceNotFoundException'],
    default: 'ValidationException',
  },
  {
    name: 'kin.unknownArnError',
    spec: '§2.2, §2.3',
    summary: 'error code for a pattern-valid ARN that is not a stream/consumer ARN of this account and region',
    values: ['ResourceNotFoundException', 'AccessDeniedException', 'InvalidArgumentException', 'ValidationException'],
    default: 'ResourceNotFoundException',
  },
];
