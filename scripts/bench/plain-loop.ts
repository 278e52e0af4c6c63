// The plain loop: what a hand-written script would do to exercise a target's resource-policy APIs, with NO suite
// code (its own SDK clients, its own resource, its own documents). Per service it creates one resource, then repeats
// Put → Get → Delete of a resource policy on it, sequentially, then deletes the resource. Its policy calls per second
// are the yardstick the suite's judged policy calls per second are compared with.
import { CreateTableCommand, DeleteResourcePolicyCommand as DdbDelete, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetResourcePolicyCommand as DdbGet, PutResourcePolicyCommand as DdbPut } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DeleteResourcePolicyCommand as KinDelete, DeleteStreamCommand, DescribeStreamSummaryCommand, GetResourcePolicyCommand as KinGet, KinesisClient, PutResourcePolicyCommand as KinPut } from '@aws-sdk/client-kinesis';
import { DeleteParameterCommand, DeleteResourcePolicyCommand as SsmDelete, GetResourcePoliciesCommand, PutParameterCommand, PutResourcePolicyCommand as SsmPut, SSMClient } from '@aws-sdk/client-ssm';
import { DeleteResourcePolicyCommand as XrayDelete, ListResourcePoliciesCommand, PutResourcePolicyCommand as XrayPut, XRayClient } from '@aws-sdk/client-xray';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { round } from './stats.js';

export interface PlainTarget {
  url: string;
  region: string;
}

export interface PlainLoopResult {
  service: string;
  /** Put + Get + Delete policy calls made (3 per iteration). */
  policyCalls: number;
  /** Every HTTP request, the resource's create, waits and delete included. */
  requests: number;
  /** Wall time of the whole loop, resource setup and teardown included. */
  seconds: number;
  policyCallsPerSec: number;
}

/** The default account of moto and of the reference server: parameter ARNs are built from it. */
const ACCOUNT = '123456789012';
const PRINCIPAL = 'arn:aws:iam::111122223333:root';

function doc(action: string, resource: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Bench', Effect: 'Allow', Principal: { AWS: PRINCIPAL }, Action: action, Resource: resource }] });
}

/** Dummy credentials (moto verifies the signature's shape, not the keys); one keep-alive HTTP/1.1 handler per client. */
function config(target: PlainTarget, onRequest: () => void) {
  const handler = new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 15000 });
  const handle = handler.handle.bind(handler);
  handler.handle = (...args: Parameters<typeof handle>) => {
    onRequest();
    return handle(...args);
  };
  return { endpoint: target.url, region: target.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1, requestHandler: handler };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`plain loop: ${what} never became ready`);
}

type Loop = (target: PlainTarget, name: string, iterations: number, onRequest: () => void) => Promise<void>;

const dynamodb: Loop = async (target, name, iterations, onRequest) => {
  const c = new DynamoDBClient(config(target, onRequest));
  const created = await c.send(
    new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  const arn = created.TableDescription!.TableArn!;
  await until(async () => (await c.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus === 'ACTIVE', `table ${name}`);
  const policy = doc('dynamodb:GetItem', arn);
  for (let i = 0; i < iterations; i++) {
    await c.send(new DdbPut({ ResourceArn: arn, Policy: policy }));
    await c.send(new DdbGet({ ResourceArn: arn }));
    await c.send(new DdbDelete({ ResourceArn: arn }));
  }
  await c.send(new DeleteTableCommand({ TableName: name }));
  c.destroy();
};

const kinesis: Loop = async (target, name, iterations, onRequest) => {
  const c = new KinesisClient(config(target, onRequest));
  await c.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  let arn = '';
  await until(async () => {
    const s = (await c.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    arn = s?.StreamARN ?? '';
    return s?.StreamStatus === 'ACTIVE';
  }, `stream ${name}`);
  const policy = doc('kinesis:GetRecords', arn);
  for (let i = 0; i < iterations; i++) {
    await c.send(new KinPut({ ResourceARN: arn, Policy: policy }));
    await c.send(new KinGet({ ResourceARN: arn }));
    await c.send(new KinDelete({ ResourceARN: arn }));
  }
  await c.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
  c.destroy();
};

const ssm: Loop = async (target, name, iterations, onRequest) => {
  const c = new SSMClient(config(target, onRequest));
  // Resource policies need an Advanced-tier parameter.
  await c.send(new PutParameterCommand({ Name: name, Value: 'bench', Type: 'String', Tier: 'Advanced' }));
  const arn = `arn:aws:ssm:${target.region}:${ACCOUNT}:parameter/${name}`;
  const policy = doc('ssm:GetParameter', arn);
  for (let i = 0; i < iterations; i++) {
    const put = await c.send(new SsmPut({ ResourceArn: arn, Policy: policy }));
    await c.send(new GetResourcePoliciesCommand({ ResourceArn: arn }));
    await c.send(new SsmDelete({ ResourceArn: arn, PolicyId: put.PolicyId!, PolicyHash: put.PolicyHash! }));
  }
  await c.send(new DeleteParameterCommand({ Name: name }));
  c.destroy();
};

/** X-Ray's policies belong to the account: nothing to create, the policy's name is the resource. */
const xray: Loop = async (target, name, iterations, onRequest) => {
  const c = new XRayClient(config(target, onRequest));
  const policy = doc('xray:PutTraceSegments', '*');
  for (let i = 0; i < iterations; i++) {
    await c.send(new XrayPut({ PolicyName: name, PolicyDocument: policy }));
    await c.send(new ListResourcePoliciesCommand({}));
    await c.send(new XrayDelete({ PolicyName: name }));
  }
  c.destroy();
};

export const PLAIN_LOOPS: Record<string, Loop> = { dynamodb, kinesis, ssm, xray };

export async function plainLoop(service: string, target: PlainTarget, iterations: number): Promise<PlainLoopResult> {
  const loop = PLAIN_LOOPS[service];
  if (!loop) throw new Error(`no plain loop for ${service}`);
  let requests = 0;
  const name = `bench${Date.now().toString(36)}${service}`;
  const started = performance.now();
  await loop(target, name, iterations, () => requests++);
  const seconds = (performance.now() - started) / 1000;
  const policyCalls = 3 * iterations;
  return { service, policyCalls, requests, seconds: round(seconds, 3), policyCallsPerSec: round(policyCalls / seconds, 1) };
}
