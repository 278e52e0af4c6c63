import { DeleteResourcePolicyCommand, ListResourcePoliciesCommand, PutResourcePolicyCommand, XRayClient } from '@aws-sdk/client-xray';
import { describe, expect, it } from 'vitest';
import { xrayAdapter } from '../services/xray/adapter.js';
import { xrayCodec } from '../services/xray/codec.js';
import { startReference } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { clientConfig } from '../harness/sdk.js';
import type { Connection, ServiceAdapter } from '../harness/service.js';
import type { JsonObject, Observation, Request } from '../models/types.js';
import { endpointAt, options, runAgainstReference } from './support/reference.js';

/** Rules the default strict run cannot reach against a conforming target, and why. */
const UNREACHABLE: Record<string, string> = {
  // The default switch xray.listNextToken=ignored judges a List with NextToken by xray.list.all; this rule only
  // has a branch under the other value (a target that refuses the token gets that switch as its explanation).
  'xray.list.next-token': 'only under switch xray.listNextToken=InvalidRequestException',
  // observe.ts turns ThrottledException (429) into a retried fault, and the reference server never throttles.
  'xray.throttled': 'throttles are faults the harness retries, never judged answers',
};

interface Traced {
  prefix: string;
  steps: { request: Request; observation: Observation }[];
}

/** The X-Ray adapter, recording what each sequence sent and got back. */
function spyOn(adapter: ServiceAdapter, traces: Traced[]): ServiceAdapter {
  return {
    ...adapter,
    connect(endpoint, opts) {
      const inner: Connection<unknown> = adapter.connect(endpoint, opts);
      return {
        discover: (p) => inner.discover(p),
        close: () => inner.close(),
        sequence(prefix, identity) {
          const seq = inner.sequence(prefix, identity);
          const trace: Traced = { prefix, steps: [] };
          traces.push(trace);
          return {
            setup: seq.setup,
            request: (c) => seq.request(c),
            async send(request) {
              const observation = await seq.send(request);
              trace.steps.push({ request, observation });
              return observation;
            },
            learn: (r, o) => seq.learn(r, o),
            cleanup: () => seq.cleanup(),
          };
        },
      };
    },
  };
}

const SCENARIOS = [
  'put: create with PolicyRevisionId "0"',
  'put: update with the current PolicyRevisionId',
  'put: update without PolicyRevisionId',
  'put: 5120-byte document accepted',
  'put: 5121-byte document refused',
  'put: lockout document accepted with BypassPolicyLockoutCheck',
  'put: lockout document refused without BypassPolicyLockoutCheck',
  'put: 128-character name accepted',
  'put: 129-character name refused',
  'delete: with the current PolicyRevisionId',
  'delete: without PolicyRevisionId',
  'delete: missing policy without PolicyRevisionId',
  'delete: missing policy with PolicyRevisionId',
  'list: with NextToken',
  'put: without PolicyDocument refused',
  'delete: without PolicyName refused',
] as const;

/** Which of SCENARIOS the recorded traces went through (an account replayed from the successful calls). */
function scenarios(traces: readonly Traced[]): Set<string> {
  const seen = new Set<string>();
  for (const { steps } of traces) {
    const names = new Set<string>();
    for (const { request, observation } of steps) {
      const input = request.input as JsonObject;
      const name = String(input.PolicyName ?? '');
      const rev = input.PolicyRevisionId;
      const ok = observation.kind === 'ok';
      const code = observation.kind === 'error' ? observation.code : undefined;
      const existed = names.has(name);
      if (request.operation === 'PutResourcePolicy') {
        const doc = String(input.PolicyDocument ?? '');
        const bytes = Buffer.byteLength(doc);
        const lockout = doc.includes('"Effect":"Deny"');
        if (ok && rev === '0') seen.add(SCENARIOS[0]);
        if (ok && existed && typeof rev === 'string' && rev !== '0') seen.add(SCENARIOS[1]);
        if (ok && existed && rev === undefined) seen.add(SCENARIOS[2]);
        if (ok && bytes === 5120) seen.add(SCENARIOS[3]);
        if (code === 'PolicySizeLimitExceededException' && bytes === 5121) seen.add(SCENARIOS[4]);
        if (ok && lockout && input.BypassPolicyLockoutCheck === true) seen.add(SCENARIOS[5]);
        if (code === 'LockoutPreventionException' && input.BypassPolicyLockoutCheck !== true) seen.add(SCENARIOS[6]);
        if (ok && name.length === 128) seen.add(SCENARIOS[7]);
        if (code === 'InvalidRequestException' && name.length === 129) seen.add(SCENARIOS[8]);
        if (code === 'InvalidRequestException' && !('PolicyDocument' in input)) seen.add(SCENARIOS[14]);
        if (ok) names.add(name);
      }
      if (request.operation === 'DeleteResourcePolicy') {
        if (ok && existed && rev !== undefined) seen.add(SCENARIOS[9]);
        if (ok && existed && rev === undefined) seen.add(SCENARIOS[10]);
        if (ok && !existed && rev === undefined && name !== '') seen.add(SCENARIOS[11]);
        if (code === 'InvalidPolicyRevisionIdException' && !existed && rev !== undefined) seen.add(SCENARIOS[12]);
        if (code === 'InvalidRequestException' && !('PolicyName' in input)) seen.add(SCENARIOS[15]);
        if (ok) names.delete(name);
      }
      if (request.operation === 'ListResourcePolicies' && ok && input.NextToken !== undefined) seen.add(SCENARIOS[13]);
    }
  }
  return seen;
}

