import { type XrayState, xrayModel } from './model.js';
import type { JsonObject } from '../../models/types.js';
import type { ReferenceCodec } from '../../harness/reference/codec.js';
import type { EngineView } from '../../harness/reference/engine.js';
import { errorResponse, type HttpRequest, okResponse } from '../../harness/reference/protocol.js';
import { xrayMutants } from './mutants.js';

/** restJson1 routes: every operation is a POST to its own path (no X-Amz-Target, unlike the JSON-RPC services). */
const ROUTES: Record<string, string> = {
  '/PutResourcePolicy': 'PutResourcePolicy',
  '/ListResourcePolicies': 'ListResourcePolicies',
  '/DeleteResourcePolicy': 'DeleteResourcePolicy',
};

const EPOCH_S = 1_700_000_000;

interface XrayMemory {
  clock?: number;
  /** LastUpdatedTime (epoch seconds) of each stored policy, for ListResourcePolicies. */
  updated?: Record<string, number>;
}

function tick(view: EngineView<XrayState>): number {
  const m = view.memory as XrayMemory;
  m.clock = (m.clock ?? 0) + 1;
  return EPOCH_S + m.clock;
}

function route(request: HttpRequest): string | null {
  if (request.method !== 'POST' || request.headers['x-amz-target'] !== undefined) return null;
  return ROUTES[request.path] ?? null;
}

export const xrayCodec: ReferenceCodec<XrayState> = {
  service: 'xray',
  model: xrayModel,
  mutants: xrayMutants,
  route,
  decode(operation, request) {
    let body: unknown;
    try {
      body = JSON.parse(request.body || '{}');
    } catch {
      return errorResponse('restJson1', 'SerializationException', 400, 'request body is not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return errorResponse('restJson1', 'SerializationException', 400, 'request body is not a JSON object');
    return { operation, input: body as JsonObject };
  },
  encodeOk(request, output, view) {
    switch (request.operation) {
      case 'PutResourcePolicy':
        return okResponse('restJson1', { ResourcePolicy: { ...output, LastUpdatedTime: Number(output.LastUpdatedTime) } });
      case 'ListResourcePolicies': {
        const updated = (view.memory as XrayMemory).updated ?? {};
        const list = ((output.ResourcePolicies as JsonObject[] | undefined) ?? []).map((p) => ({ ...p, LastUpdatedTime: updated[String(p.PolicyName)] ?? EPOCH_S }));
        return okResponse('restJson1', { ...output, ResourcePolicies: list });
      }
      default:
        // DeleteResourcePolicy: 200 with an empty body.
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '' };
    }
  },
  encodeError: (code, status, message) => errorResponse('restJson1', code, status, message),
  invent(_symbol, field, _request, view) {
    const now = tick(view);
    return field === 'LastUpdatedTime' ? String(now) : `rev-${now.toString(36)}`;
  },
  after(request, outcome, view) {
    if (outcome.kind !== 'ok') return;
    const m = view.memory as XrayMemory;
    const name = String(request.input.PolicyName ?? '');
    if (request.operation === 'PutResourcePolicy') (m.updated ??= {})[name] = Number(outcome.output.LastUpdatedTime);
    if (request.operation === 'DeleteResourcePolicy' && m.updated) delete m.updated[name];
  },
};
