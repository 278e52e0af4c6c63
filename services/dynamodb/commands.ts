import fc from 'fast-check';
import { focusedSequences } from '../../generators/focus.js';
import type { Consistency, Simplification } from '../../models/types.js';
import { documentRuleGen, isPlainPolicy, PLAIN_POLICY, type PolicyGen, type PolicyVocabulary, policyGen } from '../../generators/policy.js';
import { type RevisionChoice, revisionChoice } from '../../generators/revision.js';
import { eachWriteAlone, type RaceCommand, raceOf, withRaceAtEnd } from '../../generators/race.js';
import { isRealAccount, type Placement, type SafetyProfile, safePolicy } from '../../generators/safety.js';

/** Table slots: each sequence maps them to fresh table names. t0 has a stream and an index, t1 neither, t2 starts absent. */
export type DdbSlot = 't0' | 't1' | 't2';
/**
 * ARNs that name no table or stream of the caller. `bare-name`: t0's name alone; `wrong-case`: t0's table ARN with
 * the name upper-cased (a table that does not exist, spec §7.6).
 */
export type MalformedArn = 'not-an-arn' | 'no-table-name' | 'other-service' | 'empty' | 'too-long' | 'unknown-stream' | 'bare-name' | 'wrong-case';
/** What differs from the caller's own ARN for a slot's table (spec §7.6: all ValidationException). */
export type ForeignPart = 'account' | 'region' | 'partition';

export type DdbTarget =
  | { kind: 'table' | 'stream' | 'index'; slot: DdbSlot }
  /** The slot's table ARN with another account, region or partition. */
  | { kind: 'foreign'; slot: DdbSlot; differs: ForeignPart }
  | { kind: 'malformed'; variant: MalformedArn };

/** A required member of PutResourcePolicy left out, as a caller who omits it sends it. */
export type OmittedMember = 'ResourceArn' | 'Policy';

export type DdbPut = { op: 'PutResourcePolicy'; target: DdbTarget; policy: PolicyGen; expected?: RevisionChoice; confirm?: boolean; omit?: OmittedMember };
export type DdbDelete = { op: 'DeleteResourcePolicy'; target: DdbTarget; expected?: RevisionChoice };
/** What a race sends: Puts and Deletes conditioned on the same revision (all bound before any is sent). */
export type DdbRaceWrite = DdbPut | DdbDelete;

export type DdbCommand =
  | DdbPut
  | { op: 'GetResourcePolicy'; target: DdbTarget }
  | DdbDelete
  | { op: 'CreateTable'; slot: DdbSlot; stream: boolean; policy?: PolicyGen }
  | { op: 'DeleteTable'; slot: DdbSlot }
  | { op: 'Settle' }
  /** Conditional writes to one table sent at the same time (generators/race.ts). */
  | RaceCommand<DdbRaceWrite>;

const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'];
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
const POLICY_ACTIONS = ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'];

/** Documents for a table (and its malformed or foreign stand-ins). */
export const DDB_VOCABULARY: PolicyVocabulary = { actions: TABLE_ACTIONS, policyActions: POLICY_ACTIONS, foreignActions: STREAM_ACTIONS.slice(1, 2) };
/** Documents for a stream: stream actions only (table actions on a stream ARN are a ValidationException, spec §7.7). */
export const DDB_STREAM_VOCABULARY: PolicyVocabulary = { actions: STREAM_ACTIONS, policyActions: POLICY_ACTIONS, foreignActions: TABLE_ACTIONS.slice(0, 1) };

export const DDB_SIZE_LIMITS = [20480, 20000];

/** Created before every sequence, so most generated calls land on a resource that exists. */
export const DDB_SETUP: DdbCommand[] = [
  { op: 'CreateTable', slot: 't0', stream: true },
  { op: 'CreateTable', slot: 't1', stream: false },
];

const MALFORMED: readonly MalformedArn[] = ['not-an-arn', 'no-table-name', 'other-service', 'empty', 'too-long', 'unknown-stream', 'bare-name', 'wrong-case'];

/** Most calls of a sequence hit one table, so that calls interact; the others keep cross-resource mix-ups visible. */
function slotNear(focus: DdbSlot): fc.Arbitrary<DdbSlot> {
  return fc.oneof({ weight: 6, arbitrary: fc.constant(focus) }, { weight: 1, arbitrary: fc.constantFrom<DdbSlot>('t0', 't1', 't2') });
}

function targetNear(slot: fc.Arbitrary<DdbSlot>): fc.Arbitrary<DdbTarget> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('table' as const), slot }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('stream' as const), slot }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('index' as const), slot }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('malformed' as const), variant: fc.constantFrom(...MALFORMED) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('foreign' as const), slot, differs: fc.constantFrom<ForeignPart>('account', 'region', 'partition') }) },
  );
}

