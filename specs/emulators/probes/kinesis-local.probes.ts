/**
 * The independent oracle for kinesis-local 0.6.2 (kinesis-mock compiled to JavaScript): hand-written probes, plain
 * SDK v3 calls only. Each probe shows one real departure and says what AWS does instead; each contradiction shows
 * that an entry the old suite recorded (expectations/kinesis-local.json) is not one. The verdict for every old entry,
 * with the reasoning, is in docs/emulators/kinesis-local-probes.md.
 *
 * Every resource a probe creates is named from ctx.prefix — consumer names too: kinesis-local removes a deregistered
 * consumer from the first stream (in ARN order) that has a consumer of that name, so a shared consumer name would let
 * one probe's deregistration remove another's consumer (that is the departure kin.deregister.delete below).
 */
import { DynamoDBClient, GetResourcePolicyCommand as GetTablePolicyCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteResourcePolicyCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  KinesisClient,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import { GetResourcePoliciesCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListResourcePoliciesCommand, XRayClient } from '@aws-sdk/client-xray';
import { expect } from 'vitest';
import { answerOf, plainClientConfig, withClient } from './client.js';
import type { DepartureKey, ProbeContext, ProbeSet, UnsupportedProbe } from './probe.js';

// ---------------------------------------------------------------------------------------------------------------
// Plain helpers: what a user would write around the SDK.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Transitions are immediate or take ~0.5 s on kinesis-local (seconds on AWS); 5 s is a generous bound. */
const SETTLE_MS = 5000;

/** Calls `read` every 50 ms until `done` holds or `ms` pass; returns the last value read (the caller asserts). */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = SETTLE_MS, everyMs = 50): Promise<{ value: T; afterMs: number }> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() - start > ms) return { value, afterMs: Date.now() - start };
    await sleep(everyMs);
  }
}

function policyDoc(sid: string, resource: string, action = 'kinesis:DescribeStreamSummary'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: action, Resource: resource }],
  });
}

const consumerDoc = (sid: string, consumerArn: string) => policyDoc(sid, consumerArn, 'kinesis:SubscribeToShard');

/** A stream's status, or the error code that answered for it (ResourceNotFoundException once it is gone). */
async function streamStatus(client: KinesisClient, StreamName: string): Promise<string> {
  const r = await answerOf(client.send(new DescribeStreamSummaryCommand({ StreamName })));
  return r.ok ? String(r.output.StreamDescriptionSummary?.StreamStatus) : r.code;
}

/** A consumer's status, or the error code that answered for it (ResourceNotFoundException once it is gone). */
async function consumerStatus(client: KinesisClient, ConsumerARN: string): Promise<string> {
  const r = await answerOf(client.send(new DescribeStreamConsumerCommand({ ConsumerARN })));
  return r.ok ? String(r.output.ConsumerDescription?.ConsumerStatus) : r.code;
}

/** CreateStream, then wait for ACTIVE; the StreamARN the service reports. */
async function createStream(client: KinesisClient, StreamName: string): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  const { value } = await pollUntil(() => streamStatus(client, StreamName), (s) => s === 'ACTIVE');
  expect(value, `stream ${StreamName} never became ACTIVE`).toBe('ACTIVE');
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
  return summary.StreamDescriptionSummary!.StreamARN!;
}

/** RegisterStreamConsumer, then wait for ACTIVE; the ConsumerARN RegisterStreamConsumer returned. */
async function registerConsumer(client: KinesisClient, StreamARN: string, ConsumerName: string): Promise<string> {
  const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName }));
  const arn = Consumer!.ConsumerARN!;
  const { value } = await pollUntil(() => consumerStatus(client, arn), (s) => s === 'ACTIVE');
  expect(value, `consumer ${ConsumerName} never became ACTIVE`).toBe('ACTIVE');
  return arn;
}

/** Runs `body` with a fresh client, then deletes `streams` (with their consumers) whatever happened. */
async function withKinesis(ctx: ProbeContext, streams: string[], body: (client: KinesisClient) => Promise<string>): Promise<string> {
  return withClient(new KinesisClient(plainClientConfig(ctx)), body, async (client) => {
    for (const StreamName of streams) await answerOf(client.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true })));
  });
}

