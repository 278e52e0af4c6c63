import fc from 'fast-check';
import { focusedSequences } from '../../generators/focus.js';
import type { Consistency, Simplification } from '../../models/types.js';
import { eachWriteAlone, isRace, type RaceCommand, raceOf, withRaceAtEnd } from '../../generators/race.js';
import { describePolicy, isPlainPolicy, PLAIN_POLICY, type PolicyGen, type PolicyVocabulary, policyGen } from '../../generators/policy.js';
import { isRealAccount, type SafetyProfile, safePolicy } from '../../generators/safety.js';

/**
 * Parameter slots: each sequence maps them to fresh parameter names. p0 starts as an Advanced-tier parameter,
 * p1 as a Standard-tier one, p2 absent. 'ops' is the account's OpsItemGroup, which always exists.
 */
export type SsmSlot = 'p0' | 'p1' | 'p2';
export type SsmFocus = SsmSlot | 'ops';
/**
 * ResourceArns that name nothing here: 'missing' leaves the required member out (SDK v3 does not enforce `required`
 * at run time); too-short / too-long / empty violate its length; the others are ARNs of something else.
 */
export type SsmMalformedArn = 'missing' | 'too-short' | 'too-long' | 'other-resource-type' | 'other-region' | 'other-account' | 'other-partition' | 'empty';

export const SSM_MALFORMED: readonly SsmMalformedArn[] = ['missing', 'too-short', 'too-long', 'other-resource-type', 'other-region', 'other-account', 'other-partition', 'empty'];

export type SsmTarget = { kind: 'parameter'; slot: SsmSlot } | { kind: 'opsitemgroup' } | { kind: 'malformed'; variant: SsmMalformedArn };

/** A PolicyId the harness sends: one of the policies this sequence created (by position), a random one, or none. */
export type IdChoice = { kind: 'mine'; pick: number } | { kind: 'random'; value: string } | { kind: 'omitted' };
/** A PolicyHash: the chosen policy's current one, an older one, a random one, or none. */
export type HashChoice = { kind: 'current' } | { kind: 'stale' } | { kind: 'random'; value: string } | { kind: 'omitted' };

export interface PolicyRef {
  id: IdChoice;
  hash: HashChoice;
}

/** A policy document as data; 'blank' is whitespace only (a constraint violation, not a malformed document). */
export type SsmPolicyGen = PolicyGen | { kind: 'blank' };

/** Which NextToken a raw page sends: the last one this target returned, one another target returned, or a made-up one. */
export type TokenChoice = { kind: 'last' } | { kind: 'other' } | { kind: 'random'; value: string };

export interface PageChoice {
  max?: number;
  token?: TokenChoice;
}

/** Without `ref`: create a policy; with it: update (or, with one of the two omitted, a partial update). */
export type SsmPut = { op: 'PutResourcePolicy'; target: SsmTarget; policy: SsmPolicyGen; ref?: PolicyRef };
export type SsmDelete = { op: 'DeleteResourcePolicy'; target: SsmTarget; ref: PolicyRef };
/** What a race sends: Puts and Deletes of one resource's policies, bound together before any is sent. */
export type SsmRaceWrite = SsmPut | SsmDelete;

export type SsmCommand =
  | SsmPut
  /** Without `page`: the full listing (the harness follows NextToken); with it: one raw page. */
  | { op: 'GetResourcePolicies'; target: SsmTarget; page?: PageChoice }
  | SsmDelete
  | { op: 'PutParameter'; slot: SsmSlot; tier?: 'Standard' | 'Advanced'; overwrite?: boolean }
  | { op: 'DeleteParameter'; slot: SsmSlot }
  /** Conditional writes to one resource sent at the same time (generators/race.ts). */
  | RaceCommand<SsmRaceWrite>;

export const SSM_PARAMETER_VOCABULARY: PolicyVocabulary = {
  actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory'],
  policyActions: ['ssm:PutResourcePolicy', 'ssm:DeleteResourcePolicy'],
};

