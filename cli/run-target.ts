/**
 * One target's run, as `run` and `matrix` do it: start the target, run each service (failing sequences of earlier
 * runs first), attach AWS CLI reproducers, keep the failing sequences for next time, compare with expectations,
 * write the reports.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ExpectationReport, RunResult, ServiceResult } from '../models/results.js';
import { STALLED } from '../harness/execution.js';
import { createdCount, describeHalt, Halt } from '../harness/halt.js';
import { leaseFile } from '../harness/lease.js';
import { HistoryRecorder } from '../harness/record.js';
import { runService } from '../harness/runner.js';
import { compareWithExpectations, type ExpectationsFile, expectationsFrom, loadExpectations, saveExpectations } from '../harness/store/expectations.js';
import { loadFailures, recordedFor, saveFailures, targetKey, updateFailures } from '../harness/store/failures.js';
import { defaultConcurrency, emulatorPerService, parseTarget, runsSideBySide, resolveTarget, settleMsFor, type Target, waitSecondsFor, windowMsFor } from '../harness/targets/index.js';
import { endpointId } from '../harness/sdk.js';
import { writeWitnesses } from '../harness/witness.js';
import { renderJson } from '../reports/json.js';
import { renderJUnit } from '../reports/junit.js';
import { renderMarkdown } from '../reports/markdown.js';
import { awsCliReproducer } from '../reports/reproducer.js';
import { lagBoundFor } from '../harness/service.js';
import { serviceNamed } from '../services/index.js';
import { defaultSafetyFor, type SafetyProfile } from '../generators/safety.js';
import { callerAccount } from '../harness/caller.js';
import { stderr } from './exit.js';
import { DEFAULTS, type TargetRun } from './options.js';

/**
 * The generation profile a run uses: --safety, else the target kind's default (real-account for `aws`), with the
 * partner accounts named. `callerAccount`: the caller's account when the target knows it before any service runs
 * (the `aws` target, from STS GetCallerIdentity).
 */
export function safetyProfileOf(o: Pick<TargetRun, 'spec' | 'safety' | 'partnerAccounts'>, callerAccount?: string): SafetyProfile {
  return {
    name: o.safety ?? defaultSafetyFor(parseTarget(o.spec).kind),
    partnerAccounts: o.partnerAccounts ?? [],
    ...(callerAccount ? { callerAccount } : {}),
  };
}

/**
 * The profile against a resolved target, with the caller's account: the aws target has it already (STS
 * GetCallerIdentity, its first call: no second call for it); otherwise, under real-account, STS is asked, since
 * documents name the caller's own account and some services' discovery cannot learn it (X-Ray).
 */
export async function safetyAgainst(o: Pick<TargetRun, 'spec' | 'safety' | 'partnerAccounts'>, target: Pick<Target, 'endpoint' | 'caller'>, knownCaller?: string, log?: (line: string) => void): Promise<SafetyProfile> {
  const safety = safetyProfileOf(o, knownCaller ?? target.caller?.account);
  if (safety.name !== 'real-account' || safety.callerAccount) return safety;
  const account = await callerAccount(target.endpoint);
  if (account) return safetyProfileOf(o, account);
  log?.("[safety] STS GetCallerIdentity named no account: X-Ray's documents fall back to the account its discovery reports (a placeholder)");
  return safety;
}

