import {
  DeleteResourcePolicyCommand,
  ListResourcePoliciesCommand,
  paginateListResourcePolicies,
  PutResourcePolicyCommand,
  type ResourcePolicy,
  XRayClient,
} from '@aws-sdk/client-xray';
import { renderPolicy } from '../../generators/policy.js';
import { type RevisionMemory, rememberRevision, resolveRevision } from '../../generators/revision.js';
import { simplifyXray, type XrayCommand, type XrayName, XRAY_VOCABULARY, xrayCommands, xrayObservers, xraySetup, xrayTargeted } from './commands.js';
import { type XrayExistingPolicy, xrayInitialState, xrayModel } from './model.js';
import type { Json, JsonObject, Observation, Request } from '../../models/types.js';
import { observeError, sleep } from '../../harness/observe.js';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import type { Connection, Sequence, ServiceAdapter, TargetIdentity } from '../../harness/service.js';
import { compact, tryCall } from '../../harness/adapter-kit.js';

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

class XraySequence implements Sequence<XrayCommand> {
  readonly setup: readonly XrayCommand[];
  private readonly revisions = new Map<string, RevisionMemory>();
  private readonly lastPolicy = new Map<string, string>();
  /** Names that may hold a policy this sequence created: a Put succeeded or its outcome is unknown. */
  private readonly mayExist = new Set<string>();

  constructor(
    private readonly client: XRayClient,
    private readonly prefix: string,
    existing: number,
  ) {
    this.setup = xraySetup(existing);
  }

  /** Every name this sequence sends, except the empty one, starts with its prefix followed by '-' or '/'. */
  private owns(name: string): boolean {
    return name.startsWith(`${this.prefix}-`) || name.startsWith(`${this.prefix}/`);
  }

  /** The PolicyName a name choice stands for; undefined: the request leaves the member out (SDK v3 sends it so). */
  private name(name: XrayName): string | undefined {
    switch (name.kind) {
      case 'slot':
        return `${this.prefix}-${name.slot}`;
      case 'longest':
        return `${this.prefix}-L`.padEnd(128, 'x');
      case 'invalid':
        switch (name.variant) {
          case 'space':
            return `${this.prefix}-a b`;
          case 'slash':
            return `${this.prefix}/a`;
          case 'unicode':
            return `${this.prefix}-é`;
          case 'too-long':
            return `${this.prefix}-L`.padEnd(129, 'x');
          case 'empty':
            return '';
          case 'missing':
            return undefined;
        }
    }
  }

  request(command: XrayCommand): Request {
    switch (command.op) {
      case 'PutResourcePolicy': {
        const name = this.name(command.name);
        const key = name ?? '';
        let document: string | undefined = command.policy.kind === 'missing' ? undefined : '';
        if (command.policy.kind !== 'blank' && command.policy.kind !== 'missing') {
          document = renderPolicy(command.policy, RESOURCE, XRAY_VOCABULARY, this.lastPolicy.get(key));
          this.lastPolicy.set(key, document);
        }
        return {
          operation: command.op,
          input: compact({
            PolicyName: name,
            PolicyDocument: document,
            PolicyRevisionId: command.revision && resolveRevision(command.revision, this.revisions.get(key)),
            BypassPolicyLockoutCheck: command.bypass,
          }),
        };
      }
      case 'ListResourcePolicies':
        return { operation: command.op, input: command.nextToken ? { NextToken: 'bm90LWlzc3VlZA' } : {} };
      case 'DeleteResourcePolicy': {
        const name = this.name(command.name);
        return {
          operation: command.op,
          input: compact({ PolicyName: name, PolicyRevisionId: command.revision && resolveRevision(command.revision, this.revisions.get(name ?? '')) }),
        };
      }
    }
  }

  async send(request: Request): Promise<Observation> {
    const input = request.input as never;
    const c = this.client;
    switch (request.operation) {
      case 'PutResourcePolicy':
        return tryCall(async () => {
          const out = await c.send(new PutResourcePolicyCommand(input));
          return flatten(out.ResourcePolicy ?? {});
        }, KNOWN_CODES);
      case 'ListResourcePolicies':
        return tryCall(async () => {
          const out = await c.send(new ListResourcePoliciesCommand(input));
          return compact({ ResourcePolicies: out.ResourcePolicies?.map(flatten), NextToken: out.NextToken });
        }, KNOWN_CODES);
      case 'DeleteResourcePolicy':
        return tryCall(async () => {
          await c.send(new DeleteResourcePolicyCommand(input));
          return {};
        }, KNOWN_CODES);
      default:
        throw new Error(`xray adapter: unknown operation ${request.operation}`);
    }
  }

