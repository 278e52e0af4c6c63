/**
 * Seeded bugs of every departure kind (in each service's mutants.ts): the suite reports each as ONE entry,
 * under the rule the mutant breaks, with the mutant's kind, a short reproducible witness — never as a string of
 * entries that are consequences of one bug, and never as a pass because the bug's answer was a 5xx.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_ACCOUNT, ReferenceServer, allMutants, findMutant } from '../harness/reference/server.js';
import type { Mutant } from '../harness/reference/engine.js';
import type { HttpResponse } from '../harness/reference/protocol.js';
import type { DepartureKind, Divergence } from '../models/results.js';
import { serviceNamed } from '../services/index.js';
import type { ServiceName } from '../models/types.js';
import { runAgainstReference } from './support/reference.js';

const REGION = 'us-east-1';
const kindOf = (m: Mutant): DepartureKind => m.kind ?? 'wrong-answer';
/** The seeded bugs that are not plain wrong answers. */
const kindMutants = allMutants().filter((m) => kindOf(m) !== 'wrong-answer');

/** The step that misbehaves in each mutant, and what it answers there (the witness must end on, or go through, it). */
const CAUSE: Record<string, { operation: string; answers: 'ok' | 'error' | 'server-error' }> = {
  'kin-deletestream-in-use-deletes': { operation: 'DeleteStream', answers: 'error' },
  'ddb-stale-revision-put-writes': { operation: 'PutResourcePolicy', answers: 'error' },
  'ddb-delete-policy-kept': { operation: 'DeleteResourcePolicy', answers: 'ok' },
  'xray-delete-policy-kept': { operation: 'DeleteResourcePolicy', answers: 'ok' },
  'ssm-oversized-put-500': { operation: 'PutResourcePolicy', answers: 'server-error' },
  'ddb-stream-get-html-500': { operation: 'GetResourcePolicy', answers: 'server-error' },
  'ddb-stale-read': { operation: 'GetResourcePolicy', answers: 'error' },
};

/** One wire call to the reference server, without HTTP: awsJson services by X-Amz-Target, X-Ray by path. */
function call(server: ReferenceServer, service: ServiceName, operation: string, input: object): HttpResponse & { json?: Record<string, unknown> } {
  const prefix = { dynamodb: 'DynamoDB_20120810', kinesis: 'Kinesis_20131202', ssm: 'AmazonSSM', xray: '' }[service];
  const response = server.handle(
    service === 'xray'
      ? { method: 'POST', path: `/${operation}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }
      : { method: 'POST', path: '/', headers: { 'x-amz-target': `${prefix}.${operation}`, 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(input) },
  );
  let json: Record<string, unknown> | undefined;
  try {
    json = response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {};
  } catch {
    json = undefined;
  }
  return { ...response, ...(json ? { json } : {}) };
}

const errorType = (r: { json?: Record<string, unknown>; headers: Record<string, string> }) => String(r.json?.__type ?? r.headers['x-amzn-errortype'] ?? '').split('#').pop();

const POLICY = (sid: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REFERENCE_ACCOUNT}:root` }, Action: 'dynamodb:GetItem', Resource: '*' }] });

