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
  | { kind: 'previous' };

export type MalformedVariant = 'not-json' | 'truncated' | 'no-statement' | 'bad-effect' | 'array' | 'empty';

export interface PolicyVocabulary {
  /** Actions the service accepts in a resource policy, e.g. ["dynamodb:GetItem", ...]. */
  actions: readonly string[];
  /** Actions that manage the policy itself (what a lockout denies). */
  policyActions: readonly string[];
}

const PRINCIPAL_ACCOUNTS = ['111122223333', '444455556666', '777788889999'];

export function validPolicy(resource: string, variant: number, vocabulary: PolicyVocabulary): object {
  const actions = vocabulary.actions.slice(0, 1 + (variant % vocabulary.actions.length));
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `Grant${variant}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${PRINCIPAL_ACCOUNTS[variant % PRINCIPAL_ACCOUNTS.length]}:root` },
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

export function renderPolicy(gen: PolicyGen, resource: string, vocabulary: PolicyVocabulary, previous?: string): string {
  if (gen.kind === 'previous') return previous ?? renderPolicy({ kind: 'valid', variant: 0, whitespace: 0 }, resource, vocabulary);
  const base = JSON.stringify(validPolicy(resource, gen.kind === 'valid' ? gen.variant : 0, vocabulary));
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
        Statement: [{ Effect: 'Allow', Principal: '*', Action: vocabulary.actions[0], Resource: resource }],
      });
    case 'lockout':
      return JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: [...vocabulary.policyActions], Resource: resource },
          JSON.parse(base).Statement[0],
        ],
      });
  }
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
