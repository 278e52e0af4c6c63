import {
  errorWithEffect,
  htmlErrorPage,
  judgedAs,
  judgedWithStandIn,
  type MutantEntry,
  onErrorOf,
  onFirstRule,
  onSuccessOf,
  serviceMutants,
  successWithoutEffect,
  underSwitch,
  withInput,
  without,
} from '../../harness/reference/mutant-helpers.js';
import { type DdbState, tableArn } from './model.js';
import type { JsonObject, Outcome, Request } from '../../models/types.js';

const isPolicyOp = (r: Request) => ['PutResourcePolicy', 'GetResourcePolicy', 'DeleteResourcePolicy'].includes(r.operation);

const wrongAnswerMutants: MutantEntry<DdbState>[] = [
  {
    name: 'ddb-ignore-expected-revision',
    description: 'PutResourcePolicy ignores ExpectedRevisionId values other than NO_POLICY',
    breaks: 'ddb.put.revision-mismatch',
    step: judgedAs((request) => (request.operation === 'PutResourcePolicy' && request.input.ExpectedRevisionId !== 'NO_POLICY' ? without(request, 'ExpectedRevisionId') : request)),
  },
  {
    name: 'ddb-ignore-no-policy-sentinel',
    description: 'PutResourcePolicy treats ExpectedRevisionId=NO_POLICY as no condition',
    breaks: 'ddb.put.no-policy-expected',
    step: judgedAs((request) => (request.operation === 'PutResourcePolicy' && request.input.ExpectedRevisionId === 'NO_POLICY' ? without(request, 'ExpectedRevisionId') : request)),
  },
  {
    name: 'ddb-new-revision-for-identical',
    description: 'Putting the same document again returns a new RevisionId',
    breaks: 'ddb.put.identical',
    respond: onSuccessOf('PutResourcePolicy', (outcome, _request, memory) => {
      const counter = ((memory.counter as number | undefined) ?? 0) + 1;
      memory.counter = counter;
      const seen = ((memory.seen as string[] | undefined) ??= []);
      const rev = String(outcome.output.RevisionId);
      if (!seen.includes(rev)) {
        seen.push(rev);
        return outcome;
      }
      return { ...outcome, output: { ...outcome.output, RevisionId: `${rev}-${counter}` } };
    }),
  },
  {
    name: 'ddb-wrong-error-missing-policy',
    description: 'GetResourcePolicy on a resource without a policy answers ResourceNotFoundException',
    breaks: 'ddb.get.no-policy',
    respond: onErrorOf('GetResourcePolicy', 'PolicyNotFoundException', (outcome) => ({ ...outcome, code: 'ResourceNotFoundException' })),
  },
  {
    name: 'ddb-size-limit-off-by-one',
    description: 'Accepts a policy one byte over 20 KB',
    breaks: 'ddb.policy.too-large',
    step: underSwitch('ddb.policySizeLimit', String(20480 + 1)),
  },
  {
    name: 'ddb-createtable-drops-policy',
    description: 'CreateTable validates its ResourcePolicy but does not attach it',
    breaks: 'ddb.createtable.with-policy',
    step: onFirstRule('ddb.createtable.with-policy', (_, { original, state, request, ctx }) =>
      request.operation === 'CreateTable' ? original(state, without(request, 'ResourcePolicy'), ctx) : undefined,
    ),
  },
  {
    name: 'ddb-createtable-unchecked-policy',
    description: 'CreateTable never validates its ResourcePolicy (an invalid one: the table is created without it), and an existing name answers ResourceInUseException first, as moto 5.2.5 does',
    breaks: 'ddb.createtable.policy-invalid',
    // On an existing name this answers as the exists-first reading of ddb.createTableCheckOrder does: a witness of
    // that kind is excused by the switch, and only the free name shows the departure whatever the check order.
    step: onFirstRule('ddb.createtable.policy-invalid', (_, { original, state, request, ctx, memory }) =>
      state.tables[String(request.input.TableName ?? '')]
        ? underSwitch<DdbState>('ddb.createTableCheckOrder', 'exists-first')(original, state, request, ctx, memory)
        : original(state, without(request, 'ResourcePolicy'), ctx),
    ),
  },
  {
    name: 'ddb-policy-survives-deletetable',
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
    description: 'The first GetResourcePolicy after a write still shows the previous state (stale read in strict mode)',
    breaks: 'ddb.get.read-your-writes',
    kind: 'stale-read',
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
    description: 'DeleteResourcePolicy on a resource without a policy answers PolicyNotFoundException instead of succeeding',
    breaks: 'ddb.delete.no-policy',
    respond: onSuccessOf('DeleteResourcePolicy', (outcome) => (outcome.output.RevisionId === undefined ? { kind: 'error', code: 'PolicyNotFoundException', status: 400 } : outcome)),
  },
  {
    name: 'ddb-stream-shares-table-policy',
    description: "A stream ARN reads and writes its table's policy",
    breaks: 'ddb.get.no-policy',
    step: judgedAs((request) => {
      const arn = request.input.ResourceArn;
      if (!isPolicyOp(request) || typeof arn !== 'string' || !arn.includes('/stream/')) return request;
      return withInput(request, { ResourceArn: arn.split('/stream/')[0]! });
    }),
  },
  {
    name: 'ddb-no-public-access-block',
    description: 'Accepts policies that allow "*" without a condition',
    breaks: 'ddb.policy.public',
    step: onFirstRule('ddb.policy.public', (_, call) => {
      const policy = call.request.input.Policy;
      if (typeof policy !== 'string') return undefined;
      const restricted = policy.replace('"Principal":"*"', '"Principal":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}');
      return judgedWithStandIn(call, 'Policy', restricted, policy);
    }),
  },
  {
    name: 'ddb-delete-empty-revision',
    description: 'DeleteResourcePolicy that removed a policy answers "RevisionId": "" (ministack 1.5.33)',
    breaks: 'ddb.delete.removes',
    respond: onSuccessOf('DeleteResourcePolicy', (outcome) => (outcome.output.RevisionId !== undefined ? { ...outcome, output: { ...outcome.output, RevisionId: '' } } : outcome)),
  },
  {
    name: 'ddb-lockout-validation-error',
    description: 'A self-lockout document without ConfirmRemoveSelfResourceAccess is refused with ValidationException instead of AccessDeniedException',
    breaks: 'ddb.policy.self-lockout',
    respond: onErrorOf('PutResourcePolicy', 'AccessDeniedException', (outcome) => ({ ...outcome, code: 'ValidationException' })),
  },
  {
    name: 'ddb-identical-means-same-bytes',
    description: 'Only a byte-identical document keeps the RevisionId: an equivalent one (other whitespace, key order, list forms) gets a new one',
    breaks: 'ddb.put.identical',
    step: underSwitch('ddb.identicalPolicy', 'exact-bytes'),
  },
  {
    name: 'ddb-foreign-arn-local-table',
    description: "A table ARN of another account, region or partition acts on the caller's table of that name",
    breaks: 'ddb.arn.malformed',
    step: judgedAs((request, _state, ctx) => {
      const arn = request.input.ResourceArn;
      const local = typeof arn === 'string' && /^arn:aws[a-z-]*:dynamodb:[^:]+:\d{12}:table\/(.+)$/.exec(arn);
      return isPolicyOp(request) && local ? withInput(request, { ResourceArn: tableArn(ctx, local[1]!) }) : request;
    }),
  },
  {
    name: 'ddb-statement-resource-unchecked',
    description: 'Accepts a policy statement without Resource',
    breaks: 'ddb.policy.invalid-grammar',
    step: onFirstRule('ddb.policy.invalid-grammar', (_, call) => {
      const policy = call.request.input.Policy;
      if (call.request.operation !== 'PutResourcePolicy' || typeof policy !== 'string') return undefined;
      let doc: JsonObject;
      try {
        doc = JSON.parse(policy) as JsonObject;
      } catch {
        return undefined;
      }
      const statements = Array.isArray(doc.Statement) ? (doc.Statement as JsonObject[]) : [];
      if (!statements.some((st) => st && typeof st === 'object' && st.Resource === undefined)) return undefined;
      const patched = JSON.stringify({ ...doc, Statement: statements.map((st) => (st.Resource === undefined ? { ...st, Resource: '*' } : st)) });
      return judgedWithStandIn(call, 'Policy', patched, policy);
    }),
  },
];