export const SSM_OPS_VOCABULARY: PolicyVocabulary = {
  actions: ['ssm:GetOpsItem', 'ssm:CreateOpsItem', 'ssm:UpdateOpsItem'],
  policyActions: ['ssm:PutResourcePolicy', 'ssm:DeleteResourcePolicy'],
};

/** The documented size limit (1024 bytes) and the larger values switch ssm.policySizeLimit allows. */
export const SSM_SIZE_LIMITS = [1024];

/**
 * Created before every sequence, so most generated calls land on a parameter that exists and p0 already holds a
 * policy (updates, deletes and multi-page listings then need fewer generated calls).
 */
export const SSM_SETUP: SsmCommand[] = [
  { op: 'PutParameter', slot: 'p0', tier: 'Advanced' },
  { op: 'PutParameter', slot: 'p1', tier: 'Standard' },
  { op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p0' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } },
];

const ALL_SLOTS: SsmSlot[] = ['p0', 'p1', 'p2'];

function slotNear(focus: SsmFocus): fc.Arbitrary<SsmSlot> {
  if (focus === 'ops') return fc.constantFrom<SsmSlot>(...ALL_SLOTS);
  return fc.oneof({ weight: 6, arbitrary: fc.constant(focus) }, { weight: 1, arbitrary: fc.constantFrom<SsmSlot>(...ALL_SLOTS) });
}

function targetNear(focus: SsmFocus, slot: fc.Arbitrary<SsmSlot>): fc.Arbitrary<SsmTarget> {
  const parameter = fc.record({ kind: fc.constant('parameter' as const), slot });
  const ops = fc.constant({ kind: 'opsitemgroup' as const });
  return fc.oneof(
    { weight: focus === 'ops' ? 2 : 10, arbitrary: parameter },
    { weight: focus === 'ops' ? 10 : 2, arbitrary: ops },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('malformed' as const),
        variant: fc.constantFrom<SsmMalformedArn>(...SSM_MALFORMED),
      }),
    },
  );
}

/** A made-up hex value of `length` digits (cheap to generate, unlike a regex-based string). */
const hexValue = (length: number) =>
  fc.nat().map((n) => n.toString(16).padStart(8, '0').repeat(Math.ceil(length / 8)).slice(0, length));

function idChoice(): fc.Arbitrary<IdChoice> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('mine' as const), pick: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), value: hexValue(32) }) },
  );
}

function hashChoice(): fc.Arbitrary<HashChoice> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'current' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'stale' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), value: hexValue(64) }) },
  );
}

/** Both of PolicyId and PolicyHash most of the time; now and then only one, or (Delete) none. */
function policyRef(allowNeither: boolean): fc.Arbitrary<PolicyRef> {
  const both = fc.record({ id: idChoice(), hash: hashChoice() });
  const options: fc.WeightedArbitrary<PolicyRef>[] = [
    { weight: 12, arbitrary: both },
    { weight: 1, arbitrary: fc.record({ id: idChoice(), hash: fc.constant({ kind: 'omitted' as const }) }) },
    { weight: 1, arbitrary: fc.record({ id: fc.constant({ kind: 'omitted' as const }), hash: hashChoice() }) },
  ];
  if (allowNeither) options.push({ weight: 1, arbitrary: fc.constant({ id: { kind: 'omitted' as const }, hash: { kind: 'omitted' as const } }) });
  return fc.oneof(...options);
}

function ssmPolicyGen(): fc.Arbitrary<SsmPolicyGen> {
  return fc.oneof({ weight: 30, arbitrary: policyGen(SSM_SIZE_LIMITS) }, { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) });
}

function pageChoice(): fc.Arbitrary<PageChoice> {
  const max = fc.oneof(
    { weight: 6, arbitrary: fc.constant(1) },
    { weight: 3, arbitrary: fc.constant(2) },
    { weight: 1, arbitrary: fc.constant(50) },
    { weight: 1, arbitrary: fc.constantFrom(0, 51) },
  );
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'last' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'other' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), value: hexValue(24) }) },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ max }) },
    { weight: 3, arbitrary: fc.record({ max, token }) },
    { weight: 1, arbitrary: fc.record({ token }) },
  );
}

