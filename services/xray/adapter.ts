import {
  DeleteResourcePolicyCommand,
  ListResourcePoliciesCommand,
  paginateListResourcePolicies,
  PutResourcePolicyCommand,
  type ResourcePolicy,
  XRayClient,
} from '@aws-sdk/client-xray';
import { renderPolicy } from '../../generators/policy.js';
import { DENY_OF_CALLER_REASON, isRealAccount, principalsFor, type SafetyProfile } from '../../generators/safety.js';
import { type RevisionMemory, rememberRevision, resolveRevision } from '../../generators/revision.js';
import { safeXrayCommand, simplifyXray, type XrayCommand, type XrayName, XRAY_FILL_SLOTS, XRAY_VOCABULARY, xrayCommands, xrayObservers, xraySetup, xrayTargeted } from './commands.js';
import { type XrayExistingPolicy, xrayInitialState, xrayModel } from './model.js';
import type { Json, JsonObject } from '../../models/types.js';
import type { CliHint } from '../../models/cli-hints.js';
import { isTimeout, observeError, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, tryCall } from '../../harness/adapter-kit.js';
import { createdKinds, keep, lifecycleOperations, type OperationTable, readOperations, type SequenceHooks, TableSequence } from '../../harness/operations.js';

const KNOWN_CODES = new Set([
  'InvalidPolicyRevisionIdException',
  'LockoutPreventionException',
  'MalformedPolicyDocumentException',
  'PolicyCountLimitExceededException',
  'PolicySizeLimitExceededException',
  'InvalidRequestException',
  'ValidationException',
  // X-Ray's ResourceNotFoundException is HTTP 404: a real answer, not a missing route.
  'ResourceNotFoundException',
  'AccessDeniedException',
]);

/** X-Ray's policy APIs reveal no account id, and its model needs none. */
const UNKNOWN_ACCOUNT = '000000000000';

/** The paginator follows NextToken; a target that keeps returning one must not hang discovery or cleanup. */
const MAX_PAGES = 20;

const CLEANUP_ATTEMPTS = 4;

/** Where the policy documents point: X-Ray resource policies are account-wide. */
const RESOURCE = '*';

/** A NextToken no listing issued ("not-issued"): a List with it shows how the target treats a token it cannot know. */
const UNISSUED_TOKEN = 'bm90LWlzc3VlZA';

/** One sequence's view of the world: its names, what the target returned so far, and how to reach the target. */
export interface XrayContext {
  client: XRayClient;
  prefix: string;
  /** The prefix of the fill policies (f0..f2): the sequence's own, or that of the sequence that made a lent fixture. */
  fixturePrefix: string;
  revisions: Map<string, RevisionMemory>;
  /** The document last sent under each name (what a `previous` policy sends again). */
  lastPolicy: Map<string, string>;
  /** Names that may hold a policy this sequence created: a Put succeeded or its outcome is unknown. */
  mayExist: Set<string>;
  /** The accounts documents grant to (the safety profile's). */
  principals: readonly string[];
}

/** restJson1 timestamps: the SDK gives a Date; the model sees epoch seconds. */
function flatten(p: ResourcePolicy): JsonObject {
  const t = p.LastUpdatedTime as unknown;
  return compact({
    PolicyName: p.PolicyName,
    PolicyDocument: p.PolicyDocument,
    PolicyRevisionId: p.PolicyRevisionId,
    LastUpdatedTime: t instanceof Date ? t.getTime() / 1000 : (t as Json | undefined),
  });
}

async function listAll(client: XRayClient): Promise<ResourcePolicy[]> {
  const all: ResourcePolicy[] = [];
  let pages = 0;
  for await (const page of paginateListResourcePolicies({ client }, {})) {
    all.push(...(page.ResourcePolicies ?? []));
    if (++pages >= MAX_PAGES) break;
  }
  return all;
}

