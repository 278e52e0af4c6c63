import fc from 'fast-check';
import { focusedSequences } from '../../generators/focus.js';
import type { Consistency, Simplification } from '../../models/types.js';
import { describePolicy, isPlainPolicy, PLAIN_POLICY, type PolicyGen, type PolicyVocabulary, policyGen } from '../../generators/policy.js';
import { type RevisionChoice, revisionChoice } from '../../generators/revision.js';
import { eachWriteAlone, type RaceCommand, raceOf, withRaceAtEnd } from '../../generators/race.js';
import { isRealAccount, type SafetyProfile, safePolicy } from '../../generators/safety.js';

/**
 * Policy-name slots: each sequence maps them to names carrying its prefix (X-Ray policies are account-wide, so
 * the harness never touches a name without it). f0..f2 are the fill slots the setup creates; a, b, c start absent.
 */
export type XraySlot = 'a' | 'b' | 'c' | 'f0' | 'f1' | 'f2';
export const XRAY_FILL_SLOTS: readonly XraySlot[] = ['f0', 'f1', 'f2'];
const GENERATED_SLOTS: readonly XraySlot[] = ['a', 'b', 'c'];

/**
 * Names outside the PolicyName constraints (1..128 of [\w+=,.@-]). All but 'empty' and 'missing' (no PolicyName
 * member at all: required, but SDK v3 does not enforce `required` at run time) still start with the sequence's
 * prefix, so a target that wrongly accepts them leaves nothing cleanup cannot find; 'empty' and 'missing' are only
 * ever sent to DeleteResourcePolicy, which creates nothing.
 */
export type BadName = 'space' | 'slash' | 'unicode' | 'too-long' | 'empty' | 'missing';

export type XrayName =
  | { kind: 'slot'; slot: XraySlot }
  /** A valid name of exactly 128 characters (the upper edge of the length limit). */
  | { kind: 'longest' }
  | { kind: 'invalid'; variant: BadName };

/**
 * A policy document, the empty string (a required value left empty rather than a malformed policy), or no
 * PolicyDocument member at all.
 */
export type XrayDoc = PolicyGen | { kind: 'blank' } | { kind: 'missing' };

export type XrayPut = { op: 'PutResourcePolicy'; name: XrayName; policy: XrayDoc; revision?: RevisionChoice; bypass?: boolean };
export type XrayDelete = { op: 'DeleteResourcePolicy'; name: XrayName; revision?: RevisionChoice };
/** What a race sends: Puts and Deletes of one policy name, bound together before any is sent. */
export type XrayRaceWrite = XrayPut | XrayDelete;

export type XrayCommand =
  | XrayPut
  | { op: 'ListResourcePolicies'; nextToken?: boolean }
  | XrayDelete
  /** Conditional writes to one policy name sent at the same time (generators/race.ts). */
  | RaceCommand<XrayRaceWrite>;

export const XRAY_VOCABULARY: PolicyVocabulary = {
  actions: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
  policyActions: ['xray:PutResourcePolicy'],
};

/** "5 KB" read as 5120 bytes (the CloudFormation maximum) or 5000: both sides of each. */
export const XRAY_SIZE_LIMITS = [5120, 5000];

/** Policies (foreign ones included) the account holds when a sequence starts: two creates away from the limit of 5. */
export const XRAY_FILL_LEVEL = 3;

/** The setup commands that bring an account holding `existing` policies up to the fill level. */
export function xraySetup(existing: number): XrayCommand[] {
  return XRAY_FILL_SLOTS.slice(0, Math.max(0, XRAY_FILL_LEVEL - existing)).map((slot, i) => ({
    op: 'PutResourcePolicy' as const,
    name: { kind: 'slot' as const, slot },
    policy: { kind: 'valid' as const, variant: i, whitespace: 0 },
  }));
}

/** Most calls of a sequence name one policy, so that they interact; the others reach the count limit and mix-ups. */
function nameNear(focus: XraySlot, allowEmpty: boolean): fc.Arbitrary<XrayName> {
  const bad: BadName[] = ['space', 'slash', 'unicode', 'too-long', ...(allowEmpty ? (['empty', 'missing'] as const) : [])];
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'slot' as const, slot: focus }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('slot' as const), slot: fc.constantFrom(...GENERATED_SLOTS) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('slot' as const), slot: fc.constantFrom(...XRAY_FILL_SLOTS) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'longest' as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalid' as const), variant: fc.constantFrom(...bad) }) },
  );
}