export function ssmCommand(_consistency: Consistency, focus: SsmFocus = 'p0'): fc.Arbitrary<SsmCommand> {
  const slot = slotNear(focus);
  const target = targetNear(focus, slot);
  const policy = ssmPolicyGen();
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(
        {
          op: fc.constant('PutResourcePolicy' as const),
          target,
          policy,
          ref: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: policyRef(false) }),
        },
        { requiredKeys: ['op', 'target', 'policy'] },
      ),
    },
    {
      weight: 6,
      arbitrary: fc.record(
        { op: fc.constant('GetResourcePolicies' as const), target, page: fc.option(pageChoice(), { nil: undefined, freq: 2 }) },
        { requiredKeys: ['op', 'target'] },
      ),
    },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('DeleteResourcePolicy' as const), target, ref: policyRef(true) }) },
    {
      weight: 3,
      arbitrary: fc.record(
        {
          op: fc.constant('PutParameter' as const),
          slot,
          tier: fc.constantFrom<'Standard' | 'Advanced'>('Standard', 'Advanced', 'Advanced'),
          overwrite: fc.boolean(),
        },
        { requiredKeys: ['op', 'slot'] },
      ),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('DeleteParameter' as const), slot }) },
  );
}

/**
 * Two or three writes to one resource at once: updates (or Deletes) of p0's first policy with its current PolicyId
 * and PolicyHash — one may win, the others then hold a stale hash — or creates on the OpsItemGroup, which holds at
 * most one policy.
 */
export function ssmRace(): fc.Arbitrary<RaceCommand<SsmRaceWrite>> {
  const policy = fc.record({ kind: fc.constant('valid' as const), variant: fc.integer({ min: 0, max: 3 }), whitespace: fc.constant(0) });
  const p0: SsmTarget = { kind: 'parameter', slot: 'p0' };
  const current: PolicyRef = { id: { kind: 'mine', pick: 0 }, hash: { kind: 'current' } };
  const update = fc.record({ op: fc.constant('PutResourcePolicy' as const), target: fc.constant(p0), policy, ref: fc.constant(current) });
  const remove = fc.constant<SsmRaceWrite>({ op: 'DeleteResourcePolicy', target: p0, ref: current });
  const create = fc.record({ op: fc.constant('PutResourcePolicy' as const), target: fc.constant<SsmTarget>({ kind: 'opsitemgroup' }), policy });
  return fc.oneof(
    { weight: 2, arbitrary: raceOf<SsmRaceWrite>(fc.oneof({ weight: 4, arbitrary: update }, { weight: 1, arbitrary: remove })) },
    { weight: 1, arbitrary: raceOf<SsmRaceWrite>(create) },
  );
}

/** Whether `command` reads or writes the OpsItemGroup, the account's one (ServiceAdapter.touchesAccountWide). */
export function touchesOpsItemGroup(command: SsmCommand): boolean {
  if (isRace<SsmRaceWrite>(command)) return command.writes.some(touchesOpsItemGroup);
  return 'target' in command && command.target.kind === 'opsitemgroup';
}

/**
 * `safety`: the generation profile; `opsItemGroupForeign`: the OpsItemGroup holds a policy this suite did not put
 * (under real-account it is then only read, never written).
 */
export function ssmCommands(consistency: Consistency, maxCommands = 14, safety?: SafetyProfile, opsItemGroupForeign = false): fc.Arbitrary<SsmCommand[]> {
  const sequences = withRaceAtEnd(focusedSequences<SsmFocus, SsmCommand>(['p0', 'p0', 'p0', 'p1', 'p2', 'ops', 'ops'], (focus) => ssmCommand(consistency, focus), maxCommands), ssmRace());
  // Mapped only under real-account: under `full` the arbitrary is the one it always was (same seed, same sequences).
  return isRealAccount(safety) ? sequences.map((commands) => commands.map((c) => safeSsmCommand(safety!, c, opsItemGroupForeign))) : sequences;
}

