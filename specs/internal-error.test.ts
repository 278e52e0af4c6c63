/**
 * A bug in the suite itself (here: a deliberately broken model, specs/support/broken-model.ts) is never a pass and
 * never the target's divergence: the service's verdict is `internal-error`, with what failed and the sequence it
 * failed in, and the CLI exits 4 with its reports written.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult, ServiceResult } from '../models/results.js';
import { overallVerdict } from '../models/results.js';
import type { Json } from '../models/types.js';
import { renderJUnit } from '../reports/junit.js';
import { renderMarkdown } from '../reports/markdown.js';
import { BROKEN_MESSAGE, type Breakage, brokenDynamodbAdapter } from './support/broken-model.js';
import { REPO, runCli } from './support/cli.js';
import { runAgainstReference, SEED } from './support/reference.js';

const HOOKS = pathToFileURL(join(REPO, 'specs/support/broken-model-hooks.mjs')).href;

const isDeleteTable = (c: Json) => typeof c === 'object' && c !== null && !Array.isArray(c) && c.op === 'DeleteTable';

function expectInternalError(r: ServiceResult, message: RegExp): void {
  expect(r.verdict).toBe('internal-error');
  expect(r.internalError?.message).toMatch(message);
  expect(r.internalError?.stack).toMatch(/\n\s+at /);
  // The sequence it failed in, as generated commands: enough to re-run it.
  expect(r.internalError?.commands?.length).toBeGreaterThan(0);
  expect(r.internalError?.commands?.some(isDeleteTable)).toBe(true);
  // Nothing about the target: the model failed, not the target.
  expect(r.divergences).toEqual([]);
}

describe('internal errors of the suite are never a pass', () => {
  const cases: Array<{ how: Breakage; message: RegExp; what: string }> = [
    { how: 'throw', message: new RegExp(BROKEN_MESSAGE), what: "the model's step throws on DeleteTable" },
    { how: 'worlds', message: /candidate states \(limit \d+\)/, what: 'the model returns 600 identical-but-distinct states (past the checker limit)' },
  ];

  for (const c of cases) {
    it(`${c.what}: verdict internal-error, with the message, stack and commands, and no divergence`, async () => {
      const r = await runAgainstReference(brokenDynamodbAdapter(c.how), { runs: 100, maxDivergences: 5, reproduce: 3 });
      expectInternalError(r, c.message);
      expect(overallVerdict([r])).toBe('internal-error');

      // And the reports say so (rendered here from the result; the CLI case below checks the files).
      const run: RunResult = { target: 'reference', seed: SEED, consistency: 'strict', startedAt: new Date(0).toISOString(), services: [r] };
      const md = renderMarkdown(run);
      expect(md).toMatch(/Verdict: \*\*internal-error\*\*/);
      expect(md).toContain(r.internalError!.message);
      expect(renderJUnit(run)).toMatch(/<testcase classname="dynamodb @ reference" name="internal error"><error message="[^"]+"/);
    }, 300_000);
  }

  it('through the CLI: exit 4, the reports written, the internal error in each', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pc-internal-'));
    const r = await runCli(
      ['run', '--services', 'dynamodb', '--runs', '60', '--seed', String(SEED), '--out', out, '--failures', 'off', '--reproduce', '0', '--quiet'],
      240_000,
      // Test-only module hooks that swap in the broken DynamoDB model; the CLI itself is unchanged.
      { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${HOOKS}`.trim(), POLICY_CONFORMANCE_TEST_BREAKAGE: 'throw' },
    );
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/verdict: internal-error/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    expectInternalError(results.services[0]!, new RegExp(BROKEN_MESSAGE));
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/Verdict: \*\*internal-error\*\*/);
    expect(md).toContain(BROKEN_MESSAGE);
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/errors="1"/);
  }, 300_000);
});