export async function runTarget(o: TargetRun, halt: Halt = new Halt(), knownCaller?: string): Promise<RunResult> {
  const log = o.quiet ? undefined : stderr;
  const target = await resolveTarget(o.spec, { region: o.region, ...(o.mutant ? { mutant: o.mutant } : {}), ...(o.aws ? { aws: o.aws } : {}), ...(log ? { log } : {}) });
  const consistency = o.consistency ?? target.defaultConsistency;
  const settleMs = o.settleMs ?? settleMsFor(target.name, consistency);
  const windowMs = o.windowMs ?? windowMsFor(parseTarget(o.spec));
  // --runs too when not the default: a replay path's first number is one of the run's cases, checked against --runs.
  // An aws replay needs the opt-in too: the account the run was allowed on.
  const replayBase = [`--target ${o.spec}`, target.caller ? `--allow-account ${target.caller.account}` : '', o.mutant ? `--mutant ${o.mutant}` : '', o.region !== DEFAULTS.region ? `--region ${o.region}` : '', o.runs !== DEFAULTS.runs ? `--runs ${o.runs}` : '', o.windowMs !== undefined ? `--window-ms ${o.windowMs}` : ''].filter(Boolean).join(' ');
  const safety = await safetyAgainst(o, target, knownCaller, log);
  const result: RunResult = {
    target: target.name,
    ...(target.version ? { targetVersion: target.version } : {}),
    ...(target.claims ? { targetClaims: target.claims } : {}),
    seed: o.seed,
    consistency,
    ...(windowMs ? { windowMs } : {}),
    region: o.region,
    ...(o.mutant ? { mutant: o.mutant } : {}),
    startedAt: new Date().toISOString(),
    services: [],
    safety: { profile: safety.name, partnerAccounts: [...safety.partnerAccounts] },
  };
  const key = targetKey(target.name, o.mutant);
  const spec = parseTarget(o.spec);
  // A target that outlives the run (a URL, an AWS account) keeps what a killed run left: journal, leases, sweep.
  const journaled = spec.kind === 'url' || spec.kind === 'aws';
  const concurrency = o.concurrency ?? defaultConcurrency(spec);
  const failures = o.failuresFile ? await loadFailures(o.failuresFile, log) : undefined;
  // The reference listens on a throw-away port: reproducers name the port `serve` uses by default.
  // AWS: the commands name no endpoint (the AWS CLI resolves it as the SDK did) and use the user's own credentials.
  const reproducerEndpoint = (t: Target) => (t.name === 'reference' ? `http://127.0.0.1:${DEFAULTS.port}` : t.endpoint.url);
  const preamble = (t: Target) =>
    t.name === 'reference'
      ? [`start the target first: npx policy-conformance serve --port ${DEFAULTS.port}${o.mutant ? ` --mutant ${o.mutant}` : ''}`]
      : o.spec === t.endpoint.url || /^https?:/.test(o.spec) || spec.kind === 'aws'
        ? []
        : [`the run's ${o.spec}${t.version ? ` ${t.version}` : ''} listened on ${t.endpoint.url}; start one and use its URL if that one is gone`];
  /**
   * Every target this run started (a managed emulator side by side: one per service, each stopped when its service
   * is done), all stopped at the end (stop is idempotent).
   */
  const started: Target[] = [target];
  /**
   * One service's run, its reproducers attached; `lane`: the Halt it checks (its own lane when run beside others);
   * `on`: the target it runs against (the run's, or its own emulator process).
   */
  const runOne = async (service: string, lane: Halt, on: Target = target) => {
    const definition = serviceNamed(service)!;
    const recheck = failures && !o.path ? recordedFor(failures, key, service, consistency) : [];
    const record = o.recordDir ? new HistoryRecorder({ target: o.spec, ...(target.version ? { targetVersion: target.version } : {}), ...(o.mutant ? { mutant: o.mutant } : {}), service, seed: o.seed }) : undefined;
    const serviceResult = await runService(definition.adapter, on.endpoint, {
      runs: o.runs,
      seed: o.seed,
      ...(o.path ? { path: o.path } : {}),
      consistency,
      switches: o.switches,
      setAside: o.setAside,
      ...(settleMs !== undefined ? { settleMs } : {}),
      ...(windowMs ? { windowMs } : {}),
      waitSeconds: o.waitSeconds ?? waitSecondsFor(on.endpoint.url),
      maxDivergences: o.maxDivergences,
      replayBase,
      reproduce: o.reproduce,
      ...(recheck.length ? { recheck } : {}),
      halt: lane,
      // Only a target that outlives the run (a URL) can keep anything of it: journal, leftover checks, sweep.
      ...(journaled && definition.sweeper ? { sweep: { sweeper: definition.sweeper } } : {}),
      ...(journaled && definition.accountWide ? { lease: leaseFile(endpointId(on.endpoint), service) } : {}),
      concurrency,
      safety,
      ...(record ? { record } : {}),
      ...(log ? { onProgress: log } : {}),
    });
    if (record && o.recordDir) {
      const file = await record.write(o.recordDir);
      log?.(`[${service}] history written to ${file}`);
    }
    lane.charge(serviceResult.calls, createdCount(serviceResult.created));
    for (const d of serviceResult.divergences) {
      d.reproducer = awsCliReproducer(definition.cli, d, { endpointUrl: reproducerEndpoint(on), region: o.region, preamble: preamble(on), settleSeconds: Math.ceil(lagBoundFor(definition.adapter, consistency, settleMs) / 1000) });
    }
    log?.(`[${service}] ${serviceResult.verdict} in ${(serviceResult.durationMs / 1000).toFixed(1)} s`);
    return serviceResult;
  };
  const notRunResults = new Set<ServiceResult>();
  /** A service not run (a target that stopped answering, a signal, a spent budget): never a pass, nor a record of failures. */
  const notRun = (service: string, verdict: ServiceResult['verdict'], why: string): ServiceResult => {
    const r: ServiceResult = { service, verdict, reason: `not run: ${why}`, runs: 0, calls: 0, faults: 0, durationMs: 0, rulesReached: [], unsupportedOperations: [], profile: {}, divergences: [] };
    notRunResults.add(r);
    return r;
  };
  try {
    if (runsSideBySide(target, o.concurrency, o.services)) {
      // Services share no state: run them all at once, each in a lane of the run's budgets (see sideBySide), after
      // one reset of the target (one per service would clear the others' state). The results keep --services' order.
      result.sideBySide = true;
      const halted = halt.check();
      let lanes: Target[] = o.services.map(() => target);
      if (!halted && emulatorPerService(spec)) {
        // The others' processes are started once the first is up, so a first run's install happens once.
        const more = await Promise.allSettled(o.services.slice(1).map(() => resolveTarget(o.spec, { region: o.region, ...(log ? { log } : {}) })));
        for (const m of more) if (m.status === 'fulfilled') started.push(m.value);
        const failed = more.find((m): m is PromiseRejectedResult => m.status === 'rejected');
        if (failed) throw failed.reason;
        lanes = [...started];
        result.emulatorPerService = true;
      }
      if (!halted) await Promise.all([...new Set(lanes)].map((t) => t.reset?.()));
      const results = halted ? o.services.map((s) => notRun(s, halted.kind, describeHalt(halted, halt.budgets))) : await Promise.all(o.services.map((s, i) => runOne(s, halt.lane(), lanes[i]).finally(() => (lanes[i] !== target ? lanes[i]!.stop() : undefined))));
      result.services.push(...results);
    } else {
      let stalled: string | undefined;
      for (const service of o.services) {
        const halted = halt.check();
        if (stalled || halted) {
          // Every call to a target that stopped answering waits out its deadline: the other services are not run.
          // Nor are they after a signal or a spent budget — and a service not run is never a pass.
          result.services.push(stalled ? notRun(service, 'infra', stalled) : notRun(service, halted!.kind, describeHalt(halted!, halt.budgets)));
          continue;
        }
        await target.reset?.();
        const serviceResult = await runOne(service, halt);
        result.services.push(serviceResult);
        if (serviceResult.verdict === 'infra' && serviceResult.reason?.startsWith(STALLED)) stalled = `the target stopped answering during ${service}`;
      }
    }
    if (failures) for (const s of result.services) if (!notRunResults.has(s)) updateFailures(failures, key, s, consistency);
    const stoppedBy = halt.check();
    if (stoppedBy?.kind === 'interrupted') result.interruptedBy = stoppedBy.signal;
    if (halt.budgets.maxCalls !== undefined || halt.budgets.maxResources !== undefined || halt.budgets.timeLimitMs !== undefined || stoppedBy) {
      result.budgets = { ...halt.budgets, callsUsed: halt.callsSpent, resourcesUsed: halt.resourcesSpent, ...(stoppedBy ? { stoppedBy: describeHalt(stoppedBy, halt.budgets) } : {}) };
    }
  } finally {
    if (target.caller && target.endpointsUsed) result.aws = { account: target.caller.account, callerArn: target.caller.arn, region: o.region, endpoints: target.endpointsUsed() };
    await Promise.all(started.map((t) => t.stop()));
    if (failures && o.failuresFile) await saveFailures(o.failuresFile, failures).catch((e) => log?.(`cannot write the failures file ${o.failuresFile}: ${(e as Error).message}`));
  }
  return result;
}

