/**
 * `policy-conformance sweep --target URL [--account ID]… [--older-than DURATION] [--services …] [--yes]`: what the suite left on a
 * target — from the journals of runs that did not finish and from the suite's mark found on the target — listed
 * (a dry run by default), then with --yes deleted in dependency order and each deletion confirmed with a read.
 * Nothing without the mark is touched; resources of a run still going on this machine are left alone.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../harness/errors.js';
import { closeJournal, journalDir, type JournalRecord, readJournals, stillRunning } from '../harness/journal.js';
import { type Endpoint, endpointId } from '../harness/sdk.js';
import { type AccountRegion, type LeftResource, prefixOf, type Sweeper } from '../harness/sweep.js';
import { removeTargetLease, staleTargetLeases } from '../harness/target-lease.js';
import { ALLOWED_ACCOUNTS_ENV } from '../harness/targets/aws.js';
import { parseTarget, resolveTarget } from '../harness/targets/index.js';
import { SERVICES } from '../services/index.js';
import { EXIT, stderr } from './exit.js';
import { checkAwsSettings, checkRegion, regionFor } from './inputs.js';
import { DEFAULTS, durationMs, parseServices } from './options.js';

/** Per resource: how long a deletion may keep being refused (real DynamoDB: minutes after a policy write). */
const PATIENCE_MS = 5 * 60_000;

/** When a run prefix was made: its six clock digits are the low base-36 digits of the time in ms (wrapping every ~25 days). */
export function prefixTime(prefix: string, now = Date.now()): number {
  const low = parseInt(prefix.slice(2, 8), 36);
  const span = 36 ** 6;
  let t = now - (now % span) + low;
  if (t > now) t -= span;
  return t;
}

interface Found extends LeftResource {
  prefix: string;
  journal?: JournalRecord;
}

