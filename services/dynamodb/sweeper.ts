/** What the suite left on DynamoDB: tables with its mark (their policies go with them). */
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import { confirmGone, stillThere, withSdkClient, type LeftResource, marked, persist, type Sweeper } from '../../harness/sweep.js';

const NOT_FOUND = 'ResourceNotFoundException';

const withClient = <T>(endpoint: Endpoint, use: (client: DynamoDBClient) => Promise<T>) => withSdkClient(() => new DynamoDBClient(clientConfig(endpoint)), use);

export const dynamodbSweeper: Sweeper = {
  order: ['table'],
  find: (endpoint, prefix) =>
    withClient(endpoint, async (client) => {
      const found: LeftResource[] = [];
      for await (const page of paginateListTables({ client }, {})) {
        for (const name of page.TableNames ?? []) if (marked(name, prefix)) found.push({ service: 'dynamodb', kind: 'table', id: name, name });
      }
      return found;
    }),
  remove: (endpoint, r, patience) =>
    withClient(endpoint, async (client) => {
      await persist(() => client.send(new DeleteTableCommand({ TableName: r.id })), (code) => code === NOT_FOUND, patience);
      await confirmGone(`table ${r.id}`, () => stillThere(() => client.send(new DescribeTableCommand({ TableName: r.id })), NOT_FOUND), patience);
    }),
};
