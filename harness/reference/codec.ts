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
