/**
 * The GitHub Actions workflows (.github/workflows/) cannot run here, so what can be checked without GitHub is:
 * each file is a valid workflow (GitHub's workflow schema, as @action-validator/core ships it); every
 * `npx policy-conformance …` command in them uses only flags its subcommand takes (the CLI's own usage text), so a
 * renamed flag cannot break the nightly jobs unseen; and the nightly matrix's settings fit together — its shard count
 * is the job matrix's, its targets are ones the CLI knows, and each has the expectations file `--expect-dir` needs.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { USAGE } from '../cli/usage.js';
import { parseTarget } from '../harness/targets/index.js';
import { targetSlug } from '../reports/matrix.js';
import { REPO } from './support/cli.js';

const DIR = join(REPO, '.github', 'workflows');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const text = (file: string) => readFileSync(join(DIR, file), 'utf8');

/** The flags USAGE lists for `policy-conformance <sub>` (its line and the indented lines under it). */
function flagsOf(sub: string): Set<string> {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.trimStart().startsWith(`policy-conformance ${sub} `) || l.trim() === `policy-conformance ${sub}`);
  expect(start, `USAGE has policy-conformance ${sub}`).toBeGreaterThanOrEqual(0);
  const own = [lines[start]!];
  for (const l of lines.slice(start + 1)) {
    if (l.trimStart().startsWith('policy-conformance ')) break;
    own.push(l);
  }
  return new Set(own.join(' ').match(/--[a-z][a-z-]*/g) ?? []);
}

/** Every `npx policy-conformance SUB …` command of a workflow, continuation lines joined: [subcommand, flags]. */
function commandsOf(file: string): Array<{ sub: string; flags: string[]; line: string }> {
  const joined = text(file).replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/npx policy-conformance ([a-z]+)([^\n]*)/g)].map((m) => ({ sub: m[1]!, flags: (m[2]!.match(/(?<=\s)--[a-z][a-z-]*/g) ?? []), line: m[0] }));
}

describe('the GitHub Actions workflows', () => {
  it('are there: the nightly matrix and the AWS job', () => {
    expect(FILES.sort()).toEqual(['aws-nightly.yml', 'nightly-matrix.yml']);
  });

  for (const file of FILES) {
    it(`${file} is a valid workflow (GitHub's schema)`, () => {
      expect(validateWorkflow(text(file)).errors).toEqual([]);
    });

    it(`${file}: every policy-conformance command uses only flags its subcommand takes`, () => {
      const commands = commandsOf(file);
      expect(commands.length).toBeGreaterThan(0);
      for (const c of commands) {
        const known = flagsOf(c.sub);
        for (const flag of c.flags) expect(known.has(flag), `${flag} in: ${c.line}`).toBe(true);
      }
    });
  }

  it('the check itself notices a flag no subcommand takes, and a workflow that is not one', () => {
    expect(flagsOf('run').has('--shard')).toBe(false);
    expect(flagsOf('matrix').has('--shard')).toBe(true);
    expect(validateWorkflow('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: x\n').errors.length).toBeGreaterThan(0);
  });

  it('the AWS job plans, runs and sweeps, each against aws with the region it was given', () => {
    const commands = commandsOf('aws-nightly.yml');
    expect(commands.map((c) => c.sub)).toEqual(['run', 'run', 'sweep']);
    for (const c of commands) expect(c.line).toMatch(/--target aws --region "\$REGION"/);
    expect(commands[0]!.flags).toContain('--plan');
    expect(commands[1]!.flags).toContain('--record');
  });

  it('the nightly matrix: SHARDS is the job matrix, its targets are known, and each has its expectations file', () => {
    const wf = parse(text('nightly-matrix.yml')) as { env: Record<string, string>; jobs: Record<string, { strategy?: { matrix?: { shard?: number[] } } }> };
    const shards = Number(wf.env.SHARDS);
    expect(wf.jobs.shard!.strategy!.matrix!.shard).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
    expect(commandsOf('nightly-matrix.yml').map((c) => c.sub)).toEqual(['matrix', 'merge']);
    // The image column: the tag scripts/build-moto-image.sh builds, with the pinned moto version.
    const moto = readFileSync(join(REPO, 'scripts', 'moto-version.txt'), 'utf8').trim();
    const targets = [...wf.env.TARGETS_BUT_IMAGE!.split(','), `container:localhost/policy-conformance/moto:${moto}`];
    for (const t of targets) {
      expect(() => parseTarget(t), t).not.toThrow();
      expect(existsSync(join(REPO, 'expectations', `${targetSlug(t)}.json`)), `expectations/${targetSlug(t)}.json`).toBe(true);
    }
    expect(readFileSync(join(REPO, 'scripts', 'build-moto-image.sh'), 'utf8')).toContain('TAG="localhost/policy-conformance/moto:$MOTO_VERSION"');
  });
});
