import {
  GetResourcePoliciesCommand,
  PutResourcePolicyCommand,
  ResourcePolicyInvalidParameterException,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ssmAdapter } from '../services/ssm/adapter.js';
import { REFERENCE_ACCOUNT, startReference } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { clientConfig } from '../harness/sdk.js';
import { opsItemGroupArn } from '../services/ssm/model.js';
import { endpointAt, options, runAgainstReference } from './support/reference.js';

/**
 * Rules the reference server cannot show in strict mode with AWS's most likely switch values:
 * - ssm.put.parameter-limit: only with switch ssm.parameterPolicyLimit=1 (default: no per-parameter limit);
 * - ssm.rate-limited: only with switch ssm.rateLimitErrors=on (default off);
 * - ssm.get.bad-token: a target MAY refuse a NextToken the model cannot tie to a listing; the reference server
 *   takes the model's first branch for such a token (an unconstrained page, ssm.get.page-unknown-token).
 */
const NOT_REACHABLE = ['ssm.put.parameter-limit', 'ssm.rate-limited', 'ssm.get.bad-token'];

const OPS = opsItemGroupArn({ account: REFERENCE_ACCOUNT, region: 'us-east-1' });

function ssmClient(url: string): SSMClient {
  return new SSMClient(clientConfig(endpointAt(url)));
}

describe('SSM suite against the embedded reference target (real HTTP, real SDK)', () => {
  it('conforms in strict mode and reaches every strict-mode rule within the default budget', async () => {
    const result = await runAgainstReference(ssmAdapter);
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBe(0);
    expect(result.unsupportedOperations).toEqual([]);
    const expected = Object.keys(ssmAdapter.model.rules).filter((r) => !NOT_REACHABLE.includes(r));
    expect(expected.filter((r) => !result.rulesReached.includes(r))).toEqual([]);
  });

  it('also conforms when judged in eventual mode (SSM documents read-your-writes; nothing changes)', async () => {
    const result = await runAgainstReference(ssmAdapter, { consistency: 'eventual', runs: 60 });
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
  });

  it('speaks SSM errors: __type without namespace, capital Message, ParameterNames', async () => {
    const ref = await startReference();
    const client = ssmClient(ref.url);
    try {
      const other = `arn:aws:ssm:us-east-1:${REFERENCE_ACCOUNT}:document/some-document`;
      const error = await client.send(new PutResourcePolicyCommand({ ResourceArn: other, Policy: '{}' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourcePolicyInvalidParameterException);
      expect((error as ResourcePolicyInvalidParameterException).ParameterNames).toEqual(['ResourceArn']);
      expect((error as Error).message).toContain('ssm.arn.unsupported');
      expect((error as ResourcePolicyInvalidParameterException).$metadata.httpStatusCode).toBe(400);
      // SDK v3 sends a request without its required ResourceArn; the reference answers the validation error.
      const missing = await client.send(new PutResourcePolicyCommand({ Policy: '{}' } as never)).catch((e: unknown) => e as Error);
      expect([(missing as Error).name, (missing as Error).message]).toEqual(['ValidationException', expect.stringContaining('ssm.input.invalid')]);
    } finally {
      client.destroy();
      await ref.stop();
    }
  });
});

describe('the account-wide OpsItemGroup', () => {
  it('is left as the run found it: empty', async () => {
    const ref = await startReference();
    const client = ssmClient(ref.url);
    try {
      const result = await runService(ssmAdapter, endpointAt(ref.url), options({ runs: 60 }));
      expect(result.verdict).toBe('pass');
      expect(result.rulesReached).toContain('ssm.put.opsitemgroup-limit');
      const after = await client.send(new GetResourcePoliciesCommand({ ResourceArn: OPS }));
      expect(after.Policies ?? []).toEqual([]);
    } finally {
      client.destroy();
      await ref.stop();
    }
  });

  it('starts from a policy someone else attached, never touches it, and leaves it in place', async () => {
    const ref = await startReference();
    const client = ssmClient(ref.url);
    try {
      const foreignDoc = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'Foreign', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'ssm:GetOpsItem', Resource: OPS }],
      });
      const foreign = await client.send(new PutResourcePolicyCommand({ ResourceArn: OPS, Policy: foreignDoc }));
      expect(foreign.PolicyId).toBeTruthy();

      const result = await runService(ssmAdapter, endpointAt(ref.url), options({ runs: 100 }));
      expect(result.divergences).toEqual([]);
      expect(result.verdict).toBe('pass');
      // With the foreign policy counted, every create on the OpsItemGroup is over its limit of one.
      expect(result.rulesReached).toContain('ssm.put.opsitemgroup-limit');

      const after = await client.send(new GetResourcePoliciesCommand({ ResourceArn: OPS }));
      expect(after.Policies).toEqual([{ PolicyId: foreign.PolicyId, PolicyHash: foreign.PolicyHash, Policy: foreignDoc }]);
    } finally {
      client.destroy();
      await ref.stop();
    }
  });
});