/**
 * `command` as the safety profile allows it (generators/safety.ts): its document made safe (the OpsItemGroup is
 * account-wide; no source says SSM must refuse a public Allow on a parameter, so none is sent), and a write to an
 * OpsItemGroup someone else's policy is on turned into a read of it.
 */
export function safeSsmCommand(safety: SafetyProfile, command: SsmCommand, opsItemGroupForeign: boolean): SsmCommand {
  if (command.op === 'Race') {
    const writes = command.writes.map((w) => safeSsmCommand(safety, w, opsItemGroupForeign));
    // A race on a foreign OpsItemGroup: its writes became reads, so it is one read, not a race.
    return writes.every((w) => w.op === 'PutResourcePolicy' || w.op === 'DeleteResourcePolicy') ? { ...command, writes: writes as SsmRaceWrite[] } : writes[0]!;
  }
  if (command.op !== 'PutResourcePolicy' && command.op !== 'DeleteResourcePolicy') return command;
  if (command.target.kind === 'opsitemgroup' && opsItemGroupForeign) return { op: 'GetResourcePolicies', target: command.target };
  if (command.op === 'DeleteResourcePolicy') return command;
  return { ...command, policy: safePolicy(safety, command.policy, { accountWide: command.target.kind === 'opsitemgroup', rejectsPublic: false }) };
}

const PLAIN_TARGET: SsmTarget = { kind: 'parameter', slot: 'p0' };

function describeTarget(target: SsmTarget): string {
  switch (target.kind) {
    case 'parameter':
      return `parameter ${target.slot}`;
    case 'opsitemgroup':
      return 'opsitemgroup';
    case 'malformed':
      return `malformed ${target.variant}`;
  }
}

function describeId(id: IdChoice): string {
  return id.kind === 'mine' ? `mine ${id.pick}` : id.kind;
}

function describeRef(ref: PolicyRef): string {
  return `PolicyId ${describeId(ref.id)} + PolicyHash ${ref.hash.kind}`;
}

function describePage(page: PageChoice): string {
  return [page.max !== undefined ? `MaxResults ${page.max}` : '', page.token ? `NextToken ${page.token.kind}` : ''].filter(Boolean).join(' + ');
}

/** The page choice without one of its members; no page at all when nothing is left (the full listing). */
function pageWithout(page: PageChoice, member: 'max' | 'token'): PageChoice | undefined {
  const rest: PageChoice = { ...page };
  delete rest[member];
  return rest.max === undefined && rest.token === undefined ? undefined : rest;
}

/**
 * `command` made plainer in one field each, in this order: the resource (→ p0, the Advanced parameter that holds
 * the setup's policy), the PolicyId/PolicyHash choices (Put: none, i.e. a create; Delete: the first policy's id
 * with its current hash), a raw page's NextToken and MaxResults (→ none), the document (→ the plainest valid
 * one), PutParameter's tier (→ Advanced).
 */
