/**
 * report.md (and junit.xml) rendered from a hand-built RunResult — plain data, no server, no runner: every piece
 * a reader needs is there, nothing the target said is cut, and the Markdown stays well-formed.
 */
import { describe, expect, it } from 'vitest';
import type { Divergence, RunResult } from '../models/results.js';
import { renderJson } from '../reports/json.js';
import { renderJUnit } from '../reports/junit.js';
import { renderMarkdown } from '../reports/markdown.js';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/pcx1-t0';

/** A policy document of about 25 KB: far longer than anything a line could hold. */
const BIG_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: Array.from({ length: 120 }, (_, i) => ({
    Sid: `Grant${i}`,
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::1234567890${String(i % 100).padStart(2, '0')}:root` },
    Action: ['dynamodb:GetItem', 'dynamodb:Query'],
    Resource: `${ARN}`,
    Condition: { StringEquals: { 'aws:PrincipalTag/team': `team-${i}` } },
  })),
});
const SMALL_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Grant0', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'dynamodb:GetItem', Resource: '*' }] });
/** A message long enough, and on several lines, to be tempting to cut; with a backtick run and HTML in it. */
const LONG_MESSAGE = `One or more parameter values were invalid: ${'the policy document is not acceptable because '.repeat(12)}(end of message)\nsecond line with \`\`\`backticks\`\`\` and <b>html</b>`;
const SHORT_MESSAGE = 'Resource policy not found for the given revision id 1700000000004';

const sideEffect: Divergence = {
  rule: 'ddb.put.revision-mismatch',
  kind: 'error-with-side-effect',
  evidence: 'aws-verified',
  summary: 'ExpectedRevisionId that is not the current revision: PolicyNotFoundException',
  attribution: { method: 'conjecture', firstBlamed: 'ddb.get.policy', causeStep: 3 },
  alsoShowsAs: [
    { rule: 'ddb.get.policy', sequences: 7 },
    { rule: 'ddb.put.identical', sequences: 2 },
  ],
  believed: [{ name: 'pcx1-t0', policy: { doc: SMALL_POLICY, rev: 'rev#1' }, stream: null, recreated: false }],
  witnessFile: 'witnesses/dynamodb-1.json',
  expected: [{ rule: 'ddb.get.policy', expect: { kind: 'ok', output: { Policy: SMALL_POLICY, RevisionId: { symbol: 'rev#1', equals: '1700000000003' } } } }],
  actual: { kind: 'ok', output: { Policy: BIG_POLICY, RevisionId: '1700000000009' } },
  steps: [
    { operation: 'CreateTable', input: { TableName: 'pcx1-t0', BillingMode: 'PAY_PER_REQUEST' }, outcome: { kind: 'ok', output: { TableArn: ARN, TableStatus: 'ACTIVE' } }, setup: true },
    { operation: 'CreateTable', input: { TableName: 'pcx1-t1', BillingMode: 'PAY_PER_REQUEST' }, outcome: { kind: 'ok', output: { TableArn: `${ARN.slice(0, -1)}1`, TableStatus: 'ACTIVE' } }, setup: true },
    { operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: SMALL_POLICY }, outcome: { kind: 'ok', output: { RevisionId: '1700000000003' } } },
    {
      operation: 'PutResourcePolicy',
      input: { ResourceArn: ARN, Policy: BIG_POLICY, ExpectedRevisionId: '0000000000000' },
      outcome: { kind: 'error', code: 'PolicyNotFoundException', status: 400, message: SHORT_MESSAGE },
    },
    { operation: 'PutResourcePolicy', input: { ResourceArn: ARN, Policy: '{not json' }, outcome: { kind: 'error', code: 'ValidationException', status: 400, message: LONG_MESSAGE } },
    { operation: 'GetResourcePolicy', input: { ResourceArn: ARN }, outcome: { kind: 'ok', output: { Policy: BIG_POLICY, RevisionId: '1700000000009' } } },
  ],
  calls: 4,
  afterSetAside: [],
  replay: 'npx policy-conformance run --target reference --services dynamodb --seed 7 --path 12:3:0 --consistency strict --set-aside ddb.a,ddb.b,ddb.c,ddb.d',
  seed: 7,
  path: '12:3:0',
  reproducibility: { label: 'reproducible', replays: 3, sameRule: 3, otherRules: [] },
  reproducer: ['# AWS CLI reproducer for dynamodb rule ddb.put.revision-mismatch', `aws dynamodb get-resource-policy --endpoint-url 'http://127.0.0.1:4599' --region 'us-east-1' --cli-input-json '{"ResourceArn":"${ARN}"}'`],
};

const crash: Divergence = {
  rule: 'ddb.stream.supported',
  kind: 'crash',
  evidence: 'documented',
  summary: 'A stream ARN holds its own policy: Put/Get/Delete behave on it as on a table',
  attribution: { method: 'simplified', firstBlamed: 'ddb.get.no-policy', kept: ['policy: malformed not-json → valid'], needed: ['target: stream → table'] },
  expected: [
    { rule: 'ddb.stream.supported', expect: { kind: 'error', code: 'PolicyNotFoundException', status: 400 } },
    { rule: 'ddb.get.stale-view', expect: { kind: 'ok', output: { Policy: '<absent>', RevisionId: { symbol: 'rev#4', unbound: true, differentFrom: ['1700000000003'] } } } },
  ],
  actual: { kind: 'fault', reason: 'HTTP 500: InternalServerError: java.lang.NullPointerException at StreamPolicies.get', status: 500 },
  steps: [
    { operation: 'GetResourcePolicy', input: { ResourceArn: `${ARN}/stream/2023-11-14T22:13:20.001` }, outcome: { kind: 'fault', reason: 'HTTP 500: InternalServerError: java.lang.NullPointerException at StreamPolicies.get', status: 500 } },
  ],
  calls: 1,
  afterSetAside: [],
  replay: 'npx policy-conformance run --target reference --services dynamodb --seed 7 --path 3:0 --consistency strict',
  seed: 7,
  path: '3:0',
  reproducibility: { label: 'reproducible', replays: 3, sameRule: 3, otherRules: [] },
};

const RESULT: RunResult = {
  target: 'reference',
  seed: 7,
  consistency: 'strict',
  mutant: 'ddb-stale-revision-put-writes',
  startedAt: '2026-12-01T00:00:00.000Z',
  services: [
    {
      service: 'dynamodb',
      verdict: 'fail',
      runs: 200,
      calls: 4000,
      faults: 3,
      durationMs: 12_000,
      rulesReached: ['ddb.put.create', 'ddb.get.policy'],
      unsupportedOperations: [],
      profile: { 'ddb.deleteRevisionId': 'absent' },
      divergences: [sideEffect, crash],
      unconfirmed: [{ rule: 'ddb.get.stale-view', kind: 'wrong-answer', replays: 3, reason: 'its witness did not depart again in 3 re-runs' }],
      departuresAfterFaults: 4,
    },
    {
      service: 'xray',
      verdict: 'internal-error',
      reason: 'internal error (a bug in the suite, not the target): model produced 600 candidate states (limit 512)',
      runs: 3,
      calls: 20,
      faults: 0,
      durationMs: 300,
      rulesReached: [],
      unsupportedOperations: [],
      profile: {},
      divergences: [],
      internalError: {
        message: 'model produced 600 candidate states (limit 512); this is a model bug',
        stack: 'Error: model produced 600 candidate states (limit 512); this is a model bug\n    at dedupe (models/checker.ts:120:11)\n    at Checker.observe (models/checker.ts:90:5)',
        commands: [{ op: 'DeleteResourcePolicy', name: { kind: 'slot', slot: 'a' } }],
        steps: [{ operation: 'DeleteResourcePolicy', input: { PolicyName: 'pcx1-a' }, outcome: { kind: 'ok', output: {} } }],
      },
    },
  ],
};

const md = renderMarkdown(RESULT);
const section = (rule: string) => {
  const start = md.indexOf(`\`${rule}\` — `);
  const next = md.indexOf('\n### ', start + 1);
  return md.slice(start, next === -1 ? md.indexOf('\n## ', start + 1) : next);
};

/** Every fenced block closes with a fence of the same length (what GitHub needs to render the rest as Markdown). */
function unclosedFences(text: string): string[] {
  const open: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^(`{3,})(.*)$/.exec(line);
    if (!m) continue;
    if (fence === null) {
      fence = m[1]!;
      open.push(line);
    } else if (m[1]!.length >= fence.length && m[2]!.trim() === '') {
      fence = null;
      open.pop();
    }
  }
  return open;
}

describe('report.md', () => {
  it('is well-formed: every <details> closes, with a blank line after its summary, and every code fence closes', () => {
    expect((md.match(/<details>/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
    expect((md.match(/<details>/g) ?? []).length).toBeGreaterThan(4);
    expect(/<\/summary>\n[^\n]/.test(md), 'a blank line after each </summary>').toBe(false);
    expect(/[^\n]\n<\/details>/.test(md), 'a blank line before each </details>').toBe(false);
    expect(unclosedFences(md)).toEqual([]);
    // Summaries are plain text: the HTML in the message does not leak into one unescaped.
    for (const s of md.match(/<summary>.*<\/summary>/g) ?? []) expect(s.slice(9, -10)).not.toMatch(/<|>/);
  });

  it('shows, per entry, the rule, kind, evidence and summary', () => {
    const s = section('ddb.put.revision-mismatch');
    expect(s).toMatch(/^`ddb\.put\.revision-mismatch` — error with a side effect/);
    expect(s).toContain('**Rule:** `ddb.put.revision-mismatch`');
    expect(s).toMatch(/\*\*Kind:\*\* error with a side effect — a write answered an error but changed the state anyway/);
    expect(s).toContain('**Evidence:** aws-verified');
    expect(s).toContain(`**Summary:** ${sideEffect.summary}`);
    expect(s).toContain('**Reproducibility:** reproducible (3/3 replays');
    expect(s).toContain('4 generated calls after 2 setup steps');
    expect(section('ddb.stream.supported')).toMatch(/^`ddb\.stream\.supported` — crash/);
  });

  it('says why this rule: method, first blamed rule, simplifications kept and needed, the cause step of a conjecture', () => {
    const conj = section('ddb.put.revision-mismatch');
    expect(conj).toMatch(/\*\*Why this rule\.\*\* Conjecture: step 4 \(`PutResourcePolicy`\) answered an error but its write took effect/);
    expect(conj).toContain('first blamed on `ddb.get.policy`');
    expect(conj).toMatch(/\n4\. \*\*cause:\*\* `PutResourcePolicy`/);
    const simp = section('ddb.stream.supported');
    expect(simp).toMatch(/\*\*Why this rule\.\*\* The failing step's inputs were made plainer/);
    expect(simp).toContain('first blamed on `ddb.get.no-policy`');
    expect(simp).toMatch(/kept the departure:\n\n- `policy: malformed not-json → valid`/);
    expect(simp).toMatch(/made it go away[^\n]*:\n\n- `target: stream → table`/);
  });

  it('lists the witness with setup steps marked, each error with its code and whole message', () => {
    const s = section('ddb.put.revision-mismatch');
    expect(s).toMatch(/\n1\. \*\(setup\)\* `CreateTable`/);
    expect(s).toMatch(/\n2\. \*\(setup\)\* `CreateTable`/);
    expect(s).toMatch(/\n3\. `PutResourcePolicy`/);
    expect(s).toMatch(/\n6\. \*\*departs here:\*\* `GetResourcePolicy`/);
    expect(s).toContain(`error **\`PolicyNotFoundException\`** (HTTP 400): \`${SHORT_MESSAGE}\``);
    // The long message: referred to from its step, and there in full, every line of it.
    expect(s).toMatch(/error \*\*`ValidationException`\*\* \(HTTP 400\): \*message [A-Z]\*/);
    expect(s).toContain(LONG_MESSAGE);
    // A fault's reason whole, with its status.
    expect(section('ddb.stream.supported')).toContain('fault (HTTP 500): `HTTP 500: InternalServerError: java.lang.NullPointerException at StreamPolicies.get`');
  });

  it('shows every policy document in full, collapsed, once per distinct document, never cut', () => {
    const s = section('ddb.put.revision-mismatch');
    expect(s).toContain(`\n${BIG_POLICY}\n`);
    expect(s).toContain(`\n${SMALL_POLICY}\n`);
    expect(s.split(BIG_POLICY).length - 1).toBe(1);
    expect(s).toMatch(new RegExp(`<summary>document [A-Z]: ${Buffer.byteLength(BIG_POLICY)} bytes — step 4 Policy; step 6 answer Policy</summary>`));
    expect(/…|\(\d+ chars\)/.test(md), 'nothing abbreviated').toBe(false);
  });

  it('shows what the model believed before the failing step, collapsed as JSON, and what AWS allows there', () => {
    const s = section('ddb.put.revision-mismatch');
    expect(s).toMatch(/<summary>what the model believed the resource&#39;s state was before step 6 \(1 candidate state\)<\/summary>|<summary>what the model believed the resource's state was before step 6 \(1 candidate state\)<\/summary>/);
    expect(s).toContain('"rev": "rev#1"');
    expect(s).toMatch(/\*\*AWS allows there:\*\*\n\n- `ddb\.get\.policy`: ok · Policy: \*document [A-Z]\*.*RevisionId: `"1700000000003"` \(symbol `rev#1`\)/);
    const c = section('ddb.stream.supported');
    expect(c).toContain('- `ddb.stream.supported`: error **`PolicyNotFoundException`** (HTTP 400)');
    expect(c).toMatch(/- `ddb\.get\.stale-view`: ok · Policy: absent, RevisionId: a value not seen before \(symbol `rev#4`, different from `"1700000000003"`\)/);
  });

  it('lists the consequences under alsoShowsAs, and replays from the witness file instead of a --set-aside list', () => {
    const s = section('ddb.put.revision-mismatch');
    expect(s).toMatch(/\*\*Also shows as\*\*[^\n]*: `ddb\.get\.policy` \(7 sequences\), `ddb\.put\.identical` \(2 sequences\)/);
    expect(s).toContain('npx policy-conformance replay witnesses/dynamodb-1.json');
    expect(s).toContain('](witnesses/dynamodb-1.json)');
    expect(s).not.toContain('--set-aside');
    expect(s).toMatch(/<summary>AWS CLI reproducer<\/summary>\n\n```sh\n# AWS CLI reproducer/);
    // Without a witness file, the seed-and-path command.
    expect(section('ddb.stream.supported')).toContain(crash.replay);
  });

  it('shows an internal error, unconfirmed departures and departures after faults per service', () => {
    const xray = md.slice(md.indexOf('## xray'));
    expect(md).toMatch(/Verdict: \*\*internal-error\*\*/);
    expect(xray).toContain('**Internal error of the suite.**');
    expect(xray).toContain('`model produced 600 candidate states (limit 512); this is a model bug`');
    expect(xray).toMatch(/<summary>stack<\/summary>\n\n```text\nError: model produced 600/);
    expect(xray).toMatch(/<summary>the sequence it failed in: 1 generated command<\/summary>\n\n```json\n\[\n {2}\{\n {4}"op": "DeleteResourcePolicy"/);
    expect(xray).toMatch(/<summary>the calls made before it failed: 1 step<\/summary>\n\n1\. `DeleteResourcePolicy` PolicyName=`"pcx1-a"` → ok/);
    const ddb = md.slice(md.indexOf('## dynamodb'), md.indexOf('## xray'));
    expect(ddb).toMatch(/not again when their witness was re-run[^\n]*\n\n- `ddb\.get\.stale-view` \(wrong answer\), 3 re-runs: its witness did not depart again in 3 re-runs/);
    expect(ddb).toContain('4 departures were seen only in sequences that had faulted before');
    expect(md).toMatch(/\| dynamodb \| fail \| 200 \| 4000 \| 3 \| 2 \| 2 \(1 error with a side effect, 1 crash\) \| 12\.0 s \|/);
  });
});

describe('junit.xml and results.json', () => {
  const xml = renderJUnit(RESULT);

  it('junit carries each entry kind (as the failure type and in the name) and full messages', () => {
    expect(xml).toContain('name="ddb.put.revision-mismatch [error-with-side-effect]"');
    expect(xml).toMatch(/<failure message="ddb\.put\.revision-mismatch \(error-with-side-effect\): ok [^"]*" type="error-with-side-effect">/);
    expect(xml).toMatch(/<failure message="ddb\.stream\.supported \(crash\): fault \(HTTP 500\): HTTP 500: InternalServerError: java\.lang\.NullPointerException at StreamPolicies\.get" type="crash">/);
    const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    expect(xml).toContain(escaped(SHORT_MESSAGE));
    expect(xml).toContain(escaped(LONG_MESSAGE.replace('\n', ' ⏎ ')));
    expect(xml).toContain('kind: error-with-side-effect');
    expect(xml).toContain('replay: npx policy-conformance replay witnesses/dynamodb-1.json');
  });

  it('junit reports an internal error as an <error>, never as a pass', () => {
    expect(xml).toMatch(/<testsuite name="xray @ reference" tests="1" failures="0" errors="1"/);
    expect(xml).toMatch(/<testcase classname="xray @ reference" name="internal error"><error message="model produced 600 candidate states \(limit 512\); this is a model bug" type="internal-error">/);
    expect(xml).not.toMatch(/xray @ reference" name="conforms/);
    expect(xml).toContain('<system-out>unconfirmed (not counted): ddb.get.stale-view');
  });

  it('results.json states every divergence kind (a result without one is a wrong answer)', () => {
    const legacy = structuredClone(RESULT);
    delete legacy.services[0]!.divergences[1]!.kind;
    const json = JSON.parse(renderJson(legacy)) as RunResult;
    expect(json.services[0]!.divergences.map((d) => d.kind)).toEqual(['error-with-side-effect', 'wrong-answer']);
    expect(Object.keys(json.services[0]!.divergences[0]!).slice(0, 2)).toEqual(['rule', 'kind']);
  });
});
