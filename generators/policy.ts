import fc from 'fast-check';

/**
 * A policy document as data: rendered by the harness once the resource's ARN is known, so the same generated
 * value always gives the same bytes for the same resource (which is what makes "identical document" reachable).
 */
export type PolicyGen =
  | { kind: 'valid'; variant: number; whitespace: number }
  | { kind: 'sized'; bytes: number }
  | { kind: 'malformed'; variant: MalformedVariant }
  | { kind: 'public' }
  | { kind: 'lockout' }
  /** The document last sent for this resource again, byte for byte (what "identical" rules need). */
  | { kind: 'previous' }
  // Shapes only the DynamoDB generator asks for (spec §7); the other services never draw them.
  /** A JSON policy that breaks one rule of DynamoDB's document validation (spec §7.7). */
  | { kind: 'invalid'; variant: InvalidVariant }
  /** `valid` document `variant` written another way: equivalent to it (spec §7.4), except `no-version`. */
  | { kind: 'restated'; variant: number; form: RestatedForm }
  /** A Deny of policy actions narrower or wider than `lockout`'s (spec §7.8). */
  | { kind: 'lockout-scoped'; variant: ScopedLockout }
  /** A valid document whose Resource is not the resource it is attached to (accepted, spec §1.6, §7.7). */
  | { kind: 'other-resource'; variant: OtherResource };

/**
 * `no-resource`: a statement without Resource; `duplicate-sid`: two statements with one Sid; `bare-account-principal`:
 * `"Principal": "<account id>"`; `foreign-actions`: actions of the other resource kind (vocabulary.foreignActions).
 */
export type InvalidVariant = 'no-resource' | 'duplicate-sid' | 'bare-account-principal' | 'foreign-actions';
/**
 * `pretty`: indented; `reordered`: keys in reverse order; `list-forms`: one-element lists and single strings swapped;
 * `account-id-principal`: the principal as an account id instead of its root ARN; `no-version`: without Version
 * (NOT equivalent: AWS reads it back with Version "2008-10-17" but treats it as a different document).
 */
export type RestatedForm = 'pretty' | 'reordered' | 'list-forms' | 'account-id-principal' | 'no-version';
/** `delete-only`: a Deny to everyone of DeleteResourcePolicy alone; `caller-account`(`-id`): a Deny of PutResourcePolicy to the caller's account root ARN (its id). */
export type ScopedLockout = 'delete-only' | 'caller-account' | 'caller-account-id';
/** Resource: another table of the account, `*`, or the indexes of this table. */
export type OtherResource = 'other-table' | 'wildcard' | 'index';

export type MalformedVariant = 'not-json' | 'truncated' | 'no-statement' | 'bad-effect' | 'array' | 'empty';

/** A service's document choice: a generated document, or (SSM, X-Ray) a blank or missing member. */
type PolicyChoice = PolicyGen | { kind: 'blank' } | { kind: 'missing' };

/** The plainest valid document: what a simplified Put sends. */
export const PLAIN_POLICY: PolicyGen = { kind: 'valid', variant: 0, whitespace: 0 };

export function isPlainPolicy(policy: PolicyChoice): boolean {
  return policy.kind === 'valid' && policy.variant === 0 && policy.whitespace === 0;
}

/** A document choice as a report names it, e.g. `malformed not-json`, `sized 1025`, `valid 1 +40`. */
export function describePolicy(policy: PolicyChoice): string {
  switch (policy.kind) {
    case 'valid':
      return `valid ${policy.variant}${policy.whitespace ? ` +${policy.whitespace}` : ''}`;
    case 'sized':
      return `sized ${policy.bytes}`;
    case 'malformed':
      return `malformed ${policy.variant}`;
    default:
      return policy.kind;
  }
}

export interface PolicyVocabulary {
  /** Actions the service accepts in a resource policy, e.g. ["dynamodb:GetItem", ...]. */
  actions: readonly string[];
  /** Actions that manage the policy itself (what a lockout denies). */
  policyActions: readonly string[];
  /** Actions that do not apply to this kind of resource (for the `invalid` `foreign-actions` variant). */
  foreignActions?: readonly string[];
}

/** Made-up accounts the `full` profile's documents grant to (three, so that documents differ by principal). */
export const EXAMPLE_PRINCIPAL_ACCOUNTS: readonly string[] = ['111122223333', '444455556666', '777788889999'];