export function simplifySsm(command: SsmCommand): Simplification<SsmCommand>[] {
  const out: Simplification<SsmCommand>[] = [];
  const retarget = (c: Extract<SsmCommand, { target: SsmTarget }>) => {
    if (c.target.kind === 'parameter' && c.target.slot === 'p0') return;
    out.push({ change: `target: ${describeTarget(c.target)} → ${describeTarget(PLAIN_TARGET)}`, command: { ...c, target: PLAIN_TARGET } });
  };
  switch (command.op) {
    case 'PutResourcePolicy': {
      retarget(command);
      if (command.ref) {
        const { ref: _, ...create } = command;
        out.push({ change: `ref: ${describeRef(command.ref)} → none`, command: create });
      }
      const p = command.policy;
      if (!isPlainPolicy(p)) {
        out.push({ change: `policy: ${describePolicy(p)} → ${describePolicy(PLAIN_POLICY)}`, command: { ...command, policy: PLAIN_POLICY } });
      }
      break;
    }
    case 'GetResourcePolicies': {
      retarget(command);
      const { page, ...full } = command;
      for (const member of ['token', 'max'] as const) {
        if (page?.[member] === undefined) continue;
        const rest = pageWithout(page, member);
        out.push({ change: `page: ${describePage(page)} → ${rest ? describePage(rest) : 'none'}`, command: rest ? { ...full, page: rest } : full });
      }
      break;
    }
    case 'DeleteResourcePolicy': {
      retarget(command);
      const { id, hash } = command.ref;
      if (!(id.kind === 'mine' && id.pick === 0)) {
        out.push({ change: `ref.id: ${describeId(id)} → mine 0`, command: { ...command, ref: { id: { kind: 'mine', pick: 0 }, hash } } });
      }
      if (hash.kind !== 'current') out.push({ change: `ref.hash: ${hash.kind} → current`, command: { ...command, ref: { id, hash: { kind: 'current' } } } });
      break;
    }
    case 'PutParameter':
      if (command.tier !== 'Advanced') out.push({ change: `tier: ${command.tier ?? 'none'} → Advanced`, command: { ...command, tier: 'Advanced' } });
      break;
    case 'DeleteParameter':
      break;
    case 'Race':
      out.push(...eachWriteAlone(command));
      break;
  }
  return out;
}

/**
 * What shows the state of what a command acted on: the policies of its parameter or of the OpsItemGroup, then a
 * Delete of the first policy this sequence put there (with its current hash: it succeeds only if it is there).
 */
export function ssmObservers(command: SsmCommand): { reads: SsmCommand[]; writes: SsmCommand[] } {
  const of = (target: SsmTarget) => ({
    reads: [{ op: 'GetResourcePolicies' as const, target }],
    writes: [{ op: 'DeleteResourcePolicy' as const, target, ref: { id: { kind: 'mine' as const, pick: 0 }, hash: { kind: 'current' as const } } }],
  });
  switch (command.op) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicies':
    case 'DeleteResourcePolicy':
      return command.target.kind === 'malformed' ? { reads: [], writes: [] } : of(command.target);
    case 'PutParameter':
    case 'DeleteParameter':
      return of({ kind: 'parameter', slot: command.slot });
    case 'Race':
      return { reads: [], writes: [] };
  }
}

const P0: SsmTarget = { kind: 'parameter', slot: 'p0' };

/** For each open question (switch) and value, the shortest sequence whose last answer tells the value from the default. */
export function ssmTargeted(switchName: string, value: string): SsmCommand[] | undefined {
  switch (switchName) {
    case 'ssm.validationError':
      return [{ op: 'GetResourcePolicies', target: { kind: 'malformed', variant: 'too-short' } }];
    case 'ssm.invalidArnError':
      return [{ op: 'GetResourcePolicies', target: { kind: 'malformed', variant: 'other-resource-type' } }];
    case 'ssm.standardTierError':
      return [{ op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p1' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } }];
    case 'ssm.partialUpdateError':
      return [{ op: 'PutResourcePolicy', target: P0, policy: { kind: 'valid', variant: 1, whitespace: 0 }, ref: { id: { kind: 'mine', pick: 0 }, hash: { kind: 'omitted' } } }];
    case 'ssm.policySizeLimit':
      // One byte over the documented limit (refused by default, accepted under any larger limit), then one byte over
      // the value's (refused under it: a target with no limit at all has no size to speak of).
      return [
        { op: 'PutResourcePolicy', target: P0, policy: { kind: 'sized', bytes: 1025 } },
        { op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p0' }, policy: { kind: 'sized', bytes: Number(value) + 1 } },
      ];
    case 'ssm.parameterPolicyLimit':
      return value === 'none' ? undefined : [{ op: 'PutResourcePolicy', target: P0, policy: { kind: 'valid', variant: 1, whitespace: 0 } }];
    case 'ssm.identicalUpdateHash':
      return [{ op: 'PutResourcePolicy', target: P0, policy: { kind: 'previous' }, ref: { id: { kind: 'mine', pick: 0 }, hash: { kind: 'current' } } }];
    default:
      return undefined;
  }
}
