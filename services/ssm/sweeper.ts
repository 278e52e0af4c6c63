/** What the suite left on SSM: parameters with its mark (their policies go with them). */
import { DeleteParameterCommand, DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import { confirmGone, stillThere, withSdkClient, type LeftResource, marked, persist, type Sweeper } from '../../harness/sweep.js';

const NOT_FOUND = 'ParameterNotFound';
const MAX_PAGES = 200;

const withClient = <T>(endpoint: Endpoint, use: (client: SSMClient) => Promise<T>) => withSdkClient(() => new SSMClient(clientConfig(endpoint)), use);

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
      await confirmGone(`parameter ${r.id}`, () => stillThere(() => client.send(new GetParameterCommand({ Name: r.id })), NOT_FOUND), patience);
    }),
};
