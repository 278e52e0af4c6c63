import { type XrayState, xrayModel } from './model.js';
import type { JsonObject } from '../../models/types.js';
import { decodeJson, REFERENCE_EPOCH_MS, type ReferenceCodec, tick } from '../../harness/reference/codec.js';
import { errorResponse, type HttpRequest, okResponse } from '../../harness/reference/protocol.js';
import { xrayMutants } from './mutants.js';

/** restJson1 routes: every operation is a POST to its own path (no X-Amz-Target, unlike the JSON-RPC services). */
const ROUTES: Record<string, string> = {
  '/PutResourcePolicy': 'PutResourcePolicy',
  '/ListResourcePolicies': 'ListResourcePolicies',
  '/DeleteResourcePolicy': 'DeleteResourcePolicy',
};

/**
 * X-Ray timestamps are epoch seconds: each Put one tick of the reference clock later; a listed policy with no Put on
 * record (one a mutant kept past its Delete) shows the clock's start.
 */
const EPOCH_S = REFERENCE_EPOCH_MS / 1000;

interface XrayMemory {
  /** LastUpdatedTime (epoch seconds) of each stored policy, for ListResourcePolicies. */
  updated?: Record<string, number>;
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
  decode: (operation, request) => decodeJson(operation, request, (message) => errorResponse('restJson1', 'SerializationException', 400, message)),
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
    const now = tick(view, 's');
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
