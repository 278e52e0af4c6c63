/**
 * Seeded bugs of the departure kinds other than a wrong answer: a write that answers an error but changes the
 * state anyway, a write that answers success but changes nothing, and a server error on one kind of input, every
 * time. Each names the rule the suite must blame (`breaks`) and the kind it must report (`kind`).
 *
 * For the first two, the step that misbehaves answers exactly what AWS answers there; only a later call shows it.
 * The rule blamed is that step's rule (the cause), not the later call's (a consequence, at most `alsoShowsAs`).
 */
import type { DdbState } from '../../models/dynamodb/model.js';
import type { KinesisState } from '../../models/kinesis/model.js';
import type { SsmState } from '../../models/ssm/model.js';
import type { XrayState } from '../../models/xray/model.js';
import type { Mutant } from './engine.js';
import { crash, errorWithEffect, htmlErrorPage, successWithoutEffect, withInput, without } from './mutant-helpers.js';

const kinesis: Mutant<KinesisState>[] = [
  {
    name: 'kin-deletestream-in-use-deletes',
    service: 'kinesis',
    description:
      'DeleteStream of a stream with registered consumers, without EnforceConsumerDeletion, answers ResourceInUseException but deletes the stream and its consumers anyway (kinesis-local 0.6.2)',
    breaks: 'kin.deletestream.has-consumers',
    kind: 'error-with-side-effect',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      const answer = branches[0];
      if (request.operation !== 'DeleteStream' || answer?.rule !== 'kin.deletestream.has-consumers') return branches;
      return [errorWithEffect(answer, original(state, withInput(request, { EnforceConsumerDeletion: true }), ctx))];
    },
  },
];

const dynamodb: Mutant<DdbState>[] = [
  {
    name: 'ddb-stale-revision-put-writes',
    service: 'dynamodb',
    description:
      'PutResourcePolicy with an ExpectedRevisionId that is not the current one answers PolicyNotFoundException, as AWS does, but writes the document anyway',
    breaks: 'ddb.put.revision-mismatch',
    kind: 'error-with-side-effect',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      const answer = branches[0];
      if (request.operation !== 'PutResourcePolicy' || answer?.rule !== 'ddb.put.revision-mismatch') return branches;
      return [errorWithEffect(answer, original(state, without(request, 'ExpectedRevisionId'), ctx))];
    },
  },
  {
    name: 'ddb-delete-policy-kept',
    service: 'dynamodb',
    description: 'DeleteResourcePolicy of a table policy answers success with the right RevisionId but keeps the policy',
    breaks: 'ddb.delete.removes',
    kind: 'success-without-effect',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      const answer = branches[0];
      // Only what the model calls ddb.delete.removes: a table's policy put by PutResourcePolicy (not a stream's,
      // not one CreateTable attached), so the one rule the suite must blame is unambiguous.
      if (request.operation !== 'DeleteResourcePolicy' || answer?.rule !== 'ddb.delete.removes') return branches;
      return [successWithoutEffect(answer, state)];
    },
  },
  {
    name: 'ddb-stream-get-html-500',
    service: 'dynamodb',
    description: 'GetResourcePolicy on the stream ARN of a live table answers HTTP 500 with an HTML error page, every time (tables, and streams that outlived their table, answer as AWS does)',
    breaks: 'ddb.stream.supported',
    kind: 'crash',
    step(original, state, request, ctx, memory) {
      // Decided on the request and the state (not on the rule the model answers under), so the same input crashes every time.
      const arn = request.input.ResourceArn;
      const name = typeof arn === 'string' ? /:table\/([^/]+)\/stream\/[^/]+$/.exec(arn)?.[1] : undefined;
      const live = name !== undefined && state.tables[name]?.stream != null && state.tables[name]?.stream === ctx.symbols.symbolOf(String(arn));
      memory.crashOn = request.operation === 'GetResourcePolicy' && live ? request : undefined;
      return original(state, request, ctx);
    },
    http(request, _answer, response, memory) {
      if (memory.crashOn !== request) return response;
      return htmlErrorPage(500, 'Internal Server Error', 'NullPointerException: stream policy store not initialised');
    },
  },
];

const ssm: Mutant<SsmState>[] = [
  {
    name: 'ssm-oversized-put-500',
    service: 'ssm',
    description:
      'PutResourcePolicy with a document over the 1024-byte limit answers HTTP 500 InternalServerError (JSON) instead of ResourcePolicyLimitExceededException, every time',
    breaks: 'ssm.policy.too-large',
    kind: 'crash',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      if (request.operation !== 'PutResourcePolicy' || branches[0]?.rule !== 'ssm.policy.too-large') return branches;
      const bytes = Buffer.byteLength(String(request.input.Policy ?? ''), 'utf8');
      return crash(`java.lang.ArrayIndexOutOfBoundsException: Index 1024 out of bounds for length 1024 (policy of ${bytes} bytes)`);
    },
  },
];

const xray: Mutant<XrayState>[] = [
  {
    name: 'xray-delete-policy-kept',
    service: 'xray',
    description:
      'DeleteResourcePolicy with a PolicyRevisionId (a conditional delete) answers success but keeps the policy; a delete without one works',
    breaks: 'xray.delete.removes',
    kind: 'success-without-effect',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      const answer = branches[0];
      // X-Ray policies are account-wide: cleanup deletes without a revision id, so nothing leaks into the next sequence.
      if (request.operation !== 'DeleteResourcePolicy' || request.input.PolicyRevisionId === undefined || answer?.rule !== 'xray.delete.removes') return branches;
      return [successWithoutEffect(answer, state)];
    },
  },
];

/** Listed by `allMutants()` after each service's own mutants. */
export const kindMutants: readonly Mutant[] = [...dynamodb, ...kinesis, ...ssm, ...xray] as Mutant[];
