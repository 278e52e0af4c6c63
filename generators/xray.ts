import fc from 'fast-check';
import type { Consistency } from '../models/types.js';
import { type PolicyGen, type PolicyVocabulary, policyGen } from './policy.js';
import { type RevisionChoice, revisionChoice } from './revision.js';

/**
 * Policy-name slots: each sequence maps them to names carrying its prefix (X-Ray policies are account-wide, so
 * the harness never touches a name without it). f0..f2 are the fill slots the setup creates; a, b, c start absent.
 */
export type XraySlot = 'a' | 'b' | 'c' | 'f0' | 'f1' | 'f2';
export const XRAY_FILL_SLOTS: readonly XraySlot[] = ['f0', 'f1', 'f2'];
const GENERATED_SLOTS: readonly XraySlot[] = ['a', 'b', 'c'];

/**
 * Names outside the PolicyName constraints (1..128 of [\w+=,.@-]). All but 'empty' still start with the
 * sequence's prefix, so a target that wrongly accepts them leaves nothing cleanup cannot find; 'empty' is only
 * ever sent to DeleteResourcePolicy, which creates nothing.
 */
export type BadName = 'space' | 'slash' | 'unicode' | 'too-long' | 'empty';

export type XrayName =
  | { kind: 'slot'; slot: XraySlot }
  /** A valid name of exactly 128 characters (the upper edge of the length limit). */
  | { kind: 'longest' }
  | { kind: 'invalid'; variant: BadName };

/** A policy document, or the empty string (a missing required value rather than a malformed policy). */
export type XrayDoc = PolicyGen | { kind: 'blank' };

export type XrayCommand =
  | { op: 'PutResourcePolicy'; name: XrayName; policy: XrayDoc; revision?: RevisionChoice; bypass?: boolean }
  | { op: 'ListResourcePolicies'; nextToken?: boolean }
  | { op: 'DeleteResourcePolicy'; name: XrayName; revision?: RevisionChoice };

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
  const bad: BadName[] = ['space', 'slash', 'unicode', 'too-long', ...(allowEmpty ? (['empty'] as const) : [])];
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'slot' as const, slot: focus }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('slot' as const), slot: fc.constantFrom(...GENERATED_SLOTS) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('slot' as const), slot: fc.constantFrom(...XRAY_FILL_SLOTS) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'longest' as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalid' as const), variant: fc.constantFrom(...bad) }) },
  );
}

function docGen(): fc.Arbitrary<XrayDoc> {
  return fc.oneof({ weight: 25, arbitrary: policyGen(XRAY_SIZE_LIMITS) }, { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) });
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
export function xrayCommands(consistency: Consistency, maxCommands = 12): fc.Arbitrary<XrayCommand[]> {
  return fc
    .constantFrom<XraySlot>('a', 'b', 'f0')
    .chain((focus) => fc.array(xrayCommand(consistency, focus), { minLength: 1, maxLength: maxCommands, size: 'max' }));
}
