/**
 * What the suite left on SSM: parameters with its mark (their policies go with them), and policies on the
 * account's OpsItemGroup whose every statement carries the mark in its Sid (the OpsItemGroup itself is the
 * account's: only those policies are ever deleted from it).
 */
import { DeleteParameterCommand, DeleteResourcePolicyCommand, DescribeParametersCommand, GetParameterCommand, paginateGetResourcePolicies, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import { type AccountRegion, confirmGone, stillThere, withSdkClient, type LeftResource, marked, persist, policyMarked, type Sweeper } from '../../harness/sweep.js';
import { opsItemGroupArn } from './model.js';

const NOT_FOUND = 'ParameterNotFound';
const POLICY_NOT_FOUND = 'ResourcePolicyNotFoundException';
const MAX_PAGES = 200;
const OPS_POLICY = 'opsitemgroup-policy';

const withClient = <T>(endpoint: Endpoint, use: (client: SSMClient) => Promise<T>) => withSdkClient(() => new SSMClient(clientConfig(endpoint)), use);

/** The OpsItemGroup's policies now: id, hash and document. */
async function opsPolicies(client: SSMClient, arn: string): Promise<Array<{ id: string; hash: string; doc: string }>> {
  const all: Array<{ id: string; hash: string; doc: string }> = [];
  for await (const page of paginateGetResourcePolicies({ client }, { ResourceArn: arn })) {
    for (const p of page.Policies ?? []) if (p.PolicyId) all.push({ id: p.PolicyId, hash: p.PolicyHash ?? '', doc: p.Policy ?? '' });
  }
  return all;
}

/** The first statement's Sid of a marked document (policyMarked said it has one). */
function firstSid(doc: string): string {
  const statement = (JSON.parse(doc) as { Statement: Array<{ Sid: string }> | { Sid: string } }).Statement;
  return Array.isArray(statement) ? statement[0]!.Sid : statement.Sid;
}

export const ssmSweeper: Sweeper = {
  order: [OPS_POLICY, 'parameter'],
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
  findAccountWide: (endpoint, account: AccountRegion, prefix) =>
    withClient(endpoint, async (client) => {
      const arn = opsItemGroupArn(account);
      return (await opsPolicies(client, arn))
        .filter((p) => policyMarked(p.doc, prefix))
        .map((p) => {
          const sid = firstSid(p.doc);
          return { service: 'ssm', kind: OPS_POLICY, id: p.id, parent: arn, name: `${arn} policy ${p.id} (Sid ${sid})`, run: sid.slice(0, 11) };
        });
    }),
  remove: (endpoint, r, patience) =>
    withClient(endpoint, async (client) => {
      if (r.kind === OPS_POLICY) {
        const arn = r.parent!;
        // Deleted with the hash it has now (another writer may have updated it since it was found).
        const current = async () => (await opsPolicies(client, arn)).find((p) => p.id === r.id);
        await persist(
          async () => {
            const now = await current();
            if (now && policyMarked(now.doc)) await client.send(new DeleteResourcePolicyCommand({ ResourceArn: arn, PolicyId: r.id, PolicyHash: now.hash }));
          },
          (code) => code === POLICY_NOT_FOUND,
          patience,
        );
        await confirmGone(`OpsItemGroup policy ${r.id}`, async () => (await current()) !== undefined, patience);
        return;
      }
      await persist(() => client.send(new DeleteParameterCommand({ Name: r.id })), (code) => code === NOT_FOUND, patience);
      await confirmGone(`parameter ${r.id}`, () => stillThere(() => client.send(new GetParameterCommand({ Name: r.id })), NOT_FOUND), patience);
    }),
};