function docGen(): fc.Arbitrary<XrayDoc> {
  return fc.oneof(
    { weight: 25, arbitrary: policyGen(XRAY_SIZE_LIMITS) },
    { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  );
}

export function xrayCommand(_consistency: Consistency, focus: XraySlot = 'a'): fc.Arbitrary<XrayCommand> {
  const putRevision = fc.option(revisionChoice(['0']), { nil: undefined, freq: 2 });
  const deleteRevision = fc.option(revisionChoice([]), { nil: undefined, freq: 2 });
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record(
        {
          op: fc.constant('PutResourcePolicy' as const),
          name: nameNear(focus, false),
          policy: docGen(),
          revision: putRevision,
          bypass: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
        },
        { requiredKeys: ['op', 'name', 'policy'] },
      ),
    },
    {
      weight: 3,
      // NextToken is "not currently supported": sent now and then, to see whether the target ignores it.
      arbitrary: fc.record({ op: fc.constant('ListResourcePolicies' as const), nextToken: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(true as const) }) }, { requiredKeys: ['op'] }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constant('DeleteResourcePolicy' as const), name: nameNear(focus, true), revision: deleteRevision }, { requiredKeys: ['op', 'name'] }),
    },
  );
}

/** X-Ray has no eventual-consistency rules: the command set is the same in both modes. */
/**
 * Two or three writes to one policy name at once: Puts with PolicyRevisionId "0" on a name the sequence has not
 * used yet (create only: at most one may create it), or Puts and Deletes with the revision the sequence saw last of
 * a fill policy (at most one may replace it).
 */
export function xrayRace(): fc.Arbitrary<RaceCommand<XrayRaceWrite>> {
  const policy = fc.record({ kind: fc.constant('valid' as const), variant: fc.integer({ min: 0, max: 3 }), whitespace: fc.constant(0) });
  const create = fc.record({ op: fc.constant('PutResourcePolicy' as const), name: fc.constant<XrayName>({ kind: 'slot', slot: 'c' }), policy, revision: fc.constant<RevisionChoice>({ kind: 'sentinel', value: '0' }) });
  const f0: XrayName = { kind: 'slot', slot: 'f0' };
  const update = fc.record({ op: fc.constant('PutResourcePolicy' as const), name: fc.constant(f0), policy, revision: fc.constant<RevisionChoice>({ kind: 'current' }) });
  const remove = fc.constant<XrayRaceWrite>({ op: 'DeleteResourcePolicy', name: f0, revision: { kind: 'current' } });
  return fc.oneof(raceOf<XrayRaceWrite>(create), raceOf<XrayRaceWrite>(fc.oneof({ weight: 4, arbitrary: update }, { weight: 1, arbitrary: remove })));
}

export function xrayCommands(consistency: Consistency, maxCommands = 12, safety?: SafetyProfile): fc.Arbitrary<XrayCommand[]> {
  const sequences = withRaceAtEnd(focusedSequences<XraySlot, XrayCommand>(['a', 'b', 'f0'], (focus) => xrayCommand(consistency, focus), maxCommands), xrayRace());
  // Mapped only under real-account: under `full` the arbitrary is the one it always was (same seed, same sequences).
  return isRealAccount(safety) ? sequences.map((commands) => commands.map((c) => safeXrayCommand(safety!, c))) : sequences;
}

/** `command` as the safety profile allows it (generators/safety.ts): X-Ray's policies are account-wide. */
export function safeXrayCommand(safety: SafetyProfile, command: XrayCommand): XrayCommand {
  if (command.op === 'Race') return { ...command, writes: command.writes.map((w) => safeXrayCommand(safety, w) as XrayRaceWrite) };
  if (command.op !== 'PutResourcePolicy' || command.policy.kind === 'blank' || command.policy.kind === 'missing') return command;
  return { ...command, policy: safePolicy(safety, command.policy, { accountWide: true, rejectsPublic: false }) };
}

/** Where a simplified command's name goes: the first slot a sequence may focus on (it starts absent). */
const PLAIN_NAME: XrayName = { kind: 'slot', slot: 'a' };

function describeName(name: XrayName): string {
  switch (name.kind) {
    case 'slot':
      return `slot ${name.slot}`;
    case 'longest':
      return 'longest';
    case 'invalid':
      return `invalid ${name.variant}`;
  }
}