  learn(request: Request, observation: Observation): void {
    const name = String(request.input.PolicyName ?? '');
    switch (request.operation) {
      case 'PutResourcePolicy':
        if (observation.kind === 'ok') {
          rememberRevision(this.revisions, name, observation.output.PolicyRevisionId as string | undefined);
          this.mayExist.add(name);
        } else if (observation.kind !== 'error') {
          this.mayExist.add(name);
        }
        break;
      case 'DeleteResourcePolicy':
        if (observation.kind === 'ok') {
          rememberRevision(this.revisions, name, undefined);
          this.mayExist.delete(name);
        }
        break;
      case 'ListResourcePolicies': {
        if (observation.kind !== 'ok') break;
        const listed = new Map<string, string | undefined>();
        for (const p of (observation.output.ResourcePolicies as JsonObject[] | undefined) ?? []) {
          if (typeof p.PolicyName === 'string') listed.set(p.PolicyName, typeof p.PolicyRevisionId === 'string' ? p.PolicyRevisionId : undefined);
        }
        for (const known of this.revisions.keys()) if (!listed.has(known)) rememberRevision(this.revisions, known, undefined);
        for (const [n, rev] of listed) if (this.owns(n)) rememberRevision(this.revisions, n, rev);
        break;
      }
    }
  }

  /**
   * Delete exactly this sequence's policies: those the account lists under its prefix, and those it may have
   * created without seeing them listed (a List that fails or leaves one out must not leak a policy into the
   * next sequence's account). Nothing without the prefix is ever touched.
   */
  idle(): Request {
    return { operation: 'ListResourcePolicies', input: {} };
  }

  /** False when the account's policies could not be confirmed free of this sequence's (they are account-wide). */
  async cleanup(): Promise<boolean> {
    const names = new Set([...this.mayExist].filter((n) => this.owns(n)));
    const listOurs = async (): Promise<boolean> => {
      for (let attempt = 0; attempt < CLEANUP_ATTEMPTS; attempt++) {
        try {
          for (const p of await listAll(this.client)) if (p.PolicyName && this.owns(p.PolicyName)) names.add(p.PolicyName);
          return true;
        } catch (error) {
          // Not listable: fall back to what the sequence itself remembers.
          if (observeError(error, KNOWN_CODES).kind !== 'fault') return false;
          await sleep(100 * 2 ** attempt);
        }
      }
      return false;
    };
    const listed = await listOurs();
    if (names.size === 0) return listed;
    for (const PolicyName of names) {
      // A leftover would change the next sequence's account, so faults and throttles are retried here.
      for (let attempt = 0; attempt < CLEANUP_ATTEMPTS; attempt++) {
        const outcome = await tryCall(async () => {
          await this.client.send(new DeleteResourcePolicyCommand({ PolicyName }));
          return {};
        }, KNOWN_CODES);
        if (outcome.kind !== 'fault') break;
        await sleep(100 * 2 ** attempt);
      }
    }
    // Confirmed only by a listing that shows none of ours left.
    names.clear();
    return (await listOurs()) && names.size === 0;
  }
}

class XrayConnection implements Connection<XrayCommand> {
  private readonly client: XRayClient;
  private existing = 0;

  constructor(private readonly endpoint: Endpoint) {
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

  sequence(namePrefix: string, _identity: TargetIdentity): Sequence<XrayCommand> {
    return new XraySequence(this.client, namePrefix, this.existing);
  }

  close(): void {
    this.client.destroy();
  }
}

export const xrayAdapter: ServiceAdapter<XrayCommand> = {
  service: 'xray',
  model: xrayModel as ServiceAdapter['model'],
  readOperations: new Set(['ListResourcePolicies']),
  commands: (consistency) => xrayCommands(consistency),
  connect: (endpoint) => new XrayConnection(endpoint),
  simplify: simplifyXray,
  targeted: xrayTargeted,
  observers: xrayObservers,
};
