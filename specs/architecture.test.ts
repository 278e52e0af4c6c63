/**
 * The layout keeps its shape: dependency-cruiser checks the layering in .dependency-cruiser.cjs over the real tree
 * (the pure core and each service's pure files import only the core and fast-check, reports only the core, no
 * cycles, service folders reached only through services/index.ts), and the same rules are shown to fail on a
 * small tree that breaks each of them. Outside services/, no source file names a service.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../services/index.js';
import { REPO, runProcess } from './support/cli.js';

const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const LAYERS = ['models', 'generators', 'services', 'harness', 'reports', 'cli', 'bin'];

const scratch = mkdtempSync(join(tmpdir(), 'pc-architecture-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cruise(cwd: string, dirs: string[]) {
  return runProcess(DEPCRUISE, ['--config', CONFIG, '--output-type', 'err', ...dirs], { cwd, timeoutMs: 120_000 });
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

describe('the layout', () => {
  it('keeps its layering and has no import cycles (dependency-cruiser)', async () => {
    const r = await cruise(REPO, LAYERS);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/no dependency violations found/);
  });

  it('the rules catch each kind of violation', async () => {
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }),
      'harness/io.ts': 'export const io = 1;\n',
      'models/core.ts': "import { io } from '../harness/io.js';\nexport const core = io;\n",
      'reports/render.ts': "import { io } from '../harness/io.js';\nexport const render = io;\n",
      'services/toy/model.ts': "import { io } from '../../harness/io.js';\nexport const model = io;\n",
      'services/other/adapter.ts': "import { model } from '../toy/model.js';\nexport const adapter = model;\n",
      'cli/a.ts': "import { b } from './b.js';\nimport { model } from '../services/toy/model.js';\nexport const a = () => b + model;\n",
      'cli/b.ts': "import { a } from './a.js';\nexport const b = 1;\nexport const c = a;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(scratch, file)), { recursive: true });
      writeFileSync(join(scratch, file), text);
    }
    const r = await cruise(scratch, ['models', 'services', 'harness', 'reports', 'cli']);
    expect(r.code).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/core-is-pure: models\/core\.ts → harness\/io\.ts/);
    expect(out).toMatch(/reports-are-renderers: reports\/render\.ts → harness\/io\.ts/);
    expect(out).toMatch(/service-pure-files: services\/toy\/model\.ts → harness\/io\.ts/);
    expect(out).toMatch(/services-apart: services\/other\/adapter\.ts → services\/toy\/model\.ts/);
    expect(out).toMatch(/services-through-their-list: cli\/a\.ts → services\/toy\/model\.ts/);
    expect(out).toMatch(/no-cycles: cli\/(a|b)\.ts → /);
  });

  it('outside services/, no source file names a service (not in code, not in a string)', () => {
    const named = new RegExp(`(['"\`])(${SERVICE_NAMES.join('|')})\\1|\\b(ddb|kin|ssm|xray)\\.[a-z-]+\\.[a-z-]+`);
    const offenders: string[] = [];
    for (const dir of ['models', 'generators', 'harness', 'reports', 'cli', 'bin']) {
      for (const file of sources(join(REPO, dir))) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            // Comments may mention a service as an example; code and strings may not.
            const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '').replace(/\/\*.*?\*\//g, '');
            if (named.test(code)) offenders.push(`${relative(REPO, file)}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });
});
