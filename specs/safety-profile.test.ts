/**
 * The safety profile (generators/safety.ts) and `run --plan` (harness/plan.ts):
 * - under `full` the same seed draws exactly the sequences (and documents) it drew before the profile existed
 *   (specs/support/full-profile-sequences.json, captured from main at 40dfa20 — the nightly expectations depend on it);
 * - under `real-account`, over many seeds, every document the adapters would send (rendered by their own request
 *   binding) names only the caller's and the partner accounts, denies nothing, and is public only on DynamoDB (whose
 *   Block Public Access must refuse it); an OpsItemGroup holding someone else's policy is never written;
 * - a reference run under `real-account` passes and lists the rules it cannot reach;
 * - `--plan` sends no request to the target it names and prints the counts and the cost.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPolicy } from '../generators/policy.js';
import { defaultSafetyFor, deniedActions, FULL_PROFILE, isPublicDocument, principalAccounts, type SafetyProfile } from '../generators/safety.js';
import { REFERENCE_ACCOUNT, ReferenceServer } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { DUMMY_CREDENTIALS } from '../harness/sdk.js';
import { DEFAULT_WAIT_SECONDS } from '../harness/service.js';
import type { RunResult } from '../models/results.js';
import { SERVICES } from '../services/index.js';
import { ssmInitialState } from '../services/ssm/model.js';
import { runCli } from './support/cli.js';
import { isRace } from '../generators/race.js';

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const FIXTURE = JSON.parse(readFileSync(new URL('./support/full-profile-sequences.json', import.meta.url), 'utf8')) as Record<string, string>;

describe('the full profile', () => {
  it('draws, seed for seed, the sequences main drew (with the profile given and without it)', () => {
    for (const s of SERVICES) {
      for (const consistency of ['strict', 'eventual'] as const) {
        for (const seed of [1, 11, 42, 20261123]) {
          const key = `${s.name}/${consistency}/${seed}`;
          // Races (generators/race.ts) are only appended after main's commands (specs/models/generation.test.ts): without them.
          const drawn = (profile?: SafetyProfile) => fc.sample(s.adapter.commands(consistency, profile), { seed, numRuns: 40 }).map((cs) => cs.filter((c) => !isRace(c)));
          expect(sha(drawn()), key).toBe(FIXTURE[key]);
          expect(sha(drawn(FULL_PROFILE)), `${key} with FULL_PROFILE`).toBe(FIXTURE[key]);
        }
      }
    }
  });

  it('renders every document shape byte for byte as main did', () => {
    const gens: object[] = [];
    for (let v = 0; v < 3; v++) for (const w of [0, 1, 40]) gens.push({ kind: 'valid', variant: v, whitespace: w });
    for (const b of [1023, 1024, 1025, 5120, 20480]) gens.push({ kind: 'sized', bytes: b });
    for (const m of ['not-json', 'truncated', 'no-statement', 'bad-effect', 'array', 'empty']) gens.push({ kind: 'malformed', variant: m });
    gens.push({ kind: 'public' }, { kind: 'lockout' }, { kind: 'previous' });
    for (const m of ['no-resource', 'duplicate-sid', 'bare-account-principal', 'foreign-actions']) gens.push({ kind: 'invalid', variant: m });
    for (let v = 0; v < 3; v++) for (const f of ['pretty', 'reordered', 'list-forms', 'account-id-principal', 'no-version']) gens.push({ kind: 'restated', variant: v, form: f });
    for (const m of ['delete-only', 'caller-account', 'caller-account-id']) gens.push({ kind: 'lockout-scoped', variant: m });
    for (const m of ['other-table', 'wildcard', 'index']) gens.push({ kind: 'other-resource', variant: m });
    const vocabulary = { actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], policyActions: ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'], foreignActions: ['dynamodb:GetRecords'] };
    const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/pc-t0';
    const rendered = gens.map((g) => [renderPolicy(g as never, arn, vocabulary), renderPolicy(g as never, arn, vocabulary, undefined, 'pcMARK')]);
    expect(sha(rendered)).toBe(FIXTURE.rendered);
  });

  it('is the default for every target kind but aws', () => {
    for (const kind of ['reference', 'managed', 'container', 'url']) expect(defaultSafetyFor(kind)).toBe('full');
    expect(defaultSafetyFor('aws')).toBe('real-account');
  });
});

const CALLER = '210987654321';
const PARTNER = '109876543210';
const REAL: SafetyProfile = { name: 'real-account', partnerAccounts: [PARTNER], callerAccount: CALLER };
const IDENTITY = { account: CALLER, region: 'us-east-1' };
const NOWHERE = { url: 'http://127.0.0.1:9', region: 'us-east-1', credentials: DUMMY_CREDENTIALS };
const OPS_ARN = `arn:aws:ssm:us-east-1:${CALLER}:opsitemgroup/default`;
/** Someone else's OpsItemGroup policy (no suite mark in its Sid). */
const FOREIGN_OPS = ssmInitialState([{ PolicyId: 'theirs', PolicyHash: 'h', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Theirs', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CALLER}:root` }, Action: 'ssm:GetOpsItem', Resource: OPS_ARN }] }) }]);

/** Every request a sampled sequence would send (fixture first), as the adapter's own binding renders it. */
function requestsOf(service: (typeof SERVICES)[number], seed: number, initial?: unknown) {
  const connection = service.adapter.connect(NOWHERE, { settleMs: 0, waitSeconds: DEFAULT_WAIT_SECONDS, safety: REAL });
  try {
    const out: Array<{ operation: string; input: Record<string, unknown> }> = [];
    for (const commands of fc.sample(service.adapter.commands('eventual', REAL, initial), { seed, numRuns: 15 })) {
      const sequence = connection.sequence(`pcsafe${seed.toString(36).padStart(5, '0')}`, IDENTITY);
      // A race's writes are sent as requests of their own.
      for (const c of [...sequence.setup, ...commands].flatMap((c) => (isRace(c) ? c.writes : [c]))) out.push(sequence.request(c) as never);
    }
    return out;
  } finally {
    connection.close();
  }
}

const DOCUMENT_MEMBERS = ['Policy', 'PolicyDocument', 'ResourcePolicy'];

describe('the real-account profile', () => {
  const seeds = Array.from({ length: 15 }, (_, i) => 1000 + i * 7919);

  it.each(SERVICES.map((s) => [s.name, s] as const))('%s: principals are the caller or a partner, nothing is denied, public only where the API must refuse it', (name, service) => {
    let documents = 0;
    for (const seed of seeds) {
      for (const r of requestsOf(service, seed)) {
        for (const member of DOCUMENT_MEMBERS) {
          const doc = r.input[member];
          if (typeof doc !== 'string') continue;
          documents++;
          const where = `${name} seed ${seed} ${r.operation}: ${doc.slice(0, 200)}`;
          // `*` only as the principal of a public document (checked just below).
          for (const account of principalAccounts(doc)) expect([CALLER, PARTNER, ...(isPublicDocument(doc) ? ['*'] : [])], where).toContain(account);
          expect(deniedActions(doc), where).toEqual([]);
          // Public: only DynamoDB's (Block Public Access refuses it); never on an account-wide resource.
          if (isPublicDocument(doc)) expect(name, where).toBe('dynamodb');
        }
      }
    }
    expect(documents).toBeGreaterThan(100);
  });

  it('still draws public documents for DynamoDB, where Block Public Access must refuse them (ddb.policy.public stays reachable)', () => {
    const dynamodb = SERVICES.find((s) => s.name === 'dynamodb')!;
    const publics = seeds.flatMap((seed) => requestsOf(dynamodb, seed)).filter((r) => DOCUMENT_MEMBERS.some((m) => typeof r.input[m] === 'string' && isPublicDocument(r.input[m] as string)));
    expect(publics.length).toBeGreaterThan(0);
  });

  it('never writes an OpsItemGroup that holds a policy the suite did not put, and says which rule that costs', () => {
    const ssm = SERVICES.find((s) => s.name === 'ssm')!;
    let reads = 0;
    for (const seed of seeds) {
      for (const r of requestsOf(ssm, seed, FOREIGN_OPS)) {
        if (r.input.ResourceArn !== OPS_ARN) continue;
        expect(r.operation, `seed ${seed}`).toBe('GetResourcePolicies');
        reads++;
      }
    }
    expect(reads).toBeGreaterThan(0);
    expect(ssm.adapter.unreachableUnder?.(REAL, FOREIGN_OPS).map((u) => u.rule)).toEqual(['ssm.put.opsitemgroup-limit']);
    expect(ssm.adapter.unreachableUnder?.(REAL, ssmInitialState([]))).toEqual([]);
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'pc-safety-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A reference server behind a real HTTP server that keeps every request body it carried. */
async function capturingReference(): Promise<{ url: string; bodies: string[]; stop: () => Promise<void> }> {
  const reference = new ReferenceServer();
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const answer = reference.handle({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('on the wire, under real-account', () => {
  it.each(['xray', 'ssm'])('%s: every document a run sends names only the caller, denies nothing and is not public', async (name) => {
    const target = await capturingReference();
    try {
      const service = SERVICES.find((s) => s.name === name)!;
      const safety: SafetyProfile = { name: 'real-account', partnerAccounts: [], callerAccount: REFERENCE_ACCOUNT };
      const result = await runService(service.adapter, { url: target.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS }, { runs: 15, seed: 5, consistency: 'strict', settleMs: 0, maxDivergences: 1, replayBase: '', safety });
      expect(result.verdict, result.reason).toBe('pass');
      let documents = 0;
      for (const body of target.bodies) {
        const input = JSON.parse(body || '{}') as Record<string, unknown>;
        for (const member of DOCUMENT_MEMBERS) {
          const doc = input[member];
          if (typeof doc !== 'string') continue;
          documents++;
          for (const account of principalAccounts(doc)) expect(account, doc).toBe(REFERENCE_ACCOUNT);
          expect(deniedActions(doc), doc).toEqual([]);
          expect(isPublicDocument(doc), doc).toBe(false);
        }
      }
      expect(documents).toBeGreaterThan(20);
    } finally {
      await target.stop();
    }
  }, 60_000);
});

// Three CLI processes, independent of each other: run side by side.
describe.concurrent('through the CLI', () => {
  it('a reference run under real-account passes, names its profile and lists the rules it cannot reach', async () => {
    const out = join(scratch, 'run');
    const r = await runCli(['run', '--services', 'dynamodb,xray', '--runs', '15', '--seed', '11', '--safety', 'real-account', '--partner-account', PARTNER, '--reproduce', '0', '--failures', 'off', '--out', out, '--quiet']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/safety real-account \(partner accounts 109876543210\)/);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(result.safety).toEqual({ profile: 'real-account', partnerAccounts: [PARTNER] });
    expect(result.services.map((s) => s.verdict)).toEqual(['pass', 'pass']);
    expect(result.services.map((s) => s.unreachable?.map((u) => u.rule))).toEqual([['ddb.policy.self-lockout'], ['xray.policy.lockout']]);
    expect(result.services[0]!.publicAccepted).toBeUndefined();
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Rules this safety profile cannot reach:[\s\S]*ddb\.policy\.self-lockout/);
  }, 120_000);

  it('a public policy the target accepts under real-account ends its sequence, is reported prominently and is the departure it is (ddb.policy.public)', async () => {
    const out = join(scratch, 'public');
    // Seed 10 draws public Puts on existing tables early; the mutant accepts them.
    const r = await runCli(['run', '--mutant', 'ddb-no-public-access-block', '--services', 'dynamodb', '--runs', '20', '--seed', '10', '--safety', 'real-account', '--max-divergences', '1', '--reproduce', '0', '--failures', 'off', '--out', out, '--quiet']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/PUBLIC POLICY ACCEPTED (once|\d+ times) \(its API must refuse it\): PutResourcePolicy on arn:aws:dynamodb:/);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    const dynamodb = result.services[0]!;
    expect(dynamodb.divergences.map((d) => d.rule)).toEqual(['ddb.policy.public']);
    expect(dynamodb.publicAccepted?.length).toBeGreaterThan(0);
    // The witness ends at the Put that was accepted.
    expect(dynamodb.divergences[0]!.steps.at(-1)!.operation).toBe('PutResourcePolicy');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\*\*Public policy accepted:\*\*/);
  }, 120_000);

  it('run --plan sends no request to the target, writes nothing, and prints the counts and a cost line', async () => {
    const reference = new ReferenceServer();
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = reference.handle({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const out = join(scratch, 'plan-out');
      const r = await runCli(['run', '--plan', '--target', url, '--seed', '11', '--runs', '30', '--time-limit', '90m', '--max-calls', '2000', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(requests).toBe(0);
      expect(() => readFileSync(join(out, 'results.json'))).toThrow();
      expect(r.stdout).toMatch(/dynamodb: 30 sequences, \d+ calls \(60 fixture, \d+ generated\); \d+ tables/);
      expect(r.stdout).toMatch(/kinesis: 30 sequences, .*\d+ consumers, \d+ streams/);
      expect(r.stdout).toMatch(/ssm: 30 sequences, .*billed while they exist: \d+ × SSM Parameter Store Advanced parameter/);
      expect(r.stdout).toMatch(/\d+ parameter-hours × \$0\.050 per parameter-month \(price assumed\)/);
      expect(r.stdout).toMatch(/\d+ consumer-shard-hours × \$0\.015 per consumer-shard-hour/);
      expect(r.stdout).toMatch(/\d+ table-hours × \$0\.000 per table-hour/);
      expect(r.stdout).toMatch(/call budget: 2000; time limit: 1h30m/);
      expect(r.stdout).toMatch(/^worst-case cost: \$\d+\.\d+ — every resource counted above is billed for the whole time limit \(2 h/m);
      expect(r.stdout).toMatch(/shard-hours × \$0\.015 per shard-hour \(price assumed\)/);
      expect(r.stdout).toMatch(/\| item \| price \| source \| read \| assumed \|/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
