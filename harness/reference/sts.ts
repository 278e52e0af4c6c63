/**
 * STS GetCallerIdentity, as the reference server answers it: the first call of an `aws` run (the account check) and
 * the only STS operation the suite sends. STS speaks the awsQuery protocol: a form-encoded POST to `/` with
 * `Action=GetCallerIdentity&Version=2011-06-15`, answered in XML.
 */
import type { HttpRequest, HttpResponse } from './protocol.js';

/** The caller an access key stands for: the account the server plays, a user named after the key. */
export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** The access key id of a SigV4-signed request (absent when the request is not signed). */
export function signingAccessKey(request: HttpRequest): string | undefined {
  const auth = request.headers.authorization;
  return typeof auth === 'string' ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
}

/** Whether this request is addressed to STS: its SigV4 scope names `sts`, or an unsigned form body asks an STS action. */
export function isStsRequest(request: HttpRequest): boolean {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') return /Credential=[^/]+\/\d{8}\/[^/]+\/sts\//.test(auth);
  return request.method === 'POST' && request.path === '/' && /(^|&)Action=GetCallerIdentity(&|$)/.test(request.body);
}

export function callerOf(account: string, accessKeyId: string | undefined): CallerIdentity {
  const user = (accessKeyId ?? 'anonymous').replace(/[^A-Za-z0-9+=,.@_-]/g, '_');
  return { account, arn: `arn:aws:iam::${account}:user/${user}`, userId: `AIDA${Buffer.from(user).toString('hex').slice(0, 16).toUpperCase()}` };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function stsError(code: string, message: string, status = 400): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error><RequestId>ref-sts</RequestId></ErrorResponse>`,
  };
}

/** The answer to an STS request: GetCallerIdentity for the caller; any other action is not served here. */
export function answerSts(request: HttpRequest, account: string): HttpResponse {
  const form = new URLSearchParams(request.body);
  const action = form.get('Action');
  if (action !== 'GetCallerIdentity') return stsError('InvalidAction', `the reference server serves only GetCallerIdentity of STS, not ${action ?? '(no Action)'}`);
  const caller = callerOf(account, signingAccessKey(request));
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
      `<Arn>${xml(caller.arn)}</Arn><UserId>${xml(caller.userId)}</UserId><Account>${xml(caller.account)}</Account>` +
      '</GetCallerIdentityResult><ResponseMetadata><RequestId>ref-sts</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
  };
}
