/**
 * SigV4 checking: a request is accepted only when it is signed with the credentials the simulator was started with
 * (its own environment's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, the same variables the
 * suite's client reads). The signature is recomputed with @smithy/signature-v4 — the signer the SDK itself uses —
 * over an equivalent request: the request's own method, path, query, body, its signed headers only, its X-Amz-Date
 * and credential scope; then compared. AWS's order of checks: a missing signature, an unknown key, a date too far
 * from the server's clock (5 minutes either way), then the signature itself.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What reached the server: the path without the query (as the reference codecs route on), and the query apart. */
export interface SignedHttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type SignatureCheck =
  | { kind: 'ok'; accessKeyId: string; region: string; service: string }
  | { kind: 'missing' | 'unknown-key' | 'bad-signature' | 'expired'; message: string };

/** AWS's tolerance for a signing date away from its clock. */
export const MAX_SKEW_MS = 5 * 60_000;

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * SHA-256 and HMAC-SHA-256 in the shape the signer takes (a Checksum constructor). Written here from node:crypto
 * because @smithy/hash-node, what the SDK passes, is not among the project's direct dependencies.
 */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not resettable');
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** X-Amz-Date's basic ISO form, 20261202T061500Z. */
function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export async function checkSignature(request: SignedHttpRequest, credentials: SigningCredentials, wallNow: number = Date.now()): Promise<SignatureCheck> {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined) {
    // Presigned (query-string) signing is not something the suite's clients use; it is not accepted either.
    return { kind: 'missing', message: 'Request is missing Authentication Token' };
  }
  const auth = AUTHORIZATION.exec(authorization.trim());
  // A malformed Authorization header is IncompleteSignatureException on AWS; told apart here only as a bad signature.
  if (!auth) return { kind: 'bad-signature', message: `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${authorization.slice(0, 60)}` };
  const [, accessKeyId, shortDate, region, service, signedList, signature] = auth as unknown as string[];
  const invalidToken = { kind: 'unknown-key' as const, message: 'The security token included in the request is invalid.' };
  if (accessKeyId !== credentials.accessKeyId) return invalidToken;
  if ((credentials.sessionToken ?? undefined) !== header(request.headers, 'x-amz-security-token')) return invalidToken;
  const dateText = header(request.headers, 'x-amz-date') ?? '';
  const date = parseAmzDate(dateText);
  if (!date || !dateText.startsWith(shortDate!)) {
    return { kind: 'bad-signature', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' };
  }
  if (date.getTime() < wallNow - MAX_SKEW_MS) {
    return { kind: 'expired', message: `Signature expired: ${dateText} is now earlier than ${amzDate(wallNow - MAX_SKEW_MS)} (${amzDate(wallNow)} - 5 min.)` };
  }
  if (date.getTime() > wallNow + MAX_SKEW_MS) {
    return { kind: 'expired', message: `Signature not yet current: ${dateText} is still later than ${amzDate(wallNow + MAX_SKEW_MS)} (${amzDate(wallNow)} + 5 min.)` };
  }
  const expected = await recompute(request, credentials, { region: region!, service: service!, date, signed: signedList!.split(';') });
  const same = expected !== undefined && expected.length === signature!.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature!));
  if (!same) {
    return {
      kind: 'bad-signature',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return { kind: 'ok', accessKeyId: accessKeyId!, region: region!, service: service! };
}

/** The signature the simulator's own credentials give the request, signing exactly the headers it says it signed. */
async function recompute(request: SignedHttpRequest, credentials: SigningCredentials, scope: { region: string; service: string; date: Date; signed: string[] }): Promise<string | undefined> {
  const headers: Record<string, string> = {};
  for (const name of scope.signed) {
    const value = header(request.headers, name);
    if (value === undefined) return undefined; // a signed header that did not arrive: the signatures cannot agree
    headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(request.query.keys())) {
    const values = request.query.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const host = headers.host ?? header(request.headers, 'host') ?? 'localhost';
  const signer = new SignatureV4({ credentials, region: scope.region, service: scope.service, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: host.split(':')[0]!, path: decodePath(request.path), query, headers, body: request.body },
    { signingDate: scope.date, signableHeaders: new Set(scope.signed), signingRegion: scope.region, signingService: scope.service },
  );
  return /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1];
}

/** The path as the client had it before escaping it for the wire: the signer escapes it again. */
function decodePath(path: string): string {
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    return path;
  }
}
