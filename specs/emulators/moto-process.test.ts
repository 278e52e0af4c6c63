import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { pinnedMotoVersion, resetMoto, startMoto, type ManagedProcess } from '../../harness/targets/moto.js';
import { portIsOpen } from '../support/ports.js';

describe('moto emulator process', () => {
  let moto: ManagedProcess | undefined;
  let client: DynamoDBClient;

  beforeAll(async () => {
    // First run creates .venv and pip-installs moto[server]: can take a minute or more.
    moto = await startMoto();
    client = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: new NodeHttpHandler(),
    });
  }, 300_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  }, 30_000);

  it('reports the pinned version and a loopback endpoint', () => {
    expect(moto!.version).toBe(pinnedMotoVersion());
    expect(moto!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves DynamoDB CreateTable / PutResourcePolicy / GetResourcePolicy', async () => {
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'moto-process-t1',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const tableArn = created.TableDescription?.TableArn;
    expect(tableArn).toMatch(/^arn:aws:dynamodb:us-east-1:\d{12}:table\/moto-process-t1$/);

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'dynamodb:GetItem',
          Resource: tableArn,
        },
      ],
    });
    const put = await client.send(new PutResourcePolicyCommand({ ResourceArn: tableArn, Policy: policy }));
    expect(put.RevisionId).toBeTruthy();

    const got = await client.send(new GetResourcePolicyCommand({ ResourceArn: tableArn }));
    expect(JSON.parse(got.Policy!)).toEqual(JSON.parse(policy));
    expect(got.RevisionId).toBe(put.RevisionId);
  });

  it('resetMoto clears state', async () => {
    await resetMoto(moto!.endpoint);
    await expect(
      client.send(
        new GetResourcePolicyCommand({
          ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/moto-process-t1',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('stop() terminates the server and closes the port', async () => {
    const port = Number(new URL(moto!.endpoint).port);
    expect(await portIsOpen(port)).toBe(true);
    client.destroy();
    await moto!.stop();
    expect(await portIsOpen(port)).toBe(false);
    await moto!.stop(); // idempotent
  });
});