/** Every name this sequence sends, except the empty one, starts with its prefix followed by '-' or '/' (or is a fill policy). */
function owns(ctx: XrayContext, name: string): boolean {
  return name.startsWith(`${ctx.prefix}-`) || name.startsWith(`${ctx.prefix}/`) || fillNames(ctx).includes(name);
}

/** The fill policies' names: the fixture a lent sequence keeps. */
function fillNames(ctx: XrayContext): string[] {
  return XRAY_FILL_SLOTS.map((slot) => `${ctx.fixturePrefix}-${slot}`);
}

/** Pure: whether `command` writes a fill policy (the fixture the pool lends): then the fixture is not kept. */
export function touchesFill(command: XrayCommand): boolean {
  if (command.op === 'Race') return command.writes.some(touchesFill);
  return (command.op === 'PutResourcePolicy' || command.op === 'DeleteResourcePolicy') && command.name.kind === 'slot' && XRAY_FILL_SLOTS.includes(command.name.slot);
}

/** The PolicyName a name choice stands for; undefined: the request leaves the member out (SDK v3 sends it so). */
function policyName(ctx: XrayContext, name: XrayName): string | undefined {
  const { prefix } = ctx;
  switch (name.kind) {
    case 'slot':
      return `${XRAY_FILL_SLOTS.includes(name.slot) ? ctx.fixturePrefix : prefix}-${name.slot}`;
    case 'longest':
      return `${prefix}-L`.padEnd(128, 'x');
    case 'invalid':
      switch (name.variant) {
        case 'space':
          return `${prefix}-a b`;
        case 'slash':
          return `${prefix}/a`;
        case 'unicode':
          return `${prefix}-é`;
        case 'too-long':
          return `${prefix}-L`.padEnd(129, 'x');
        case 'empty':
          return '';
        case 'missing':
          return undefined;
      }
  }
}

/** Every operation the X-Ray suite sends, one entry each (see harness/operations.ts). */
export const xrayOperations: OperationTable<XrayCommand, XrayContext> = {
  PutResourcePolicy: {
    creates: 'policy',
    // The fixture's resources are policies: the fill policies the setup puts (harness/execution.ts's pool).
    lifecycle: true,
    bind(command, ctx) {
      const name = policyName(ctx, command.name);
      const key = name ?? '';
      const doc = command.policy;
      const document = doc.kind === 'missing' ? undefined : doc.kind === 'blank' ? '' : renderPolicy(doc, RESOURCE, XRAY_VOCABULARY, ctx.lastPolicy.get(key), '', ctx.principals);
      return compact({
        PolicyName: name,
        PolicyDocument: document,
        PolicyRevisionId: command.revision && resolveRevision(command.revision, ctx.revisions.get(key)),
        BypassPolicyLockoutCheck: command.bypass,
      });
    },
    send: { command: PutResourcePolicyCommand, output: (out) => flatten((out.ResourcePolicy ?? {}) as ResourcePolicy) },
    learn(input, observation, ctx) {
      const name = String(input.PolicyName ?? '');
      // Whatever the answer: a `previous` document is the one last sent, accepted or not. An empty or missing
      // PolicyDocument is not a document (a rendered one is never empty).
      if (typeof input.PolicyDocument === 'string' && input.PolicyDocument !== '') ctx.lastPolicy.set(name, input.PolicyDocument);
      if (observation.kind === 'ok') {
        rememberRevision(ctx.revisions, name, observation.output.PolicyRevisionId as string | undefined);
        ctx.mayExist.add(name);
      } else if (observation.kind !== 'error') {
        ctx.mayExist.add(name);
      }
    },
    // The adapter reports the policy's members flattened; the CLI prints them under ResourcePolicy.
    cli: { outputPrefix: 'ResourcePolicy' },
  },
  ListResourcePolicies: {
    bind: (command) => compact({ NextToken: command.nextToken ? UNISSUED_TOKEN : undefined }),
    send: {
      command: ListResourcePoliciesCommand,
      output: (out) => compact({ ResourcePolicies: (out.ResourcePolicies as ResourcePolicy[] | undefined)?.map(flatten), NextToken: out.NextToken }),
    },
    learn(_input, observation, ctx) {
      if (observation.kind !== 'ok') return;
      const listed = new Map<string, string | undefined>();
      for (const p of (observation.output.ResourcePolicies as JsonObject[] | undefined) ?? []) {
        if (typeof p.PolicyName === 'string') listed.set(p.PolicyName, typeof p.PolicyRevisionId === 'string' ? p.PolicyRevisionId : undefined);
      }
      for (const known of ctx.revisions.keys()) if (!listed.has(known)) rememberRevision(ctx.revisions, known, undefined);
      for (const [n, rev] of listed) if (owns(ctx, n)) rememberRevision(ctx.revisions, n, rev);
    },
    read: true,
  },
  DeleteResourcePolicy: {
    bind(command, ctx) {
      const name = policyName(ctx, command.name);
      return compact({ PolicyName: name, PolicyRevisionId: command.revision && resolveRevision(command.revision, ctx.revisions.get(name ?? '')) });
    },
    send: { command: DeleteResourcePolicyCommand, output: keep() },
    learn(input, observation, ctx) {
      if (observation.kind !== 'ok') return;
      const name = String(input.PolicyName ?? '');
      rememberRevision(ctx.revisions, name, undefined);
      ctx.mayExist.delete(name);
    },
  },
};

