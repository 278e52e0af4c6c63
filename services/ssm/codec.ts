import { createHash } from 'node:crypto';
import { parameterArn, type SsmState, ssmModel } from './model.js';
import type { JsonObject, Outcome, Request } from '../../models/types.js';
import { decodeJson, nameToken, pageLimit, pageOfNames, REFERENCE_EPOCH_MS, type ReferenceCodec } from '../../harness/reference/codec.js';
import type { EngineView } from '../../harness/reference/engine.js';
import { awsJsonOperation, type HttpResponse, okResponse } from '../../harness/reference/protocol.js';
import { ssmMutants } from './mutants.js';

/** LastModifiedDate of a parameter without a write on record: the reference clock's start, in epoch seconds. */
const EPOCH_S = REFERENCE_EPOCH_MS / 1000;

interface SsmMemory {
  /** Numbers the invented ids, hashes and tokens (not a clock: SSM's answers carry no time the suite reads). */
  counter?: number;
  values?: Record<string, string>;
  /** When each parameter was last written, by the wall clock (epoch seconds): only GetParameter shows it, never judged. */
  modified?: Record<string, number>;
}

function next(view: EngineView<SsmState>): number {
  const m = view.memory as SsmMemory;
  m.counter = (m.counter ?? 0) + 1;
  return m.counter;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A UUID-shaped id (version 4 layout) derived from a counter, so runs are reproducible. */
function uuidLike(seed: string): string {
  const h = digest(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Extra members AWS puts on some SSM errors, chosen from the rule the reference took (it is in the message). */
function errorMembers(code: string, message: string): JsonObject {
  const rule = /\(rule ([\w.-]+)\)/.exec(message)?.[1] ?? '';
  if (code === 'ResourcePolicyInvalidParameterException') {
    if (rule === 'ssm.put.partial-id-hash') return { ParameterNames: ['PolicyId', 'PolicyHash'] };
    if (rule === 'ssm.arn.unsupported' || rule === 'ssm.parameter.standard-tier') return { ParameterNames: ['ResourceArn'] };
  }
  if (code === 'ResourcePolicyLimitExceededException') {
    if (rule === 'ssm.policy.too-large') return { Limit: 1024, LimitType: 'PolicySize' };
    if (rule === 'ssm.put.opsitemgroup-limit' || rule === 'ssm.put.parameter-limit') return { Limit: 1, LimitType: 'PolicyCount' };
  }
  return {};
}

/** awsJson1_1 error: SSM names the code in `__type` (no namespace) and uses a capital `Message`. */
function ssmError(code: string, status: number, message: string): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: code, Message: message, ...errorMembers(code, message) }),
  };
}

export const ssmCodec: ReferenceCodec<SsmState> = {
  service: 'ssm',
  model: ssmModel,
  mutants: ssmMutants,
  route: (request) => awsJsonOperation(request, 'AmazonSSM'),
  decode: (operation, request) => decodeJson(operation, request, (message) => ssmError('SerializationException', 400, message)),
  /** GetParameter is only used to learn the account and region (the parameter's ARN); DescribeParameters by `sweep`. */
  serveDirectly(request: Request, view): Outcome | undefined {
    if (request.operation === 'DescribeParameters') {
      // No filters (the suite sends none): every parameter, 10 a page by default, at most 50 (AWS's limits).
      const page = pageOfNames(Object.keys(view.state.parameters), nameToken.read(request.input.NextToken), pageLimit(request.input.MaxResults, 50, 10));
      const parameters = page.names.map((name) => {
        const p = view.state.parameters[name]!;
        return { Name: name, ARN: parameterArn(view.ctx, name), Type: 'String', Tier: p.tier, Version: p.version, LastModifiedDate: EPOCH_S, DataType: 'text' };
      });
      return { kind: 'ok', output: { Parameters: parameters, ...(page.last ? { NextToken: nameToken.of(page.last) } : {}) } };
    }
    if (request.operation !== 'GetParameter') return undefined;
    const name = String(request.input.Name ?? '');
    const parameter = view.state.parameters[name];
    if (!parameter) return { kind: 'error', code: 'ParameterNotFound', status: 400, message: `Parameter ${name} not found.` };
    const value = (view.memory as SsmMemory).values?.[name] ?? '';
    return {
      kind: 'ok',
      output: {
        Parameter: {
          Name: name,
          Type: 'String',
          Value: value,
          Version: parameter.version,
          LastModifiedDate: (view.memory as SsmMemory).modified?.[name] ?? EPOCH_S,
          ARN: parameterArn(view.ctx, name),
          DataType: 'text',
        },
      },
    };
  },
  encodeOk: (_request, output) => okResponse('awsJson1_1', output),
  encodeError: ssmError,
  invent(symbol, field, request, view) {
    const n = next(view);
    if (field === 'PolicyId') return uuidLike(`policy-id:${view.ctx.account}:${n}`);
    if (field === 'PolicyHash') return digest(`${String(request.input.Policy ?? '')}\u0000${n}`);
    if (field === 'NextToken') return Buffer.from(`page:${n}:${digest(String(n)).slice(0, 16)}`).toString('base64');
    return `${symbol}-${n}`;
  },
  after(request, outcome, view) {
    const m = view.memory as SsmMemory;
    const name = String(request.input.Name);
    if (request.operation === 'PutParameter' && outcome.kind === 'ok') {
      (m.values ??= {})[name] = String(request.input.Value ?? '');
      (m.modified ??= {})[name] = Math.floor(Date.now() / 1000);
    }
    // A parameter the state no longer has is never read (GetParameter answers not-found first), and a PutParameter
    // writes its value anew: it can go. Asked of the state, so a mutant that keeps a parameter keeps its value.
    if (request.operation === 'DeleteParameter' && !view.state.parameters[name]) {
      if (m.values) delete m.values[name];
      if (m.modified) delete m.modified[name];
    }
  },
};