/** `principals`: the accounts granted to, by variant (generators/safety.ts principalsFor: the profile decides). */
export function validPolicy(resource: string, variant: number, vocabulary: PolicyVocabulary, marker = '', principals: readonly string[] = EXAMPLE_PRINCIPAL_ACCOUNTS): object {
  const actions = vocabulary.actions.slice(0, 1 + (variant % vocabulary.actions.length));
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `${marker}Grant${variant}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${principals[variant % principals.length]}:root` },
        Action: actions,
        Resource: resource,
      },
    ],
  };
}

/** Pads with spaces inside the top-level object so the result stays valid JSON of exactly `bytes` bytes. */
export function padTo(json: string, bytes: number): string {
  const missing = bytes - Buffer.byteLength(json, 'utf8');
  if (missing < 0) throw new Error(`policy of ${Buffer.byteLength(json)} bytes cannot be padded down to ${bytes}`);
  return `${json.slice(0, -1)}${' '.repeat(missing)}}`;
}

const MALFORMED: Record<MalformedVariant, (valid: string) => string> = {
  'not-json': () => 'this is not a policy',
  truncated: (valid) => valid.slice(0, Math.floor(valid.length / 2)),
  'no-statement': () => JSON.stringify({ Version: '2012-10-17' }),
  'bad-effect': (valid) => valid.replace('"Allow"', '"Permit"'),
  array: (valid) => `[${valid}]`,
  empty: () => '{}',
};

/**
 * The document `gen` stands for on `resource`. `marker` (a run's name prefix) starts every statement's Sid: what
 * tells the suite's policies apart on a resource others share (the OpsItemGroup), where a policy has no name to
 * carry the mark. Only the shapes the services that share resources draw take it (valid, sized, public, lockout).
 * `principals`: the accounts documents grant to (the safety profile's; the made-up example accounts by default).
 */
export function renderPolicy(gen: PolicyGen, resource: string, vocabulary: PolicyVocabulary, previous?: string, marker = '', principals: readonly string[] = EXAMPLE_PRINCIPAL_ACCOUNTS): string {
  if (gen.kind === 'previous') return previous ?? renderPolicy(PLAIN_POLICY, resource, vocabulary, undefined, marker, principals);
  const base = JSON.stringify(validPolicy(resource, gen.kind === 'valid' ? gen.variant : 0, vocabulary, marker, principals));
  switch (gen.kind) {
    case 'valid':
      return gen.whitespace === 0 ? base : padTo(base, Buffer.byteLength(base) + gen.whitespace);
    case 'sized':
      return padTo(base, gen.bytes);
    case 'malformed':
      return MALFORMED[gen.variant](base);
    case 'public':
      return JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ ...(marker ? { Sid: `${marker}Public` } : {}), Effect: 'Allow', Principal: '*', Action: vocabulary.actions[0], Resource: resource }],
      });
    case 'lockout':
      return JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { ...(marker ? { Sid: `${marker}Lockout` } : {}), Effect: 'Deny', Principal: { AWS: '*' }, Action: [...vocabulary.policyActions], Resource: resource },
          JSON.parse(base).Statement[0],
        ],
      });
    case 'invalid':
      return renderInvalid(gen.variant, resource, vocabulary, principals);
    case 'restated':
      return renderRestated(validPolicy(resource, gen.variant, vocabulary, '', principals) as PolicyObject, gen.form);
    case 'lockout-scoped':
      return renderScopedLockout(gen.variant, resource, vocabulary);
    case 'other-resource': {
      const doc = validPolicy(resource, 0, vocabulary, '', principals) as PolicyObject;
      const table = tableOf(resource);
      doc.Statement[0]!.Resource = gen.variant === 'wildcard' ? '*' : gen.variant === 'index' ? `${table}/index/*` : `${table}-other`;
      return JSON.stringify(doc);
    }
  }
}

interface PolicyObject {
  Version?: string;
  Statement: Array<Record<string, unknown>>;
}

/** The account of an ARN (`arn:partition:service:region:account:…`); the caller's, for the resources this suite makes. */
function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : '123456789012';
}

/** The table part of a DynamoDB ARN (a stream's or index's table). */
function tableOf(arn: string): string {
  return arn.replace(/\/(stream|index)\/.*$/, '');
}