/**
 * Delete exactly this sequence's policies: those it may have created (`mayExist`: a Put succeeded or its outcome is
 * unknown), then those a listing still shows under its prefix (a Put that answered an error yet created one, a
 * race's), until a listing shows none. Nothing without the prefix is ever touched. One listing in the usual case:
 * the deletes go first and the listing that confirms them is the one that would find what they missed. False when
 * the account's policies could not be confirmed free of this sequence's (they are account-wide).
 */
async function cleanup(ctx: XrayContext, keepFixture: boolean): Promise<boolean> {
  const { client } = ctx;
  const kept = new Set(keepFixture ? fillNames(ctx) : []);
  /** This sequence's policies a listing shows; undefined when the account could not be listed. */
  const listOurs = async (): Promise<string[] | undefined> => {
    for (let attempt = 0; attempt < CLEANUP_ATTEMPTS; attempt++) {
      try {
        return (await listAll(client)).flatMap((p) => (p.PolicyName && owns(ctx, p.PolicyName) && !kept.has(p.PolicyName) ? [p.PolicyName] : []));
      } catch (error) {
        // Not listable: nothing can be confirmed. Timed out: see `stalling` below.
        const outcome = observeError(error, KNOWN_CODES);
        if (outcome.kind !== 'fault' || isTimeout(outcome)) return undefined;
        await sleep(100 * 2 ** attempt);
      }
    }
    return undefined;
  };
  /** False: a delete timed out (the target may have stopped answering). */
  const removeOne = async (PolicyName: string): Promise<boolean> => {
    // A leftover would change the next sequence's account, so faults and throttles are retried here.
    for (let attempt = 0; attempt < CLEANUP_ATTEMPTS; attempt++) {
      const outcome = await tryCall(async () => {
        await client.send(new DeleteResourcePolicyCommand({ PolicyName }));
        return {};
      }, KNOWN_CODES);
      if (outcome.kind !== 'fault') break;
      // A call that timed out: each retry would wait out another request deadline (a stall that began in a
      // cleanup cost four deadlines before the run noticed it). Unconfirmed instead: the executor counts the
      // timeout and reads the account's policies again before the next sequence.
      if (isTimeout(outcome)) return false;
      await sleep(100 * 2 ** attempt);
    }
    return true;
  };
  // Policies of different names are independent: deleted at once (one round trip behind latency, not one each).
  // Whatever one of them did, the listing below is what confirms the account is free of this sequence's.
  const remove = async (names: Iterable<string>): Promise<boolean> => (await Promise.all([...names].map(removeOne))).every(Boolean);
  if (!(await remove([...ctx.mayExist].filter((n) => owns(ctx, n) && !kept.has(n))))) return false;
  // Confirmed only by a listing that shows none of ours left.
  for (let round = 0; round < CLEANUP_ATTEMPTS; round++) {
    const left = await listOurs();
    if (left === undefined) return false;
    if (left.length === 0) return true;
    if (!(await remove(left))) return false;
  }
  return false;
}

