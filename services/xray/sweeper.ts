/** What the suite left on X-Ray: resource policies with its mark (account-wide, at most five per account). */
import { DeleteResourcePolicyCommand, paginateListResourcePolicies, XRayClient } from '@aws-sdk/client-xray';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import { confirmGone, withSdkClient, type LeftResource, marked, persist, type Sweeper } from '../../harness/sweep.js';

const MAX_PAGES = 20;

const withClient = <T>(endpoint: Endpoint, use: (client: XRayClient) => Promise<T>) => withSdkClient(() => new XRayClient(clientConfig(endpoint)), use);

async function names(client: XRayClient): Promise<string[]> {
  const all: string[] = [];
  let pages = 0;
  for await (const page of paginateListResourcePolicies({ client }, {})) {
    for (const p of page.ResourcePolicies ?? []) if (p.PolicyName) all.push(p.PolicyName);
    if (++pages >= MAX_PAGES) break;
  }
  return all;
}

export const xraySweeper: Sweeper = {
  order: ['policy'],
  find: (endpoint, prefix) =>
    withClient(endpoint, async (client) => (await names(client)).filter((n) => marked(n, prefix)).map((name): LeftResource => ({ service: 'xray', kind: 'policy', id: name, name }))),
  remove: (endpoint, r, patience) =>
    withClient(endpoint, async (client) => {
      // Deleting a policy that is not there succeeds on X-Ray: nothing counts as "already gone".
      await persist(() => client.send(new DeleteResourcePolicyCommand({ PolicyName: r.id })), () => false, patience);
      await confirmGone(`X-Ray policy ${r.id}`, async () => (await names(client)).includes(r.id), patience);
    }),
};
