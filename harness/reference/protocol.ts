import type { IncomingHttpHeaders } from 'node:http';
import type { JsonObject } from '../../models/types.js';

export interface HttpRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type JsonProtocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1';

/** The operation an awsJson request names in X-Amz-Target, if it carries the given prefix. */
export function awsJsonOperation(request: HttpRequest, targetPrefix: string): string | null {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(`${targetPrefix}.`)) return null;
  return target.slice(targetPrefix.length + 1);
}

export function okResponse(protocol: JsonProtocol, body: JsonObject): HttpResponse {
  return { status: 200, headers: { 'content-type': contentType(protocol) }, body: JSON.stringify(body) };
}

export function errorResponse(protocol: JsonProtocol, code: string, status: number, message: string, typePrefix = ''): HttpResponse {
  if (protocol === 'restJson1') {
    return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code }, body: JSON.stringify({ Message: message }) };
  }
  return { status, headers: { 'content-type': contentType(protocol) }, body: JSON.stringify({ __type: `${typePrefix}${code}`, message }) };
}

function contentType(protocol: JsonProtocol): string {
  return protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : protocol === 'awsJson1_1' ? 'application/x-amz-json-1.1' : 'application/json';
}

/** Region from the SigV4 credential scope; the reference keeps separate state per region as AWS does. */
export function signingRegion(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth) : null;
  return match?.[1];
}
