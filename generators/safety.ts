/**
 * The generation profile: which documents and principals a run may send. `full` (emulators, the reference server)
 * draws every shape the generators know; `real-account` (the `aws` target's default) draws only what is safe to
 * attach in an account someone lives in (issue #12, spec §7 items 7, 8, 12, 13):
 *
 * - principals: the caller's own account root, or partner accounts the user names (`--partner-account`) — made-up
 *   accounts are refused by DynamoDB ("a principal that does not exist", §7.7) and grant strangers access elsewhere;
 * - no Deny of the caller's policy or cleanup actions anywhere (`lockout`, `lockout-scoped`): DynamoDB kept enforcing
 *   such a Deny for minutes after it was removed (§7.12);
 * - no public or self-lockout document on an account-wide resource (X-Ray's policies, SSM's OpsItemGroup);
 * - a public Allow to `*` only where the API must reject it (DynamoDB's Block Public Access, §7.7); if a target
 *   accepts one anyway, the harness removes it at once and reports it (harness/execution.ts).
 *
 * Pure: the mapping from a generated document choice to a safe one. Under `full` nothing here changes a value, so
 * the same seed gives the same sequences as before the profile existed.
 */
import { EXAMPLE_PRINCIPAL_ACCOUNTS, type PolicyGen } from './policy.js';

export type SafetyProfileName = 'full' | 'real-account';
export const SAFETY_PROFILES: readonly SafetyProfileName[] = ['full', 'real-account'];

export interface SafetyProfile {
  name: SafetyProfileName;
  /** Accounts besides the caller's own that documents may name as principals (12-digit ids). */
  partnerAccounts: readonly string[];
  /**
   * The caller's account when the target knows it up front (the `aws` target, from STS GetCallerIdentity); else the
   * account of the identity the service's discovery found.
   */
  callerAccount?: string;
}

export const FULL_PROFILE: SafetyProfile = { name: 'full', partnerAccounts: [] };

/** The profile a target kind runs under unless `--safety` says otherwise: only a real AWS account gets `real-account`. */
export function defaultSafetyFor(targetKind: string): SafetyProfileName {
  return targetKind === 'aws' ? 'real-account' : 'full';
}

export function isRealAccount(profile: SafetyProfile | undefined): boolean {
  return profile?.name === 'real-account';
}

/** The accounts documents name as principals: under `real-account` the caller's own first, then the partners. */
export function principalsFor(profile: SafetyProfile | undefined, account: string): readonly string[] {
  if (!isRealAccount(profile)) return EXAMPLE_PRINCIPAL_ACCOUNTS;
  return [profile!.callerAccount ?? account, ...profile!.partnerAccounts];
}

/** Where a document goes, as far as safety is concerned. */
export interface Placement {
  /** The resource is shared by the whole account (X-Ray's policies, the OpsItemGroup). */
  accountWide: boolean;
  /** The API must reject a public Allow here (DynamoDB's Block Public Access, spec §1.5, §7.7). */
  rejectsPublic: boolean;
}

/** What a dropped shape becomes: the plainest valid document (it exercises the same call, only not the hazard). */
const SAFE_STAND_IN: PolicyGen = { kind: 'valid', variant: 0, whitespace: 0 };

/** Whether `gen`, as rendered (generators/policy.ts renderPolicy), denies the caller policy or cleanup actions. */
export function deniesCaller(gen: { kind: string }): boolean {
  return gen.kind === 'lockout' || gen.kind === 'lockout-scoped';
}

/** `gen` as the profile allows it at `placement`: unchanged under `full` and when already safe. */
export function safePolicy<G extends { kind: string }>(profile: SafetyProfile | undefined, gen: G, placement: Placement): G | PolicyGen {
  if (!isRealAccount(profile)) return gen;
  if (deniesCaller(gen)) return SAFE_STAND_IN;
  if (gen.kind === 'public' && (placement.accountWide || !placement.rejectsPublic)) return SAFE_STAND_IN;
  return gen;
}

/** A rule a profile's generator cannot reach, and why (results.json `safety.unreachable`). */
export interface UnreachableRule {
  rule: string;
  reason: string;
}

/** Why a rule that needs a Deny of the caller's policy actions is out of the real-account profile's reach. */
export const DENY_OF_CALLER_REASON =
  "needs a Deny of the caller's policy actions, which the real-account profile never attaches (spec §7 item 12: DynamoDB enforced such a Deny for minutes after it was removed)";

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Action?: unknown;
}

function statementsOf(text: string): Statement[] | undefined {
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    if (!doc || typeof doc !== 'object') return undefined;
    const s = doc.Statement;
    return Array.isArray(s) ? (s as Statement[]) : s && typeof s === 'object' ? [s as Statement] : undefined;
  } catch {
    return undefined;
  }
}

const everyone = (p: unknown): boolean => p === '*' || (typeof p === 'object' && p !== null && [(p as { AWS?: unknown }).AWS].flat().includes('*'));

/** Pure: `text` is a policy document with an Allow to everyone (`*`) and no condition — a public policy. */
export function isPublicDocument(text: string): boolean {
  return (statementsOf(text) ?? []).some((s) => s.Effect === 'Allow' && everyone(s.Principal) && s.Condition === undefined);
}

/** Pure: the principals' account ids a document names (root ARNs, account ids, role/user ARNs), `*` as itself. */
export function principalAccounts(text: string): string[] {
  const out: string[] = [];
  for (const s of statementsOf(text) ?? []) {
    const p = s.Principal;
    const values = p === undefined ? [] : typeof p === 'string' ? [p] : [(p as { AWS?: unknown }).AWS].flat();
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const arn = /^arn:[^:]+:iam::(\d{12}):/.exec(v);
      out.push(arn ? arn[1]! : v);
    }
  }
  return out;
}

/** Pure: the actions a document denies (as written, wildcards included). */
export function deniedActions(text: string): string[] {
  return (statementsOf(text) ?? []).filter((s) => s.Effect === 'Deny').flatMap((s) => [s.Action].flat().filter((a): a is string => typeof a === 'string'));
}
