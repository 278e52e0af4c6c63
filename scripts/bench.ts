// The benchmark (issue #11): the suite and the plain loop measured in one process and one run, side by side on the
// same kind of target:
//   - the suite as the CLI runs it (scripts/bench/suite.ts) and an independent plain SDK loop (scripts/bench/
//     plain-loop.ts: no suite code), on the reference server and on moto: judged policy calls per second for both,
//     their ratio, HTTP requests per judged policy call;
//   - time to first divergence for the seeded mutants (scripts/bench/mutants.ts);
//   - a latency scenario: both through a proxy that adds 20 ms to every answer (scripts/bench/delay-proxy.ts), it
//     and its reference server in a process of their own (scripts/bench/latency-target.ts);
//   - the cost of generating sequences alone (scripts/bench/generation.ts).
// Prints a table, writes JSON (default reports/out/bench.json). What each figure means: docs/benchmarks.md.
// Usage: npm run bench [-- --quick] [-- --no-moto] [-- --out FILE]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startReference } from '../harness/reference/server.js';
import { startMoto } from '../harness/targets/moto.js';
import { SERVICE_NAMES } from '../services/index.js';
import { generationCost } from './bench/generation.js';
import { startLatencyTarget } from './bench/latency-target.js';
import { mutantTimings } from './bench/mutants.js';
import { plainLoop, type PlainLoopResult, type PlainTarget } from './bench/plain-loop.js';
import { round } from './bench/stats.js';
import { runSuite, spanSeconds, type SuiteFigures } from './bench/suite.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The latency scenario runs the suite against a URL: its journal and leases go to a scratch folder, not ~/.local.
process.env.POLICY_CONFORMANCE_JOURNAL_DIR ??= join(mkdtempSync(join(tmpdir(), 'pc-bench-journal-')), 'journals');

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-moto': { type: 'boolean', default: false }, out: { type: 'string', default: 'reports/out/bench.json' } },
  strict: true,
});
const quick = values.quick;
const DELAY_MS = 20;
/** The full run uses the suite's defaults; --quick only shows that every part works (its figures mean little). */
const settings = quick
  ? { suiteArgs: ['--runs', '10', '--max-divergences', '1', '--reproduce', '0'], plainIterations: 20, latencyRuns: 3, latencyIterations: 10, mutantsPerService: 1, generationSequences: 200 }
  : { suiteArgs: [] as string[], plainIterations: 300, latencyRuns: 50, latencyIterations: 50, mutantsPerService: undefined, generationSequences: 2000 };
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

interface PlainFigures {
  services: Array<PlainLoopResult | { service: string; error: string }>;
  total: { policyCalls: number; seconds: number; policyCallsPerSec: number };
}

async function plainLoops(target: PlainTarget, iterations: number): Promise<PlainFigures> {
  const services: PlainFigures['services'] = [];
  for (const service of SERVICE_NAMES) {
    try {
      services.push(await plainLoop(service, target, iterations));
    } catch (error) {
      // moto 5.2.5 has no SSM or X-Ray resource-policy operations: those services have no plain figure there (nor judged calls).
      services.push({ service, error: (error as Error).message.split('\n')[0]!.slice(0, 200) });
    }
  }
  const ok = services.filter((s): s is PlainLoopResult => 'policyCalls' in s);
  const policyCalls = ok.reduce((n, s) => n + s.policyCalls, 0);
  const seconds = ok.reduce((n, s) => n + s.seconds, 0);
  return { services, total: { policyCalls, seconds: round(seconds, 2), policyCallsPerSec: seconds > 0 ? round(policyCalls / seconds, 1) : 0 } };
}

/**
 * Suite vs plain loop, over the services both could exercise (a service the target does not implement has neither
 * judged calls nor a plain loop): judged policy calls/s of each, and the suite's as a fraction of the loop's.
 */
function compare(suite: SuiteFigures, plain: PlainFigures) {
  const both = suite.services.filter((s) => s.judgedPolicyCalls > 0 && plain.services.some((p) => p.service === s.service && 'policyCalls' in p));
  const perService = both.map((s) => {
    const p = plain.services.find((x) => x.service === s.service) as PlainLoopResult;
    return { service: s.service, suite: s.judgedPolicyCallsPerSec, plain: p.policyCallsPerSec, ratio: round(s.judgedPolicyCallsPerSec / p.policyCallsPerSec, 2), requestsPerJudgedCall: s.requestsPerJudgedCall };
  });
  const judged = both.reduce((n, s) => n + s.judgedPolicyCalls, 0);
  const seconds = spanSeconds(both, suite.sideBySide);
  const requests = both.reduce((n, s) => n + (s.requests.total ?? 0), 0);
  const plainOk = plain.services.filter((p): p is PlainLoopResult => 'policyCalls' in p && both.some((s) => s.service === p.service));
  // No service in common (a target that implements none of them): rates of 0, not NaN, in the JSON.
  const rate = (calls: number, s: number) => (s > 0 ? calls / s : 0);
  const plainRate = rate(plainOk.reduce((n, p) => n + p.policyCalls, 0), plainOk.reduce((n, p) => n + p.seconds, 0));
  const suiteRate = rate(judged, seconds);
  return {
    services: both.map((s) => s.service),
    suiteJudgedPolicyCallsPerSec: round(suiteRate, 1),
    plainPolicyCallsPerSec: round(plainRate, 1),
    ratio: plainRate > 0 ? round(suiteRate / plainRate, 2) : 0,
    requestsPerJudgedCall: judged > 0 ? round(requests / judged, 2) : 0,
    perService,
  };
}

