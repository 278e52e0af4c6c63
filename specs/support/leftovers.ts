/**
 * What the suite left on a target, read with plain SDK calls (no adapter, no model): tables, streams and their
 * consumers, parameters, X-Ray resource policies whose names start with the suite's run prefix ("pc").
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamConsumersCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListResourcePoliciesCommand, XRayClient } from '@aws-sdk/client-xray';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DUMMY_CREDENTIALS } from '../../harness/sdk.js';

// The suite's mark (harness/sweep.ts), written out again: pc, 9 lower-case base-36 characters, a counter, then - or /.
const ours = (name: string | undefined) => !!name && /^\/?pc[0-9a-z]{9}[0-9a-z]*[-/]/.test(name);

export async function leftovers(url: string, region = 'us-east-1'): Promise<string[]> {
  const config = { endpoint: url, region, credentials: DUMMY_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 2 };
  const found: string[] = [];
  const ddb = new DynamoDBClient(config);
  const kin = new KinesisClient(config);
  const ssm = new SSMClient(config);
  const xray = new XRayClient(config);
  try {
    const tables = await ddb.send(new ListTablesCommand({}));
    found.push(...(tables.TableNames ?? []).filter(ours).map((t) => `table ${t}`));
    const streams = await kin.send(new ListStreamsCommand({}));
    for (const s of streams.StreamSummaries ?? []) {
      if (!ours(s.StreamName)) continue;
      found.push(`stream ${s.StreamName}`);
      const consumers = await kin.send(new ListStreamConsumersCommand({ StreamARN: s.StreamARN })).catch(() => ({ Consumers: [] }));
      found.push(...(consumers.Consumers ?? []).map((c) => `consumer ${c.ConsumerName}`));
    }
    let token: string | undefined;
    for (let page = 0; page < 50; page++) {
      const params = await ssm.send(new DescribeParametersCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
      found.push(...(params.Parameters ?? []).filter((p) => ours(p.Name)).map((p) => `parameter ${p.Name}`));
      token = params.NextToken;
      if (!token) break;
    }
    const policies = await xray.send(new ListResourcePoliciesCommand({})).catch(() => ({ ResourcePolicies: [] }));
    found.push(...(policies.ResourcePolicies ?? []).filter((p) => ours(p.PolicyName)).map((p) => `xray policy ${p.PolicyName}`));
  } finally {
    for (const c of [ddb, kin, ssm, xray]) c.destroy();
  }
  return found;
}