/** Put, Get and DeleteResourcePolicy on `arn`: what each answered ('ok' or the error code). */
async function policyCallsOn(client: KinesisClient, arn: string): Promise<string[]> {
  const code = (r: Awaited<ReturnType<typeof answerOf>>) => (r.ok ? 'ok' : r.code);
  return [
    code(await answerOf(client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: consumerDoc('Late', arn) })))),
    code(await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: arn })))),
    code(await answerOf(client.send(new DeleteResourcePolicyCommand({ ResourceARN: arn })))),
  ];
}

function describeAnswer(r: Awaited<ReturnType<typeof answerOf>>): string {
  if (r.ok) {
    const { $metadata: _, ...fields } = r.output ?? {};
    return `200 ${JSON.stringify(fields)}`;
  }
  return `${r.code} (HTTP ${r.status ?? '?'}): ${r.message.split('\n')[0]}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Real departures.

const probes: ProbeSet['probes'] = [
  {
    service: 'kinesis',
    rule: 'kin.deletestream.has-consumers',
    kind: 'error-with-side-effect',
    aws: 'DeleteStream of a stream with a registered consumer and no EnforceConsumerDeletion: ResourceInUseException, and the stream stays with its consumer (§2.4, Kinesis API DeleteStream; documented)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const consumerArn = await registerConsumer(client, streamArn, `${ctx.prefix}-c`);
        const answer = await answerOf(client.send(new DeleteStreamCommand({ StreamName: stream })));
        expect(answer.ok ? 'ok' : answer.code).toBe('ResourceInUseException');
        const after = await pollUntil(() => streamStatus(client, stream), (s) => s === 'ResourceNotFoundException');
        expect(after.value, 'the refused DeleteStream left the stream in place (as AWS does)').toBe('ResourceNotFoundException');
        const consumer = await consumerStatus(client, consumerArn);
        return `DeleteStream without EnforceConsumerDeletion answered ${describeAnswer(answer)}, yet ${after.afterMs} ms later the stream was gone (DescribeStreamSummary: ResourceNotFoundException; its consumer: ${consumer})`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.get.no-policy',
    kind: 'wrong-answer',
    aws: 'GetResourcePolicy on a stream or consumer without a policy: 200 with Policy "{}" (§2.5, aws-verified)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const answer = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: streamArn })));
        expect(answer.ok ? 'ok' : answer.code).toBe('ResourceNotFoundException');
        return `GetResourcePolicy on a new stream without a policy answered ${describeAnswer(answer)} instead of Policy "{}"`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.delete.no-policy',
    kind: 'wrong-answer',
    aws: 'DeleteResourcePolicy on a resource without a policy is an error (§2.5, aws-verified; code unverified: switch kin.deleteNoPolicyError, none of whose values is a success)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const first = await answerOf(client.send(new DeleteResourcePolicyCommand({ ResourceARN: streamArn })));
        expect(first.ok, 'DeleteResourcePolicy without a policy answered an error').toBe(true);
        const second = await answerOf(client.send(new DeleteResourcePolicyCommand({ ResourceARN: streamArn })));
        expect(second.ok).toBe(true);
        return `DeleteResourcePolicy on a stream that never had a policy answered ${describeAnswer(first)} (and again ${describeAnswer(second)})`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.policy.invalid',
    kind: 'wrong-answer',
    aws: 'PutResourcePolicy of a document that is not JSON is rejected: InvalidArgumentException (§2.3, §2.5, assumed; switch kin.invalidPolicyError)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const Policy = 'this is not a policy';
        const put = await answerOf(client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy })));
        expect(put.ok, 'the non-JSON policy was rejected').toBe(true);
        const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: streamArn })));
        expect(get.ok && get.output.Policy).toBe(Policy);
        return `PutResourcePolicy of the text "${Policy}" answered ${describeAnswer(put)} and Get returns it as the stream's policy`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.arn.invalid',
    kind: 'wrong-answer',
    aws: 'A ResourceARN that does not match the API pattern is rejected with ValidationException (§2.2, §2.3, assumed; switch kin.invalidArnError: ValidationException | InvalidArgumentException | ResourceNotFoundException)',
    run: async (ctx) => {
      return withClient(new KinesisClient(plainClientConfig(ctx)), async (client) => {
        const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: 'not-an-arn' })));
        const put = await answerOf(client.send(new PutResourcePolicyCommand({ ResourceARN: 'not-an-arn', Policy: policyDoc('A', '*') })));
        // SerializationException is no value of kin.invalidArnError: no switch setting explains it.
        expect(get.ok ? 'ok' : get.code).toBe('SerializationException');
        expect(put.ok ? 'ok' : put.code).toBe('SerializationException');
        return `ResourceARN "not-an-arn": Get answered ${describeAnswer(get)}; Put answered the same code`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.arn.unknown',
    kind: 'wrong-answer',
    aws: 'A pattern-valid ResourceARN that names no stream or consumer (a stream ARN with an extra /shard/… segment) is rejected: ResourceNotFoundException (§2.2, §2.3, assumed; switch kin.unknownArnError)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const shardArn = `${streamArn}/shard/shardId-000000000000`;
        const Policy = policyDoc('Shard', streamArn);
        const put = await answerOf(client.send(new PutResourcePolicyCommand({ ResourceARN: shardArn, Policy })));
        expect(put.ok, 'the unknown ARN was rejected').toBe(true);
        const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: streamArn })));
        expect(get.ok && JSON.parse(get.output.Policy)).toEqual(JSON.parse(Policy));
        return `PutResourcePolicy on ${shardArn.replace(streamArn, '<stream ARN>')} answered ${describeAnswer(put)} and attached the document to the stream itself (Get on the stream ARN returns it)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.drops-policy',
    kind: 'wrong-answer',
    aws: 'A stream re-created after DeleteStream starts without a policy: Get shows "{}" (§2.5, assumed)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const Policy = policyDoc('Old', streamArn);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy }));
        await client.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
        const gone = await pollUntil(() => streamStatus(client, stream), (s) => s === 'ResourceNotFoundException');
        expect(gone.value, 'DeleteStream did not remove the stream').toBe('ResourceNotFoundException');
        const again = await createStream(client, stream);
        expect(again).toBe(streamArn);
        const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: again })));
        expect(get.ok && JSON.parse(get.output.Policy)).toEqual(JSON.parse(Policy));
        return 'a stream deleted with a policy and created again under its name answers GetResourcePolicy with the deleted stream\'s document';
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deregister.delete',
    kind: 'success-without-effect',
    aws: 'DeregisterStreamConsumer puts the named consumer in DELETING, a transient status, and then removes it; no other consumer is touched (§2.4, §2.5, assumed)',
    notAlways: 'kinesis-local leaves a consumer DELETING only when its removal runs into a consumer of the same name on another stream: a witness does not always reproduce it',
    run: (ctx) => {
      // Two streams whose consumers share a name; the first stream in ARN order is the one kinesis-local searches first.
      const first = `${ctx.prefix}-a`;
      const second = `${ctx.prefix}-b`;
      const name = `${ctx.prefix}-c`;
      return withKinesis(ctx, [first, second], async (client) => {
        const firstConsumer = await registerConsumer(client, await createStream(client, first), name);
        const secondStreamArn = await createStream(client, second);
        const secondConsumer = await registerConsumer(client, secondStreamArn, name);
        const answer = await answerOf(client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: secondConsumer })));
        expect(answer.ok, 'DeregisterStreamConsumer failed').toBe(true);
        // The removal kinesis-local schedules (about 0.5 s later) hits the first stream's consumer of that name ...
        const removed = await pollUntil(() => consumerStatus(client, firstConsumer), (s) => s === 'ResourceNotFoundException');
        expect(removed.value, 'the other stream\'s consumer of the same name was left alone (as AWS does)').toBe('ResourceNotFoundException');
        // ... and nothing removes the deregistered one afterwards: it stays DELETING, its name taken.
        await sleep(2000);
        expect(await consumerStatus(client, secondConsumer)).toBe('DELETING');
        const reRegister = await answerOf(client.send(new RegisterStreamConsumerCommand({ StreamARN: secondStreamArn, ConsumerName: name })));
        expect(reRegister.ok ? 'ok' : reRegister.code).toBe('ResourceInUseException');
        return `DeregisterStreamConsumer of the second stream's consumer answered ${describeAnswer(answer)}; ${removed.afterMs} ms later the FIRST stream's consumer of that name was gone, while the deregistered one was still DELETING ${removed.afterMs + 2000} ms after (RegisterStreamConsumer of its name: ResourceInUseException)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.create',
    kind: 'wrong-answer',
    aws: 'RegisterStreamConsumer registers a consumer without a policy, under a ConsumerARN no consumer had before (AWS keeps a deregistered consumer DELETING for seconds, so a re-registration never shares its creation second) (§2.2, §2.4, assumed)',
    notAlways: 'only when the re-registration falls in the same second as the first registration: kinesis-local removes a deregistered consumer about 0.5 s later, so a run shows it when the first registration lands early in a second and the machine is not busy (the nightly CI run of 3 Dec 2026 missed it)',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      const name = `${ctx.prefix}-c`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        // The ConsumerARN ends in the creation time in whole seconds, and kinesis-local removes a deregistered consumer
        // after about 0.5 s: registering at the start of a second lets the re-registration fall in the same second
        // (a slow moment — a cold emulator, a busy machine — can push it into the next one: then try again).
        let last: { before: string; after: string } | undefined;
        for (let attempt = 0; attempt < 5; attempt++) {
          while (Date.now() % 1000 > 50) await sleep(5);
          const before = await registerConsumer(client, streamArn, name);
          expect(before).toMatch(new RegExp(`^arn:aws:kinesis:${ctx.region}:\\d{12}:stream/${stream}/consumer/${name}:\\d+$`));
          const Policy = consumerDoc('Old', before);
          await client.send(new PutResourcePolicyCommand({ ResourceARN: before, Policy }));
          await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: before }));
          const gone = await pollUntil(() => consumerStatus(client, before), (s) => s === 'ResourceNotFoundException', SETTLE_MS, 10);
          expect(gone.value, 'the deregistered consumer was never removed').toBe('ResourceNotFoundException');
          const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
          const after = Consumer!.ConsumerARN!;
          last = { before, after };
          if (after === before) {
            const get = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: after })));
            expect(get.ok && JSON.parse(get.output.Policy)).toEqual(JSON.parse(Policy));
            return `attempt ${attempt + 1}: a consumer deregistered (gone after ${gone.afterMs} ms) and registered again under its name got back the same ConsumerARN (${after.replace(streamArn, '<stream ARN>')}), and the new consumer already holds the old one's policy`;
          }
          await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: after }));
          await pollUntil(() => consumerStatus(client, after), (s) => s === 'ResourceNotFoundException');
        }
        expect(last?.after, 'the re-registered consumer got a new ConsumerARN (as on AWS)').toBe(last?.before);
        throw new Error('unreachable');
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Old entries that are not departures: kinesis-local conforms on each of these rules in the plainest input.

