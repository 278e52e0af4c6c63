/**
 * Finding and removing what the suite left on a target. Every name the suite gives a resource starts with its run
 * prefix — `pc`, six base-36 digits of the clock, three random ones (11 characters) — then a sequence number and `-`
 * or `/`: that is the suite's mark. A resource without it is never touched. Each service's sweeper (services/<name>/
 * sweeper.ts) lists marked resources and deletes one, retrying what AWS refuses for a while (ResourceInUse right
 * after a policy write, throttling) and confirming each deletion with a read.
 */
import { observeError, sleep } from './observe.js';
import type { Endpoint } from './sdk.js';

/** A run prefix: what runner.ts makes for each service's run. */
export const RUN_PREFIX = /^pc[0-9a-z]{9}$/;

/** Whether a name (or SSM parameter path) carries the suite's mark; with `prefix`, that run's mark only. */
export function marked(name: string | undefined, prefix?: string): boolean {
  if (!name) return false;
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (prefix !== undefined) return bare.startsWith(prefix) && /^[0-9a-z]*[-/]/.test(bare.slice(prefix.length));
  return /^pc[0-9a-z]{9}[0-9a-z]*[-/]/.test(bare);
}

/**
 * The tag every taggable resource gets when it is created (DynamoDB tables, Kinesis streams and consumers, SSM
 * parameters created without Overwrite — AWS refuses tags with Overwrite): its value is the name prefix of the
 * sequence that made it, so a user can find the suite's resources with the tag tools of their account too.
 */
export const RUN_TAG_KEY = 'policy-conformance:run';

/**
 * Whether a policy document on a shared resource is the suite's: every statement's Sid starts with a name prefix
 * (generators/policy.ts `renderPolicy`'s marker) and then the Sid proper (a capital letter); with `prefix`, that
 * run's. A document that is not JSON, or has a statement without such a Sid, is not ours.
 */
export function policyMarked(doc: string | undefined, prefix?: string): boolean {
  let statements: unknown;
  try {
    statements = (JSON.parse(doc ?? '') as { Statement?: unknown }).Statement;
  } catch {
    return false;
  }
  const list = Array.isArray(statements) ? statements : [statements];
  return list.length > 0 && list.every((st) => {
    const sid = (st as { Sid?: unknown } | null)?.Sid;
    if (typeof sid !== 'string' || !/^pc[0-9a-z]{9}[0-9a-z]*[A-Z]/.test(sid)) return false;
    return prefix === undefined || (sid.startsWith(prefix) && /^[0-9a-z]*[A-Z]/.test(sid.slice(prefix.length)));
  });
}

/** The run prefix a marked name carries (the part before the sequence number is not told apart: 11 characters). */
export function prefixOf(name: string): string | undefined {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  return marked(bare) ? bare.slice(0, 11) : undefined;
}

export interface AccountRegion {
  account: string;
  region: string;
}

export interface LeftResource {
  service: string;
  /** The service's word for it: table, stream, consumer, parameter, policy. */
  kind: string;
  /** Name, or ARN where the API needs one. */
  id: string;
  /** What it sits in (a consumer's stream ARN). */
  parent?: string;
  /** Shown to the user: the name as they would look it up. */
  name: string;
  /** The run prefix of the mark, when `name` does not start with it (a policy marked by its Sids). */
  run?: string;
}

export interface Sweeper {
  /** Kinds in the order they must be deleted (consumers before streams). */
  order: readonly string[];
  /** Marked resources on the target (all of the suite's, or one run's with `prefix`). */
  find(endpoint: Endpoint, prefix?: string): Promise<LeftResource[]>;
  /**
   * Marked policies on resources the account shares (SSM's OpsItemGroup), which the suite never deletes as a whole:
   * reading them needs the account, known only once a run has discovered it (or from a journal).
   */
  findAccountWide?(endpoint: Endpoint, account: AccountRegion, prefix?: string): Promise<LeftResource[]>;
  /** Delete one and confirm it is gone; throws with the reason when it cannot. */
  remove(endpoint: Endpoint, resource: LeftResource, patience: Patience): Promise<void>;
}

/** How long a deletion may keep being refused before the sweep gives up on it. */
export interface Patience {
  deadlineMs: number;
}

const RETRYABLE = new Set(['ResourceInUseException', 'LimitExceededException', 'ThrottlingException', 'TooManyUpdates']);

/**
 * Send `attempt` until it goes through, retrying what a target refuses for a while: faults, throttling, in-use
 * (real DynamoDB refuses DeleteTable for a while after a policy write). `gone` says an error means there is
 * nothing to delete any more.
 */
export async function persist(attempt: () => Promise<unknown>, gone: (code: string) => boolean, patience: Patience): Promise<void> {
  const until = Date.now() + patience.deadlineMs;
  for (let n = 0; ; n++) {
    try {
      await attempt();
      return;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name && gone(name)) return;
      const seen = observeError(error, RETRYABLE);
      const retry = seen.kind === 'fault' || (seen.kind === 'error' && RETRYABLE.has(seen.code));
      if (!retry || Date.now() >= until) throw new Error(seen.kind === 'error' ? `${seen.code}: ${seen.message}` : 'reason' in seen ? seen.reason : seen.kind);
      await sleep(Math.min(200 * 2 ** n, 5000));
    }
  }
}

/** Poll `exists` until it says no, within the patience; throws when it still exists. */
export async function confirmGone(what: string, exists: () => Promise<boolean>, patience: Patience): Promise<void> {
  const until = Date.now() + patience.deadlineMs;
  for (let n = 0; ; n++) {
    let still: boolean;
    try {
      still = await exists();
    } catch (error) {
      const seen = observeError(error, new Set());
      if (seen.kind !== 'fault' || Date.now() >= until) throw new Error(`cannot confirm ${what} is gone: ${seen.kind === 'error' ? seen.code : seen.kind}`);
      still = true;
    }
    if (!still) return;
    if (Date.now() >= until) throw new Error(`${what} is still there`);
    await sleep(Math.min(100 * 2 ** n, 2000));
  }
}

/** Whether an SDK error is the named not-found code (for `exists` reads). */
export function isCode(error: unknown, ...codes: string[]): boolean {
  const name = (error as { name?: string }).name;
  return !!name && codes.includes(name);
}

/** Make an SDK client for the endpoint, use it, destroy it (its sockets close). */
export async function withSdkClient<C extends { destroy(): void }, T>(make: () => C, use: (client: C) => Promise<T>): Promise<T> {
  const client = make();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/** A read that says whether a resource is still there: it is, unless the read answers `notFound`. */
export async function stillThere(read: () => Promise<unknown>, notFound: string): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (isCode(error, notFound)) return false;
    throw error;
  }
}
