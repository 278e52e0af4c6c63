/** `policy-conformance replay FILE`: run one witness again against its target (or another) and say whether it still departs. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RefusedError, UsageError } from '../harness/errors.js';
import { replayWitness } from '../harness/runner.js';
import { ALLOWED_ACCOUNTS_ENV } from '../harness/targets/aws.js';
import { parseTarget, resolveTarget, settleMsFor, waitSecondsFor } from '../harness/targets/index.js';
import { loadWitness } from '../harness/witness.js';
import { describeObservation } from '../reports/text.js';
import { SERVICE_NAMES, serviceNamed } from '../services/index.js';
import { EXIT, stderr } from './exit.js';
import { checkAwsSettings, checkRegion } from './inputs.js';
import { partnerAccountsOf, safetyOf } from './options.js';
import { safetyAgainst } from './run-target.js';
import { defaultSafetyFor } from '../generators/safety.js';

export async function replay(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      region: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'allow-account': { type: 'string', multiple: true },
      profile: { type: 'string' },
      safety: { type: 'string' },
      'partner-account': { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('replay needs exactly one witness file');
  if (values.region !== undefined) checkRegion(values.region);
  const witness = await loadWitness(resolve(positionals[0]!), SERVICE_NAMES);
  const spec = values.target ?? witness.target;
  const kind = parseTarget(spec).kind;
  const aws = checkAwsSettings(kind === 'aws', { allowAccount: values['allow-account'], profile: values.profile }, ALLOWED_ACCOUNTS_ENV);
  // The profile of the target replayed against (real-account for aws), not the witness's: a witness found on an
  // emulator under `full` may hold documents no real account should get.
  const chosen = { spec, ...(values.safety !== undefined ? { safety: safetyOf(values.safety)! } : {}), ...(partnerAccountsOf(values['partner-account']) ? { partnerAccounts: partnerAccountsOf(values['partner-account'])! } : {}) };
  if (chosen.partnerAccounts && (chosen.safety ?? defaultSafetyFor(kind)) === 'full') throw new UsageError("--partner-account needs the real-account profile (--safety real-account; the aws target's default)");
  const region = values.region ?? checkRegion(String(witness.region), `the witness's region`);
  const log = values.quiet ? undefined : stderr;
  const target = await resolveTarget(spec, { region, ...(witness.mutant && spec === 'reference' ? { mutant: witness.mutant } : {}), ...(aws ? { aws } : {}), ...(log ? { log } : {}) });
  try {
    const safety = await safetyAgainst(chosen, target, undefined, log);
    const foundUnder = witness.safety?.profile ?? 'full';
    if (safety.name !== foundUnder) log?.(`[safety] replayed under the ${safety.name} profile; the witness was found under ${foundUnder}${safety.name === 'real-account' ? ": its documents name the caller's account (and partners) as principals" : ''}`);
    const outcome = await replayWitness(serviceNamed(witness.service)!.adapter, target.endpoint, witness, {
      ...(settleMsFor(target.name, witness.consistency) === 0 ? { settleMs: 0 } : {}),
      waitSeconds: waitSecondsFor(target.endpoint.url),
      ...(witness.windowMs ? { windowMs: witness.windowMs } : {}),
      safety,
    });
    if (outcome.status === 'refused') throw new RefusedError(`replay refused: ${outcome.reason}. Replay it with --safety full only against an account you can lose`);
    const lines = outcome.steps.map((st, i) => `  ${String(i + 1).padStart(2)}. ${st.setup ? '(setup) ' : ''}${st.operation} → ${describeObservation(st.outcome)}`);
    const said = {
      departs: `departs again at its last step, on ${outcome.rule} (${outcome.kind}); recorded: ${witness.rule} (${witness.kind})`,
      'departs-earlier': `departs at an earlier step than recorded, on ${outcome.rule}: the target changed`,
      conforms: `does not depart any more (recorded: ${witness.rule}, ${witness.kind})`,
      infra: `infrastructure failure: ${outcome.reason}`,
      unsupported: `the target does not serve ${witness.service}: ${outcome.reason}`,
      stopped: `could not be judged to its end: ${outcome.reason}`,
    }[outcome.status as Exclude<typeof outcome.status, 'refused'>];
    process.stdout.write(`${[`replay of ${positionals[0]} against ${spec}${target.version ? ` ${target.version}` : ''}:`, ...lines, `witness ${said}`].join('\n')}\n`);
    return outcome.status === 'departs' || outcome.status === 'departs-earlier' ? EXIT.fail : outcome.status === 'conforms' ? EXIT.pass : EXIT.infra;
  } finally {
    await target.stop();
  }
}