/** The setup tops the account up to the fill level, so it depends on how many policies the run found there. */
function hooks(existing: number): SequenceHooks<XrayCommand, XrayContext> {
  return {
    setup: xraySetup(existing),
    cleanup,
    // A sequence is kept only when it wrote no fill policy (`touchesFill`), so they are as the setup put them; the
    // policies it put under its own names go in its cleanup.
    reset: async () => true,
    idle: () => ({ operation: 'ListResourcePolicies', input: {} }),
  };
}

class XrayConnection implements Connection<XrayCommand> {
  private readonly client: XRayClient;
  private existing = 0;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly safety?: SafetyProfile,
  ) {
    this.client = new XRayClient(clientConfig(endpoint));
  }

  /** The policies already in the account: the model starts from them (they count towards the limit of 5). */
  async discover(_runPrefix: string) {
    try {
      const existing: XrayExistingPolicy[] = (await listAll(this.client)).map((p) => ({
        PolicyName: p.PolicyName ?? '',
        PolicyDocument: p.PolicyDocument ?? '',
        PolicyRevisionId: p.PolicyRevisionId ?? '',
      }));
      this.existing = existing.length;
      return { identity: { account: UNKNOWN_ACCOUNT, region: this.endpoint.region }, initialState: xrayInitialState(existing), answered: ['ListResourcePolicies'] };
    } catch (error) {
      const failure = observeError(error, KNOWN_CODES);
      return { failure: failure.kind === 'fault' || failure.kind === 'unsupported' ? { ...failure, reason: `ListResourcePolicies${failure.status ? ` (HTTP ${failure.status})` : ''}: ${failure.reason}` } : failure };
    }
  }

  /** The account's policies now (a leftover of an unconfirmed cleanup among them): the model starts from them. */
  async resync() {
    const again = await this.discover('');
    return 'failure' in again ? again : { initialState: again.initialState };
  }

  sequence(namePrefix: string, identity: TargetIdentity, fixturePrefix = namePrefix): Sequence<XrayCommand> {
    // X-Ray's discovery cannot learn the account: under real-account the profile's callerAccount names it.
    const principals = principalsFor(this.safety, identity.account);
    const ctx: XrayContext = { client: this.client, prefix: namePrefix, fixturePrefix, revisions: new Map(), lastPolicy: new Map(), mayExist: new Set(), principals };
    return new TableSequence(xrayOperations, this.client, KNOWN_CODES, ctx, hooks(this.existing));
  }

  close(): void {
    this.client.destroy();
  }
}

export const xrayAdapter: ServiceAdapter<XrayCommand> = {
  service: 'xray',
  accountWide: true,
  model: xrayModel as ServiceAdapter['model'],
  createdKinds: createdKinds(xrayOperations),
  readOperations: readOperations(xrayOperations),
  lifecycleOperations: lifecycleOperations(xrayOperations),
  touchesFixture: touchesFill,
  commands: (consistency, safety) => xrayCommands(consistency, undefined, safety),
  safeCommand: (safety, command) => safeXrayCommand(safety, command),
  unreachableUnder: (safety) => (isRealAccount(safety) ? [{ rule: 'xray.policy.lockout', reason: `${DENY_OF_CALLER_REASON}; X-Ray policies are account-wide as well` }] : []),
  connect: (endpoint, { safety }) => new XrayConnection(endpoint, safety),
  simplify: simplifyXray,
  targeted: xrayTargeted,
  observers: xrayObservers,
};