const contradictions: ProbeSet['contradictions'] = [
  {
    service: 'kinesis',
    rule: 'kin.consumer.own-policy',
    kind: 'wrong-answer',
    why: 'misattribution: the old witness was Get on a consumer without a policy (its stream has one) answering ResourceNotFoundException — kinesis-local answers that for every resource without a policy (kin.get.no-policy); it never shows the stream\'s policy on the consumer',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const consumerArn = await registerConsumer(client, streamArn, `${ctx.prefix}-c`);
        const streamPolicy = policyDoc('Stream', streamArn);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy: streamPolicy }));
        const before = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: consumerArn })));
        expect(before.ok && before.output.Policy, 'the consumer shows its stream\'s policy').not.toBe(streamPolicy);
        const consumerPolicy = consumerDoc('Consumer', consumerArn);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: consumerArn, Policy: consumerPolicy }));
        const replaced = policyDoc('Stream2', streamArn);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy: replaced }));
        const consumerGet = await client.send(new GetResourcePolicyCommand({ ResourceARN: consumerArn }));
        expect(JSON.parse(consumerGet.Policy!)).toEqual(JSON.parse(consumerPolicy));
        await client.send(new DeleteResourcePolicyCommand({ ResourceARN: consumerArn }));
        const streamGet = await client.send(new GetResourcePolicyCommand({ ResourceARN: streamArn }));
        expect(JSON.parse(streamGet.Policy!)).toEqual(JSON.parse(replaced));
        const consumerAfter = await answerOf(client.send(new GetResourcePolicyCommand({ ResourceARN: consumerArn })));
        expect(consumerAfter.ok && consumerAfter.output.Policy).not.toBe(replaced);
        return `consumer and stream hold separate documents: replacing the stream's left the consumer's, deleting the consumer's left the stream's; a consumer without one answers ${describeAnswer(consumerAfter)} (kin.get.no-policy), never the stream's document`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.createstream.exists',
    kind: 'wrong-answer',
    why: 'consequence of kin.deletestream.has-consumers: in the old witness a DeleteStream without EnforceConsumerDeletion answered ResourceInUseException but deleted the stream, so the CreateStream after it created the name afresh',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        await createStream(client, stream);
        const created = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamCreationTimestamp;
        const again = await answerOf(client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 })));
        expect(again.ok ? 'ok' : again.code).toBe('ResourceInUseException');
        const after = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!;
        expect(after.StreamStatus).toBe('ACTIVE');
        expect(after.StreamCreationTimestamp).toEqual(created);
        return `CreateStream of an existing name answered ${describeAnswer(again)}; the stream is unchanged (same creation time, ACTIVE)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.deletestream.delete',
    kind: 'wrong-answer',
    why: 'consequence of kin.deletestream.has-consumers: in the old witness DeleteStream with EnforceConsumerDeletion answered ResourceNotFoundException because the refused DeleteStream before it had already removed the stream',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const consumerArn = await registerConsumer(client, streamArn, `${ctx.prefix}-c`);
        const answer = await answerOf(client.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true })));
        expect(answer.ok, 'DeleteStream with EnforceConsumerDeletion failed').toBe(true);
        const gone = await pollUntil(() => streamStatus(client, stream), (s) => s === 'ResourceNotFoundException');
        expect(gone.value).toBe('ResourceNotFoundException');
        expect(await consumerStatus(client, consumerArn)).toBe('ResourceNotFoundException');
        return `DeleteStream with EnforceConsumerDeletion answered ${describeAnswer(answer)}; ${gone.afterMs} ms later the stream and its consumer were gone (ResourceNotFoundException)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.register.exists',
    kind: 'wrong-answer',
    why: 'consequence of kin.deletestream.has-consumers: in the old witness RegisterStreamConsumer answered ResourceNotFoundException on a stream that a refused DeleteStream had removed',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      const name = `${ctx.prefix}-c`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const consumerArn = await registerConsumer(client, streamArn, name);
        const again = await answerOf(client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name })));
        expect(again.ok ? 'ok' : again.code).toBe('ResourceInUseException');
        const d = await client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
        expect(d.ConsumerDescription?.ConsumerARN).toBe(consumerArn);
        expect(d.ConsumerDescription?.ConsumerStatus).toBe('ACTIVE');
        return `RegisterStreamConsumer of a name the stream has answered ${describeAnswer(again)}; the consumer is unchanged`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.describeconsumer.found',
    kind: 'wrong-answer',
    why: 'consequence of kin.deletestream.has-consumers: in the old witness DescribeStreamConsumer answered ResourceNotFoundException for a consumer whose stream a refused DeleteStream had removed',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      const name = `${ctx.prefix}-c`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
        const registered = Consumer!.ConsumerARN!;
        expect(registered).toMatch(new RegExp(`^arn:aws:kinesis:${ctx.region}:\\d{12}:stream/${stream}/consumer/${name}:\\d+$`));
        const byArn = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: registered }));
        const byName = await client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
        expect(byArn.ConsumerDescription?.ConsumerARN).toBe(registered);
        expect(byName.ConsumerDescription?.ConsumerARN).toBe(registered);
        return `DescribeStreamConsumer by ConsumerARN and by StreamARN + name both return the ConsumerARN RegisterStreamConsumer returned (${registered.replace(streamArn, '<stream ARN>')}, AWS's form)`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.put.create',
    kind: 'wrong-answer',
    why: 'consequence of kin.deletestream.has-consumers: in the old witness PutResourcePolicy answered ResourceNotFoundException on a consumer whose stream a refused DeleteStream had removed',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const consumerArn = await registerConsumer(client, streamArn, `${ctx.prefix}-c`);
        const lines: string[] = [];
        for (const [arn, doc] of [
          [streamArn, policyDoc('New', streamArn)],
          [consumerArn, consumerDoc('New', consumerArn)],
        ] as const) {
          const put = await answerOf(client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: doc })));
          expect(put.ok).toBe(true);
          const { $metadata: _, ...body } = put.ok ? put.output : {};
          expect(body).toEqual({});
          const get = await client.send(new GetResourcePolicyCommand({ ResourceARN: arn }));
          expect(JSON.parse(get.Policy!)).toEqual(JSON.parse(doc));
          lines.push(describeAnswer(put));
        }
        return `PutResourcePolicy on a stream and on a consumer without a policy answered ${lines.join(' / ')}; Get returns each document`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.put.replace',
    kind: 'wrong-answer',
    why: 'consequence of kin.deletestream.has-consumers: in the old witness the second PutResourcePolicy answered ResourceNotFoundException on a stream that a refused DeleteStream had removed',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy: policyDoc('First', streamArn) }));
        const second = policyDoc('Second', streamArn, 'kinesis:ListShards');
        const put = await answerOf(client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy: second })));
        expect(put.ok).toBe(true);
        const { $metadata: _, ...body } = put.ok ? put.output : {};
        expect(body).toEqual({});
        const get = await client.send(new GetResourcePolicyCommand({ ResourceARN: streamArn }));
        expect(JSON.parse(get.Policy!)).toEqual(JSON.parse(second));
        return `a second PutResourcePolicy answered ${describeAnswer(put)}; Get returns the second document only`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.get.policy',
    kind: 'wrong-answer',
    why: 'consequence of kin.policy.invalid: the old witness read back "this is not a policy", stored by a Put AWS would have rejected; Get returned exactly what was stored',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const consumerArn = await registerConsumer(client, streamArn, `${ctx.prefix}-c`);
        // Pretty-printed on purpose: compared as parsed JSON (spec §2.5: byte preservation is unverified).
        const streamPolicy = JSON.stringify(JSON.parse(policyDoc('Read', streamArn)), null, 2);
        const consumerPolicy = consumerDoc('Read', consumerArn);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy: streamPolicy }));
        await client.send(new PutResourcePolicyCommand({ ResourceARN: consumerArn, Policy: consumerPolicy }));
        const s = await client.send(new GetResourcePolicyCommand({ ResourceARN: streamArn }));
        const c = await client.send(new GetResourcePolicyCommand({ ResourceARN: consumerArn }));
        expect(JSON.parse(s.Policy!)).toEqual(JSON.parse(streamPolicy));
        expect(JSON.parse(c.Policy!)).toEqual(JSON.parse(consumerPolicy));
        return `GetResourcePolicy returns the stored document for a stream and for a consumer${s.Policy === streamPolicy ? ' (byte for byte)' : ''}`;
      });
    },
  },
  {
    service: 'kinesis',
    rule: 'kin.consumer.gone',
    kind: 'wrong-answer',
    why: 'consequence of kin.deregister.delete: in the old witness the deregistered consumer (stream s1) was still DELETING, because the removal had hit s0\'s consumer of the same name, so DeleteResourcePolicy on its ARN still found a consumer',
    run: (ctx) => {
      const stream = `${ctx.prefix}-s`;
      return withKinesis(ctx, [stream], async (client) => {
        const streamArn = await createStream(client, stream);
        const deregistered = await registerConsumer(client, streamArn, `${ctx.prefix}-c`);
        const withStream = await registerConsumer(client, streamArn, `${ctx.prefix}-d`);
        await client.send(new PutResourcePolicyCommand({ ResourceARN: deregistered, Policy: consumerDoc('Gone', deregistered) }));
        await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: deregistered }));
        // DELETING for a while is what AWS does too; then the consumer must be gone.
        const gone = await pollUntil(() => consumerStatus(client, deregistered), (s) => s === 'ResourceNotFoundException');
        expect(gone.value, 'the deregistered consumer was never removed').toBe('ResourceNotFoundException');
        const afterDeregister = await policyCallsOn(client, deregistered);
        await client.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
        const streamGone = await pollUntil(() => streamStatus(client, stream), (s) => s === 'ResourceNotFoundException');
        expect(streamGone.value).toBe('ResourceNotFoundException');
        const afterDeleteStream = await policyCallsOn(client, withStream);
        expect(afterDeregister).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
        expect(afterDeleteStream).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException']);
        return `once a deregistered consumer is gone (after ${gone.afterMs} ms, DELETING before), and after its stream is deleted, Put/Get/DeleteResourcePolicy on its ARN answer ResourceNotFoundException`;
      });
    },
  },
];


