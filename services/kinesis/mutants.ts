import {
  errorWithEffect,
  judgedAs,
  judgedWithStandIn,
  type MutantEntry,
  onFirstRule,
  onSuccessOf,
  serviceMutants,
  withInput,
} from '../../harness/reference/mutant-helpers.js';
import { ok } from '../../models/branches.js';
import { type KinesisState, streamArn } from './model.js';
import type { Branch, Request } from '../../models/types.js';

const POLICY_OPS = ['PutResourcePolicy', 'GetResourcePolicy', 'DeleteResourcePolicy'];
const UNRESOLVED = ['kin.arn.invalid', 'kin.arn.unknown', 'kin.stream.not-found', 'kin.consumer.not-found', 'kin.consumer.gone'];
const isPolicyOp = (r: Request) => POLICY_OPS.includes(r.operation);
/** A document the model accepts, standing in for one it should refuse. */
const VALID_STAND_IN = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kinesis:GetRecords' }] });

interface Holder {
  policy: string | null;
}

/** Streams and their consumers in a fixed order, so two states that differ only in policies line up. */
function holders(state: KinesisState): Holder[] {
  return Object.keys(state.streams)
    .sort()
    .flatMap((name) => {
      const s = state.streams[name]!;
      return [s as Holder, ...s.consumers];
    });
}

/** `after` where each replaced document is instead the old one with the new statements appended. */
function mergeReplaced(before: KinesisState, after: KinesisState): KinesisState {
  const merged = structuredClone(after);
  const old = holders(before);
  holders(merged).forEach((h, i) => {
    const prev = old[i]?.policy;
    if (!prev || h.policy === null || h.policy === prev) return;
    const a = JSON.parse(prev) as { Version?: string; Statement: unknown };
    const b = JSON.parse(h.policy) as { Statement: unknown };
    const list = (x: unknown) => (Array.isArray(x) ? x : [x]);
    h.policy = JSON.stringify({ Version: a.Version ?? '2012-10-17', Statement: [...list(a.Statement), ...list(b.Statement)] });
  });
  return merged;
}