/**
 * Seeded bugs of the departure kinds other than a wrong answer: a write that answers an error but changes the
 * state anyway, a write that answers success but changes nothing, and a server error on one kind of input, every
 * time. Each names the rule the suite must blame (`breaks`) and the kind it must report (`kind`). For the first
 * two, the step that misbehaves answers exactly what AWS answers there; only a later call shows it: the rule blamed
 * is that step's rule (the cause), not the later call's (a consequence, at most `alsoShowsAs`).
 */
const kindMutants: MutantEntry<DdbState>[] = [
  {
    name: 'ddb-stale-revision-put-writes',
    description:
      'PutResourcePolicy with an ExpectedRevisionId that is not the current one answers PolicyNotFoundException, as AWS does, but writes the document anyway',
    breaks: 'ddb.put.revision-mismatch',
    kind: 'error-with-side-effect',
    step: onFirstRule('ddb.put.revision-mismatch', (answer, { original, state, request, ctx }) =>
      request.operation === 'PutResourcePolicy' ? [errorWithEffect(answer, original(state, without(request, 'ExpectedRevisionId'), ctx))] : undefined,
    ),
  },
  {
    name: 'ddb-delete-policy-kept',
    description: 'DeleteResourcePolicy of a table policy answers success with the right RevisionId but keeps the policy',
    breaks: 'ddb.delete.removes',
    kind: 'success-without-effect',
    // Only what the model calls ddb.delete.removes: a table's policy put by PutResourcePolicy (not a stream's,
    // not one CreateTable attached), so the one rule the suite must blame is unambiguous.
    step: onFirstRule('ddb.delete.removes', (answer, { state, request }) => (request.operation === 'DeleteResourcePolicy' ? [successWithoutEffect(answer, state)] : undefined)),
  },
  {
    name: 'ddb-stream-get-html-500',
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
/**
 * Check-then-write races (issue #11): the condition is checked on the state as the request finds it, and the write
 * lands a moment later, over whatever came in between. One call at a time never shows it; only writes sent at the
 * same time do (the Race command, judged by linearizability).
 */
const raceMutants: MutantEntry<DdbState>[] = [
  {
    name: 'ddb-put-check-then-write',
    description: 'PutResourcePolicy checks ExpectedRevisionId (NO_POLICY included), then writes 25 ms later without checking again',
    breaks: 'ddb.race.linearizable',
    checkThenWrite: { operations: ['PutResourcePolicy', 'DeleteResourcePolicy'], gapMs: 25 },
  },
];

export const dynamodbMutants = serviceMutants('dynamodb', [...wrongAnswerMutants, ...kindMutants, ...raceMutants]);
