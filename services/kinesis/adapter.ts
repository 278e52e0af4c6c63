import {
  CreateStreamCommand,
  DeleteResourcePolicyCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  type DescribeStreamCommandOutput,
  type DescribeStreamConsumerCommandInput,
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  KinesisClient,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  type RegisterStreamConsumerCommandOutput,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from '@aws-sdk/client-kinesis';
import {
  type KinCommand,
  type KinConsumerName,
  type KinSlot,
  type KinTarget,
  KIN_CONSUMER_VOCABULARY,
  KIN_SETUP,
  KIN_STREAM_VOCABULARY,
  kinesisCommands,
  kinesisObservers,
  kinesisTargeted,
  simplifyKinesis,
  safeKinesisCommand,
} from './commands.js';
import { renderPolicy } from '../../generators/policy.js';
import { principalsFor, type SafetyProfile } from '../../generators/safety.js';
import { AWS_PRICES } from '../../models/aws-prices.js';
import { kinesisModel, streamArn } from './model.js';
import type { JsonObject, Observation } from '../../models/types.js';
import { observeError, type SdkErrorLike, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, pick, removeConfirmed, waitOrTimeout, type WaitBudget, waiterBudget, withReadRetries } from '../../harness/adapter-kit.js';
import { jsonEqual, parseJsonOrUndefined } from '../../models/match.js';
import { RUN_TAG_KEY } from '../../harness/sweep.js';
import { shellQuote } from '../../models/cli-hints.js';
import { createdKinds, fixtureSlots, keep, lifecycleOperations, type OperationTable, readOperations, type SequenceHooks, type SlotNaming, slotOfName, slotPrefix, TableSequence } from '../../harness/operations.js';

const KNOWN_CODES = new Set([
  'ResourceNotFoundException',
  'ResourceInUseException',
  'LimitExceededException',
  'InvalidArgumentException',
  'ValidationException',
  'AccessDeniedException',
]);

/** How long a transition already seen stuck in this run is given before the next call goes ahead. */
const STUCK_RECHECK_MS = 1000;
const ARN_MAX = 2048;
/** A creation timestamp no consumer of this run has: its ARN names nothing. */
const NEVER_CREATED = '1000000000';

/** What one run has learnt about the target's consumer transitions (shared by its sequences). */
interface ConsumerTransitions {
  stuck: Record<'CREATING' | 'DELETING', boolean>;
}

/** One sequence's view of the world: its names, what the target returned so far, and how to reach the target. */
export interface KinContext extends SlotNaming {
  client: KinesisClient;
  wait: WaitBudget;
  consumers: ConsumerTransitions;
  identity: TargetIdentity;
  /** ConsumerARN the target returned for (slot, consumer), kept after deregistration (it then names nothing). */
  consumerArns: Map<string, string>;
  /** Streams this sequence may have created (cleanup deletes them). */
  created: Set<string>;
  /** The document last sent to each ResourceARN (what a `previous` policy sends again). */
  lastPolicy: Map<string, string>;
  /** The accounts documents grant to (the safety profile's). */
  principals: readonly string[];
}

function streamName(ctx: KinContext, slot: KinSlot): string {
  return `${slotPrefix(ctx, slot, KIN_FIXTURE)}-${slot}`;
}

/** The fixture's streams of this sequence (what the pool keeps). */
function fixtureStreams(ctx: KinContext): string[] {
  return [...KIN_FIXTURE].map((slot) => streamName(ctx, slot as KinSlot));
}

function slotArn(ctx: KinContext, slot: KinSlot): string {
  return streamArn(ctx.identity, streamName(ctx, slot));
}

function slotOf(ctx: KinContext, streamArnOrName: string): KinSlot | undefined {
  const name = streamArnOrName.split('/').pop() ?? '';
  return slotOfName(ctx, name, '', '-') as KinSlot | undefined;
}

/**
 * The name a consumer slot is registered under: the sequence's own (its fixture's, where it borrowed one), the same
 * on each of its streams. Targets that mix up consumers of one name on different streams (kinesis-local 0.6.2
 * removes another stream's) then do so inside one sequence, where the model judges it, never across sequences
 * running at once.
 */
function consumerName(ctx: KinContext, consumer: KinConsumerName): string {
  return `${ctx.fixturePrefix}-${consumer}`;
}

function consumerArn(ctx: KinContext, slot: KinSlot, consumer: KinConsumerName): string {
  return ctx.consumerArns.get(`${slot}/${consumer}`) ?? `${slotArn(ctx, slot)}/consumer/${consumerName(ctx, consumer)}:${NEVER_CREATED}`;
}

/** The ResourceARN a target stands for; undefined: the request leaves the member out (SDK v3 sends it so). */
function targetArn(ctx: KinContext, target: KinTarget): string | undefined {
  switch (target.kind) {
    case 'stream':
      return slotArn(ctx, target.slot);
    case 'consumer':
      return consumerArn(ctx, target.slot, target.consumer);
    case 'malformed': {
      const { region, account } = ctx.identity;
      const name = streamName(ctx, 's0');
      switch (target.variant) {
        case 'missing':
          return undefined;
        case 'not-an-arn':
          return 'not-an-arn';
        case 'empty':
          return '';
        case 'too-long':
          return `${slotArn(ctx, 's0')}${'x'.repeat(ARN_MAX + 1)}`.slice(0, ARN_MAX + 1);
        case 'other-service':
          return `arn:aws:s3:::${name}`;
        case 'other-account':
          return `arn:aws:kinesis:${region}:${account === '999999999999' ? '111111111111' : '999999999999'}:stream/${name}`;
        case 'other-region':
          return `arn:aws:kinesis:${region === 'us-west-2' ? 'eu-west-1' : 'us-west-2'}:${account}:stream/${name}`;
        case 'other-partition':
          return `arn:aws-cn:kinesis:${region}:${account}:stream/${name}`;
        case 'bare-name':
          return name;
        case 'no-timestamp':
          return `${slotArn(ctx, 's0')}/consumer/${consumerName(ctx, 'c0')}`;
        case 'extra-segment':
          return `${slotArn(ctx, 's0')}/shard/shardId-000000000000`;
        case 'wrong-timestamp':
          return `${slotArn(ctx, 's0')}/consumer/${consumerName(ctx, 'c0')}:${NEVER_CREATED}`;
      }
    }
  }
}

function consumerRef(ctx: KinContext, command: { slot: KinSlot; consumer: KinConsumerName; by: 'arn' | 'name' }): JsonObject {
  return command.by === 'arn'
    ? { ConsumerARN: consumerArn(ctx, command.slot, command.consumer) }
    : { StreamARN: slotArn(ctx, command.slot), ConsumerName: consumerName(ctx, command.consumer) };
}

/** A ConsumerARN returned for a consumer named by stream and name: later calls name it by that ARN. */
function learnConsumerArn(input: JsonObject, observation: Observation, ctx: KinContext): void {
  if (observation.kind !== 'ok') return;
  const arn = observation.output.ConsumerARN;
  const streamRef = input.StreamARN;
  const name = input.ConsumerName;
  if (typeof arn !== 'string' || typeof streamRef !== 'string' || typeof name !== 'string') return;
  const slot = slotOf(ctx, streamRef);
  // consumerName read back: the consumer slot after the sequence's fixture prefix.
  const consumer = slotOfName({ prefix: ctx.fixturePrefix, fixturePrefix: ctx.fixturePrefix }, name, '', '-');
  if (slot && consumer) ctx.consumerArns.set(`${slot}/${consumer}`, arn);
}

/**
 * There is no SDK waiter for consumers: poll DescribeStreamConsumer while it reports `pending`. Any other answer
 * (ACTIVE, gone, an error) ends the wait, and so does the end of the budget: the write itself was answered, and a
 * consumer stuck in `pending` is the target's behaviour, which the next judged call (DescribeStreamConsumer,
 * RegisterStreamConsumer …) observes and the model judges. Calling it a fault would hide a real departure.
 */
async function waitConsumer(ctx: KinContext, input: DescribeStreamConsumerCommandInput, pending: 'CREATING' | 'DELETING'): Promise<void> {
  // A target that left one consumer `pending` for the whole budget does not finish that transition: later waits for
  // the same transition in this run get a second (kinesis-local 0.6.2 leaves many deregistered consumers DELETING
  // for good, and finishes some others only after a few hundred milliseconds: 300 ms made their divergences flaky).
  // The other transition keeps its full budget.
  const deadline = Date.now() + (ctx.consumers.stuck[pending] ? STUCK_RECHECK_MS : ctx.wait.maxWaitTime * 1000);
  // First re-check after 100 ms: emulators finish at once, AWS takes seconds (the delay doubles up to 5 s).
  for (let delay = 100; ; delay = Math.min(delay * 2, 5000)) {
    let status: string | undefined;
    try {
      status = (await withReadRetries(() => ctx.client.send(new DescribeStreamConsumerCommand(input)))).ConsumerDescription?.ConsumerStatus;
    } catch (error) {
      if ((error as SdkErrorLike).name === 'ResourceNotFoundException') return;
      // The write itself succeeded: a failing read after it must not be taken for the write's answer.
      throw new Error(`waiting for the consumer: ${(error as SdkErrorLike).name}: ${(error as SdkErrorLike).message}`);
    }
    if (status !== pending) return;
    if (Date.now() + delay > deadline) {
      ctx.consumers.stuck[pending] = true;
      return;
    }
    await sleep(delay);
  }
}

/** `--stream-name` of a stream call's input, for the CLI's stream waiters (the call's input JSON has members DescribeStream refuses). */
const streamNameArg = (input: JsonObject) => `--stream-name ${shellQuote(String(input.StreamName ?? ''))}`;

/** Every operation the Kinesis suite sends, one entry each (see harness/operations.ts). */
export const kinesisOperations: OperationTable<KinCommand, KinContext> = {
  PutResourcePolicy: {
    bind(command, ctx) {
      const arn = targetArn(ctx, command.target);
      // A document that is valid for the kind of resource the ARN names: a consumer's actions on a consumer ARN
      // (those of a stream there may be refused as a bad document before the ARN is looked up — an order AWS does
      // not document, which a valid document keeps out of the verdict).
      const t = command.target;
      const consumerLike = t.kind === 'consumer' || (t.kind === 'malformed' && (t.variant === 'wrong-timestamp' || t.variant === 'no-timestamp'));
      const resource = t.kind === 'malformed' && !consumerLike ? slotArn(ctx, 's0') : arn!;
      const vocabulary = consumerLike ? KIN_CONSUMER_VOCABULARY : KIN_STREAM_VOCABULARY;
      const policy = renderPolicy(command.policy, resource, vocabulary, ctx.lastPolicy.get(arn ?? ''), '', ctx.principals);
      return compact({ ResourceARN: arn, Policy: policy });
    },
    send: { command: PutResourcePolicyCommand, output: keep() },
    // Whatever the answer: a `previous` document is the one last sent, accepted or not.
    learn(input, _observation, ctx) {
      ctx.lastPolicy.set(String(input.ResourceARN ?? ''), String(input.Policy));
    },
  },
  GetResourcePolicy: {
    bind: (command, ctx) => compact({ ResourceARN: targetArn(ctx, command.target) }),
    send: { command: GetResourcePolicyCommand, output: keep('Policy') },
    read: true,
  },
  DeleteResourcePolicy: {
    bind: (command, ctx) => compact({ ResourceARN: targetArn(ctx, command.target) }),
    send: { command: DeleteResourcePolicyCommand, output: keep() },
  },
  CreateStream: {
    lifecycle: true,
    creates: 'stream',
    bind: (command, ctx) => ({ StreamName: streamName(ctx, command.slot), ShardCount: 1, Tags: { [RUN_TAG_KEY]: slotPrefix(ctx, command.slot, KIN_FIXTURE) } }),
    async send(input, ctx) {
      const StreamName = String(input.StreamName);
      await ctx.client.send(new CreateStreamCommand(input as never));
      // The waiter's last DescribeStream answer (ACTIVE) already says what the harness reports.
      const { reason } = await withReadRetries(() => waitOrTimeout(ctx.client, ctx.wait, (config) => waitUntilStreamExists(config, { StreamName })));
      const s = (reason as DescribeStreamCommandOutput | undefined)?.StreamDescription;
      return compact({ StreamARN: s?.StreamARN, StreamStatus: s?.StreamStatus });
    },
    // Whatever the answer: a call that faulted may still have created the stream, and cleanup must look for it.
    learn(input, _observation, ctx) {
      ctx.created.add(String(input.StreamName));
    },
    cli: { waitAfter: (at, input) => [`aws kinesis wait stream-exists ${at} ${streamNameArg(input)}`] },
  },
  DeleteStream: {
    lifecycle: true,
    bind: (command, ctx) => ({ StreamName: streamName(ctx, command.slot), ...(command.force ? { EnforceConsumerDeletion: true } : {}) }),
    async send(input, ctx) {
      await ctx.client.send(new DeleteStreamCommand(input as never));
      await withReadRetries(() => waitOrTimeout(ctx.client, ctx.wait, (config) => waitUntilStreamNotExists(config, { StreamName: String(input.StreamName) })));
      return {};
    },
    cli: { waitAfter: (at, input) => [`aws kinesis wait stream-not-exists ${at} ${streamNameArg(input)}`] },
  },
  RegisterStreamConsumer: {
    lifecycle: true,
    creates: 'consumer',
    bind: (command, ctx) => ({ StreamARN: slotArn(ctx, command.slot), ConsumerName: consumerName(ctx, command.consumer), Tags: { [RUN_TAG_KEY]: slotPrefix(ctx, command.slot, KIN_FIXTURE) } }),
    async send(input, ctx) {
      const { Consumer }: RegisterStreamConsumerCommandOutput = await ctx.client.send(new RegisterStreamConsumerCommand(input as never));
      if (Consumer?.ConsumerARN && Consumer.ConsumerStatus !== 'ACTIVE') await waitConsumer(ctx, { ConsumerARN: Consumer.ConsumerARN }, 'CREATING');
      return compact({ ConsumerARN: Consumer?.ConsumerARN });
    },
    learn: learnConsumerArn,
    cli: {
      outputPrefix: 'Consumer',
      // The consumer named as DescribeStreamConsumer takes it (the input's Tags are RegisterStreamConsumer's alone).
      waitAfter: (at, input) => [
        `i=0; while [ $i -lt 60 ] && [ "$(aws kinesis describe-stream-consumer ${at} --stream-arn ${shellQuote(String(input.StreamARN ?? ''))} --consumer-name ${shellQuote(String(input.ConsumerName ?? ''))} --query ConsumerDescription.ConsumerStatus --output text)" != ACTIVE ]; do sleep 1; i=$((i+1)); done`,
      ],
    },
  },
  DescribeStreamConsumer: {
    bind: (command, ctx) => consumerRef(ctx, command),
    send: { command: DescribeStreamConsumerCommand, output: (out) => pick((out.ConsumerDescription ?? {}) as object, ['ConsumerARN', 'ConsumerStatus']) },
    learn: learnConsumerArn,
    read: true,
    cli: { outputPrefix: 'ConsumerDescription' },
  },
  DeregisterStreamConsumer: {
    lifecycle: true,
    bind: (command, ctx) => consumerRef(ctx, command),
    async send(input, ctx) {
      await ctx.client.send(new DeregisterStreamConsumerCommand(input as never));
      await waitConsumer(ctx, input as DescribeStreamConsumerCommandInput, 'DELETING');
      return {};
    },
    cli: {
      // Until DescribeStreamConsumer fails (the consumer is gone), as the adapter waits.
      waitAfter: (at, _input, inputWord) => [`i=0; while [ $i -lt 60 ] && aws kinesis describe-stream-consumer ${at} --cli-input-json ${inputWord} >/dev/null 2>&1; do sleep 1; i=$((i+1)); done`],
    },
  },
};

/** Whether a Kinesis resource holds no policy now (Get shows "{}"). */
async function holdsNoPolicy(ctx: KinContext, ResourceARN: string): Promise<boolean> {
  const { Policy } = await ctx.client.send(new GetResourcePolicyCommand({ ResourceARN }));
  return Policy === undefined || Policy === '' || jsonEqual(parseJsonOrUndefined(Policy) ?? null, {});
}

/** The slots the fixture's streams fill (s0, s1). */
const KIN_FIXTURE = fixtureSlots(KIN_SETUP, lifecycleOperations(kinesisOperations));

const hooks: SequenceHooks<KinCommand, KinContext> = {
  setup: KIN_SETUP,
  /**
   * Every policy the sequence (its fixture included) sent to one of its streams or their consumers removed, each
   * removal confirmed by a Get showing "{}". A resource already without one gets no Delete (that is an error there).
   */
  async reset(ctx) {
    // The fixture's streams and the consumers it registered, under the ARNs the target gave them.
    const consumers = KIN_SETUP.flatMap((c) => (c.op === 'RegisterStreamConsumer' ? [ctx.consumerArns.get(`${c.slot}/${c.consumer}`)] : [])).filter((a): a is string => !!a);
    const own = new Set([...fixtureStreams(ctx).map((name) => streamArn(ctx.identity, name)), ...consumers]);
    const arns = [...ctx.lastPolicy.keys()].filter((arn) => own.has(arn));
    const results = await Promise.all(
      arns.map((ResourceARN) =>
        removeConfirmed(
          async () => {
            if (!(await holdsNoPolicy(ctx, ResourceARN))) await ctx.client.send(new DeleteResourcePolicyCommand({ ResourceARN }));
          },
          () => false,
          () => holdsNoPolicy(ctx, ResourceARN),
          2000,
        ),
      ),
    );
    return results.every(Boolean);
  },
  async cleanup(ctx, keepFixture) {
    const kept = new Set(keepFixture ? fixtureStreams(ctx) : []);
    await Promise.all(
      [...ctx.created].filter((name) => !kept.has(name)).map((StreamName) => ctx.client.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true })).catch(() => undefined)),
    );
  },
  idle: (ctx) => ({ operation: 'GetResourcePolicy', input: { ResourceARN: streamArn(ctx.identity, `${ctx.prefix}-idle`) } }),
};

