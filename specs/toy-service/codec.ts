/** What the reference server needs to speak the toy service: its route, and how it invents revisions. */
import { decodeJson, type ReferenceCodec, tick } from '../../harness/reference/codec.js';
import { awsJsonOperation, errorResponse, okResponse } from '../../harness/reference/protocol.js';
import { type ToyState, toyModel } from './model.js';
import { toyMutants } from './mutants.js';

export const toyCodec: ReferenceCodec<ToyState> = {
  service: 'toy',
  model: toyModel,
  mutants: toyMutants,
  route: (request) => awsJsonOperation(request, 'Toy_1'),
  decode: (operation, request) => decodeJson(operation, request, (message) => errorResponse('awsJson1_0', 'SerializationException', 400, message)),
  encodeOk: (_request, output) => okResponse('awsJson1_0', output),
  encodeError: (code, status, message) => errorResponse('awsJson1_0', code, status, message),
  invent: (_symbol, _field, _request, view) => String(tick(view)),
};
