/**
 * Plain SDK calls that more than one emulator's probes send alike: each resource-policy operation of SSM and X-Ray
 * once, with a minimal valid input (what the unsupported probes try).
 */
import { DeleteResourcePolicyCommand as SsmDeleteResourcePolicyCommand, GetResourcePoliciesCommand, PutResourcePolicyCommand as SsmPutResourcePolicyCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  DeleteResourcePolicyCommand as XrayDeleteResourcePolicyCommand,
  ListResourcePoliciesCommand,
  PutResourcePolicyCommand as XrayPutResourcePolicyCommand,
  type XRayClient,
} from '@aws-sdk/client-xray';

/** SSM's resource-policy operations, each on the resource `arn`. */
export const SSM_POLICY_CALLS = [
  ['PutResourcePolicy', (c: SSMClient, arn: string) => c.send(new SsmPutResourcePolicyCommand({ ResourceArn: arn, Policy: '{"Version":"2012-10-17","Statement":[]}' }))],
  ['GetResourcePolicies', (c: SSMClient, arn: string) => c.send(new GetResourcePoliciesCommand({ ResourceArn: arn }))],
  ['DeleteResourcePolicy', (c: SSMClient, arn: string) => c.send(new SsmDeleteResourcePolicyCommand({ ResourceArn: arn, PolicyId: 'id', PolicyHash: 'hash' }))],
] as const;

/** X-Ray's resource-policy operations, each on the policy `name` (List on all of them). */
export const XRAY_POLICY_CALLS = [
  ['PutResourcePolicy', (c: XRayClient, name: string) => c.send(new XrayPutResourcePolicyCommand({ PolicyName: name, PolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }))],
  ['ListResourcePolicies', (c: XRayClient) => c.send(new ListResourcePoliciesCommand({}))],
  ['DeleteResourcePolicy', (c: XRayClient, name: string) => c.send(new XrayDeleteResourcePolicyCommand({ PolicyName: name }))],
] as const;