function describeRevision(revision: RevisionChoice): string {
  return revision.kind === 'sentinel' || revision.kind === 'random' ? `${revision.kind} ${revision.value}` : revision.kind;
}

/**
 * `command` made plainer in one field each, in this order: the name (invalid or longest → slot a; commands do not
 * record their sequence's focus, and a is the first one), the revision id (→ none), BypassPolicyLockoutCheck
 * (→ absent), the document (→ the plainest valid one), List's NextToken (→ absent).
 */
export function simplifyXray(command: XrayCommand): Simplification<XrayCommand>[] {
  const out: Simplification<XrayCommand>[] = [];
  if (command.op === 'Race') return eachWriteAlone(command);
  if (command.op === 'ListResourcePolicies') {
    if (command.nextToken) out.push({ change: 'nextToken: sent → absent', command: { op: command.op } });
    return out;
  }
  if (command.name.kind !== 'slot') out.push({ change: `name: ${describeName(command.name)} → ${describeName(PLAIN_NAME)}`, command: { ...command, name: PLAIN_NAME } });
  if (command.revision) {
    const { revision, ...rest } = command;
    out.push({ change: `revision: ${describeRevision(revision)} → none`, command: rest });
  }
  if (command.op === 'PutResourcePolicy') {
    if (command.bypass !== undefined) {
      const { bypass, ...rest } = command;
      out.push({ change: `bypass: ${bypass} → absent`, command: rest });
    }
    const p = command.policy;
    if (!isPlainPolicy(p)) {
      out.push({ change: `policy: ${describePolicy(p)} → ${describePolicy(PLAIN_POLICY)}`, command: { ...command, policy: PLAIN_POLICY } });
    }
  }
  return out;
}

/**
 * What shows the state of what a command acted on: the listing (X-Ray policies are account-wide), then a Put of
 * that name with its current revision id (refused unless the revision the target last returned is current).
 */
export function xrayObservers(command: XrayCommand): { reads: XrayCommand[]; writes: XrayCommand[] } {
  if (command.op === 'ListResourcePolicies' || command.op === 'Race') return { reads: [], writes: [] };
  const writes: XrayCommand[] = command.name.kind === 'slot' ? [{ op: 'PutResourcePolicy', name: command.name, policy: { kind: 'valid', variant: 2, whitespace: 0 }, revision: { kind: 'current' } }] : [];
  return { reads: [{ op: 'ListResourcePolicies' }], writes };
}

const NAME_A: XrayName = { kind: 'slot', slot: 'a' };

/** For each open question (switch) and value, the shortest sequence whose last answer tells the value from the default. */
export function xrayTargeted(switchName: string, value: string): XrayCommand[] | undefined {
  switch (switchName) {
    case 'xray.revisionFormat':
      return [{ op: 'PutResourcePolicy', name: NAME_A, policy: PLAIN_POLICY }];
    case 'xray.putValidationError':
      return [{ op: 'PutResourcePolicy', name: { kind: 'invalid', variant: 'space' }, policy: PLAIN_POLICY }];
    case 'xray.putRevisionWithoutPolicy':
      return [{ op: 'PutResourcePolicy', name: NAME_A, policy: PLAIN_POLICY, revision: { kind: 'random', value: '1234567890123' } }];
    case 'xray.identicalPolicy':
      return [
        { op: 'PutResourcePolicy', name: NAME_A, policy: PLAIN_POLICY },
        { op: 'PutResourcePolicy', name: NAME_A, policy: { kind: 'previous' } },
      ];
    case 'xray.listNextToken':
      return [{ op: 'ListResourcePolicies', nextToken: true }];
    case 'xray.deleteMissing':
      // "ok" differs from the default only when a revision is sent; the error codes only when none is.
      return value === 'ok' ? [{ op: 'DeleteResourcePolicy', name: NAME_A, revision: { kind: 'random', value: '1234567890123' } }] : [{ op: 'DeleteResourcePolicy', name: NAME_A }];
    case 'xray.policySizeLimit':
      // Accepted at the value's size, refused one byte over it (with a smaller limit than the default's 5120).
      return [
        { op: 'PutResourcePolicy', name: NAME_A, policy: { kind: 'sized', bytes: Number(value) } },
        { op: 'PutResourcePolicy', name: NAME_A, policy: { kind: 'sized', bytes: Number(value) + 1 } },
      ];
    default:
      return undefined;
  }
}
