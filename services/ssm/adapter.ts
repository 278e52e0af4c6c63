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
} from './commands.js';
import { opsItemGroupArn, parameterArn, type SsmExistingPolicy, ssmInitialState, ssmModel } from './model.js';
import type { JsonObject, Observation, Request } from '../../models/types.js';
import { observeError, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, pick, tryCall, withReadRetries } from '../../harness/adapter-kit.js';

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

class SsmSequence implements Sequence<SsmCommand> {
  readonly setup = SSM_SETUP;
  private readonly mine: MyPolicy[] = [];
  private readonly lastPolicy = new Map<string, string>();
  /** The last NextToken each resource returned (dropped when a page ends its listing). */
  private readonly tokens = new Map<string, string>();
  private readonly created = new Set<string>();
  /** Documents of OpsItemGroup creates whose answer was lost: such a policy may exist and is ours. */
  private readonly pendingOps: string[] = [];

  constructor(
    private readonly client: SSMClient,
    private readonly prefix: string,
    private readonly identity: TargetIdentity,
    /** Ids of the OpsItemGroup policies that were there before the run: never touched. */
    private readonly foreign: ReadonlySet<string>,
    /** What the run learnt about the OpsItemGroup listing: a target that cannot list it has no policies to clean up. */
    private readonly listing: { unsupported: boolean },
  ) {}

  private parameterName(slot: SsmSlot): string {
    return `/${this.prefix}/${slot}`;
  }

  private get opsArn(): string {
    return opsItemGroupArn(this.identity);
  }

  /** The ResourceArn a target stands for; undefined: the request leaves the member out (SDK v3 sends it so). */
  private arn(target: SsmTarget): string | undefined {
    switch (target.kind) {
      case 'parameter':
        return parameterArn(this.identity, this.parameterName(target.slot));
      case 'opsitemgroup':
        return this.opsArn;
      case 'malformed': {
        const p0 = this.parameterName('p0').slice(1);
        switch (target.variant) {
          case 'missing':
            return undefined;
          case 'too-short':
            return 'arn:aws:ssm:x';
          case 'too-long':
            return `${parameterArn(this.identity, this.parameterName('p0'))}/${'x'.repeat(2100)}`.slice(0, 2049);
          case 'other-resource-type':
            return `arn:aws:ssm:${this.identity.region}:${this.identity.account}:document/${this.prefix}-doc`;
          case 'other-region': {
            const region = this.identity.region === 'us-west-2' ? 'eu-west-1' : 'us-west-2';
            return `arn:aws:ssm:${region}:${this.identity.account}:parameter/${p0}`;
          }
          case 'other-account': {
            const account = this.identity.account === '111122223333' ? '444455556666' : '111122223333';
            return `arn:aws:ssm:${this.identity.region}:${account}:parameter/${p0}`;
          }
          case 'other-partition':
            return `arn:aws-cn:ssm:${this.identity.region}:${this.identity.account}:parameter/${p0}`;
          case 'empty':
            return '';
        }
      }
    }
  }

  private minePolicies(arn: string): MyPolicy[] {
    return this.mine.filter((p) => p.arn === arn);
  }

  /** The policy a choice names (its own resource's first, else any this sequence created) and the id to send. */
  private resolveId(arn: string, choice: IdChoice): { policy?: MyPolicy; id?: string } {
    const own = this.minePolicies(arn);
    switch (choice.kind) {
      case 'omitted':
        return { policy: own[0] };
      case 'random':
        return { policy: own[0], id: choice.value };
      case 'mine': {
        const pool = own.length ? own : this.mine;
        const policy = pool[choice.pick % Math.max(1, pool.length)];
        return { policy, id: policy?.id ?? 'never-issued-policy-id' };
      }
    }
  }

