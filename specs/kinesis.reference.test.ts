import { CreateStreamCommand, GetResourcePolicyCommand, KinesisClient, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { kinesisAdapter } from '../services/kinesis/adapter.js';
import { REFERENCE_ACCOUNT, startReference } from '../harness/reference/server.js';
import { clientConfig } from '../harness/sdk.js';
import { fitsFormat } from '../models/match.js';
import { consumerArnFormat, streamArn } from '../services/kinesis/model.js';
import { endpointAt, runAgainstReference } from './support/reference.js';

/**
 * Rules the reference server cannot show in strict mode, with the reason:
 * - kin.rate-limited: LimitExceededException is always the model's last alternative, and the reference answers with
 *   the first one, so a conforming reference never throttles.
 * - kin.register.limit: needs 21 consumers on one stream (20 RegisterStreamConsumer calls before the failing one);
 *   the generator registers at most two consumer names per stream, which keeps sequences short and AWS cheap.
 */
const UNREACHABLE = ['kin.rate-limited', 'kin.register.limit'];

describe('Kinesis suite against the embedded reference target (real HTTP, real SDK)', () => {
  it('conforms in strict mode and reaches every strict-mode rule within the default budget', async () => {
    const result = await runAgainstReference(kinesisAdapter);
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBe(0);
    expect(result.unsupportedOperations).toEqual([]);
    const expected = Object.keys(kinesisAdapter.model.rules).filter((r) => !UNREACHABLE.includes(r));
    expect(expected.filter((r) => !result.rulesReached.includes(r))).toEqual([]);
  });

  it('also conforms when judged in eventual mode (Kinesis is modelled read-your-writes)', async () => {
    const result = await runAgainstReference(kinesisAdapter, { consistency: 'eventual', runs: 60 });
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
  });
});

describe('the reference server on the wire (real SDK)', () => {
  it('answers a policy call without ResourceARN (SDK v3 sends it) with the validation error, and invents ConsumerARNs of AWS\'s form', async () => {
    const ref = await startReference();
    const client = new KinesisClient(clientConfig(endpointAt(ref.url)));
    try {
      const error = await client.send(new GetResourcePolicyCommand({} as never)).catch((e: unknown) => e as Error);
      expect((error as Error).name).toBe('ValidationException');
      expect((error as Error).message).toContain('kin.arn.invalid');
      await client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
      const ctx = { account: REFERENCE_ACCOUNT, region: 'us-east-1' };
      const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn(ctx, 'orders'), ConsumerName: 'reader' }));
      expect(fitsFormat(consumerArnFormat(ctx, 'orders', 'reader'), Consumer?.ConsumerARN ?? '')).toBe(true);
    } finally {
      client.destroy();
      await ref.stop();
    }
  });
});