const TABLE = (name: string, stream: boolean) => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
});
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${REFERENCE_ACCOUNT}:table/${name}`;

describe('seeded bugs of the other departure kinds', () => {
  it('has at least two of each kind (one crash with an HTML body), each listed, findable and blaming a rule its model has', () => {
    const count = (k: DepartureKind) => kindMutants.filter((m) => m.kind === k).length;
    expect(count('error-with-side-effect')).toBeGreaterThanOrEqual(2);
    expect(count('success-without-effect')).toBeGreaterThanOrEqual(2);
    expect(count('crash')).toBeGreaterThanOrEqual(2);
    expect(kindMutants.some((m) => m.kind === 'crash' && m.http)).toBe(true);
    const names = allMutants().map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of kindMutants) {
      expect(findMutant(m.name), m.name).toBe(m);
      expect(Object.keys(serviceNamed(m.service as ServiceName)!.adapter.model.rules), m.name).toContain(m.breaks);
      expect(CAUSE[m.name], `${m.name} needs an entry in CAUSE`).toBeDefined();
    }
  });

  describe('on the wire they do what they say (no runner involved)', () => {
    it('kin-deletestream-in-use-deletes: ResourceInUseException, and the stream is gone', () => {
      const server = new ReferenceServer({ mutant: 'kin-deletestream-in-use-deletes' });
      expect(call(server, 'kinesis', 'CreateStream', { StreamName: 's', ShardCount: 1 }).status).toBe(200);
      const arn = `arn:aws:kinesis:${REGION}:${REFERENCE_ACCOUNT}:stream/s`;
      expect(call(server, 'kinesis', 'RegisterStreamConsumer', { StreamARN: arn, ConsumerName: 'c' }).status).toBe(200);
      const del = call(server, 'kinesis', 'DeleteStream', { StreamName: 's' });
      expect([del.status, errorType(del)]).toEqual([400, 'ResourceInUseException']);
      const after = call(server, 'kinesis', 'DescribeStreamSummary', { StreamName: 's' });
      expect([after.status, errorType(after)]).toEqual([400, 'ResourceNotFoundException']);
    });

    it('ddb-stale-revision-put-writes: PolicyNotFoundException, and the new document is attached', () => {
      const server = new ReferenceServer({ mutant: 'ddb-stale-revision-put-writes' });
      call(server, 'dynamodb', 'CreateTable', TABLE('tbl', false));
      const first = call(server, 'dynamodb', 'PutResourcePolicy', { ResourceArn: tableArn('tbl'), Policy: POLICY('One') });
      expect(first.status).toBe(200);
      const stale = call(server, 'dynamodb', 'PutResourcePolicy', { ResourceArn: tableArn('tbl'), Policy: POLICY('Two'), ExpectedRevisionId: '0000000000000' });
      expect([stale.status, errorType(stale)]).toEqual([400, 'PolicyNotFoundException']);
      const get = call(server, 'dynamodb', 'GetResourcePolicy', { ResourceArn: tableArn('tbl') });
      expect(get.json?.Policy).toBe(POLICY('Two'));
      expect(get.json?.RevisionId).not.toBe(first.json?.RevisionId);
    });

    it('ddb-delete-policy-kept: success with the current RevisionId, and the policy is still there', () => {
      const server = new ReferenceServer({ mutant: 'ddb-delete-policy-kept' });
      call(server, 'dynamodb', 'CreateTable', TABLE('tbl', false));
      const put = call(server, 'dynamodb', 'PutResourcePolicy', { ResourceArn: tableArn('tbl'), Policy: POLICY('One') });
      const del = call(server, 'dynamodb', 'DeleteResourcePolicy', { ResourceArn: tableArn('tbl') });
      expect(del.status).toBe(200);
      expect(del.json?.RevisionId).toBe(put.json?.RevisionId);
      expect(call(server, 'dynamodb', 'GetResourcePolicy', { ResourceArn: tableArn('tbl') }).json?.Policy).toBe(POLICY('One'));
    });

    it('xray-delete-policy-kept: a conditional delete answers success and keeps the policy; an unconditional one removes it', () => {
      const server = new ReferenceServer({ mutant: 'xray-delete-policy-kept' });
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REFERENCE_ACCOUNT}:root` }, Action: 'xray:PutTraceSegments', Resource: '*' }] });
      const put = call(server, 'xray', 'PutResourcePolicy', { PolicyName: 'p', PolicyDocument: doc });
      expect(put.status).toBe(200);
      const rev = (put.json?.ResourcePolicy as { PolicyRevisionId: string }).PolicyRevisionId;
      expect(call(server, 'xray', 'DeleteResourcePolicy', { PolicyName: 'p', PolicyRevisionId: rev }).status).toBe(200);
      expect((call(server, 'xray', 'ListResourcePolicies', {}).json?.ResourcePolicies as unknown[]).length).toBe(1);
      expect(call(server, 'xray', 'DeleteResourcePolicy', { PolicyName: 'p' }).status).toBe(200);
      expect((call(server, 'xray', 'ListResourcePolicies', {}).json?.ResourcePolicies as unknown[]).length).toBe(0);
    });

    it('ssm-oversized-put-500: a JSON 500 InternalServerError for a document over 1024 bytes, every time; smaller ones are fine', () => {
      const server = new ReferenceServer({ mutant: 'ssm-oversized-put-500' });
      const arn = `arn:aws:ssm:${REGION}:${REFERENCE_ACCOUNT}:opsitemgroup/default`;
      const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(1100), Effect: 'Allow', Principal: '*', Action: 'ssm:GetOpsItem' }] });
      for (let i = 0; i < 2; i++) {
        const r = call(server, 'ssm', 'PutResourcePolicy', { ResourceArn: arn, Policy: big });
        expect([r.status, errorType(r)]).toEqual([500, 'InternalServerError']);
        expect(String(r.json?.message ?? r.json?.Message)).toMatch(/ArrayIndexOutOfBounds/);
      }
      const small = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REFERENCE_ACCOUNT}:root` }, Action: 'ssm:GetOpsItem', Resource: '*' }] });
      expect(call(server, 'ssm', 'PutResourcePolicy', { ResourceArn: arn, Policy: small }).status).toBe(200);
    });

    it('ddb-stream-get-html-500: an HTML 500 page for GetResourcePolicy on an existing stream, every time; on the table it answers as AWS', () => {
      const server = new ReferenceServer({ mutant: 'ddb-stream-get-html-500' });
      const created = call(server, 'dynamodb', 'CreateTable', TABLE('tbl', true));
      const streamArn = (created.json?.TableDescription as { LatestStreamArn: string }).LatestStreamArn;
      expect(streamArn).toContain('/stream/');
      for (let i = 0; i < 2; i++) {
        const r = call(server, 'dynamodb', 'GetResourcePolicy', { ResourceArn: streamArn });
        expect(r.status).toBe(500);
        expect(r.headers['content-type']).toMatch(/^text\/html/);
        expect(r.body).toMatch(/^<!doctype html>/);
      }
      const table = call(server, 'dynamodb', 'GetResourcePolicy', { ResourceArn: tableArn('tbl') });
      expect([table.status, errorType(table)]).toEqual([400, 'PolicyNotFoundException']);
      // Another operation on the same stream ARN is not this bug.
      expect(call(server, 'dynamodb', 'DeleteResourcePolicy', { ResourceArn: streamArn }).status).toBe(200);
    });
  });

  // Needs the runner that reports one cause per departure, with a kind (fails on the runner before it).
  describe('the suite reports each as one entry of its kind, under the rule it breaks', () => {
    for (const mutant of kindMutants) {
      const kind = kindOf(mutant);
      it(`${mutant.name} (${mutant.service}): one ${kind} entry under ${mutant.breaks}`, async () => {
        const result = await runAgainstReference(serviceNamed(mutant.service as ServiceName)!.adapter, { maxDivergences: 5, reproduce: 3 }, mutant.name);
        const entries = result.divergences.map((d: Divergence) => `${d.rule} [${d.kind ?? 'wrong-answer'}] in ${d.calls} calls`);
        expect(result.internalError, result.internalError?.message).toBeUndefined();
        expect(result.verdict, result.reason).toBe('fail');
        expect(entries, 'exactly one entry: the seeded bug (its consequences belong in alsoShowsAs)').toEqual([`${mutant.breaks} [${kind}] in ${result.divergences[0]?.calls} calls`]);
        const d = result.divergences[0]!;
        expect(d.calls).toBeGreaterThanOrEqual(1);
        expect(d.calls).toBeLessThanOrEqual(5);
        expect(d.reproducibility?.label).toBe('reproducible');
        expect(d.alsoShowsAs?.map((a) => a.rule) ?? []).not.toContain(mutant.breaks);

        const cause = CAUSE[mutant.name]!;
        const generated = d.steps.filter((s) => !s.setup);
        if (kind === 'crash') {
          // The crash is the failing step itself: a server error (or a non-AWS page) where AWS answers properly.
          const last = d.steps.at(-1)!;
          expect(last.operation).toBe(cause.operation);
          expect('status' in d.actual ? d.actual.status : undefined).toBeGreaterThanOrEqual(500);
        } else if (kind === 'stale-read') {
          // The stale read is the failing step itself: a lagging view that gave way to the write when polled.
          const last = d.steps.at(-1)!;
          expect(last.operation).toBe(cause.operation);
          expect(last.outcome.kind).toBe(cause.answers);
          expect(last.lag).toBe('late');
          expect(d.attribution?.method).toBe('first-check');
        } else {
          // The write that misbehaved answered what AWS answers; a later answer shows it. The blame is on that write.
          expect(d.attribution?.method).toBe('conjecture');
          const at = d.attribution?.causeStep;
          expect(at, 'attribution.causeStep').toBeDefined();
          const step = d.steps[at!]!;
          expect(step.operation).toBe(cause.operation);
          expect(step.outcome.kind).toBe(cause.answers);
          expect(at).toBeLessThan(d.steps.length - 1);
        }
        expect(generated.length).toBe(d.calls);
      }, 300_000);
    }
  });
});
