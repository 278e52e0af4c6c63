/**
 * `--target aws`: a real AWS account (or whatever the endpoint variables point the SDK at — the tests' simulator).
 * Credentials come from the SDK's standard chain (environment, shared config and SSO profiles, web identity for CI's
 * OIDC), endpoints from the SDK's standard per-service resolution: no `endpoint` is given to any client, so
 * AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL are honoured (smithy's configured-endpoint lookup; the variable
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns it off and the region's public endpoints are used).
 *
 * Safe by construction: the allowed accounts are known before this is called (no allow-list, no call at all), and
 * STS GetCallerIdentity is the first request. A caller whose account is not allowed ends the run there, as a usage
 * error (exit 2), before any other request.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { InfraError, RefusedError, UsageError } from '../errors.js';
import { clientConfig, type Endpoint } from '../sdk.js';

/** The environment variable naming the allowed accounts (comma-separated), for when no --allow-account is given. */
export const ALLOWED_ACCOUNTS_ENV = 'POLICY_CONFORMANCE_ALLOWED_ACCOUNTS';

export interface AwsOptions {
  region: string;
  /** The shared config / SSO profile to take credentials from (default: AWS_PROFILE, else the chain's order). */
  profile?: string;
  /** The accounts the run may touch (checked, non-empty). */
  allowAccounts: readonly string[];
}

/** Who the credentials stand for, as STS said. */
export interface AwsCaller {
  account: string;
  arn: string;
}

/** A connected `aws` target: its endpoint (no url), the caller, and the endpoints the SDK has used so far. */
export interface AwsConnection {
  endpoint: Endpoint;
  caller: AwsCaller;
  /** Per service (signing name: sts, dynamodb, …), every origin a request went to, in order of first use. */
  endpointsUsed(): Record<string, string[]>;
}

/** The one name journals, leases and `sweep` know an account and region by (an `aws` endpoint has no url). */
export function awsEndpointId(account: string, region: string): string {
  return `aws://${account}/${region}`;
}

export async function connectAws(o: AwsOptions): Promise<AwsConnection> {
  if (o.allowAccounts.length === 0) throw new UsageError(`--target aws needs --allow-account ID (or ${ALLOWED_ACCOUNTS_ENV}): the accounts it may touch`);
  const used = new Map<string, string[]>();
  const onEndpointUsed = (service: string, origin: string) => {
    const list = used.get(service) ?? [];
    if (!list.includes(origin)) used.set(service, [...list, origin]);
  };
  // One memoized chain for every client of the run (each client would otherwise resolve — and, for web identity or
  // SSO, fetch — credentials of its own).
  const endpoint: Endpoint = { region: o.region, credentials: fromNodeProviderChain(o.profile ? { profile: o.profile } : {}), onEndpointUsed };
  const caller = await callerOf(endpoint, o.profile);
  if (!o.allowAccounts.includes(caller.account)) {
    throw new RefusedError(`--target aws: the credentials are of account ${caller.account} (${caller.arn}), which is not allowed (allowed: ${o.allowAccounts.join(', ')}); nothing else was called`);
  }
  return {
    endpoint: { ...endpoint, id: awsEndpointId(caller.account, o.region) },
    caller,
    endpointsUsed: () => Object.fromEntries(used),
  };
}

/** STS GetCallerIdentity: the run's first request. No credentials, or no answer, is the target not being there (exit 3). */
async function callerOf(endpoint: Endpoint, profile: string | undefined): Promise<AwsCaller> {
  const client = new STSClient(clientConfig(endpoint));
  try {
    const answer = await client.send(new GetCallerIdentityCommand({}));
    if (!answer.Account || !answer.Arn) throw new InfraError('STS GetCallerIdentity answered without an account or ARN');
    return { account: answer.Account, arn: answer.Arn };
  } catch (error) {
    if (error instanceof InfraError) throw error;
    const e = error as Error;
    const why = e.name === 'CredentialsProviderError' ? `no AWS credentials${profile ? ` for profile ${profile}` : ''} (${e.message.split('\n')[0]})` : `${e.name}: ${e.message.split('\n')[0]}`;
    throw new InfraError(`--target aws: STS GetCallerIdentity failed: ${why}`);
  } finally {
    client.destroy();
  }
}