  private resolveHash(policy: MyPolicy | undefined, choice: HashChoice): string | undefined {
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
        const other = this.mine.find((p) => p !== policy && p.current !== policy?.current);
        return other?.current ?? '0'.repeat(64);
      }
    }
  }

  private resolveRef(arn: string, ref: PolicyRef): { policy?: MyPolicy; PolicyId?: string; PolicyHash?: string } {
    const { policy, id } = this.resolveId(arn, ref.id);
    return { policy, PolicyId: id, PolicyHash: this.resolveHash(policy, ref.hash) };
  }

  private renderDoc(gen: SsmPolicyGen, target: SsmTarget, arn: string, named: MyPolicy | undefined): string {
    if (gen.kind === 'blank') return '   ';
    const resource = target.kind === 'malformed' ? parameterArn(this.identity, this.parameterName('p0')) : arn;
    const vocabulary = target.kind === 'opsitemgroup' ? SSM_OPS_VOCABULARY : SSM_PARAMETER_VOCABULARY;
    // "previous" for an update: the document the named policy holds, so an identical update is reachable.
    const previous = named && named.arn === arn && !named.gone ? named.doc : this.lastPolicy.get(arn);
    return renderPolicy(gen, resource, vocabulary, previous);
  }

  private token(arn: string, page: PageChoice): string | undefined {
    const choice = page.token;
    if (!choice) return undefined;
    if (choice.kind === 'random') return choice.value;
    if (choice.kind === 'last') return this.tokens.get(arn);
    return [...this.tokens.entries()].reverse().find(([other]) => other !== arn)?.[1];
  }

  request(command: SsmCommand): Request {
    switch (command.op) {
      case 'PutResourcePolicy': {
        const arn = this.arn(command.target);
        const key = arn ?? '';
        const ref = command.ref ? this.resolveRef(key, command.ref) : {};
        const policy = this.renderDoc(command.policy, command.target, key, ref.policy);
        this.lastPolicy.set(key, policy);
        return { operation: command.op, input: compact({ ResourceArn: arn, Policy: policy, PolicyId: ref.PolicyId, PolicyHash: ref.PolicyHash }) };
      }
      case 'GetResourcePolicies': {
        const arn = this.arn(command.target);
        if (!command.page) return { operation: command.op, input: compact({ ResourceArn: arn }) };
        return { operation: command.op, input: compact({ ResourceArn: arn, MaxResults: command.page.max, NextToken: this.token(arn ?? '', command.page) }) };
      }
      case 'DeleteResourcePolicy': {
        const arn = this.arn(command.target);
        const { PolicyId, PolicyHash } = this.resolveRef(arn ?? '', command.ref);
        return { operation: command.op, input: compact({ ResourceArn: arn, PolicyId, PolicyHash }) };
      }
      case 'PutParameter':
        return {
          operation: command.op,
          input: compact({ Name: this.parameterName(command.slot), Value: 'v', Type: 'String', Tier: command.tier, Overwrite: command.overwrite }),
        };
      case 'DeleteParameter':
        return { operation: command.op, input: { Name: this.parameterName(command.slot) } };
    }
  }

  async send(request: Request): Promise<Observation> {
    const input = request.input as never;
    const c = this.client;
    switch (request.operation) {
      case 'PutResourcePolicy':
        return tryCall(async () => pick(await c.send(new PutResourcePolicyCommand(input)), ['PolicyId', 'PolicyHash']), KNOWN_CODES);
      case 'GetResourcePolicies':
        if (request.input.MaxResults === undefined && request.input.NextToken === undefined) {
          return tryCall(() => fullListing(c, typeof request.input.ResourceArn === 'string' ? request.input.ResourceArn : undefined), KNOWN_CODES);
        }
        return tryCall(async () => {
          const out = await c.send(new GetResourcePoliciesCommand(input));
          return compact({ Policies: out.Policies?.map(entryOf), NextToken: out.NextToken });
        }, KNOWN_CODES);
      case 'DeleteResourcePolicy':
        return tryCall(async () => {
          await c.send(new DeleteResourcePolicyCommand(input));
          return {};
        }, KNOWN_CODES);
      case 'PutParameter':
        this.created.add(String(request.input.Name));
        return tryCall(async () => pick(await c.send(new PutParameterCommand(input)), ['Version', 'Tier']), KNOWN_CODES);
      case 'DeleteParameter':
        return tryCall(async () => {
          await c.send(new DeleteParameterCommand(input));
          return {};
        }, KNOWN_CODES);
      default:
        throw new Error(`ssm adapter: unknown operation ${request.operation}`);
    }
  }

  learn(request: Request, observation: Observation): void {
    const input = request.input;
    const arn = String(input.ResourceArn ?? '');
    if (observation.kind !== 'ok') {
      // A lost Put may have created a policy on the shared OpsItemGroup: cleanup looks for its document.
      if (observation.kind === 'fault' && request.operation === 'PutResourcePolicy' && arn === this.opsArn) this.pendingOps.push(String(input.Policy));
      return;
    }
    const out = observation.output;
    switch (request.operation) {
      case 'PutResourcePolicy': {
        const id = out.PolicyId;
        const hash = out.PolicyHash;
        if (typeof id !== 'string' || typeof hash !== 'string') {
          if (arn === this.opsArn) this.pendingOps.push(String(input.Policy));
          return;
        }
        const known = this.mine.find((p) => p.arn === arn && p.id === id);
        if (known) this.remember(known, hash, String(input.Policy));
        // Whatever was asked, a Put that answers with an id never seen created that policy (a buggy target may
        // create on a partial update): it is this sequence's, and cleanup must remove it.
        else if (!this.foreign.has(id)) this.mine.push({ arn, id, hashes: [hash], current: hash, doc: String(input.Policy), gone: false });
        return;
      }
      case 'GetResourcePolicies': {
        const listed = Array.isArray(out.Policies) ? (out.Policies as JsonObject[]) : [];
        for (const e of listed) {
          const id = e.PolicyId;
          const hash = e.PolicyHash;
          const doc = e.Policy;
          if (typeof id !== 'string' || typeof hash !== 'string' || typeof doc !== 'string') continue;
          const known = this.mine.find((p) => p.arn === arn && p.id === id);
          if (known) this.remember(known, hash, doc);
          else if (arn === this.opsArn && !this.foreign.has(id) && this.pendingOps.includes(doc)) {
            this.pendingOps.splice(this.pendingOps.indexOf(doc), 1);
            this.mine.push({ arn, id, hashes: [hash], current: hash, doc, gone: false });
          }
        }
        if (input.MaxResults !== undefined || input.NextToken !== undefined) {
          if (typeof out.NextToken === 'string') this.tokens.set(arn, out.NextToken);
          else this.tokens.delete(arn);
        }
        return;
      }
      case 'DeleteResourcePolicy': {
        const known = this.mine.find((p) => p.arn === arn && p.id === input.PolicyId);
        if (known) known.gone = true;
        return;
      }
      case 'DeleteParameter': {
        const parameter = parameterArn(this.identity, String(input.Name));
        for (const p of this.minePolicies(parameter)) p.gone = true;
        return;
      }
    }
  }

  private remember(policy: MyPolicy, hash: string, doc: string): void {
    policy.current = hash;
    policy.doc = doc;
    policy.gone = false;
    if (!policy.hashes.includes(hash)) policy.hashes.push(hash);
  }

  /**
   * Deletes the parameters this sequence created and the OpsItemGroup policies it created (by PolicyId, with the
   * hash the target lists now). The OpsItemGroup is shared by every sequence and by the account, so it must end
   * exactly as it started: a policy this sequence did not create is never deleted.
   */
  idle(): Request {
    return { operation: 'GetResourcePolicies', input: { ResourceArn: parameterArn(this.identity, `/${this.prefix}/idle`) } };
  }

  /** False when the OpsItemGroup (account-wide) could not be confirmed free of this sequence's policies. */
  async cleanup(): Promise<boolean> {
    await Promise.all([...this.created].map((Name) => this.client.send(new DeleteParameterCommand({ Name })).catch(() => undefined)));
    const ops = this.opsArn;
    if (!this.mine.some((p) => p.arn === ops && !p.gone) && this.pendingOps.length === 0) return true;
    // The policy operations are not implemented (moto): a Put that "failed" there did nothing to clean up.
    if (this.listing.unsupported) return true;
    for (let attempt = 0; attempt < CLEANUP_ATTEMPTS; attempt++) {
      let listed: JsonObject[];
      try {
        listed = (await withReadRetries(() => fullListing(this.client, ops))).Policies as JsonObject[];
      } catch {
        await sleep(100 * 2 ** attempt);
        continue;
      }
      const ours = listed.filter((e) => {
        const id = String(e.PolicyId);
        if (this.foreign.has(id)) return false;
        return this.mine.some((p) => p.arn === ops && p.id === id) || this.pendingOps.includes(String(e.Policy));
      });
      if (ours.length === 0) return true;
      for (const e of ours) {
        await this.client
          .send(new DeleteResourcePolicyCommand({ ResourceArn: ops, PolicyId: String(e.PolicyId), PolicyHash: String(e.PolicyHash) }))
          .catch(() => undefined);
      }
    }
    return false;
  }
}

