import type { DdbState } from '../../models/dynamodb/model.js';
import type { JsonObject, Outcome, Request } from '../../models/types.js';
import type { Mutant } from './engine.js';
import { rewriteDoc, without } from './mutant-helpers.js';


const isPolicyOp = (r: Request) => ['PutResourcePolicy', 'GetResourcePolicy', 'DeleteResourcePolicy'].includes(r.operation);

export const dynamodbMutants: Mutant<DdbState>[] = [
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
    description: "CreateTable ignores its ResourcePolicy",
    breaks: 'ddb.createtable.with-policy',
    step: (original, state, request, ctx) => original(state, request.operation === 'CreateTable' ? without(request, 'ResourcePolicy') : request, ctx),
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
      return original(state, { ...request, input: { ...request.input, ResourceArn: tableArn } }, ctx);
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
      return original(state, { ...request, input: { ...request.input, Policy: restricted } }, ctx).map((b) => ({ ...b, next: rewriteDoc(b.next, restricted, policy) }));
    },
  },
];

