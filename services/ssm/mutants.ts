import {
  crash,
  judgedAs,
  judgedWithStandIn,
  type MutantEntry,
  onErrorOf,
  onFirstRule,
  serviceMutants,
  standInPolicy,
  underSwitch,
  withInput,
  without,
} from '../../harness/reference/mutant-helpers.js';
import { clone } from '../../models/branches.js';
import { opsItemGroupArn, parameterArn, type SsmPolicy, type SsmState } from './model.js';
import type { Branch, ModelContext, Request } from '../../models/types.js';

const validMax = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 50;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The parameter an ARN of this account and region names, if any. */
function parameterOf(state: SsmState, arn: string, ctx: ModelContext): string | undefined {
  return Object.keys(state.parameters).find((name) => parameterArn(ctx, name) === arn);
}

/** Every resource that holds policies: its ARN and policies. */
function resources(state: SsmState, ctx: ModelContext): Array<{ arn: string; policies: SsmPolicy[] }> {
  return [
    { arn: opsItemGroupArn(ctx), policies: state.opsItemGroup },
    ...Object.values(state.parameters).map((p) => ({ arn: parameterArn(ctx, p.name), policies: p.policies })),
  ];
}

const valueOf = (state: SsmState, symbol: string, ctx: ModelContext) => state.known?.[symbol] ?? ctx.symbols.valueOf(symbol);

/** Writes that name a policy by PolicyId + PolicyHash. */
const namesPolicy = (r: Request) =>
  (r.operation === 'DeleteResourcePolicy' || r.operation === 'PutResourcePolicy') && str(r.input.PolicyId) !== undefined && str(r.input.PolicyHash) !== undefined;

const isCreate = (r: Request) => r.operation === 'PutResourcePolicy' && r.input.PolicyId === undefined && r.input.PolicyHash === undefined;


/** An update branch rewritten so the policy keeps the hash it had. */
function keepHash(branch: Branch<SsmState>, before: SsmState): Branch<SsmState> {
  if (branch.expect.kind !== 'ok') return branch;
  const idPattern = branch.expect.output.PolicyId;
  const id = idPattern && 'sym' in idPattern ? idPattern.sym : undefined;
  const all = [...before.opsItemGroup, ...Object.values(before.parameters).flatMap((p) => p.policies)];
  const old = all.find((p) => p.id === id);
  if (!old) return branch;
  const next = clone(branch.next);
  for (const p of [...next.opsItemGroup, ...Object.values(next.parameters).flatMap((x) => x.policies)]) if (p.id === old.id) p.hash = old.hash;
  return { ...branch, next, expect: { kind: 'ok', output: { ...branch.expect.output, PolicyHash: { sym: old.hash } } } };
}

const VALID_STAND_IN = standInPolicy('StandIn', 'ssm:GetParameter');