export async function sweep(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      account: { type: 'string', multiple: true },
      'older-than': { type: 'string' },
      services: { type: 'string' },
      region: { type: 'string' },
      yes: { type: 'boolean', default: false },
      'allow-account': { type: 'string', multiple: true },
      profile: { type: 'string' },
    },
    strict: true,
  });
  if (!values.target) throw new UsageError('sweep needs --target URL or --target aws (where the runs went)');
  const parsed = parseTarget(values.target);
  if (parsed.kind !== 'url' && parsed.kind !== 'aws') throw new UsageError(`sweep works on a target the suite does not start itself (an http(s):// URL or aws); "${values.target}" starts fresh each run and is gone with it`);
  for (const a of values.account ?? []) if (!/^\d{12}$/.test(a)) throw new UsageError(`--account "${a}": an AWS account id is 12 digits`);
  if (values.region !== undefined) checkRegion(values.region);
  // The same opt-in as a run: without an allow-list nothing is called; STS GetCallerIdentity comes first.
  const aws = checkAwsSettings(parsed.kind === 'aws', { allowAccount: values['allow-account'], profile: values.profile }, ALLOWED_ACCOUNTS_ENV);
  const region = await regionFor(values.region, aws);
  const olderThan = values['older-than'] !== undefined ? durationMs('older-than', values['older-than']) : 0;
  const services = parseServices(values.services);
  const now = Date.now();
  const target = await resolveTarget(values.target, { region, ...(aws ? { aws } : {}) });
  const where = endpointId(target.endpoint);
  const journals = readJournals().filter((j) => j.entry.endpoint === where);
  // AWS: the caller's own account is where the account-wide state is (the OpsItemGroup), with or without --account.
  const namedAccounts = [...(values.account ?? []), ...(target.caller ? [target.caller.account] : [])];
  const running = new Set(journals.filter((j) => stillRunning(j.entry)).map((j) => j.entry.prefix));
  try {
    const found: Found[] = [];
    const skipped: string[] = [];
    for (const s of SERVICES.filter((d) => services.includes(d.name) && d.sweeper)) {
      let marked: LeftResource[];
      try {
        marked = await s.sweeper!.find(target.endpoint);
      } catch (error) {
        stderr(`[${s.name}] cannot list its resources: ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
      marked.push(...(await accountWide(s.name, s.sweeper!, target.endpoint, accounts(namedAccounts, region, journals, s.name))));
      for (const r of marked) {
        const prefix = r.run ?? prefixOf(r.name)!;
        const journal = journals.find((j) => j.entry.prefix === prefix && j.entry.service === s.name);
        const startedAt = journal ? Date.parse(journal.entry.startedAt) : prefixTime(prefix, now);
        if (running.has(prefix)) skipped.push(`${r.kind} ${r.name} (its run, pid ${journal?.entry.pid}, is still going)`);
        else if (now - startedAt < olderThan) skipped.push(`${r.kind} ${r.name} (younger than --older-than)`);
        else found.push({ ...r, prefix, ...(journal ? { journal } : {}) });
      }
    }
    // Turns on account-wide state that a killed run still holds on the target (harness/target-lease.ts).
    const leases = await staleTargetLeases(target.endpoint, SERVICES.filter((d) => services.includes(d.name) && d.accountWide).map((d) => d.name)).catch(() => []);
    const lines = found.map((r) => `  ${r.service.padEnd(9)} ${r.kind.padEnd(9)} ${r.name}${r.journal ? `  (journal ${r.journal.file})` : '  (found by its mark)'}`);
    lines.push(...leases.map((name) => `  ${'lease'.padEnd(9)} ${'parameter'.padEnd(9)} ${name}  (its holder is gone)`));
    const total = found.length + leases.length;
    const on = target.caller ? `account ${target.caller.account} (${target.caller.arn}) in ${region}` : where;
    process.stdout.write(`${total} resources of the suite on ${on}${lines.length ? ':' : ''}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    if (skipped.length) process.stdout.write(`left alone:\n${skipped.map((l) => `  ${l}`).join('\n')}\n`);
    if (!values.yes) {
      if (total) process.stdout.write(`dry run: nothing deleted; add --yes to delete them (journals in ${journalDir()})\n`);
      else forgetFinished(journals, running, found);
      return total ? EXIT.fail : EXIT.pass;
    }
    const failed: string[] = [];
    for (const name of leases) {
      try {
        await removeTargetLease(target.endpoint, name);
        process.stdout.write(`deleted lease ${name}\n`);
      } catch (error) {
        failed.push(`lease ${name}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    for (const s of SERVICES.filter((d) => d.sweeper)) {
      for (const kind of s.sweeper!.order) {
        for (const r of found.filter((x) => x.service === s.name && x.kind === kind)) {
          try {
            await s.sweeper!.remove(target.endpoint, r, { deadlineMs: PATIENCE_MS });
            process.stdout.write(`deleted ${r.service} ${r.kind} ${r.name}\n`);
          } catch (error) {
            failed.push(`${r.service} ${r.kind} ${r.name}: ${(error as Error).message.split('\n')[0]}`);
          }
        }
      }
    }
    forgetFinished(journals, running, found.filter((r) => failed.some((f) => f.startsWith(`${r.service} ${r.kind} ${r.name}:`))));
    if (failed.length) process.stdout.write(`could not delete ${failed.length}:\n${failed.map((l) => `  ${l}`).join('\n')}\n`);
    process.stdout.write(`${total - failed.length} deleted, ${failed.length} left\n`);
    return failed.length ? EXIT.fail : EXIT.pass;
  } finally {
    await target.stop();
  }
}

/** The accounts whose account-wide state to look at: those named with --account, and those the journals of this target recorded. */
function accounts(named: readonly string[] | undefined, region: string, journals: readonly JournalRecord[], service: string): AccountRegion[] {
  const all = [...(named ?? []).map((account) => ({ account, region })), ...journals.filter((j) => j.entry.service === service && j.entry.account).map((j) => ({ account: j.entry.account!, region: j.entry.region }))];
  return all.filter((a, i) => all.findIndex((b) => b.account === a.account && b.region === a.region) === i);
}

/** Marked policies on the account-wide resources of each account (the OpsItemGroup); says so when no account is known. */
async function accountWide(service: string, sweeper: Sweeper, endpoint: Endpoint, accountIds: readonly AccountRegion[]): Promise<LeftResource[]> {
  if (!sweeper.findAccountWide) return [];
  if (!accountIds.length) {
    stderr(`[${service}] account-wide state (the OpsItemGroup) not checked: no journal of this target names its account (pass --account ID)`);
    return [];
  }
  const found: LeftResource[] = [];
  for (const account of accountIds) {
    try {
      found.push(...(await sweeper.findAccountWide(endpoint, account)));
    } catch (error) {
      stderr(`[${service}] cannot read account-wide state of ${account.account} in ${account.region}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return found;
}

/** Journals of runs that are over and have nothing left (or whose last resource was just deleted) go. */
function forgetFinished(journals: readonly JournalRecord[], running: ReadonlySet<string>, stillThere: readonly Found[]): void {
  for (const j of journals) {
    if (running.has(j.entry.prefix)) continue;
    if (!stillThere.some((r) => r.prefix === j.entry.prefix && r.service === j.entry.service)) closeJournal(j.file);
  }
}