/** The shared document shapes, plus DynamoDB's own validation and equivalence shapes (spec §7.4, §7.7, §7.8). */
export function dynamodbPolicyGen(): fc.Arbitrary<PolicyGen> {
  return fc.oneof({ weight: 23, arbitrary: policyGen(DDB_SIZE_LIMITS) }, { weight: 7, arbitrary: documentRuleGen() });
}

export function dynamodbCommand(consistency: Consistency, focus: DdbSlot = 't0'): fc.Arbitrary<DdbCommand> {
  const slot = slotNear(focus);
  const target = targetNear(slot);
  const revision = fc.option(revisionChoice(['NO_POLICY']), { nil: undefined, freq: 3 });
  const policy = dynamodbPolicyGen();
  const options: fc.WeightedArbitrary<DdbCommand>[] = [
    {
      weight: 8,
      arbitrary: fc.record(
        { op: fc.constant('PutResourcePolicy' as const), target, policy, expected: revision, confirm: fc.boolean() },
        { requiredKeys: ['op', 'target', 'policy'] },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('PutResourcePolicy' as const),
        target,
        policy: fc.constant<PolicyGen>({ kind: 'valid', variant: 0, whitespace: 0 }),
        omit: fc.constantFrom<OmittedMember>('ResourceArn', 'Policy'),
      }),
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

/**
 * Two or three writes to one fixture table, all under one condition: ExpectedRevisionId NO_POLICY (at most one of
 * the Puts may attach), or the revision the sequence saw last (at most one may replace it). Documents differ, so
 * which write won shows in the revision and in later reads.
 */
export function dynamodbRace(): fc.Arbitrary<RaceCommand<DdbRaceWrite>> {
  const conditions: RevisionChoice[] = [{ kind: 'sentinel', value: 'NO_POLICY' }, { kind: 'current' }];
  const races = (['t0', 't1'] as const).flatMap((slot) =>
    conditions.map((expected) => {
      const target = { kind: 'table' as const, slot };
      const put = fc.record({
        op: fc.constant('PutResourcePolicy' as const),
        target: fc.constant(target),
        policy: fc.record({ kind: fc.constant('valid' as const), variant: fc.integer({ min: 0, max: 3 }), whitespace: fc.constant(0) }),
        expected: fc.constant(expected),
      });
      const remove = fc.constant<DdbRaceWrite>({ op: 'DeleteResourcePolicy', target, expected: { kind: 'current' } });
      // A Delete races only under a revision (NO_POLICY means nothing to a Delete).
      return raceOf<DdbRaceWrite>(expected.kind === 'current' ? fc.oneof({ weight: 4, arbitrary: put }, { weight: 1, arbitrary: remove }) : put);
    }),
  );
  return fc.oneof(...races);
}

export function dynamodbCommands(consistency: Consistency, maxCommands = 14, safety?: SafetyProfile): fc.Arbitrary<DdbCommand[]> {
  const sequences = withRaceAtEnd(focusedSequences<DdbSlot, DdbCommand>(['t0', 't1', 't2'], (focus) => dynamodbCommand(consistency, focus), maxCommands), dynamodbRace());
  // Mapped only under real-account: under `full` the arbitrary is the one it always was (same seed, same sequences).
  return isRealAccount(safety) ? sequences.map((commands) => commands.map((c) => safeDynamodbCommand(safety!, c))) : sequences;
}

/** Tables are the caller's own, and Block Public Access must refuse a public Allow on them (spec §1.5, §7.7). */
const DDB_PLACEMENT: Placement = { accountWide: false, rejectsPublic: true };

/** `command` as the safety profile allows it (generators/safety.ts): only its document may change. */
export function safeDynamodbCommand(safety: SafetyProfile, command: DdbCommand): DdbCommand {
  if (command.op === 'Race') return { ...command, writes: command.writes.map((w) => safeDynamodbCommand(safety, w) as DdbRaceWrite) };
  if (command.op === 'PutResourcePolicy') return { ...command, policy: safePolicy(safety, command.policy, DDB_PLACEMENT) };
  if (command.op === 'CreateTable' && command.policy) return { ...command, policy: safePolicy(safety, command.policy, DDB_PLACEMENT) };
  return command;
}

// ---------------------------------------------------------------------------------------------------------------
// Simplification: one field one step plainer (harness/service.ts ServiceAdapter.simplify).

export function describeTarget(t: DdbTarget): string {
  switch (t.kind) {
    case 'malformed':
      return `malformed ${t.variant}`;
    case 'foreign':
      return `${t.slot} of another ${t.differs}`;
    default:
      return `${t.kind} ${t.slot}`;
  }
}

export function describePolicyGen(p: PolicyGen): string {
  switch (p.kind) {
    case 'valid':
      return p.whitespace ? `valid ${p.variant} +${p.whitespace} spaces` : `valid ${p.variant}`;
    case 'sized':
      return `sized ${p.bytes}`;
    case 'malformed':
    case 'invalid':
    case 'lockout-scoped':
    case 'other-resource':
      return `${p.kind} ${p.variant}`;
    case 'restated':
      return `restated ${p.variant} ${p.form}`;
    default:
      return p.kind;
  }
}

function describeRevision(r: RevisionChoice): string {
  return r.kind === 'random' || r.kind === 'sentinel' ? `${r.kind} ${r.value}` : r.kind;
}

/** The plain table ARN of the same slot (malformed ARNs stand for t0, whose ARN they are derived from). */
/**
 * Plainer targets, plainest last: the slot's table (for a stream, an index, a foreign or malformed ARN), then t1 —
 * a table that exists from the start, with no stream and no policy.
 */
function plainTargets(t: DdbTarget): DdbTarget[] {
  const out: DdbTarget[] = [];
  const slot = t.kind === 'malformed' ? 't0' : t.slot;
  if (t.kind !== 'table') out.push({ kind: 'table', slot });
  if (slot !== 't1') out.push({ kind: 'table', slot: 't1' });
  return out;
}

/**
 * Pure: `command` made plainer in one field each, in a fixed order — omitted member → sent, target → the slot's
 * plain table or t1, policy → valid document 0, expected revision → none, confirm → absent, CreateTable's policy → none,
 * stream → false. Empty when there is nothing plainer.
 */
export function simplifyDynamodbCommand(command: DdbCommand): Simplification<DdbCommand>[] {
  const out: Simplification<DdbCommand>[] = [];
  const add = (change: string, next: DdbCommand) => out.push({ change, command: next });
  switch (command.op) {
    case 'PutResourcePolicy': {
      const { omit, ...sent } = command;
      if (omit) add(`${omit}: omitted → sent`, sent);
      for (const target of plainTargets(command.target)) add(`target: ${describeTarget(command.target)} → ${describeTarget(target)}`, { ...command, target });
      if (!isPlainPolicy(command.policy)) add(`policy: ${describePolicyGen(command.policy)} → valid`, { ...command, policy: PLAIN_POLICY });
      if (command.expected) {
        const { expected, ...rest } = command;
        add(`expected revision: ${describeRevision(expected)} → none`, rest);
      }
      if (command.confirm !== undefined) {
        const { confirm, ...rest } = command;
        add(`confirm: ${confirm} → absent`, rest);
      }
      break;
    }
    case 'GetResourcePolicy': {
      for (const target of plainTargets(command.target)) add(`target: ${describeTarget(command.target)} → ${describeTarget(target)}`, { ...command, target });
      break;
    }
    case 'DeleteResourcePolicy': {
      for (const target of plainTargets(command.target)) add(`target: ${describeTarget(command.target)} → ${describeTarget(target)}`, { ...command, target });
      if (command.expected) {
        const { expected, ...rest } = command;
        add(`expected revision: ${describeRevision(expected)} → none`, rest);
      }
      break;
    }
    case 'CreateTable':
      if (command.policy) {
        const { policy, ...rest } = command;
        add(`policy: ${describePolicyGen(policy)} → none`, rest);
      }
      if (command.stream) add('stream: true → false', { ...command, stream: false });
      break;
    case 'Race':
      for (const { change, command: write } of eachWriteAlone(command)) add(change, write);
      break;
    case 'DeleteTable':
    case 'Settle':
      break;
  }
  return out;
}

/**
 * What shows the state of what a command acted on: a Get of its table or stream, then a Put with NO_POLICY (refused
 * if a policy is there, an error if the table is not).
 */
export function dynamodbObservers(command: DdbCommand): { reads: DdbCommand[]; writes: DdbCommand[] } {
  const of = (target: DdbTarget) => ({
    reads: [{ op: 'GetResourcePolicy' as const, target }],
    writes: [{ op: 'PutResourcePolicy' as const, target, policy: { kind: 'valid' as const, variant: 2, whitespace: 0 }, expected: { kind: 'sentinel' as const, value: 'NO_POLICY' } }],
  });
  switch (command.op) {
    case 'PutResourcePolicy':
    case 'GetResourcePolicy':
    case 'DeleteResourcePolicy':
      return command.target.kind === 'table' || command.target.kind === 'stream' ? of(command.target) : { reads: [], writes: [] };
    case 'CreateTable':
    case 'DeleteTable':
      return of({ kind: 'table', slot: command.slot });
    case 'Settle':
    case 'Race':
      return { reads: [], writes: [] };
  }
}

/** For each open question (switch), the shortest sequence whose last answer it decides. */
export function dynamodbTargeted(switchName: string): DdbCommand[] | undefined {
  switch (switchName) {
    case 'ddb.createTableCheckOrder':
      // The premise first: an invalid ResourcePolicy on a free name is refused (a target that never checks it has no
      // check order to speak of). Then on t0's name (the fixture: taken): refused as invalid, or as taken.
      return [
        { op: 'CreateTable', slot: 't2', stream: false, policy: { kind: 'malformed', variant: 'not-json' } },
        { op: 'CreateTable', slot: 't0', stream: false, policy: { kind: 'malformed', variant: 'not-json' } },
      ];
    default:
      return undefined;
  }
}
