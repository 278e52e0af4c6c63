/** What the suite left on SSM: parameters with its mark (their policies go with them). */
import { DeleteParameterCommand, DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import { confirmGone, isCode, type LeftResource, marked, persist, type Sweeper } from '../../harness/sweep.js';

const NOT_FOUND = 'ParameterNotFound';
const MAX_PAGES = 200;

async function withClient<T>(endpoint: Endpoint, use: (client: SSMClient) => Promise<T>): Promise<T> {
  const client = new SSMClient(clientConfig(endpoint));
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

export const ssmSweeper: Sweeper = {
  order: ['parameter'],
  find: (endpoint, prefix) =>
    withClient(endpoint, async (client) => {
      const found: LeftResource[] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await client.send(new DescribeParametersCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
        for (const p of out.Parameters ?? []) if (p.Name && marked(p.Name, prefix)) found.push({ service: 'ssm', kind: 'parameter', id: p.Name, name: p.Name });
        token = out.NextToken;
        if (!token) break;
      }
      return found;
    }),
  remove: (endpoint, r, patience) =>
    withClient(endpoint, async (client) => {
      await persist(() => client.send(new DeleteParameterCommand({ Name: r.id })), (code) => code === NOT_FOUND, patience);
      await confirmGone(`parameter ${r.id}`, async () => {
        try {
          await client.send(new GetParameterCommand({ Name: r.id }));
          return true;
        } catch (error) {
          if (isCode(error, NOT_FOUND)) return false;
          throw error;
        }
      }, patience);
    }),
};