async function onReference() {
  log('reference: the suite');
  const suite = await runSuite(['--target', 'reference', ...settings.suiteArgs]);
  log('reference: the plain loop');
  const reference = await startReference();
  try {
    const plain = await plainLoops({ url: reference.url, region: 'us-east-1' }, settings.plainIterations);
    return { suite, plain, comparison: compare(suite, plain) };
  } finally {
    await reference.stop();
  }
}

async function onMoto() {
  log('moto: the suite');
  const suite = await runSuite(['--target', 'moto', ...settings.suiteArgs]);
  log('moto: the plain loop');
  const moto = await startMoto();
  try {
    const plain = await plainLoops({ url: moto.endpoint, region: 'us-east-1' }, settings.plainIterations);
    // A run that broke off (internal error, infrastructure) is not a fast run.
    const finished = suite.total.verdicts.every((v) => v === 'pass' || v === 'fail' || v === 'unsupported');
    return { suite, plain, comparison: compare(suite, plain), underSixtySeconds: finished && suite.wallSeconds < 60 };
  } finally {
    await moto.stop();
  }
}

/**
 * Both behind the 20 ms proxy in front of one reference server, in a process of their own (as a remote target is):
 * the suite at its defaults (but --runs), the loop sequential.
 */
async function withLatency() {
  const proxy = await startLatencyTarget(DELAY_MS);
  try {
    log(`latency: the suite through a ${DELAY_MS} ms proxy`);
    const suite = await runSuite(['--target', proxy.url, '--runs', String(settings.latencyRuns)]);
    log(`latency: the plain loop through the proxy`);
    const plain = await plainLoops({ url: proxy.url, region: 'us-east-1' }, settings.latencyIterations);
    return { delayMs: DELAY_MS, suiteRuns: settings.latencyRuns, suite, plain, comparison: compare(suite, plain), answeredByProxy: await proxy.answered(), targetInOwnProcess: true };
  } finally {
    await proxy.stop();
  }
}

const started = new Date();
const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: platform(), loadAverageAtStart: loadavg().map((l) => round(l, 2)) };
log(`generation: ${settings.generationSequences} sequences per service`);
const generation = generationCost(settings.generationSequences);
const reference = await onReference();
const moto = values['no-moto'] ? undefined : await onMoto();
log(`mutants: time to first divergence${settings.mutantsPerService ? ` (${settings.mutantsPerService} per service)` : ''}`);
const mutants = await mutantTimings(200, 20261123, settings.mutantsPerService);
const latency = await withLatency();
const report = {
  quick,
  date: started.toISOString(),
  seconds: round((Date.now() - started.getTime()) / 1000, 1),
  machine,
  generation,
  reference,
  ...(moto ? { moto } : {}),
  mutants,
  latency,
  targets: {
    referenceRatioAtLeast085: reference.comparison.ratio >= 0.85,
    ...(moto ? { motoRatioAtLeast085: moto.comparison.ratio >= 0.85, motoDefaultRunUnder60s: moto.underSixtySeconds } : {}),
    latencyRatioAtLeast3: latency.comparison.ratio >= 3,
  },
};

const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const row = (scenario: string, c: ReturnType<typeof compare>, wall: number) => ({
  scenario,
  'suite judged/s': c.suiteJudgedPolicyCallsPerSec,
  'plain loop/s': c.plainPolicyCallsPerSec,
  ratio: c.ratio,
  'requests/judged': c.requestsPerJudgedCall,
  'suite wall s': wall,
});
console.table([
  row('reference', reference.comparison, reference.suite.wallSeconds),
  ...(moto ? [row(`moto ${moto.suite.targetVersion ?? ''} (${moto.comparison.services.join(', ')})`, moto.comparison, moto.suite.wallSeconds)] : []),
  row(`reference + ${DELAY_MS} ms proxy`, latency.comparison, latency.suite.wallSeconds),
]);
console.table(generation);
console.log(
  `mutants: ${mutants.caught}/${mutants.mutants.length} caught, ${mutants.named} named right; median ${mutants.medianSeconds} s to the first divergence (${Object.entries(mutants.perService)
    .map(([s, f]) => `${s} ${f.medianSeconds} s`)
    .join(', ')}); of the caught mutants' time in all: ${Object.entries(mutants.splitSeconds)
    .map(([a, sec]) => `${a} ${sec} s`)
    .join(', ')}`,
);
console.log(`${quick ? 'quick run (figures mean little), ' : ''}${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')} at start, ${report.seconds} s; JSON in ${out}`);
