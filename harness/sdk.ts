import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where and as whom the SDK clients talk. */
export interface Endpoint {
  url: string;
  region: string;
  credentials: Credentials;
}

export const DUMMY_CREDENTIALS: Credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * Configuration shared by every SDK client. Retries are off: a blind retry of a conditional write would turn a
 * fault into a false divergence, so the harness decides what to retry. HTTP/1.1 because local servers need it.
 */
export function clientConfig(endpoint: Endpoint, timeouts = { connectionMs: 2000, requestMs: 15000 }) {
  return {
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: timeouts.connectionMs, requestTimeout: timeouts.requestMs }),
  };
}