/**
 * With an expectations file: compare (or, with --update-expectations, rewrite the file from this run first).
 * The exit code then depends only on new departures (and infrastructure failures).
 */
export async function applyExpectations(result: RunResult, target: string, file: string, update: boolean, log?: (m: string) => void): Promise<ExpectationReport> {
  let expectations: ExpectationsFile;
  if (update) {
    const previous = await loadExpectations(file).catch(() => undefined);
    expectations = expectationsFrom(target, result, previous, previous?.about ?? `Known departures of ${target}${result.targetVersion ? ` ${result.targetVersion}` : ''}; written by --update-expectations.`);
    await saveExpectations(file, expectations);
    log?.(`wrote ${file}: ${expectations.departures.length} departures, ${expectations.unsupported.length} unsupported`);
  } else expectations = await loadExpectations(file);
  // Reports name the file as the user would (relative to where they ran), so a committed matrix.md has no machine paths.
  const shown = relative(process.cwd(), file);
  return compareWithExpectations(shown && !shown.startsWith('..') ? shown : file, expectations, result);
}

/** One target's reports: results.json, junit.xml, report.md and a witness file per departure. */
export async function writeReports(dir: string, result: RunResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeWitnesses(dir, result, result.region ?? DEFAULTS.region, result.target);
  await writeFile(join(dir, 'results.json'), renderJson(result));
  await writeFile(join(dir, 'junit.xml'), renderJUnit(result));
  await writeFile(join(dir, 'report.md'), renderMarkdown(result));
}
