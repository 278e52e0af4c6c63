import {
  DeleteParameterCommand,
  DeleteResourcePolicyCommand,
  GetParameterCommand,
  GetResourcePoliciesCommand,
  type GetResourcePoliciesResponseEntry,
  paginateGetResourcePolicies,
  PutParameterCommand,
  PutResourcePolicyCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { renderPolicy } from '../../generators/policy.js';
import { isRealAccount, principalsFor, type SafetyProfile } from '../../generators/safety.js';
import { AWS_PRICES } from '../../models/aws-prices.js';
import {
  type HashChoice,
  type IdChoice,
  type PageChoice,
  type PolicyRef,
  SSM_OPS_VOCABULARY,
  SSM_PARAMETER_VOCABULARY,
  SSM_SETUP,
  type SsmCommand,
  type SsmPolicyGen,
  type SsmSlot,
  type SsmTarget,
  ssmCommands,
  simplifySsm,
  ssmObservers,
  ssmTargeted,
  safeSsmCommand,
  touchesOpsItemGroup,
} from './commands.js';
import { opsItemGroupArn, parameterArn, type SsmExistingPolicy, ssmInitialState, ssmModel, type SsmState } from './model.js';
import type { JsonObject, Observation } from '../../models/types.js';
import type { CliHint } from '../../models/cli-hints.js';
import { isTimeout, observeError, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, removeConfirmed, tryCall, withReadRetries } from '../../harness/adapter-kit.js';
import { policyMarked, RUN_TAG_KEY } from '../../harness/sweep.js';
import { createdKinds, fixtureSlots, keep, lifecycleOperations, type OperationTable, readOperations, type SequenceHooks, type SlotNaming, slotPrefix, TableSequence } from '../../harness/operations.js';

const KNOWN_CODES = new Set([
  'ResourcePolicyInvalidParameterException',
  'ResourcePolicyConflictException',
  'ResourcePolicyLimitExceededException',
  'ResourcePolicyNotFoundException',
  'MalformedResourcePolicyDocumentException',
  'ResourceNotFoundException',
  'ValidationException',
  'InvalidNextToken',
  'ParameterAlreadyExists',
  'ParameterNotFound',
  'ParameterLimitExceeded',
  'AccessDeniedException',
]);

/** A listing that has not ended after this many pages is reported as unfinished (NextToken still set). */
const MAX_PAGES = 100;
const CLEANUP_ATTEMPTS = 3;

/** A policy this sequence created: the only kind whose PolicyId it ever sends. */
interface MyPolicy {
  arn: string;
  id: string;
  /** Every hash seen for it, oldest first; `current` is the latest. */
  hashes: string[];
  current: string;
  doc: string;
  gone: boolean;
}

/** One sequence's view of the world: its names, what the target returned so far, and how to reach the target. */
export interface SsmContext extends SlotNaming {
  client: SSMClient;
  identity: TargetIdentity;
  /** Ids of the OpsItemGroup policies that were there before the run: never touched. */
  foreign: ReadonlySet<string>;
  /** What the run learnt about the OpsItemGroup listing: a target that cannot list it has no policies to clean up. */
  listing: { unsupported: boolean };
  mine: MyPolicy[];
  /** The document last sent to each ResourceArn (what a `previous` policy sends again). */
  lastPolicy: Map<string, string>;
  /** The accounts documents grant to (the safety profile's). */
  principals: readonly string[];
  /** The last NextToken each resource returned (dropped when a page ends its listing). */
  tokens: Map<string, string>;
  /** Parameters this sequence may have created (cleanup deletes them). */
  created: Set<string>;
  /** Documents of OpsItemGroup creates whose answer was lost: such a policy may exist and is ours. */
  pendingOps: string[];
}

function entryOf(e: GetResourcePoliciesResponseEntry): JsonObject {
  return compact({ PolicyId: e.PolicyId, PolicyHash: e.PolicyHash, Policy: e.Policy });
}

/**
 * Every policy of a resource, following NextToken with the SDK paginator: `{Policies}`, no NextToken. Without a
 * ResourceArn the request leaves the required member out (SDK v3 does not enforce it).
 */
async function fullListing(client: SSMClient, ResourceArn: string | undefined): Promise<JsonObject> {
  const policies: JsonObject[] = [];
  let pages = 0;
  for await (const page of paginateGetResourcePolicies({ client }, compact({ ResourceArn }) as { ResourceArn: string })) {
    policies.push(...(page.Policies ?? []).map(entryOf));
    if (++pages >= MAX_PAGES && page.NextToken) return { Policies: policies, NextToken: page.NextToken };
  }
  return { Policies: policies };
}

/** A GetResourcePolicies input that asks for one raw page (MaxResults or NextToken), not the full listing. */
function isRawPage(input: JsonObject): boolean {
  return input.MaxResults !== undefined || input.NextToken !== undefined;
}

function parameterName(ctx: SsmContext, slot: SsmSlot): string {
  return `/${slotPrefix(ctx, slot, SSM_FIXTURE)}/${slot}`;
}

/** The fixture's parameters of this sequence (what the pool keeps). */
function fixtureParameters(ctx: SsmContext): string[] {
  return [...SSM_FIXTURE].map((slot) => parameterName(ctx, slot as SsmSlot));
}

function opsArn(ctx: SsmContext): string {
  return opsItemGroupArn(ctx.identity);
}

/** The ResourceArn a target stands for; undefined: the request leaves the member out (SDK v3 sends it so). */
function targetArn(ctx: SsmContext, target: SsmTarget): string | undefined {
  const { identity } = ctx;
  switch (target.kind) {
    case 'parameter':
      return parameterArn(identity, parameterName(ctx, target.slot));
    case 'opsitemgroup':
      return opsArn(ctx);
    case 'malformed': {
      const p0 = parameterName(ctx, 'p0').slice(1);
      switch (target.variant) {
        case 'missing':
          return undefined;
        case 'too-short':
          return 'arn:aws:ssm:x';
        case 'too-long':
          return `${parameterArn(identity, parameterName(ctx, 'p0'))}/${'x'.repeat(2100)}`.slice(0, 2049);
        case 'other-resource-type':
          return `arn:aws:ssm:${identity.region}:${identity.account}:document/${ctx.prefix}-doc`;
        case 'other-region': {
          const region = identity.region === 'us-west-2' ? 'eu-west-1' : 'us-west-2';
          return `arn:aws:ssm:${region}:${identity.account}:parameter/${p0}`;
        }
        case 'other-account': {
          const account = identity.account === '111122223333' ? '444455556666' : '111122223333';
          return `arn:aws:ssm:${identity.region}:${account}:parameter/${p0}`;
        }
        case 'other-partition':
          return `arn:aws-cn:ssm:${identity.region}:${identity.account}:parameter/${p0}`;
        case 'empty':
          return '';
      }
    }
  }
}

function minePolicies(ctx: SsmContext, arn: string): MyPolicy[] {
  return ctx.mine.filter((p) => p.arn === arn);
}

/** The policy a choice names (its own resource's first, else any this sequence created) and the id to send. */
function resolveId(ctx: SsmContext, arn: string, choice: IdChoice): { policy?: MyPolicy; id?: string } {
  const own = minePolicies(ctx, arn);
  switch (choice.kind) {
    case 'omitted':
      return { policy: own[0] };
    case 'random':
      return { policy: own[0], id: choice.value };
    case 'mine': {
      const pool = own.length ? own : ctx.mine;
      const policy = pool[choice.pick % Math.max(1, pool.length)];
      return { policy, id: policy?.id ?? 'never-issued-policy-id' };
    }
  }
}

function resolveHash(ctx: SsmContext, policy: MyPolicy | undefined, choice: HashChoice): string | undefined {
  switch (choice.kind) {
    case 'omitted':
      return undefined;
    case 'random':
      return choice.value;
    case 'current':
      return policy?.current ?? 'never-issued-policy-hash';
    case 'stale': {
      const older = policy?.hashes.filter((h) => h !== policy.current) ?? [];
      if (older.length) return older.at(-1);
      const other = ctx.mine.find((p) => p !== policy && p.current !== policy?.current);
      return other?.current ?? '0'.repeat(64);
    }
  }
}

function resolveRef(ctx: SsmContext, arn: string, ref: PolicyRef): { policy?: MyPolicy; PolicyId?: string; PolicyHash?: string } {
  const { policy, id } = resolveId(ctx, arn, ref.id);
  return { policy, PolicyId: id, PolicyHash: resolveHash(ctx, policy, ref.hash) };
}

function renderDoc(ctx: SsmContext, gen: SsmPolicyGen, target: SsmTarget, arn: string, named: MyPolicy | undefined): string {
  if (gen.kind === 'blank') return '   ';
  const resource = target.kind === 'malformed' ? parameterArn(ctx.identity, parameterName(ctx, 'p0')) : arn;
  const vocabulary = target.kind === 'opsitemgroup' ? SSM_OPS_VOCABULARY : SSM_PARAMETER_VOCABULARY;
  // "previous" for an update: the document the named policy holds, so an identical update is reachable.
  const previous = named && named.arn === arn && !named.gone ? named.doc : ctx.lastPolicy.get(arn);
  // On the OpsItemGroup, shared with the account and other runs, the statements' Sids carry the run's mark.
  return renderPolicy(gen, resource, vocabulary, previous, target.kind === 'opsitemgroup' ? ctx.prefix : '', ctx.principals);
}

function pageToken(ctx: SsmContext, arn: string, page: PageChoice): string | undefined {
  const choice = page.token;
  if (!choice) return undefined;
  if (choice.kind === 'random') return choice.value;
  if (choice.kind === 'last') return ctx.tokens.get(arn);
  return [...ctx.tokens.entries()].reverse().find(([other]) => other !== arn)?.[1];
}

function remember(policy: MyPolicy, hash: string, doc: string): void {
  policy.current = hash;
  policy.doc = doc;
  policy.gone = false;
  if (!policy.hashes.includes(hash)) policy.hashes.push(hash);
}

/** Every operation the SSM suite sends, one entry each (see harness/operations.ts). */
export const ssmOperations: OperationTable<SsmCommand, SsmContext> = {
  PutResourcePolicy: {
    creates: 'policy',
    bind(command, ctx) {
      const arn = targetArn(ctx, command.target);
      const key = arn ?? '';
      const ref = command.ref ? resolveRef(ctx, key, command.ref) : {};
      const policy = renderDoc(ctx, command.policy, command.target, key, ref.policy);
      return compact({ ResourceArn: arn, Policy: policy, PolicyId: ref.PolicyId, PolicyHash: ref.PolicyHash });
    },
    send: { command: PutResourcePolicyCommand, output: keep('PolicyId', 'PolicyHash') },
    learn(input, observation, ctx) {
      const arn = String(input.ResourceArn ?? '');
      const doc = String(input.Policy);
      // Whatever the answer: a `previous` document is the one last sent, accepted or not.
      ctx.lastPolicy.set(arn, doc);
      if (observation.kind !== 'ok') {
        // A lost Put may have created a policy on the shared OpsItemGroup: cleanup looks for its document.
        if (observation.kind === 'fault' && arn === opsArn(ctx)) ctx.pendingOps.push(doc);
        return;
      }
      const id = observation.output.PolicyId;
      const hash = observation.output.PolicyHash;
      if (typeof id !== 'string' || typeof hash !== 'string') {
        if (arn === opsArn(ctx)) ctx.pendingOps.push(doc);
        return;
      }
      const known = ctx.mine.find((p) => p.arn === arn && p.id === id);
      if (known) remember(known, hash, doc);
      // Whatever was asked, a Put that answers with an id never seen created that policy (a buggy target may
      // create on a partial update): it is this sequence's, and cleanup must remove it.
      else if (!ctx.foreign.has(id)) ctx.mine.push({ arn, id, hashes: [hash], current: hash, doc, gone: false });
    },
  },
  GetResourcePolicies: {
    bind(command, ctx) {
      const arn = targetArn(ctx, command.target);
      if (!command.page) return compact({ ResourceArn: arn });
      return compact({ ResourceArn: arn, MaxResults: command.page.max, NextToken: pageToken(ctx, arn ?? '', command.page) });
    },
    // Decided on the input, not the command: a page whose `last` token the sequence has not seen yet carries
    // neither member, and is sent (and judged) as the full listing.
    async send(input, ctx) {
      if (!isRawPage(input)) return fullListing(ctx.client, typeof input.ResourceArn === 'string' ? input.ResourceArn : undefined);
      const out = await ctx.client.send(new GetResourcePoliciesCommand(input as never));
      return compact({ Policies: out.Policies?.map(entryOf), NextToken: out.NextToken });
    },
    learn(input, observation, ctx) {
      if (observation.kind !== 'ok') return;
      const arn = String(input.ResourceArn ?? '');
      const out = observation.output;
      const listed = Array.isArray(out.Policies) ? (out.Policies as JsonObject[]) : [];
      for (const e of listed) {
        const id = e.PolicyId;
        const hash = e.PolicyHash;
        const doc = e.Policy;
        if (typeof id !== 'string' || typeof hash !== 'string' || typeof doc !== 'string') continue;
        const known = ctx.mine.find((p) => p.arn === arn && p.id === id);
        if (known) remember(known, hash, doc);
        else if (arn === opsArn(ctx) && !ctx.foreign.has(id) && ctx.pendingOps.includes(doc)) {
          ctx.pendingOps.splice(ctx.pendingOps.indexOf(doc), 1);
          ctx.mine.push({ arn, id, hashes: [hash], current: hash, doc, gone: false });
        }
      }
      if (isRawPage(input)) {
        if (typeof out.NextToken === 'string') ctx.tokens.set(arn, out.NextToken);
        else ctx.tokens.delete(arn);
      }
    },
    read: true,
  },
  DeleteResourcePolicy: {
    bind(command, ctx) {
      const arn = targetArn(ctx, command.target);
      const { PolicyId, PolicyHash } = resolveRef(ctx, arn ?? '', command.ref);
      return compact({ ResourceArn: arn, PolicyId, PolicyHash });
    },
    send: { command: DeleteResourcePolicyCommand, output: keep() },
    learn(input, observation, ctx) {
      if (observation.kind !== 'ok') return;
      const known = ctx.mine.find((p) => p.arn === String(input.ResourceArn ?? '') && p.id === input.PolicyId);
      if (known) known.gone = true;
    },
  },
  PutParameter: {
    creates: 'parameter',
    lifecycle: true,
    bind: (command, ctx) =>
      compact({
        Name: parameterName(ctx, command.slot),
        Value: 'v',
        Type: 'String',
        Tier: command.tier,
        Overwrite: command.overwrite,
        // AWS refuses tags together with Overwrite: such a parameter carries only the name's mark.
        Tags: command.overwrite ? undefined : [{ Key: RUN_TAG_KEY, Value: slotPrefix(ctx, command.slot, SSM_FIXTURE) }],
      }),
    send: { command: PutParameterCommand, output: keep('Version', 'Tier') },
    // Whatever the answer: a call that faulted may still have created the parameter, and cleanup must delete it.
    learn(input, _observation, ctx) {
      ctx.created.add(String(input.Name));
    },
  },
  DeleteParameter: {
    lifecycle: true,
    bind: (command, ctx) => ({ Name: parameterName(ctx, command.slot) }),
    send: { command: DeleteParameterCommand, output: keep() },
    learn(input, observation, ctx) {
      if (observation.kind !== 'ok') return;
      for (const p of minePolicies(ctx, parameterArn(ctx.identity, String(input.Name)))) p.gone = true;
    },
  },
};

/** The slots the fixture's parameters fill (p0, p1). */
const SSM_FIXTURE = fixtureSlots(SSM_SETUP, lifecycleOperations(ssmOperations));

const hooks: SequenceHooks<SsmCommand, SsmContext> = {
  setup: SSM_SETUP,
  /**
   * Deletes the parameters this sequence created and the OpsItemGroup policies it created (by PolicyId, with the
   * hash the target lists now). The OpsItemGroup is shared by every sequence and by the account, so it must end
   * exactly as it started: a policy this sequence did not create is never deleted. False when the OpsItemGroup
   * (account-wide) could not be confirmed free of this sequence's policies.
   */
  async cleanup(ctx, keepFixture) {
    const { client } = ctx;
    const kept = new Set(keepFixture ? fixtureParameters(ctx) : []);
    await Promise.all([...ctx.created].filter((name) => !kept.has(name)).map((Name) => client.send(new DeleteParameterCommand({ Name })).catch(() => undefined)));
    const ops = opsArn(ctx);
    if (!ctx.mine.some((p) => p.arn === ops && !p.gone) && ctx.pendingOps.length === 0) return true;
    // The policy operations are not implemented (moto): a Put that "failed" there did nothing to clean up.
    if (ctx.listing.unsupported) return true;
    for (let attempt = 0; attempt < CLEANUP_ATTEMPTS; attempt++) {
      let listed: JsonObject[];
      try {
        listed = (await withReadRetries(() => fullListing(client, ops))).Policies as JsonObject[];
      } catch (error) {
        // Timed out: the target may have stopped answering; another attempt would wait out another deadline.
        if (isTimeout(observeError(error, KNOWN_CODES))) return false;
        await sleep(100 * 2 ** attempt);
        continue;
      }
      const ours = listed.filter((e) => {
        const id = String(e.PolicyId);
        if (ctx.foreign.has(id)) return false;
        return ctx.mine.some((p) => p.arn === ops && p.id === id) || ctx.pendingOps.includes(String(e.Policy));
      });
      if (ours.length === 0) return true;
      for (const e of ours) {
        await client.send(new DeleteResourcePolicyCommand({ ResourceArn: ops, PolicyId: String(e.PolicyId), PolicyHash: String(e.PolicyHash) })).catch(() => undefined);
      }
    }
    return false;
  },
  idle: (ctx) => ({ operation: 'GetResourcePolicies', input: { ResourceArn: parameterArn(ctx.identity, `/${ctx.prefix}/idle`) } }),
  /** Every policy on the parameters the sequence sent one to (its fixture's included) deleted, confirmed by an empty listing. */
  async reset(ctx) {
    const own = new Set(fixtureParameters(ctx).map((name) => parameterArn(ctx.identity, name)));
    const arns = [...ctx.lastPolicy.keys()].filter((arn) => own.has(arn));
    const results = await Promise.all(
      arns.map((ResourceArn) => {
        const listed = async () => (await fullListing(ctx.client, ResourceArn)).Policies as JsonObject[];
        return removeConfirmed(
          async () => {
            for (const e of await listed()) {
              await ctx.client.send(new DeleteResourcePolicyCommand({ ResourceArn, PolicyId: String(e.PolicyId), PolicyHash: String(e.PolicyHash) }));
            }
          },
          () => false,
          async () => (await listed()).length === 0,
          2000,
        );
      }),
    );
    return results.every(Boolean);
  },
};

/** The OpsItemGroup held, when discovery read it, a policy without the suite's mark (harness/sweep.ts policyMarked). */
function opsItemGroupForeign(initial: unknown): boolean {
  return ((initial as SsmState | undefined)?.opsItemGroup ?? []).some((p) => !policyMarked(p.doc));
}

class SsmConnection implements Connection<SsmCommand> {
  private readonly client: SSMClient;
  private foreign: ReadonlySet<string> = new Set();
  private identity: TargetIdentity | undefined;
  private readonly listing = { unsupported: false };

  constructor(
    endpoint: Endpoint,
    private readonly safety?: SafetyProfile,
  ) {
    this.client = new SSMClient(clientConfig(endpoint));
  }

  /**
   * Learns account and region from a probe parameter's ARN, then reads the OpsItemGroup's policies: they are
   * account-wide state the run must start from (and leave alone). A target without the policy operations
   * (an emulator) still runs, so the report lists which operations it lacks.
   */
  async discover(runPrefix: string) {
    const Name = `/${runPrefix}/probe`;
    let identity: TargetIdentity;
    try {
      await this.client.send(new PutParameterCommand({ Name, Value: 'probe', Type: 'String' }));
      const { Parameter } = await withReadRetries(() => this.client.send(new GetParameterCommand({ Name })));
      const match = /^arn:aws[a-z-]*:ssm:([^:]+):(\d{12}):parameter\//.exec(Parameter?.ARN ?? '');
      if (!match) return { failure: { kind: 'fault' as const, reason: `GetParameter returned no usable ARN (${Parameter?.ARN})` } };
      identity = { region: match[1]!, account: match[2]! };
    } catch (error) {
      return { failure: observeError(error, KNOWN_CODES) };
    } finally {
      await this.client.send(new DeleteParameterCommand({ Name })).catch(() => undefined);
    }
    this.identity = identity;
    return this.readOpsItemGroup(identity);
  }

  private async failsTheSameWay(identity: TargetIdentity, first: Observation): Promise<boolean> {
    if (first.kind !== 'fault' || (first.cause !== 'server-error' && first.cause !== 'unparseable')) return false;
    for (let i = 0; i < 2; i++) {
      const again = await tryCall(() => fullListing(this.client, opsItemGroupArn(identity)), KNOWN_CODES);
      if (again.kind !== 'fault' || again.status !== first.status || again.reason !== first.reason) return false;
    }
    return true;
  }

  /** The OpsItemGroup's policies now (a leftover of an unconfirmed cleanup among them): the model starts from them. */
  async resync() {
    if (!this.identity) return { failure: { kind: 'fault' as const, reason: 'resync before discovery' } };
    const again = await this.readOpsItemGroup(this.identity);
    return 'failure' in again ? again : { initialState: again.initialState };
  }

  private async readOpsItemGroup(identity: TargetIdentity) {
    let existing: SsmExistingPolicy[] = [];
    try {
      const { Policies } = await withReadRetries(() => fullListing(this.client, opsItemGroupArn(identity)));
      existing = (Policies as JsonObject[]).map((e) => ({ PolicyId: String(e.PolicyId), PolicyHash: String(e.PolicyHash), Policy: String(e.Policy) }));
    } catch (error) {
      const observation = observeError(error, KNOWN_CODES);
      // A target without the policy operations answers "unsupported" — or, like moto, a server error page every
      // time: the run then finds the operations never answer and reports them unsupported. A server error that is
      // not the same each time is a fault.
      if (observation.kind !== 'unsupported' && !(await this.failsTheSameWay(identity, observation))) return { failure: observation };
      this.listing.unsupported = true;
    }
    this.foreign = new Set(existing.map((p) => p.PolicyId));
    return { identity, initialState: ssmInitialState(existing), answered: ['PutParameter'] };
  }

  sequence(namePrefix: string, identity: TargetIdentity, fixturePrefix = namePrefix): Sequence<SsmCommand> {
    const ctx: SsmContext = {
      client: this.client,
      prefix: namePrefix,
      fixturePrefix,
      identity,
      foreign: this.foreign,
      listing: this.listing,
      mine: [],
      lastPolicy: new Map(),
      principals: principalsFor(this.safety, identity.account),
      tokens: new Map(),
      created: new Set(),
      pendingOps: [],
    };
    return new TableSequence(ssmOperations, this.client, KNOWN_CODES, ctx, hooks);
  }

  close(): void {
    this.client.destroy();
  }
}

export const ssmAdapter: ServiceAdapter<SsmCommand> = {
  service: 'ssm',
  accountWide: true,
  // Sequences on parameters alone run side by side (--concurrency); those on the OpsItemGroup take turns.
  touchesAccountWide: touchesOpsItemGroup,
  model: ssmModel as ServiceAdapter['model'],
  createdKinds: createdKinds(ssmOperations),
  lifecycleOperations: lifecycleOperations(ssmOperations),
  readOperations: readOperations(ssmOperations),
  commands: (consistency, safety, initial) => ssmCommands(consistency, undefined, safety, opsItemGroupForeign(initial)),
  safeCommand: (safety, command, initial) => safeSsmCommand(safety, command, opsItemGroupForeign(initial)),
  billedAs: (command) => (command.op === 'PutParameter' && command.tier === 'Advanced' ? AWS_PRICES.ssmAdvancedParameterMonth : undefined),
  unreachableUnder: (safety, initial) =>
    isRealAccount(safety) && opsItemGroupForeign(initial)
      ? [{ rule: 'ssm.put.opsitemgroup-limit', reason: 'the OpsItemGroup holds a policy this suite did not put: the real-account profile only reads it, never writes it' }]
      : [],
  connect: (endpoint, { safety }) => new SsmConnection(endpoint, safety),
  simplify: simplifySsm,
  targeted: ssmTargeted,
  observers: ssmObservers,
};