const FOREIGN = [
  {
    PolicyName: 'foreign-sns',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'SNSAccess', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*' }],
    }),
  },
  {
    PolicyName: 'foreign-logs',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Logs', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'xray:PutTraceSegments', Resource: '*' }],
    }),
  },
];

async function listed(client: XRayClient) {
  const out = await client.send(new ListResourcePoliciesCommand({}));
  return (out.ResourcePolicies ?? []).map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument, PolicyRevisionId: p.PolicyRevisionId })).sort((a, b) => a.PolicyName!.localeCompare(b.PolicyName!));
}

describe('X-Ray suite against the embedded reference target (real HTTP, real SDK)', () => {
  it('conforms in strict mode and reaches every strict-mode rule within the default budget', async () => {
    const traces: Traced[] = [];
    const result = await runAgainstReference(spyOn(xrayAdapter as ServiceAdapter, traces));
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.faults).toBe(0);
    const expected = Object.keys(xrayAdapter.model.rules).filter((r) => !(r in UNREACHABLE));
    expect(expected.filter((r) => !result.rulesReached.includes(r))).toEqual([]);
    // The edges behind the rules were really exercised, on both sides where there are two.
    expect(SCENARIOS.filter((s) => !scenarios(traces).has(s))).toEqual([]);
  });

  it('also conforms when judged in eventual mode (X-Ray has no eventual rules)', async () => {
    const result = await runAgainstReference(xrayAdapter, { consistency: 'eventual', runs: 60 });
    expect(result.divergences).toEqual([]);
    expect(result.verdict).toBe('pass');
  });

  it('starts from the policies already in the account, counts them towards the limit, and leaves them as found', async () => {
    const ref = await startReference();
    const client = new XRayClient(clientConfig(endpointAt(ref.url)));
    try {
      for (const p of FOREIGN) await client.send(new PutResourcePolicyCommand(p));
      // A second revision, so an unchanged revision id really means "not touched".
      await client.send(new PutResourcePolicyCommand({ ...FOREIGN[0]!, PolicyRevisionId: '1' }));
      const before = await listed(client);
      expect(before.map((p) => [p.PolicyName, p.PolicyRevisionId])).toEqual([
        ['foreign-logs', '1'],
        ['foreign-sns', '2'],
      ]);

      const traces: Traced[] = [];
      const result = await runService(spyOn(xrayAdapter as ServiceAdapter, traces), endpointAt(ref.url), options());
      expect(result.divergences).toEqual([]);
      expect(result.verdict).toBe('pass');
      expect(result.rulesReached).toContain('xray.put.count-limit');
      expect(result.rulesReached).toContain('xray.put.update');

      // Replay each trace's account contents: a 6th distinct name was refused, and an update at 5 went through.
      let sixthRefused = 0;
      let updatedAtFive = 0;
      for (const { prefix, steps } of traces) {
        const names = new Set(FOREIGN.map((p) => p.PolicyName));
        for (const { request, observation } of steps) {
          const name = String((request.input as JsonObject).PolicyName ?? '');
          if (request.operation !== 'ListResourcePolicies' && name !== '') expect(name.startsWith(`${prefix}-`) || name.startsWith(`${prefix}/`), name).toBe(true);
          if (request.operation === 'PutResourcePolicy') {
            if (names.size === 5 && !names.has(name) && observation.kind === 'error' && observation.code === 'PolicyCountLimitExceededException') sixthRefused++;
            if (names.size === 5 && names.has(name) && observation.kind === 'ok') updatedAtFive++;
            if (observation.kind === 'ok') names.add(name);
          }
          if (request.operation === 'DeleteResourcePolicy' && observation.kind === 'ok') names.delete(name);
        }
      }
      expect(sixthRefused).toBeGreaterThan(0);
      expect(updatedAtFive).toBeGreaterThan(0);

      expect(await listed(client)).toEqual(before);
    } finally {
      for (const p of FOREIGN) await client.send(new DeleteResourcePolicyCommand({ PolicyName: p.PolicyName })).catch(() => undefined);
      client.destroy();
      await ref.stop();
    }
  });

  it('the reference codec answers only the restJson1 paths and leaves JSON-RPC requests to other services', () => {
    const http = (path: string, headers: Record<string, string> = {}, method = 'POST') => ({ method, path, headers, body: '{}' });
    expect(xrayCodec.route(http('/PutResourcePolicy'))).toBe('PutResourcePolicy');
    expect(xrayCodec.route(http('/ListResourcePolicies'))).toBe('ListResourcePolicies');
    expect(xrayCodec.route(http('/DeleteResourcePolicy'))).toBe('DeleteResourcePolicy');
    expect(xrayCodec.route(http('/', { 'x-amz-target': 'Kinesis_20131202.PutResourcePolicy' }))).toBeNull();
    expect(xrayCodec.route(http('/', { 'x-amz-target': 'AmazonSSM.PutResourcePolicy' }))).toBeNull();
    expect(xrayCodec.route(http('/PutResourcePolicy', { 'x-amz-target': 'DynamoDB_20120810.PutResourcePolicy' }))).toBeNull();
    expect(xrayCodec.route(http('/PutResourcePolicy', {}, 'GET'))).toBeNull();
    expect(xrayCodec.route(http('/GetSamplingRules'))).toBeNull();
  });
});