const wrongAnswerMutants: MutantEntry<SsmState>[] = [
  {
    name: 'ssm-standard-tier-shareable',
    description: 'A Standard-tier parameter accepts a resource policy (the tier is not checked)',
    breaks: 'ssm.parameter.standard-tier',
    step(original, state, request, ctx) {
      const name = request.operation === 'PutResourcePolicy' ? parameterOf(state, String(request.input.ResourceArn ?? ''), ctx) : undefined;
      if (!name || state.parameters[name]!.tier !== 'Standard') return original(state, request, ctx);
      const lifted = clone(state);
      lifted.parameters[name]!.tier = 'Advanced';
      return original(lifted, request, ctx).map((b) => {
        const back = clone(b.next);
        if (back.parameters[name]) back.parameters[name]!.tier = 'Standard';
        return { ...b, next: back };
      });
    },
  },
  {
    name: 'ssm-policy-hash-ignored',
    description: 'Update and delete accept any PolicyHash for an existing PolicyId (no optimistic-concurrency check)',
    breaks: 'ssm.policy-hash.conflict',
    step: judgedAs((request, state, ctx) => {
      if (!namesPolicy(request)) return request;
      const arn = String(request.input.ResourceArn ?? '');
      const holder = resources(state, ctx).find((r) => r.arn === arn);
      const policy = holder?.policies.find((p) => valueOf(state, p.id, ctx) === request.input.PolicyId);
      const stored = policy && valueOf(state, policy.hash, ctx);
      return stored ? withInput(request, { PolicyHash: stored }) : request;
    }),
  },
  {
    name: 'ssm-opsitemgroup-unlimited',
    description: 'The OpsItemGroup accepts any number of policies',
    breaks: 'ssm.put.opsitemgroup-limit',
    step(original, state, request, ctx) {
      if (!isCreate(request) || request.input.ResourceArn !== opsItemGroupArn(ctx) || state.opsItemGroup.length === 0) return original(state, request, ctx);
      const emptied = { ...clone(state), opsItemGroup: [] };
      return original(emptied, request, ctx).map((b) => ({ ...b, next: { ...b.next, opsItemGroup: [...state.opsItemGroup, ...b.next.opsItemGroup] } }));
    },
  },
  {
    name: 'ssm-update-keeps-hash',
    description: 'An update with a new document keeps the PolicyHash (the hash is tied to the PolicyId, not to the version)',
    breaks: 'ssm.put.update',
    step: (original, state, request, ctx) => original(state, request, ctx).map((b) => (b.rule === 'ssm.put.update' ? keepHash(b, state) : b)),
  },
  {
    name: 'ssm-size-limit-off-by-one',
    description: 'Accepts a policy of 1025 bytes',
    breaks: 'ssm.policy.too-large',
    step: underSwitch('ssm.policySizeLimit', '1025'),
  },
  {
    name: 'ssm-recreated-parameter-keeps-policies',
    description: 'A parameter created again under a deleted name gets the old policies back',
    breaks: 'ssm.deleteparameter.drops-policies',
    step(original, state, request, ctx, memory) {
      const name = String(request.input.Name ?? '');
      const kept = ((memory.kept as Record<string, SsmPolicy[]> | undefined) ??= {});
      if (request.operation === 'DeleteParameter' && state.parameters[name]?.policies.length) kept[name] = state.parameters[name]!.policies;
      const branches = original(state, request, ctx);
      if (request.operation !== 'PutParameter' || state.parameters[name] || !kept[name]) return branches;
      return branches.map((b): Branch<SsmState> => {
        if (!b.next.parameters[name]) return b;
        const next = clone(b.next);
        next.parameters[name]!.policies = kept[name]!;
        return { ...b, next };
      });
    },
  },
  {
    name: 'ssm-page-ignores-maxresults',
    description: 'GetResourcePolicies returns every policy on the first page, whatever MaxResults says',
    breaks: 'ssm.get.page',
    step: judgedAs((request) =>
      request.operation === 'GetResourcePolicies' && request.input.NextToken === undefined && validMax(request.input.MaxResults) ? without(request, 'MaxResults') : request,
    ),
  },
  {
    name: 'ssm-policy-id-account-wide',
    description: 'A PolicyId is looked up across every resource, so a write on one resource changes a policy of another',
    breaks: 'ssm.policy-id.not-found',
    step: judgedAs((request, state, ctx) => {
      if (!namesPolicy(request)) return request;
      const all = resources(state, ctx);
      const here = all.find((r) => r.arn === request.input.ResourceArn);
      if (!here || here.policies.some((p) => valueOf(state, p.id, ctx) === request.input.PolicyId)) return request;
      const elsewhere = all.find((r) => r.policies.some((p) => valueOf(state, p.id, ctx) === request.input.PolicyId));
      return elsewhere ? withInput(request, { ResourceArn: elsewhere.arn }) : request;
    }),
  },
  {
    name: 'ssm-partial-id-hash-creates',
    description: 'PutResourcePolicy with only one of PolicyId and PolicyHash creates a new policy',
    breaks: 'ssm.put.partial-id-hash',
    step: judgedAs((request) =>
      request.operation === 'PutResourcePolicy' && (request.input.PolicyId === undefined) !== (request.input.PolicyHash === undefined)
        ? without(request, 'PolicyId', 'PolicyHash')
        : request,
    ),
  },
  {
    name: 'ssm-malformed-document-accepted',
    description: 'Any non-blank policy text is stored without checking it is a policy',
    breaks: 'ssm.policy.malformed',
    step: onFirstRule('ssm.policy.malformed', (_, call) => {
      const doc = call.request.input.Policy;
      return typeof doc === 'string' ? judgedWithStandIn(call, 'Policy', VALID_STAND_IN, doc) : undefined;
    }),
  },
  {
    name: 'ssm-missing-parameter-lists-empty',
    description: 'GetResourcePolicies on the ARN of a parameter that does not exist lists no policies instead of failing',
    breaks: 'ssm.parameter.not-found',
    respond: onErrorOf('GetResourcePolicies', 'ResourceNotFoundException', () => ({ kind: 'ok', output: { Policies: [] } })),
  },
  {
    name: 'ssm-arn-account-region-ignored',
    description: "A parameter ARN of another account or region is taken as this account's parameter of the same name",
    breaks: 'ssm.arn.unsupported',
    step: judgedAs((request, _state, ctx) => {
      const arn = str(request.input.ResourceArn);
      const match = arn && /^arn:aws:ssm:[^:]+:\d{12}:parameter\/(.+)$/.exec(arn);
      if (!match || !request.operation.endsWith('ResourcePolicy') && request.operation !== 'GetResourcePolicies') return request;
      return withInput(request, { ResourceArn: parameterArn(ctx, match[1]!) });
    }),
  },
  {
    name: 'ssm-parameter-tier-downgrade',
    description: 'An Advanced-tier parameter can be overwritten as Standard (and then loses nothing)',
    breaks: 'ssm.putparameter.downgrade',
    step(original, state, request, ctx) {
      const name = String(request.input.Name ?? '');
      if (request.operation !== 'PutParameter' || request.input.Overwrite !== true || request.input.Tier !== 'Standard' || state.parameters[name]?.tier !== 'Advanced') {
        return original(state, request, ctx);
      }
      const lowered = clone(state);
      lowered.parameters[name]!.tier = 'Standard';
      return original(lowered, request, ctx);
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
const kindMutants: MutantEntry<SsmState>[] = [
  {
    name: 'ssm-oversized-put-500',
    description:
      'PutResourcePolicy with a document over the 1024-byte limit answers HTTP 500 InternalServerError (JSON) instead of ResourcePolicyLimitExceededException, every time',
    breaks: 'ssm.policy.too-large',
    kind: 'crash',
    step: onFirstRule('ssm.policy.too-large', (_, { request }) => {
      if (request.operation !== 'PutResourcePolicy') return undefined;
      const bytes = Buffer.byteLength(String(request.input.Policy ?? ''), 'utf8');
      return crash(`java.lang.ArrayIndexOutOfBoundsException: Index 1024 out of bounds for length 1024 (policy of ${bytes} bytes)`);
    }),
  },
];

/** Every seeded bug of this service. */
/** A check-then-write race (see the DynamoDB ones): only writes sent at the same time show it. */
const raceMutants: MutantEntry<SsmState>[] = [
  {
    name: 'ssm-put-check-then-write',
    description: 'PutResourcePolicy checks PolicyId and PolicyHash (and the OpsItemGroup\'s one-policy limit), then writes 25 ms later without checking again',
    breaks: 'ssm.race.linearizable',
    checkThenWrite: { operations: ['PutResourcePolicy', 'DeleteResourcePolicy'], gapMs: 25 },
  },
];

export const ssmMutants = serviceMutants('ssm', [...wrongAnswerMutants, ...kindMutants, ...raceMutants]);