const wrongAnswerMutants: MutantEntry<KinesisState>[] = [
  {
    name: 'kin-get-missing-policy-not-found',
    description: 'GetResourcePolicy on a resource without a policy answers ResourceNotFoundException instead of Policy "{}"',
    breaks: 'kin.get.no-policy',
    respond: onSuccessOf('GetResourcePolicy', (outcome) =>
      outcome.output.Policy === '{}' ? { kind: 'error', code: 'ResourceNotFoundException', status: 400, message: 'No resource policy found' } : outcome,
    ),
  },
  {
    name: 'kin-delete-no-policy-succeeds',
    description: 'DeleteResourcePolicy on a resource without a policy succeeds (AWS answers an error)',
    breaks: 'kin.delete.no-policy',
    step: onFirstRule('kin.delete.no-policy', (_, { state }) => [ok('kin.delete.removes', state)]),
  },
  {
    name: 'kin-consumer-shares-stream-policy',
    description: "A consumer ARN reads and writes its stream's policy",
    breaks: 'kin.consumer.own-policy',
    step(original, state, request, ctx) {
      const arn = request.input.ResourceARN;
      const branches = original(state, request, ctx);
      if (!isPolicyOp(request) || typeof arn !== 'string' || !arn.includes('/consumer/')) return branches;
      // Only consumers that exist: the ARN is checked, then the policy is looked up under the stream.
      if (UNRESOLVED.includes(branches[0]?.rule ?? '')) return branches;
      return original(state, withInput(request, { ResourceARN: arn.split('/consumer/')[0]! }), ctx);
    },
  },
  {
    name: 'kin-policy-survives-deletestream',
    description: 'A stream re-created under the same name gets the old policy back (policies keyed by ARN, never cleaned up)',
    breaks: 'kin.deletestream.drops-policy',
    step(original, state, request, ctx, memory) {
      const kept = ((memory.kept as Record<string, string> | undefined) ??= {});
      const name = String(request.input.StreamName ?? '');
      const branches = original(state, request, ctx);
      const policy = state.streams[name]?.policy;
      if (request.operation === 'DeleteStream' && branches[0]?.rule === 'kin.deletestream.delete' && policy) kept[name] = policy;
      if (request.operation !== 'CreateStream' || !kept[name]) return branches;
      return branches.map((b) => {
        const created = b.next.streams[name];
        if (b.expect.kind !== 'ok' || !created || created.policy !== null) return b;
        return { ...b, next: { ...b.next, streams: { ...b.next.streams, [name]: { ...created, policy: kept[name]!, recreated: false } } } };
      });
    },
  },
  {
    name: 'kin-put-skips-existence-check',
    description: 'PutResourcePolicy on a stream or consumer that does not exist succeeds (and stores nothing readable)',
    breaks: 'kin.stream.not-found',
    step: onFirstRule(['kin.stream.not-found', 'kin.consumer.not-found', 'kin.consumer.gone'], (_, { state, request }) =>
      request.operation === 'PutResourcePolicy' ? [ok('kin.put.create', state)] : undefined,
    ),
  },
  {
    name: 'kin-no-policy-validation',
    description: 'PutResourcePolicy stores any string as the policy, JSON or not',
    breaks: 'kin.policy.invalid',
    // What the model would do with a valid document: run it with one and keep the next state's shape.
    step: onFirstRule('kin.policy.invalid', (_, call) => judgedWithStandIn(call, 'Policy', VALID_STAND_IN, String(call.request.input.Policy ?? '')).slice(0, 1)),
  },
  {
    name: 'kin-consumer-survives-deregister',
    description: 'The ARN of a deregistered consumer (or one whose stream was deleted) still answers policy calls',
    breaks: 'kin.consumer.gone',
    step: onFirstRule('kin.consumer.gone', (_, { state, request }) => {
      if (request.operation === 'GetResourcePolicy') return [ok('kin.get.no-policy', state, { Policy: { json: {} } })];
      if (request.operation === 'PutResourcePolicy') return [ok('kin.put.create', state)];
      return undefined;
    }),
  },
  {
    name: 'kin-deletestream-ignores-consumers',
    description: 'DeleteStream deletes a stream with registered consumers even without EnforceConsumerDeletion',
    breaks: 'kin.deletestream.has-consumers',
    step: judgedAs((request) => (request.operation === 'DeleteStream' ? withInput(request, { EnforceConsumerDeletion: true }) : request)),
  },
  {
    name: 'kin-register-duplicate-allowed',
    description: 'RegisterStreamConsumer with a name the stream already has succeeds and returns the existing consumer',
    breaks: 'kin.register.exists',
    step: onFirstRule('kin.register.exists', (_, { state, request, ctx }) => {
      const prefix = streamArn(ctx, '');
      const stream = state.streams[String(request.input.StreamARN ?? '').slice(prefix.length)];
      const existing = stream?.consumers.find((c) => c.name === request.input.ConsumerName);
      return existing ? [ok('kin.register.create', state, { ConsumerARN: { sym: existing.arn } })] : undefined;
    }),
  },
  {
    name: 'kin-foreign-arn-by-name',
    description: "A stream ARN of another account or region is resolved by stream name only, as if it were this account's",
    breaks: 'kin.arn.unknown',
    step: judgedAs((request, _state, ctx) => {
      const arn = request.input.ResourceARN;
      if (!isPolicyOp(request) || typeof arn !== 'string') return request;
      return withInput(request, { ResourceARN: arn.replace(/^arn:aws:kinesis:[^:]*:\d{12}:stream\//, streamArn(ctx, '')) });
    }),
  },
  {
    name: 'kin-describe-consumer-new-timestamp',
    description: 'DescribeStreamConsumer reports a ConsumerARN with a different creation timestamp than RegisterStreamConsumer returned',
    breaks: 'kin.describeconsumer.found',
    respond: onSuccessOf('DescribeStreamConsumer', (outcome) => {
      const m = /^(.*):([0-9]+)$/.exec(String(outcome.output.ConsumerARN ?? ''));
      return m ? { ...outcome, output: { ...outcome.output, ConsumerARN: `${m[1]}:${Number(m[2]) + 1}` } } : outcome;
    }),
  },
  {
    name: 'kin-consumer-arn-without-timestamp',
    description: 'Consumer ARNs lack the :<creation timestamp> suffix AWS gives them (stream ARN + /consumer/<name>, as moto builds them)',
    breaks: 'kin.register.create',
    respond: onSuccessOf(['RegisterStreamConsumer', 'DescribeStreamConsumer'], (outcome) => ({
      ...outcome,
      output: { ...outcome.output, ConsumerARN: String(outcome.output.ConsumerARN ?? '').replace(/:[0-9]+$/, '') },
    })),
  },
  {
    name: 'kin-put-merges-statements',
    description: 'PutResourcePolicy on a resource with a policy appends the new statements instead of replacing the document',
    breaks: 'kin.get.policy',
    step(original, state, request, ctx) {
      const branches = original(state, request, ctx);
      if (request.operation !== 'PutResourcePolicy') return branches;
      return branches.map((b): Branch<KinesisState> => (b.rule === 'kin.put.replace' ? { ...b, next: mergeReplaced(state, b.next) } : b));
    },
  },
];

/**
 * Seeded bugs of the departure kinds other than a wrong answer: a write that answers an error but changes the
 * state anyway, a write that answers success but changes nothing, and a server error on one kind of input, every
 * time. Each names the rule the suite must blame (`breaks`) and the kind it must report (`kind`). For the first
 * two, the step that misbehaves answers exactly what AWS answers there; only a later call shows it: the rule blamed
 * is that step's rule (the cause), not the later call's (a consequence, at most `alsoShowsAs`).
 */
const kindMutants: MutantEntry<KinesisState>[] = [
  {
    name: 'kin-deletestream-in-use-deletes',
    description:
      'DeleteStream of a stream with registered consumers, without EnforceConsumerDeletion, answers ResourceInUseException but deletes the stream and its consumers anyway (kinesis-local 0.6.2)',
    breaks: 'kin.deletestream.has-consumers',
    kind: 'error-with-side-effect',
    step: onFirstRule('kin.deletestream.has-consumers', (answer, { original, state, request, ctx }) =>
      request.operation === 'DeleteStream' ? [errorWithEffect(answer, original(state, withInput(request, { EnforceConsumerDeletion: true }), ctx))] : undefined,
    ),
  },
];

/** Every seeded bug of this service. */
export const kinesisMutants = serviceMutants('kinesis', [...wrongAnswerMutants, ...kindMutants]);
