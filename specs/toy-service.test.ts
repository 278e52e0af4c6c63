/**
 * A fifth service is one new folder under services/ and one line in services/index.ts, nothing else edited. The
 * toy service (specs/toy-service/: its own model, commands, adapter over a small HTTP client, reference codec and a
 * seeded bug) is copied into a scratch copy of the project as services/toy/, the list gets its line, and the real
 * CLI runs it end to end — runner, checker, reference server over HTTP — and catches its seeded bug. The same
 * service is also run in-process, next to the four real ones on one reference server.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReference } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { SERVICES } from '../services/index.js';
import { REPO, runProcess } from './support/cli.js';
import { endpointAt, options } from './support/reference.js';
import { toy } from './toy-service/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-fifth-service-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a fifth service', () => {
  it('runs through the runner and the reference server, next to the four real ones', async () => {
    const ref = await startReference({ services: [...SERVICES, toy] });
    try {
      const result = await runService(toy.adapter, endpointAt(ref.url), options({ runs: 60 }));
      expect(result.verdict, result.reason).toBe('pass');
      expect(result.rulesReached.sort()).toEqual(Object.keys(toy.adapter.model.rules).sort());
      const ddb = await runService(SERVICES[0]!.adapter, endpointAt(ref.url), options({ runs: 5 }));
      expect(ddb.verdict).toBe('pass');
    } finally {
      await ref.stop();
    }
  });

  it('is one folder and one line: copied into the project, the CLI runs it and catches its seeded bug', async () => {
    for (const dir of ['bin', 'cli', 'harness', 'models', 'generators', 'reports', 'services', 'scripts']) {
      if (existsSync(join(REPO, dir))) cpSync(join(REPO, dir), join(scratch, dir), { recursive: true });
    }
    for (const file of ['package.json', 'tsconfig.json']) cpSync(join(REPO, file), join(scratch, file));
    symlinkSync(join(REPO, 'node_modules'), join(scratch, 'node_modules'));
    cpSync(join(REPO, 'specs', 'toy-service'), join(scratch, 'services', 'toy'), { recursive: true });
    const list = join(scratch, 'services', 'index.ts');
    const before = readFileSync(list, 'utf8');
    const after = before
      .replace("import { xray } from './xray/index.js';", "import { xray } from './xray/index.js';\nimport { toy } from './toy/index.js';")
      .replace('[dynamodb, kinesis, ssm, xray]', '[dynamodb, kinesis, ssm, xray, toy]');
    expect(after).not.toBe(before);
    writeFileSync(list, after);

    const cli = (args: string[]) => runProcess(process.execPath, ['bin/policy-conformance.mjs', ...args], { cwd: scratch, timeoutMs: 120_000 });
    const pass = await cli(['run', '--services', 'toy', '--runs', '40', '--seed', '3', '--out', join(scratch, 'out-pass')]);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/toy\s+pass/);
    const caught = await cli(['run', '--services', 'toy', '--mutant', 'toy-stale-put-accepted', '--seed', '3', '--out', join(scratch, 'out-mutant'), '--reproduce', '1']);
    expect(caught.code, caught.stderr).toBe(1);
    const results = JSON.parse(readFileSync(join(scratch, 'out-mutant', 'results.json'), 'utf8')) as { services: Array<{ divergences: Array<{ rule: string }> }> };
    expect(results.services[0]!.divergences.map((d) => d.rule)).toEqual(['toy.put.stale']);
    const listed = await cli(['mutants', '--list', '--services', 'toy']);
    expect(listed.stdout).toContain('toy-stale-put-accepted');
  }, 240_000);
});