class KinesisConnection implements Connection<KinCommand> {
  private readonly client: KinesisClient;
  private readonly consumers: ConsumerTransitions = { stuck: { CREATING: false, DELETING: false } };

  constructor(
    endpoint: Endpoint,
    private readonly wait: WaitBudget,
    private readonly safety?: SafetyProfile,
  ) {
    this.client = new KinesisClient(clientConfig(endpoint));
  }

  async discover(runPrefix: string) {
    const StreamName = `${runPrefix}-probe`;
    try {
      await this.client.send(new CreateStreamCommand({ StreamName, ShardCount: 1, Tags: { [RUN_TAG_KEY]: runPrefix } }));
      await withReadRetries(() => waitOrTimeout(this.client, this.wait, (config) => waitUntilStreamExists(config, { StreamName })));
      const { StreamDescriptionSummary } = await withReadRetries(() => this.client.send(new DescribeStreamSummaryCommand({ StreamName })));
      await this.client.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true })).catch(() => undefined);
      const arn = StreamDescriptionSummary?.StreamARN ?? '';
      const match = /^arn:aws[a-z-]*:kinesis:([^:]+):(\d{12}):stream\//.exec(arn);
      if (!match) return { failure: { kind: 'fault' as const, reason: `DescribeStreamSummary returned no usable StreamARN (${arn})` } };
      return { identity: { region: match[1]!, account: match[2]! }, answered: ['CreateStream'] };
    } catch (error) {
      return { failure: observeError(error, KNOWN_CODES) };
    }
  }

  sequence(namePrefix: string, identity: TargetIdentity, fixturePrefix = namePrefix): Sequence<KinCommand> {
    const ctx: KinContext = {
      client: this.client,
      wait: this.wait,
      consumers: this.consumers,
      prefix: namePrefix,
      fixturePrefix,
      identity,
      consumerArns: new Map(),
      created: new Set(),
      lastPolicy: new Map(),
      principals: principalsFor(this.safety, identity.account),
    };
    return new TableSequence(kinesisOperations, this.client, KNOWN_CODES, ctx, hooks);
  }

  close(): void {
    this.client.destroy();
  }
}

export const kinesisAdapter: ServiceAdapter<KinCommand> = {
  service: 'kinesis',
  model: kinesisModel as ServiceAdapter['model'],
  createdKinds: createdKinds(kinesisOperations),
  lifecycleOperations: lifecycleOperations(kinesisOperations),
  readOperations: readOperations(kinesisOperations),
  commands: (consistency, safety) => kinesisCommands(consistency, undefined, safety),
  safeCommand: (safety, command) => safeKinesisCommand(safety, command),
  // Streams are created with one shard (CreateStream's ShardCount above); a consumer reads that one shard.
  billedAs: (command) => (command.op === 'CreateStream' ? AWS_PRICES.kinesisShardHour : command.op === 'RegisterStreamConsumer' ? AWS_PRICES.kinesisEfoConsumerShardHour : undefined),
  connect: (endpoint, { waitSeconds, safety }) => new KinesisConnection(endpoint, waiterBudget(waitSeconds), safety),
  simplify: simplifyKinesis,
  targeted: kinesisTargeted,
  observers: kinesisObservers,
  // The adapter waits for these to be ACTIVE, or gone: their success shows their effect.
  confirmedWrites: new Set(['CreateStream', 'DeleteStream', 'RegisterStreamConsumer']),
};
