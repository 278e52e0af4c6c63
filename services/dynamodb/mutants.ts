import { errorWithEffect, htmlErrorPage, rewriteDoc, successWithoutEffect, withInput, without } from '../../harness/reference/mutant-helpers.js';
import { type DdbState, tableArn } from './model.js';
import type { JsonObject, Outcome, Request } from '../../models/types.js';
import type { Mutant } from '../../harness/reference/engine.js';


const isPolicyOp = (r: Request) => ['PutResourcePolicy', 'GetResourcePolicy', 'DeleteResourcePolicy'].includes(r.operation);

const wrongAnswerMutants: Mutant<DdbState>[] = [
  {
    name: 'ddb-ignore-expected-revision',
    service: 'dynamodb',
    description: 'PutResourcePolicy ignores ExpectedRevisionId values other than NO_POLICY',
    breaks: 'ddb.put.revision-mismatch',
    step: (original, state, request, ctx) =>
      original(state, request.operation === 'PutResourcePolicy' && request.input.ExpectedRevisionId !== 'NO_POLICY' ? without(request, 'ExpectedRevisionId') : request, ctx),
  },
  {
    name: 'ddb-ignore-no-policy-sentinel',
    service: 'dynamodb',
    description: 'PutResourcePolicy treats ExpectedRevisionId=NO_POLICY as no condition',
    breaks: 'ddb.put.no-policy-expected',
    step: (original, state, request, ctx) =>
      original(state, request.operation === 'PutResourcePolicy' && request.input.ExpectedRevisionId === 'NO_POLICY' ? without(request, 'ExpectedRevisionId') : request, ctx),
  },
  {
    name: 'ddb-new-revision-for-identical',
    service: 'dynamodb',
    description: 'Putting the same document again returns a new RevisionId',
    breaks: 'ddb.put.identical',
    respond(request, outcome, memory) {
      if (request.operation !== 'PutResourcePolicy' || outcome.kind !== 'ok') return outcome;
      const counter = ((memory.counter as number | undefined) ?? 0) + 1;
      memory.counter = counter;
      const seen = ((memory.seen as string[] | undefined) ??= []);
      const rev = String(outcome.output.RevisionId);
      if (!seen.includes(rev)) {
        seen.push(rev);
        return outcome;
      }
      return { ...outcome, output: { ...outcome.output, RevisionId: `${rev}-${counter}` } };
    },
  },
  {
    name: 'ddb-wrong-error-missing-policy',
    service: 'dynamodb',
    description: 'GetResourcePolicy on a resource without a policy answers ResourceNotFoundException',
    breaks: 'ddb.get.no-policy',
    respond: (request, outcome) =>
      request.operation === 'GetResourcePolicy' && outcome.kind === 'error' && outcome.code === 'PolicyNotFoundException'
        ? { ...outcome, code: 'ResourceNotFoundException' }
        : outcome,
  },
  {
    name: 'ddb-size-limit-off-by-one',
    service: 'dynamodb',
    description: 'Accepts a policy one byte over 20 KB',
    breaks: 'ddb.policy.too-large',
    step: (original, state, request, ctx) => original(state, request, { ...ctx, switches: { ...ctx.switches, 'ddb.policySizeLimit': String(20480 + 1) } }),
  },
  {
    name: 'ddb-createtable-drops-policy',
    service: 'dynamodb',
    description: 'CreateTable validates its ResourcePolicy but does not attach it',
    breaks: 'ddb.createtable.with-policy',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      return request.operation === 'CreateTable' && branches[0]?.rule === 'ddb.createtable.with-policy' ? original(state, without(request, 'ResourcePolicy'), ctx) : branches;
    },
  },
  {
    name: 'ddb-policy-survives-deletetable',
    service: 'dynamodb',
    description: 'A table re-created under the same name gets the old policy back',
    breaks: 'ddb.deletetable.drops-policy',
    step(original, state, request, ctx, memory) {
      const name = String(request.input.TableName ?? '');
      const kept = ((memory.kept as Record<string, DdbState['tables'][string]['policy']> | undefined) ??= {});
      if (request.operation === 'DeleteTable' && state.tables[name]?.policy) kept[name] = state.tables[name]!.policy;
      const branches = original(state, request, ctx);
      if (request.operation !== 'CreateTable' || !kept[name]) return branches;
      return branches.map((b) => (b.expect.kind === 'ok' && b.next.tables[name] && !b.next.tables[name]!.policy ? { ...b, next: { ...b.next, tables: { ...b.next.tables, [name]: { ...b.next.tables[name]!, policy: kept[name]! } } } } : b));
    },
  },
  {
    name: 'ddb-stale-read',
    service: 'dynamodb',
    description: 'The first GetResourcePolicy after a write still shows the previous state (stale read in strict mode)',
    breaks: 'ddb.get.policy',
    respond(request, outcome, memory) {
      const arn = String(request.input.ResourceArn ?? '');
      const last = ((memory.last as Record<string, Outcome> | undefined) ??= {});
      const dirty = ((memory.dirty as Record<string, boolean> | undefined) ??= {});
      if ((request.operation === 'PutResourcePolicy' || request.operation === 'DeleteResourcePolicy') && outcome.kind === 'ok') dirty[arn] = true;
      if (request.operation !== 'GetResourcePolicy') return outcome;
      const shown = dirty[arn] ? (last[arn] ?? { kind: 'error', code: 'PolicyNotFoundException', status: 400 }) : outcome;
      dirty[arn] = false;
      last[arn] = outcome;
      return shown;
    },
  },
  {
    name: 'ddb-delete-without-policy-fails',
    service: 'dynamodb',
    description: 'DeleteResourcePolicy on a resource without a policy answers PolicyNotFoundException instead of succeeding',
    breaks: 'ddb.delete.no-policy',
    respond: (request, outcome) =>
      request.operation === 'DeleteResourcePolicy' && outcome.kind === 'ok' && outcome.output.RevisionId === undefined
        ? { kind: 'error', code: 'PolicyNotFoundException', status: 400 }
        : outcome,
  },
  {
    name: 'ddb-stream-shares-table-policy',
    service: 'dynamodb',
    description: "A stream ARN reads and writes its table's policy",
    breaks: 'ddb.get.no-policy',
    step(original, state, request, ctx) {
      const arn = request.input.ResourceArn;
      if (!isPolicyOp(request) || typeof arn !== 'string' || !arn.includes('/stream/')) return original(state, request, ctx);
      const tableArn = arn.split('/stream/')[0]!;
      return original(state, withInput(request, { ResourceArn: tableArn }), ctx);
    },
  },
  {
    name: 'ddb-no-public-access-block',
    service: 'dynamodb',
    description: 'Accepts policies that allow "*" without a condition',
    breaks: 'ddb.policy.public',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      const policy = request.input.Policy;
      if (branches[0]?.rule !== 'ddb.policy.public' || typeof policy !== 'string') return branches;
      const restricted = policy.replace('"Principal":"*"', '"Principal":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}');
      return original(state, withInput(request, { Policy: restricted }), ctx).map((b) => ({ ...b, next: rewriteDoc(b.next, restricted, policy) }));
    },
  },
  {
    name: 'ddb-delete-empty-revision',
    service: 'dynamodb',
    description: 'DeleteResourcePolicy that removed a policy answers "RevisionId": "" (ministack 1.5.33)',
    breaks: 'ddb.delete.removes',
    respond: (request, outcome) =>
      request.operation === 'DeleteResourcePolicy' && outcome.kind === 'ok' && outcome.output.RevisionId !== undefined
        ? { ...outcome, output: { ...outcome.output, RevisionId: '' } }
        : outcome,
  },
  {
    name: 'ddb-lockout-validation-error',
    service: 'dynamodb',
    description: 'A self-lockout document without ConfirmRemoveSelfResourceAccess is refused with ValidationException instead of AccessDeniedException',
    breaks: 'ddb.policy.self-lockout',
    respond: (request, outcome) =>
      request.operation === 'PutResourcePolicy' && outcome.kind === 'error' && outcome.code === 'AccessDeniedException' ? { ...outcome, code: 'ValidationException' } : outcome,
  },
  {
    name: 'ddb-identical-means-same-bytes',
    service: 'dynamodb',
    description: 'Only a byte-identical document keeps the RevisionId: an equivalent one (other whitespace, key order, list forms) gets a new one',
    breaks: 'ddb.put.identical',
    step: (original, state, request, ctx) => original(state, request, { ...ctx, switches: { ...ctx.switches, 'ddb.identicalPolicy': 'exact-bytes' } }),
  },
  {
    name: 'ddb-foreign-arn-local-table',
    service: 'dynamodb',
    description: "A table ARN of another account, region or partition acts on the caller's table of that name",
    breaks: 'ddb.arn.malformed',
    step(original, state, request, ctx) {
      const arn = request.input.ResourceArn;
      const local = typeof arn === 'string' && /^arn:aws[a-z-]*:dynamodb:[^:]+:\d{12}:table\/(.+)$/.exec(arn);
      if (!isPolicyOp(request) || !local) return original(state, request, ctx);
      return original(state, withInput(request, { ResourceArn: tableArn(ctx, local[1]!) }), ctx);
    },
  },
  {
    name: 'ddb-statement-resource-unchecked',
    service: 'dynamodb',
    description: 'Accepts a policy statement without Resource',
    breaks: 'ddb.policy.invalid-grammar',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      const policy = request.input.Policy;
      if (request.operation !== 'PutResourcePolicy' || branches[0]?.rule !== 'ddb.policy.invalid-grammar' || typeof policy !== 'string') return branches;
      let doc: JsonObject;
      try {
        doc = JSON.parse(policy) as JsonObject;
      } catch {
        return branches;
      }
      const statements = Array.isArray(doc.Statement) ? (doc.Statement as JsonObject[]) : [];
      if (!statements.some((st) => st && typeof st === 'object' && st.Resource === undefined)) return branches;
      const patched = JSON.stringify({ ...doc, Statement: statements.map((st) => (st.Resource === undefined ? { ...st, Resource: '*' } : st)) });
      return original(state, withInput(request, { Policy: patched }), ctx).map((b) => ({ ...b, next: rewriteDoc(b.next, patched, policy) }));
    },
  },
];

/**
 * Seeded bugs of the departure kinds other than a wrong answer: a write that answers an error but changes the
 * state anyway, a write that answers success but changes nothing, and a server error on one kind of input, every
 * time. Each names the rule the suite must blame (`breaks`) and the kind it must report (`kind`). For the first
 * two, the step that misbehaves answers exactly what AWS answers there; only a later call shows it: the rule blamed
 * is that step's rule (the cause), not the later call's (a consequence, at most `alsoShowsAs`).
 */
const kindMutants: Mutant<DdbState>[] = [
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

/** Every seeded bug of this service. */
export const dynamodbMutants: Mutant<DdbState>[] = [...wrongAnswerMutants, ...kindMutants];
