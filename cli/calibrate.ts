/**
 * `policy-conformance calibrate --target T [--out FILE]`: a few targeted calls per UNVERIFIED switch, then the
 * target's profile — each `switch=value` (or `undecided` / `none matched`) with the recorded history that decided
 * it. The histories are written next to the profile (`<name>-<service>.history.json`); `check` reads them too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrationProfile, type SwitchFinding } from '../models/calibration.js';
import { calibrateService, calibratedSwitches } from '../harness/calibrate.js';
import { UsageError } from '../harness/errors.js';
import { findMutant } from '../harness/reference/server.js';
import { parseTarget, resolveTarget, settleMsFor, waitSecondsFor } from '../harness/targets/index.js';
import { ALLOWED_ACCOUNTS_ENV } from '../harness/targets/aws.js';
import { lagBoundFor } from '../harness/service.js';
import { serviceNamed } from '../services/index.js';
import { EXIT, stderr } from './exit.js';
import { checkAwsSettings, checkRegion, checkWritable, regionFor } from './inputs.js';
import { DEFAULTS, parseServices } from './options.js';

export const CALIBRATION_OUT = 'reports/out/calibration.json';

export async function calibrate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { target: { type: 'string' }, services: { type: 'string' }, region: { type: 'string' }, mutant: { type: 'string' }, 'allow-account': { type: 'string', multiple: true }, profile: { type: 'string' }, out: { type: 'string', default: CALIBRATION_OUT }, quiet: { type: 'boolean', default: false } },
    allowPositionals: false,
    strict: true,
  });
  if (!values.target) throw new UsageError('calibrate needs --target T (reference, an emulator or a URL)');
  // Against AWS the same opt-in as `run`: the allow-list is required, STS is the first call (resolveTarget).
  if (values.region !== undefined) checkRegion(values.region);
  const aws = checkAwsSettings(parseTarget(values.target).kind === 'aws', { allowAccount: values['allow-account'], profile: values.profile }, ALLOWED_ACCOUNTS_ENV);
  const region = await regionFor(values.region, aws);
  const services = parseServices(values.services);
  if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"; \`policy-conformance mutants --list\` lists them`);
  if (values.mutant && values.target !== 'reference') throw new UsageError('--mutant works only with --target reference');
  if (!values.out.endsWith('.json')) throw new UsageError(`--out names the profile file (FILE.json), not "${values.out}"`);
  const out = resolve(values.out);
  await checkWritable([{ dir: dirname(out), flag: '--out', file: out }]);

  const log = values.quiet ? undefined : stderr;
  const startedAt = new Date().toISOString();
  const target = await resolveTarget(values.target, { region, ...(aws ? { aws } : {}), ...(values.mutant ? { mutant: values.mutant } : {}), ...(log ? { log } : {}) });
  const stem = basename(out, '.json');
  const findings: SwitchFinding[] = [];
  const failures: string[] = [];
  let infra = false;
  try {
    await mkdir(dirname(out), { recursive: true });
    for (const service of services) {
      const definition = serviceNamed(service)!;
      if (calibratedSwitches(definition).length === 0) continue;
      await target.reset?.();
      const consistency = target.defaultConsistency;
      const done = await calibrateService(definition, target.endpoint, {
        target: values.target,
        ...(target.version ? { targetVersion: target.version } : {}),
        ...(values.mutant ? { mutant: values.mutant } : {}),
        consistency,
        settleMs: lagBoundFor(definition.adapter, consistency, settleMsFor(target.name, consistency)),
        waitSeconds: waitSecondsFor(target.endpoint.url),
      });
      const historyName = `${stem}-${service}.history.json`;
      if (done.history) await writeFile(join(dirname(out), historyName), `${JSON.stringify(done.history, null, 1)}\n`);
      if ('failure' in done) {
        infra ||= done.failure === 'infra';
        failures.push(`${service}: ${done.failure}: ${done.reason}`);
        for (const sw of calibratedSwitches(definition)) findings.push({ service, switch: sw, status: 'undecided', fits: [], rejected: {}, history: historyName, sequences: [], note: `${service} ${done.failure}: ${done.reason}` });
        continue;
      }
      for (const f of done.findings) findings.push({ ...f, history: historyName });
      log?.(`[${service}] ${done.findings.length} switches calibrated, history in ${join(dirname(out), historyName)}`);
    }
  } finally {
    await target.stop();
  }
  const profile = calibrationProfile({ target: values.target, ...(target.version ? { targetVersion: target.version } : {}), ...(values.mutant ? { mutant: values.mutant } : {}), region, startedAt }, findings);
  await writeFile(out, `${JSON.stringify(profile, null, 2)}\n`);
  process.stdout.write(`${[`calibration of ${values.target}${target.version ? ` ${target.version}` : ''}${values.mutant ? ` (mutant ${values.mutant})` : ''}:`, ...findings.map(line), ...failures.map((f) => `  not calibrated: ${f}`), `profile in ${out}`].join('\n')}\n`);
  return infra ? EXIT.infra : EXIT.pass;
}

function line(f: SwitchFinding): string {
  const where = `${f.history}: ${f.sequences.join(', ')}`;
  if (f.status === 'decided') return `  ${`${f.switch}=${f.value}`.padEnd(54)} (${where})`;
  if (f.status === 'undecided') return `  ${`${f.switch} undecided`.padEnd(54)} (${f.fits.length ? `fits ${f.fits.join(', ')}` : f.note ?? 'no probe judged'}; ${where})`;
  const why = Object.entries(f.rejected).map(([v, r]) => `${v}: ${r.sequence} step ${r.step} on ${r.rule}`).join('; ');
  return `  ${`${f.switch} none matched`.padEnd(54)} (${why})`;
}