class SsmConnection implements Connection<SsmCommand> {
  private readonly client: SSMClient;
  private foreign: ReadonlySet<string> = new Set();

  constructor(endpoint: Endpoint) {
    this.client = new SSMClient(clientConfig(endpoint));
  }

  /**
   * Learns account and region from a probe parameter's ARN, then reads the OpsItemGroup's policies: they are
   * account-wide state the run must start from (and leave alone). A target without the policy operations
   * (an emulator) still runs, so the report lists which operations it lacks.
   */
  private identity: TargetIdentity | undefined;
  private readonly listing = { unsupported: false };

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
      const again = await tryCall(async () => ({ ...(await fullListing(this.client, opsItemGroupArn(identity))) }) as JsonObject, KNOWN_CODES);
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

  sequence(namePrefix: string, identity: TargetIdentity): Sequence<SsmCommand> {
    return new SsmSequence(this.client, namePrefix, identity, this.foreign, this.listing);
  }

  close(): void {
    this.client.destroy();
  }
}

export const ssmAdapter: ServiceAdapter<SsmCommand> = {
  service: 'ssm',
  model: ssmModel as ServiceAdapter['model'],
  readOperations: new Set(['GetResourcePolicies']),
  commands: (consistency) => ssmCommands(consistency),
  connect: (endpoint) => new SsmConnection(endpoint),
  simplify: simplifySsm,
  targeted: ssmTargeted,
  observers: ssmObservers,
};
