import {
  judgedAs,
  type MutantEntry,
  onFirstRule,
  onSuccessOf,
  serviceMutants,
  standInPolicy,
  successWithoutEffect,
  underSwitch,
  withInput,
  without,
} from '../../harness/reference/mutant-helpers.js';
import { clone } from '../../models/branches.js';
import { inspectPolicy } from '../../models/policy-document.js';
import { CREATE_ONLY, MAX_POLICIES, type XrayState } from './model.js';
import type { Branch, JsonObject, Request } from '../../models/types.js';

const VALID_NAME = /^[\w+=,.@-]{1,128}$/;

const nameOf = (request: Request) => String(request.input.PolicyName ?? '');

function renamePolicy(state: XrayState, from: string, to: string): XrayState {
  const policy = state.policies[from];
  if (!policy) return state;
  const next = clone(state);
  delete next.policies[from];
  next.policies[to] = { ...policy, name: to };
  return next;
}

/** Replace one output field's `eq` value in an ok branch. */
function rewriteOutput(branch: Branch<XrayState>, field: string, from: string, to: string): Branch<XrayState> {
  if (branch.expect.kind !== 'ok') return branch;
  const pattern = branch.expect.output[field];
  if (!pattern || !('eq' in pattern) || pattern.eq !== from) return branch;
  return { ...branch, expect: { kind: 'ok', output: { ...branch.expect.output, [field]: { eq: to } } } };
}

const SUBSTITUTE_DOC = standInPolicy('MutantStandIn', 'xray:PutTraceSegments');

