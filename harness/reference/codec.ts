import type { JsonObject, Outcome, Request, ServiceModel, ServiceName } from '../../models/types.js';
import type { EngineView, Inventor, Mutant } from './engine.js';
import type { HttpRequest, HttpResponse } from './protocol.js';

/** What the reference server needs to speak one service's wire protocol on top of its model. */
export interface ReferenceCodec<S = any> {
  service: ServiceName;
  model: ServiceModel<S>;
  mutants: readonly Mutant<S>[];
  /** The operation this HTTP request is, or null when it is not addressed to this service. */
  route(request: HttpRequest): string | null;
  /** The model-level request (real AWS member names), or an error response for an unreadable body. */
  decode(operation: string, request: HttpRequest): Request | HttpResponse;
  /** Operations the suite needs but the model does not judge (e.g. DescribeTable), served from the state. */
  serveDirectly?(request: Request, view: EngineView<S>): Outcome | undefined;
  /** Wire body of a success; may add members the model does not look at. */
  encodeOk(request: Request, output: JsonObject, view: EngineView<S>): HttpResponse;
  encodeError(code: string, status: number, message: string): HttpResponse;
  invent: Inventor<S>;
  /** Called after each handled request, e.g. to remember inputs a later Describe needs. */
  after?(request: Request, outcome: Outcome, view: EngineView<S>): void;
}

/** Where the reference server's invented timestamps start (epoch milliseconds). */
export const REFERENCE_EPOCH_MS = 1_700_000_000_000;

/**
 * The reference server's clock for one service's engine: each tick is one unit later than the last (milliseconds
 * or seconds, as the service's values use), so invented timestamps are distinct and replayable.
 */
export function tick(view: EngineView<unknown>, unit: 'ms' | 's' = 'ms'): number {
  const memory = view.memory as { clock?: number };
  memory.clock = (memory.clock ?? 0) + 1;
  return (unit === 'ms' ? REFERENCE_EPOCH_MS : REFERENCE_EPOCH_MS / 1000) + memory.clock;
}

/**
 * The request of a JSON protocol: its body as the model-level input (real AWS member names), or the service's
 * SerializationException for a body that is not a JSON object.
 */
export function decodeJson(operation: string, request: HttpRequest, refuse: (message: string) => HttpResponse): Request | HttpResponse {
  let body: unknown;
  try {
    body = JSON.parse(request.body || '{}');
  } catch {
    return refuse('request body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return refuse('request body is not a JSON object');
  return { operation, input: body as JsonObject };
}

/**
 * One page of a listing the reference serves from its state (ListTables, ListStreams, DescribeParameters): the
 * names in order, those after `after` (the last name of the previous page), at most `limit` of them, and the last
 * one when more remain (what the service's continuation member carries).
 */
export function pageOfNames(names: Iterable<string>, after: string | undefined, limit: number): { names: string[]; last?: string } {
  const sorted = [...names].sort();
  const from = after === undefined ? 0 : sorted.findIndex((n) => n > after);
  const rest = from < 0 ? [] : sorted.slice(from);
  const page = rest.slice(0, limit);
  return rest.length > limit ? { names: page, last: page[page.length - 1]! } : { names: page };
}

/** A listing's continuation token that carries the last name of a page (opaque to clients). */
export const nameToken = {
  of: (name: string): string => Buffer.from(`after:${name}`).toString('base64'),
  read: (token: unknown): string | undefined => {
    if (typeof token !== 'string') return undefined;
    const text = Buffer.from(token, 'base64').toString('utf8');
    return text.startsWith('after:') ? text.slice(6) : undefined;
  },
};

/** A page size the request asks for, within what the service allows (absent or out of range: its default). */
export function pageLimit(value: unknown, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max ? value : fallback;
}
