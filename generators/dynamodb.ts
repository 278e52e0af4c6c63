import fc from 'fast-check';
import type { Consistency } from '../models/types.js';
import { type PolicyGen, type PolicyVocabulary, policyGen } from './policy.js';
import { type RevisionChoice, revisionChoice } from './revision.js';

/** Table slots: each sequence maps them to fresh table names. t0 has a stream and an index, t1 neither, t2 starts absent. */
export type DdbSlot = 't0' | 't1' | 't2';
export type MalformedArn = 'not-an-arn' | 'no-table-name' | 'other-service' | 'empty' | 'too-long' | 'unknown-stream';

export type DdbTarget = { kind: 'table' | 'stream' | 'index'; slot: DdbSlot } | { kind: 'malformed'; variant: MalformedArn };

export type DdbCommand =
  | { op: 'PutResourcePolicy'; target: DdbTarget; policy: PolicyGen; expected?: RevisionChoice; confirm?: boolean }
  | { op: 'GetResourcePolicy'; target: DdbTarget }
  | { op: 'DeleteResourcePolicy'; target: DdbTarget; expected?: RevisionChoice }
  | { op: 'CreateTable'; slot: DdbSlot; stream: boolean; policy?: PolicyGen }
  | { op: 'DeleteTable'; slot: DdbSlot }
  | { op: 'Settle' };

export const DDB_VOCABULARY: PolicyVocabulary = {
  actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
  policyActions: ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'],
};

export const DDB_SIZE_LIMITS = [20480, 20000];

/** Created before every sequence, so most generated calls land on a resource that exists. */
export const DDB_SETUP: DdbCommand[] = [
  { op: 'CreateTable', slot: 't0', stream: true },
  { op: 'CreateTable', slot: 't1', stream: false },
];

/** Most calls of a sequence hit one table, so that calls interact; the others keep cross-resource mix-ups visible. */
function slotNear(focus: DdbSlot): fc.Arbitrary<DdbSlot> {
  return fc.oneof({ weight: 6, arbitrary: fc.constant(focus) }, { weight: 1, arbitrary: fc.constantFrom<DdbSlot>('t0', 't1', 't2') });
}

function targetNear(slot: fc.Arbitrary<DdbSlot>): fc.Arbitrary<DdbTarget> {
  return fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('table' as const), slot }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('stream' as const), slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('index' as const), slot }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('malformed' as const),
      variant: fc.constantFrom<MalformedArn>('not-an-arn', 'no-table-name', 'other-service', 'empty', 'too-long', 'unknown-stream'),
    }),
  },
  );
}

export function dynamodbCommand(consistency: Consistency, focus: DdbSlot = 't0'): fc.Arbitrary<DdbCommand> {
  const slot = slotNear(focus);
  const target = targetNear(slot);
  const revision = fc.option(revisionChoice(['NO_POLICY']), { nil: undefined, freq: 3 });
  const policy = policyGen(DDB_SIZE_LIMITS);
  const options: fc.WeightedArbitrary<DdbCommand>[] = [
    {
      weight: 8,
      arbitrary: fc.record(
        { op: fc.constant('PutResourcePolicy' as const), target, policy, expected: revision, confirm: fc.boolean() },
        { requiredKeys: ['op', 'target', 'policy'] },
      ),
    },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('GetResourcePolicy' as const), target }) },
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constant('DeleteResourcePolicy' as const), target, expected: revision }, { requiredKeys: ['op', 'target'] }),
    },
    {
      weight: 4,
      arbitrary: fc.record(
        { op: fc.constant('CreateTable' as const), slot, stream: fc.boolean(), policy: fc.option(policy, { nil: undefined, freq: 2 }) },
        { requiredKeys: ['op', 'slot', 'stream'] },
      ),
    },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('DeleteTable' as const), slot }) },
  ];
  if (consistency === 'eventual') options.push({ weight: 2, arbitrary: fc.constant({ op: 'Settle' as const }) });
  return fc.oneof(...options);
}

export function dynamodbCommands(consistency: Consistency, maxCommands = 14): fc.Arbitrary<DdbCommand[]> {
  return fc
    .constantFrom<DdbSlot>('t0', 't1', 't2')
    .chain((focus) => fc.array(dynamodbCommand(consistency, focus), { minLength: 1, maxLength: maxCommands, size: 'max' }));
}
