/**
 * The caller's account, from STS GetCallerIdentity at the target's endpoint: what the real-account profile names as
 * its principal where a service's discovery cannot learn the account (X-Ray). The `aws` target already has it (STS is
 * its first call) and passes it on; this is for a run whose target does not.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig, type Endpoint } from './sdk.js';

/** The account STS names, or undefined when the target does not answer STS (most emulators' own business). */
export async function callerAccount(endpoint: Endpoint): Promise<string | undefined> {
  const client = new STSClient(clientConfig(endpoint));
  try {
    const { Account } = await client.send(new GetCallerIdentityCommand({}));
    return Account && /^\d{12}$/.test(Account) ? Account : undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
