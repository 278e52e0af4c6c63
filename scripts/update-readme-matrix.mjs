#!/usr/bin/env node
// Put a matrix.md (from `policy-conformance matrix`, e.g. the nightly spec's reports/out/nightly-matrix/matrix.md)
// into the repository: the whole file as docs/matrix.md, and its summary and rule tables into the README between
// the `<!-- matrix:start -->` and `<!-- matrix:end -->` markers.
//
// Usage: node scripts/update-readme-matrix.mjs [path/to/matrix.md]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2] ?? join(repo, 'reports', 'out', 'nightly-matrix', 'matrix.md');
const START = '<!-- matrix:start -->';
const END = '<!-- matrix:end -->';

function fail(message) {
  process.stderr.write(`update-readme-matrix: ${message}\n`);
  process.exit(1);
}

let matrix;
try {
  matrix = readFileSync(source, 'utf8');
} catch (error) {
  fail(`cannot read ${source}: ${error.code ?? error.message}`);
}
if (!matrix.startsWith('# Conformance matrix\n')) fail(`${source} is not a matrix.md`);

const lines = matrix.split('\n');
const departures = lines.findIndex((l) => l === '## Departures by target');
if (departures < 0) fail(`${source} has no "Departures by target" section`);
// The README gets the summary (without the generation line's timestamp noise kept as is) and the rule tables, one
// heading level down; the departures by target stay in docs/matrix.md.
const body = lines
  .slice(1, departures)
  .map((l) => (l.startsWith('## ') ? `#### ${l.slice(3)}` : l))
  .join('\n')
  .trim();
const section = [START, '', body, '', 'Every departure of every target, with its summary and behaviour profile: [`docs/matrix.md`](docs/matrix.md).', '', END].join('\n');

const readmePath = join(repo, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) fail(`README.md has no ${START} … ${END} section`);
writeFileSync(readmePath, readme.slice(0, from) + section + readme.slice(to + END.length));
writeFileSync(join(repo, 'docs', 'matrix.md'), matrix);
process.stdout.write(`README.md and docs/matrix.md updated from ${source}\n`);
