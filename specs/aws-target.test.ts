/**
 * `--target aws` through the real CLI, pointed by the SDK's own endpoint variables (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_DYNAMODB) at reference servers this spec starts, which play an account and answer STS
 * GetCallerIdentity. Every request is counted on the servers' side; every CLI runs behind the loopback guard, which
 * shows that nothing left 127.0.0.1. The opt-in comes first: no allow-list, no request; a caller outside it, one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../models/results.js';
import { principalAccounts } from '../generators/safety.js';
import type { HttpRequest } from '../harness/reference/protocol.js';
import { type RunningAwsLike, startAwsLike } from '../harness/aws-like/index.js';
import { type RunningReference, type ReferenceServer, startReference } from '../harness/reference/server.js';
import { runProcess } from './support/cli.js';
import { GUARD, guardedEnv, guardLog } from './support/loopback-guard.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const scratch = mkdtempSync(join(tmpdir(), 'pc-aws-'));

/** One request a counting reference took: who signed it, for which service, the JSON operation and its body. */
interface Seen {
  key: string;
  service: string;
  operation: string;
  body: string;
}

/**
 * A reference server playing ACCOUNT that notes, in order, each request's access key and the service it was signed
 * for (every CLI run of this file signs with a key of its own, so its requests are told apart from the others').
 */
async function countingReference(): Promise<RunningReference & { server: ReferenceServer; seen: Seen[] }> {
  const ref = await startReference({ account: ACCOUNT });
  const seen: Seen[] = [];
  // Every request the server on its port takes goes through handleConcurrently (harness/reference/server.ts).
  const handle = ref.server.handleConcurrently.bind(ref.server);
  ref.server.handleConcurrently = (http: HttpRequest) => {
    const auth = http.headers.authorization;
    const scope = typeof auth === 'string' ? /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth) : null;
    const operation = String(http.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    seen.push({ key: scope?.[1] ?? 'unsigned', service: scope?.[2] ?? 'unsigned', operation, body: http.body });
    return handle(http);
  };
  return Object.assign(ref, { seen });
}

let main: Awaited<ReturnType<typeof countingReference>>;
let dynamo: Awaited<ReturnType<typeof countingReference>>;
/** Where a test may leave what it cannot clean up (a Deny of the caller's own actions): the others sweep `main`. */
let scrap: Awaited<ReturnType<typeof countingReference>>;
let runCount = 0;

beforeAll(async () => {
  main = await countingReference();
  dynamo = await countingReference();
  scrap = await countingReference();
});
afterAll(async () => {
  await main?.stop();
  await dynamo?.stop();
  await scrap?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * The CLI as a CI job would run it against AWS, but with every endpoint on this machine: dummy keys, no shared
 * config (files that do not exist), no instance metadata, a journal folder of its own, the guard preloaded.
 */
async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const n = ++runCount;
  const key = `spec-key-${n}`;
  const log = join(scratch, `guard-${n}.jsonl`);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'POLICY_CONFORMANCE_ALLOWED_ACCOUNTS'));
  const full: NodeJS.ProcessEnv = {
    ...clean,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: key,
    AWS_SECRET_ACCESS_KEY: 'spec-secret',
    AWS_CONFIG_FILE: join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: main.url,
    // The region a CI job's credentials step exports (a row may take it away: undefined).
    AWS_REGION: 'us-east-1',
    POLICY_CONFORMANCE_JOURNAL_DIR: join(scratch, 'journals'),
    ...guardedEnv(log),
    ...env,
  };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  const r = await runProcess(process.execPath, ['bin/policy-conformance.mjs', ...args], { env: full, timeoutMs: 90_000, cwd: process.cwd() });
  const guard = guardLog(log);
  const mine = (ref: typeof main) => ref.seen.filter((s) => s.key === key).map((s) => s.service);
  const requests = (ref: typeof main) => ref.seen.filter((s) => s.key === key);
  // What any process of the run tried to reach that is not 127.0.0.1 (the guard refused it).
  const left = guard.filter((g) => !g.allowed);
  return { ...r, arn: `arn:aws:iam::${ACCOUNT}:user/${key}`, main: mine(main), dynamo: mine(dynamo), requests, guard, left };
}

// --settle-ms 0: the reference is strict, and eventual's default wait before each judged read would only slow this down;
// --window-ms 0: it keeps no change window (AWS's 15 s would make every quick second change a departure).
const RUN = ['run', '--target', 'aws', '--services', 'dynamodb', '--runs', '8', '--seed', '7', '--settle-ms', '0', '--window-ms', '0', '--quiet'];
const out = (name: string) => ['--out', join(scratch, name), '--failures', 'off'];
const results = (name: string) => JSON.parse(readFileSync(join(scratch, name, 'results.json'), 'utf8')) as RunResult;