const wrongAnswerMutants: MutantEntry<XrayState>[] = [
  {
    name: 'xray-put-ignores-revision',
    description: 'PutResourcePolicy on an existing policy ignores a PolicyRevisionId other than "0" (last writer wins)',
    breaks: 'xray.put.revision-mismatch',
    step: judgedAs((request, state) => {
      const rev = request.input.PolicyRevisionId;
      const applies = request.operation === 'PutResourcePolicy' && state.policies[nameOf(request)] && rev !== undefined && rev !== CREATE_ONLY;
      return applies ? without(request, 'PolicyRevisionId') : request;
    }),
  },
  {
    name: 'xray-revision-zero-upserts',
    description: 'PutResourcePolicy with PolicyRevisionId "0" overwrites an existing policy instead of refusing',
    breaks: 'xray.put.revision-zero-exists',
    step: judgedAs((request) => (request.operation === 'PutResourcePolicy' && request.input.PolicyRevisionId === CREATE_ONLY ? without(request, 'PolicyRevisionId') : request)),
  },
  {
    name: 'xray-count-limit-six',
    description: 'Allows 6 resource policies per account (limit checked with > instead of >=)',
    breaks: 'xray.put.count-limit',
    step(original, state, request, ctx) {
      const names = Object.keys(state.policies);
      if (request.operation !== 'PutResourcePolicy' || state.policies[nameOf(request)] || names.length !== MAX_POLICIES) return original(state, request, ctx);
      // Hide one policy from the count, then put it back.
      const hidden = names[0]!;
      const smaller = clone(state);
      delete smaller.policies[hidden];
      return original(smaller, request, ctx).map((b) => {
        const next = clone(b.next);
        next.policies = { [hidden]: state.policies[hidden]!, ...next.policies };
        return { ...b, next };
      });
    },
  },
  {
    // Another reading of an open question (switch xray.deleteMissing), as a target might have it: what `calibrate`
    // must tell from the default.
    name: 'xray-delete-missing-not-found',
    description: 'DeleteResourcePolicy of a name without a policy answers ResourceNotFoundException (HTTP 404) instead of succeeding',
    breaks: 'xray.delete.missing',
    step: underSwitch('xray.deleteMissing', 'ResourceNotFoundException'),
  },
  {
    name: 'xray-size-limit-off-by-one',
    description: 'Accepts a policy document of 5121 bytes (size compared with > 5121)',
    breaks: 'xray.policy.too-large',
    step: underSwitch('xray.policySizeLimit', String(5120 + 1)),
  },
  {
    name: 'xray-no-lockout-check',
    description: 'Never runs the lockout check (as if BypassPolicyLockoutCheck were always true)',
    breaks: 'xray.policy.lockout',
    step: judgedAs((request) => (request.operation === 'PutResourcePolicy' ? withInput(request, { BypassPolicyLockoutCheck: true }) : request)),
  },
  {
    name: 'xray-update-returns-old-revision',
    description: 'PutResourcePolicy that changes an existing document answers with the revision id it had before the update',
    breaks: 'xray.put.update',
    respond: onSuccessOf('PutResourcePolicy', (outcome, request, memory) => {
      const docs = ((memory.docs as Record<string, string> | undefined) ??= {});
      const name = nameOf(request);
      const changed = docs[name] !== undefined && docs[name] !== outcome.output.PolicyDocument;
      docs[name] = String(outcome.output.PolicyDocument);
      const rev = Number(outcome.output.PolicyRevisionId);
      return changed && rev > 1 ? { ...outcome, output: { ...outcome.output, PolicyRevisionId: String(rev - 1) } } : outcome;
    }),
  },
  {
    name: 'xray-delete-ignores-revision',
    description: 'DeleteResourcePolicy removes the policy whatever PolicyRevisionId says',
    breaks: 'xray.delete.revision-mismatch',
    step: judgedAs((request, state) => {
      const applies = request.operation === 'DeleteResourcePolicy' && state.policies[nameOf(request)] && request.input.PolicyRevisionId !== undefined;
      return applies ? without(request, 'PolicyRevisionId') : request;
    }),
  },
  {
    name: 'xray-list-stale-revision',
    description: 'ListResourcePolicies shows the revision id each policy was created with, not the current one (a stale cache)',
    breaks: 'xray.list.all',
    respond(request, outcome, memory) {
      const first = ((memory.first as Record<string, string> | undefined) ??= {});
      const name = nameOf(request);
      if (outcome.kind !== 'ok') return outcome;
      if (request.operation === 'PutResourcePolicy') first[name] ??= String(outcome.output.PolicyRevisionId);
      if (request.operation === 'DeleteResourcePolicy') delete first[name];
      if (request.operation !== 'ListResourcePolicies') return outcome;
      const list = (outcome.output.ResourcePolicies as JsonObject[]).map((p) => ({ ...p, PolicyRevisionId: first[String(p.PolicyName)] ?? p.PolicyRevisionId! }));
      return { ...outcome, output: { ...outcome.output, ResourcePolicies: list } };
    },
  },
  {
    name: 'xray-name-pattern-unchecked',
    description: 'PutResourcePolicy checks PolicyName for length (1..128) but not for its character set [\\w+=,.@-] (Delete finds such a policy again)',
    breaks: 'xray.put.invalid-request',
    step(original, state, request, ctx, memory) {
      const name = nameOf(request);
      const lax = request.operation === 'PutResourcePolicy' || (request.operation === 'DeleteResourcePolicy' && state.policies[name] !== undefined);
      if (!lax || VALID_NAME.test(name) || name.length < 1 || name.length > 128) return original(state, request, ctx);
      // Run the model under a valid stand-in name and give the policy its real name back.
      const aliases = ((memory.aliases as Record<string, string> | undefined) ??= {});
      const alias = (aliases[name] ??= `mutant-alias-${Object.keys(aliases).length}`);
      return original(renamePolicy(state, name, alias), withInput(request, { PolicyName: alias }), ctx).map((b) =>
        rewriteOutput({ ...b, next: renamePolicy(b.next, alias, name) }, 'PolicyName', alias, name),
      );
    },
  },
  {
    name: 'xray-malformed-accepted',
    description: 'Any JSON object is accepted as a policy document (no check for a valid Statement)',
    breaks: 'xray.policy.malformed',
    step(original, state, request, ctx) {
      const doc = request.input.PolicyDocument;
      if (request.operation !== 'PutResourcePolicy' || typeof doc !== 'string' || inspectPolicy(doc).valid) return original(state, request, ctx);
      let parsed: unknown;
      try {
        parsed = JSON.parse(doc);
      } catch {
        return original(state, request, ctx);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return original(state, request, ctx);
      // Judge the request with a valid stand-in document of the same size, then store the real one.
      const standIn = SUBSTITUTE_DOC.length >= doc.length ? SUBSTITUTE_DOC : `${SUBSTITUTE_DOC.slice(0, -1)}${' '.repeat(doc.length - SUBSTITUTE_DOC.length)}}`;
      return original(state, withInput(request, { PolicyDocument: standIn }), ctx).map((b) => {
        const policy = b.next.policies[nameOf(request)];
        if (!policy || policy.doc !== standIn) return b;
        const next = clone(b.next);
        next.policies[nameOf(request)]!.doc = doc;
        return rewriteOutput({ ...b, next }, 'PolicyDocument', standIn, doc);
      });
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
const kindMutants: MutantEntry<XrayState>[] = [
  {
    name: 'xray-delete-policy-kept',
    description:
      'DeleteResourcePolicy with a PolicyRevisionId (a conditional delete) answers success but keeps the policy; a delete without one works',
    breaks: 'xray.delete.removes',
    kind: 'success-without-effect',
    // X-Ray policies are account-wide: cleanup deletes without a revision id, so nothing leaks into the next sequence.
    step: onFirstRule('xray.delete.removes', (answer, { state, request }) =>
      request.operation === 'DeleteResourcePolicy' && request.input.PolicyRevisionId !== undefined ? [successWithoutEffect(answer, state)] : undefined,
    ),
  },
];

/** Every seeded bug of this service. */
/** A check-then-write race (see the DynamoDB ones): only writes sent at the same time show it. */
const raceMutants: MutantEntry<XrayState>[] = [
  {
    name: 'xray-put-check-then-write',
    description: 'PutResourcePolicy checks PolicyRevisionId ("0" included), then writes 25 ms later without checking again',
    breaks: 'xray.race.linearizable',
    checkThenWrite: { operations: ['PutResourcePolicy', 'DeleteResourcePolicy'], gapMs: 25 },
  },
];

export const xrayMutants = serviceMutants('xray', [...wrongAnswerMutants, ...kindMutants, ...raceMutants]);