function renderInvalid(variant: InvalidVariant, resource: string, vocabulary: PolicyVocabulary, principals: readonly string[]): string {
  const doc = validPolicy(resource, 0, vocabulary, '', principals) as PolicyObject;
  const statement = doc.Statement[0]!;
  switch (variant) {
    case 'no-resource':
      delete statement.Resource;
      break;
    case 'duplicate-sid':
      doc.Statement.push({ ...statement, Principal: { AWS: `arn:aws:iam::${principals[1 % principals.length]}:root` } });
      break;
    case 'bare-account-principal':
      statement.Principal = principals[0];
      break;
    case 'foreign-actions':
      if (!vocabulary.foreignActions?.length) throw new Error('policy variant invalid/foreign-actions needs vocabulary.foreignActions');
      statement.Action = [...vocabulary.foreignActions];
      break;
  }
  return JSON.stringify(doc);
}

/** The same object with its keys in reverse order, recursively. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
}

function renderRestated(doc: PolicyObject, form: RestatedForm): string {
  const statement = doc.Statement[0]!;
  const principal = statement.Principal as { AWS: string };
  switch (form) {
    case 'pretty':
      return JSON.stringify(doc, null, 2);
    case 'reordered':
      return JSON.stringify(reversedKeys(doc));
    case 'list-forms': {
      const swap = (v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : typeof v === 'string' ? [v] : v);
      statement.Action = swap(statement.Action);
      statement.Resource = swap(statement.Resource);
      statement.Principal = { AWS: swap(principal.AWS) };
      return JSON.stringify(doc);
    }
    case 'account-id-principal':
      statement.Principal = { AWS: accountOf(principal.AWS) };
      return JSON.stringify(doc);
    case 'no-version':
      delete doc.Version;
      return JSON.stringify(doc);
  }
}

function renderScopedLockout(variant: ScopedLockout, resource: string, vocabulary: PolicyVocabulary): string {
  const [put, del] = [vocabulary.policyActions[0]!, vocabulary.policyActions[1] ?? vocabulary.policyActions[0]!];
  const caller = accountOf(resource);
  const deny =
    variant === 'delete-only'
      ? { Effect: 'Deny', Principal: { AWS: '*' }, Action: del, Resource: resource }
      : { Effect: 'Deny', Principal: { AWS: variant === 'caller-account' ? `arn:aws:iam::${caller}:root` : caller }, Action: put, Resource: resource };
  return JSON.stringify({ Version: '2012-10-17', Statement: [deny, (validPolicy(resource, 0, vocabulary) as PolicyObject).Statement[0]] });
}

/** The DynamoDB-only shapes above (spec §7.4, §7.7, §7.8), for a generator that renders them. */
export function documentRuleGen(): fc.Arbitrary<PolicyGen> {
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('invalid' as const),
        variant: fc.constantFrom<InvalidVariant>('no-resource', 'duplicate-sid', 'bare-account-principal', 'foreign-actions'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('restated' as const),
        variant: fc.integer({ min: 0, max: 2 }),
        form: fc.constantFrom<RestatedForm>('pretty', 'reordered', 'list-forms', 'account-id-principal', 'no-version'),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('lockout-scoped' as const), variant: fc.constantFrom<ScopedLockout>('delete-only', 'caller-account', 'caller-account-id') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('other-resource' as const), variant: fc.constantFrom<OtherResource>('other-table', 'wildcard', 'index') }) },
  );
}

/**
 * Policy documents weighted toward the interesting edges: a few small valid documents (so the same one is
 * drawn again), sizes on both sides of `limits`, and malformed ones.
 */
export function policyGen(limits: readonly number[]): fc.Arbitrary<PolicyGen> {
  const around = limits.flatMap((l) => [l - 1, l, l + 1]);
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ kind: fc.constant('valid' as const), variant: fc.integer({ min: 0, max: 2 }), whitespace: fc.constant(0) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('valid' as const), variant: fc.integer({ min: 0, max: 2 }), whitespace: fc.constantFrom(1, 40) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('sized' as const), bytes: fc.constantFrom(...around) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('malformed' as const),
        variant: fc.constantFrom<MalformedVariant>('not-json', 'truncated', 'no-statement', 'bad-effect', 'array', 'empty'),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'public' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'lockout' as const }) },
    { weight: 4, arbitrary: fc.constant({ kind: 'previous' as const }) },
  );
}