// Every CLI run signs with a key of its own (its requests are counted apart), so the runs of a group go at once.
describe.concurrent('the aws target: opt-in and account check first', () => {
  it('without an allow-list: exit 2, one line, and no request at all', async () => {
    const r = await cli([...RUN, ...out('no-list')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('policy-conformance: --target aws needs --allow-account ID (or POLICY_CONFORMANCE_ALLOWED_ACCOUNTS=ID,...): the accounts the run may touch; nothing was called');
    expect(r.main).toEqual([]);
    expect(r.dynamo).toEqual([]);
    expect(r.guard).toEqual([]); // not even a lookup
  });

  it('a caller outside the list: exit 2 after exactly one request, GetCallerIdentity', async () => {
    const r = await cli([...RUN, '--allow-account', OTHER, ...out('other')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`policy-conformance: --target aws: the credentials are of account ${ACCOUNT} (${r.arn}), which is not allowed (allowed: ${OTHER}); nothing else was called`);
    expect(r.main).toEqual(['sts']);
    expect(r.left).toEqual([]);
  });

  it('an allowed caller (listed in POLICY_CONFORMANCE_ALLOWED_ACCOUNTS): STS first, the run passes eventual and bounded, AWS_ENDPOINT_URL_DYNAMODB moves DynamoDB alone, and the report names account, caller, region and endpoints', async () => {
    const r = await cli([...RUN, '--region', 'eu-west-1', '--max-calls', '5000', ...out('allowed')], { POLICY_CONFORMANCE_ALLOWED_ACCOUNTS: `${OTHER}, ${ACCOUNT}`, AWS_ENDPOINT_URL_DYNAMODB: dynamo.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.main).toEqual(['sts']);
    expect(r.dynamo.length).toBeGreaterThan(8);
    expect(new Set(r.dynamo)).toEqual(new Set(['dynamodb']));
    const result = results('allowed');
    expect(result.target).toBe('aws');
    expect(result.consistency).toBe('eventual');
    expect(result.aws).toEqual({ account: ACCOUNT, callerArn: r.arn, region: 'eu-west-1', endpoints: { sts: [main.url], dynamodb: [dynamo.url] } });
    // The explicit --max-calls wins; the default time limit stays.
    expect(result.budgets).toMatchObject({ maxCalls: 5000, timeLimitMs: 45 * 60_000 });
    expect(result.services.map((s) => [s.service, s.verdict, s.runs])).toEqual([['dynamodb', 'pass', 8]]);
    expect(readFileSync(join(scratch, 'allowed', 'report.md'), 'utf8')).toContain(`AWS account \`${ACCOUNT}\` as \`${r.arn}\` in \`eu-west-1\` · endpoints: sts \`${main.url}\` · dynamodb \`${dynamo.url}\``);
    expect(r.stdout).toContain(`account ${ACCOUNT} as ${r.arn} in eu-west-1; endpoints: sts ${main.url}; dynamodb ${dynamo.url}`);
    expect(r.guard.some((g) => g.kind === 'connect' && g.allowed)).toBe(true);
    expect(r.left).toEqual([]);
  });
});

describe.concurrent('run --target aws --plan', () => {
  const PLAN = ['run', '--target', 'aws', '--plan', '--services', 'dynamodb', '--seed', '1', '--allow-account', ACCOUNT];

  it('plans with the aws defaults (eventual, 25 runs, 2,000 calls, 45 minutes) in AWS_REGION, and sends nothing, not even STS', async () => {
    const r = await cli([...PLAN, ...out('plan')], { AWS_REGION: 'eu-central-1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^plan for aws \(eu-central-1\), seed 1, 25 runs, consistency eventual — nothing was sent/);
    expect(r.stdout).toContain('call budget: 2000; time limit: 45m');
    expect([...r.main, ...r.dynamo]).toEqual([]);
    expect(r.guard).toEqual([]);
  });

  it("takes the profile's region from the shared config when AWS_REGION is not set, and --region over both", async () => {
    const config = join(scratch, 'config-with-region');
    writeFileSync(config, '[default]\nregion = eu-north-1\n\n[profile spec-sydney]\nregion = ap-southeast-2\n');
    const env = { AWS_REGION: undefined, AWS_CONFIG_FILE: config };
    // Three processes at once: each spends its time starting up.
    const [named, byDefault, flag] = await Promise.all([
      cli([...PLAN, '--profile', 'spec-sydney', ...out('plan-profile')], env),
      cli([...PLAN, ...out('plan-default-profile')], env),
      cli([...PLAN, '--profile', 'spec-sydney', '--region', 'sa-east-1', ...out('plan-flag')], { ...env, AWS_REGION: 'eu-central-1' }),
    ]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toMatch(/^plan for aws \(ap-southeast-2\)/);
    expect(byDefault.stdout).toMatch(/^plan for aws \(eu-north-1\)/);
    expect(flag.stdout).toMatch(/^plan for aws \(sa-east-1\)/);
    expect([...named.main, ...byDefault.main, ...flag.main]).toEqual([]);
  });

  it('without a region anywhere: exit 2, one line, no request', async () => {
    const r = await cli([...PLAN, ...out('plan-no-region')], { AWS_REGION: undefined });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('policy-conformance: --target aws needs a region: --region R, AWS_REGION, or a region in the shared config profile; nothing was called');
    expect(r.main).toEqual([]);
    expect(r.guard).toEqual([]);
  });
});

describe.concurrent('replay --target aws: under the real-account profile', () => {
  const T0 = { kind: 'table', slot: 't0' };
  const witness = (name: string, commands: object[]) => {
    const file = join(scratch, `${name}.witness.json`);
    // As a run against the reference (full profile) would write it: the aws target's profile is not the witness's.
    writeFileSync(file, JSON.stringify({ format: 'policy-conformance witness', version: 1, target: 'reference', region: 'us-east-1', service: 'dynamodb', consistency: 'strict', switches: {}, rule: 'ddb.policy.self-lockout', kind: 'wrong-answer', commands, steps: [] }));
    return file;
  };
  const LOCKOUT = [{ op: 'PutResourcePolicy', target: T0, policy: { kind: 'lockout' } }];

  it("refuses a witness holding a Deny of the caller's own actions: exit 2 after STS alone, nothing written", async () => {
    const r = await cli(['replay', witness('lockout', LOCKOUT), '--target', 'aws', '--allow-account', ACCOUNT]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('[safety] replayed under the real-account profile; the witness was found under full');
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^policy-conformance: replay refused: command 1 of 1 \(PutResourcePolicy\) is one the real-account profile never sends: .*"lockout".*; nothing was sent\. Replay it with --safety full only against an account you can lose$/);
    expect(r.main).toEqual(['sts']);
    expect(r.left).toEqual([]);
  });

  it('sends the same witness with --safety full (the user chose to; its table may stay, locked, on a server of its own)', async () => {
    const r = await cli(['replay', witness('lockout-full', LOCKOUT), '--target', 'aws', '--allow-account', ACCOUNT, '--safety', 'full', '--quiet'], { AWS_ENDPOINT_URL_DYNAMODB: scrap.url });
    expect(r.code, r.stderr).not.toBe(2);
    expect(r.requests(scrap).map((q) => q.operation)).toContain('PutResourcePolicy');
  });

  it("replays a safe witness with the caller's account as its documents' principal, not the example accounts", async () => {
    const r = await cli(['replay', witness('safe', [{ op: 'PutResourcePolicy', target: T0, policy: { kind: 'valid', variant: 1, whitespace: 0 } }, { op: 'GetResourcePolicy', target: T0 }]), '--target', 'aws', '--allow-account', ACCOUNT, '--quiet']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/witness does not depart any more/);
    const puts = r.requests(main).filter((q) => q.operation === 'PutResourcePolicy').map((q) => (JSON.parse(q.body) as { Policy: string }).Policy);
    expect(puts.length).toBeGreaterThan(0);
    for (const policy of puts) expect(principalAccounts(policy).filter((a) => a !== '*')).toEqual(expect.arrayContaining([ACCOUNT]));
    for (const policy of puts) for (const a of principalAccounts(policy)) expect([ACCOUNT, '*']).toContain(a);
    // And it leaves nothing behind: every table it created (its fixture's two) it deleted.
    const named = (op: string) => r.requests(main).filter((q) => q.operation === op).map((q) => (JSON.parse(q.body) as { TableName: string }).TableName).sort();
    expect(named('CreateTable').length).toBeGreaterThan(0);
    expect(named('DeleteTable')).toEqual(expect.arrayContaining(named('CreateTable')));
    expect(r.left).toEqual([]);
  });
});

describe.concurrent('sweep --target aws: the same rule', () => {
  const SWEEP = ['sweep', '--target', 'aws', '--services', 'dynamodb'];

  it('without an allow-list: exit 2 and no request', async () => {
    const r = await cli(SWEEP);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^policy-conformance: --target aws needs --allow-account ID/);
    expect([...r.main, ...r.dynamo]).toEqual([]);
  });

  it('a caller outside the list: exit 2 after GetCallerIdentity only', async () => {
    const r = await cli([...SWEEP, '--allow-account', OTHER]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.main).toEqual(['sts']);
  });

  it('an allowed caller: STS first, then the listing, on the account named', async () => {
    const r = await cli([...SWEEP, '--allow-account', ACCOUNT]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.main[0]).toBe('sts');
    expect(r.main.slice(1).length).toBeGreaterThan(0);
    expect(r.stdout).toContain(`0 resources of the suite on account ${ACCOUNT} (${r.arn}) in us-east-1`);
    expect(r.left).toEqual([]);
  });
});

describe.concurrent('against the AWS-like simulator (SigV4 checked, lagging DynamoDB, time scaled to 1 %)', () => {
  const SIM_KEYS = { AWS_ACCESS_KEY_ID: 'sim-key', AWS_SECRET_ACCESS_KEY: 'sim-secret' };
  let sim: RunningAwsLike;
  beforeAll(async () => {
    sim = await startAwsLike({ account: ACCOUNT, timeScale: 0.01, credentials: { accessKeyId: SIM_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: SIM_KEYS.AWS_SECRET_ACCESS_KEY } });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('an allowed, correctly signed caller: the eventual run passes, names the simulator as every endpoint, and leaves nothing for sweep', async () => {
    // A settle of 300 ms: the simulator's DynamoDB lag, scaled to 1 %, is well within it; its 15 s window lasts 150 ms.
    const args = ['run', '--target', 'aws', '--services', 'dynamodb', '--runs', '5', '--seed', '7', '--settle-ms', '300', '--window-ms', '150', '--quiet', '--allow-account', ACCOUNT, ...out('sim')];
    const r = await cli(args, { ...SIM_KEYS, AWS_ENDPOINT_URL: sim.url });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const result = results('sim');
    expect(result.aws).toEqual({ account: ACCOUNT, callerArn: `arn:aws:iam::${ACCOUNT}:user/sim-key`, region: 'us-east-1', endpoints: { sts: [sim.url], dynamodb: [sim.url] } });
    expect(result.services.map((s) => [s.service, s.verdict])).toEqual([['dynamodb', 'pass']]);
    const swept = await cli(['sweep', '--target', 'aws', '--services', 'dynamodb', '--allow-account', ACCOUNT], { ...SIM_KEYS, AWS_ENDPOINT_URL: sim.url });
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toMatch(/^0 resources of the suite on account /);
    expect([...r.left, ...swept.left]).toEqual([]);
  });

  it('a key the simulator does not accept: STS answers SignatureDoesNotMatch, exit 3, nothing else called', async () => {
    const r = await cli(['run', '--target', 'aws', '--services', 'dynamodb', '--quiet', '--allow-account', ACCOUNT, ...out('sim-bad-key')], { ...SIM_KEYS, AWS_SECRET_ACCESS_KEY: 'not-the-secret', AWS_ENDPOINT_URL: sim.url });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trim()).toMatch(/^policy-conformance: --target aws: STS GetCallerIdentity failed: SignatureDoesNotMatch: /);
  });
});

describe('the loopback guard', () => {
  it('refuses and records a connection and a lookup that would leave the machine, and lets 127.0.0.1 through', async () => {
    const log = join(scratch, 'guard-self.jsonl');
    const script = `
      const net = require('node:net'); const dns = require('node:dns');
      const tryConnect = (host, port) => new Promise((resolve) => { const s = net.connect({ host, port }); s.once('connect', () => { s.destroy(); resolve('connected'); }); s.once('error', (e) => resolve(e.code)); });
      (async () => {
        const far = await tryConnect('192.0.2.1', 443);
        const near = await tryConnect('127.0.0.1', ${new URL(main.url).port});
        const name = await new Promise((resolve) => dns.lookup('dynamodb.us-east-1.amazonaws.com', (e) => resolve(e ? e.code : 'resolved')));
        const fetched = await fetch('https://sts.amazonaws.com/').then(() => 'fetched', (e) => e.cause?.code ?? e.message);
        const agent = await new Promise((resolve) => require('node:https').get('https://dynamodb.eu-west-1.amazonaws.com/', () => resolve('answered')).once('error', (e) => resolve(e.code)));
        console.log(JSON.stringify({ far, near, name, fetched, agent }));
      })();`;
    const r = await runProcess(process.execPath, ['--import', GUARD, '-e', script], { env: { ...process.env, LOOPBACK_GUARD_LOG: log }, timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ far: 'ERR_LOOPBACK_GUARD', near: 'connected', name: 'ENOTFOUND', fetched: 'ERR_LOOPBACK_GUARD', agent: 'ERR_LOOPBACK_GUARD' });
    const entries = guardLog(log);
    expect(entries.filter((e) => !e.allowed).map((e) => `${e.kind} ${e.target}`)).toEqual(['connect 192.0.2.1:443', 'lookup dynamodb.us-east-1.amazonaws.com', 'connect sts.amazonaws.com:443', 'connect dynamodb.eu-west-1.amazonaws.com:443']);
    expect(entries.some((e) => e.allowed && e.target === `127.0.0.1:${new URL(main.url).port}`)).toBe(true);
  });
});