// ---------------------------------------------------------------------------------------------------------------
// Services kinesis-local does not serve. ProbeSet has no place for them (see the report): one probe each, showing the
// non-AWS answer to the service's plainest policy read.


export const kinesisLocalUnsupported: UnsupportedProbe[] = [
  {
    service: 'dynamodb',
    aws: 'GetResourcePolicy on a table that does not exist: ResourceNotFoundException, HTTP 400, JSON body (§1.5, aws-verified)',
    run: async (ctx) => {
      return withClient(new DynamoDBClient(plainClientConfig(ctx)), async (client) => {
        const r = await answerOf(client.send(new GetTablePolicyCommand({ ResourceArn: `arn:aws:dynamodb:${ctx.region}:123456789012:table/${ctx.prefix}-t` })));
        expect(r.ok).toBe(false);
        if (r.ok) throw new Error('unreachable');
        // The body is <UnknownOperationException/> (XML, not the JSON every DynamoDB answer has): the SDK cannot parse it.
        expect(r.status).toBe(404);
        expect(r.message).toContain('<UnknownOp');
        return `DynamoDB GetResourcePolicy: HTTP 404 with body <UnknownOperationException/> (SDK: ${r.code})`;
      });
    },
  },
  {
    service: 'ssm',
    aws: 'GetResourcePolicies on a parameter that does not exist: ResourceNotFoundException (§3.6, documented)',
    run: async (ctx) => {
      return withClient(new SSMClient(plainClientConfig(ctx)), async (client) => {
        const r = await answerOf(client.send(new GetResourcePoliciesCommand({ ResourceArn: `arn:aws:ssm:${ctx.region}:123456789012:parameter/${ctx.prefix}-p` })));
        expect(r.ok ? 'ok' : r.code).toBe('AccessDeniedException');
        if (r.ok) throw new Error('unreachable');
        expect(r.message).toContain('Unable to determine service/operation name');
        return `SSM GetResourcePolicies: ${describeAnswer(r)} (no AmazonSSM operation is known)`;
      });
    },
  },
  {
    service: 'xray',
    aws: 'ListResourcePolicies: 200 with the account\'s policies (an empty list in a fresh account) (§4.5)',
    run: async (ctx) => {
      return withClient(new XRayClient(plainClientConfig(ctx)), async (client) => {
        const r = await answerOf(client.send(new ListResourcePoliciesCommand({})));
        expect(r.ok).toBe(false);
        if (r.ok) throw new Error('unreachable');
        expect(r.status).toBe(404);
        expect(r.message).toContain('Not found');
        return `X-Ray ListResourcePolicies (POST /ListResourcePolicies): HTTP 404, text body "Not found" (SDK: ${r.code})`;
      });
    },
  },
];

export const kinesisLocalProbes: ProbeSet = { target: 'kinesis-local', probes, contradictions, unsupported: kinesisLocalUnsupported };
