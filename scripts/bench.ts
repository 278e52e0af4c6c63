// Benchmark: calls per second through the harness (generation, checking, shrinking machinery, fixtures) against
// a raw SDK loop making the same kind of calls, on the reference target and on moto (exploring up to 30 divergences,
// shrinking included). The ratio is the harness's
// overhead. Usage: npm run bench [-- --runs N] [-- --no-moto]
import { parseArgs } from 'node:util';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';
import { startMoto } from '../harness/targets/moto.js';
import { startReference } from '../harness/reference/server.js';
import { runService } from '../harness/runner.js';
import { DUMMY_CREDENTIALS, type Endpoint } from '../harness/sdk.js';
import type { DdbCommand } from '../services/dynamodb/commands.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, 'no-moto': { type: 'boolean', default: false } } });
const runs = Number(values.runs);

/** The same operations the suite makes, in a fixed loop: two tables, a mix of policy calls, cleanup. */
const LOOP: DdbCommand[] = [
  { op: 'CreateTable', slot: 't0', stream: true },
  { op: 'CreateTable', slot: 't1', stream: false },
  { op: 'PutResourcePolicy', target: { kind: 'table', slot: 't0' }, policy: { kind: 'valid', variant: 0, whitespace: 0 } },
  { op: 'GetResourcePolicy', target: { kind: 'table', slot: 't0' } },
  { op: 'PutResourcePolicy', target: { kind: 'table', slot: 't0' }, policy: { kind: 'valid', variant: 1, whitespace: 0 }, expected: { kind: 'current' } },
  { op: 'PutResourcePolicy', target: { kind: 'stream', slot: 't0' }, policy: { kind: 'valid', variant: 2, whitespace: 0 } },
  { op: 'GetResourcePolicy', target: { kind: 'stream', slot: 't0' } },
  { op: 'DeleteResourcePolicy', target: { kind: 'table', slot: 't0' } },
  { op: 'GetResourcePolicy', target: { kind: 'table', slot: 't1' } },
  { op: 'DeleteTable', slot: 't0' },
];

async function rawLoop(endpoint: Endpoint, calls: number) {
  const connection = dynamodbAdapter.connect(endpoint, { settleMs: 0, waitSeconds: 30 });
  const identity = { account: '123456789012', region: endpoint.region };
  const started = performance.now();
  let made = 0;
  for (let i = 0; made < calls; i++) {
    const sequence = connection.sequence(`bench${Date.now().toString(36)}${i}`, identity);
    for (const command of LOOP) {
      const request = sequence.request(command);
      sequence.learn(request, await sequence.send(request));
      made++;
    }
    await sequence.cleanup();
    made++; // cleanup deletes t1
  }
  connection.close();
  return { calls: made, seconds: (performance.now() - started) / 1000 };
}

async function measure(name: string, endpoint: Endpoint) {
  const before = process.memoryUsage().rss;
  const harness = await runService(dynamodbAdapter, endpoint, { runs, seed: 42, consistency: 'strict', settleMs: 0, maxDivergences: 30, replayBase: '' });
  const harnessRate = harness.calls / (harness.durationMs / 1000);
  const raw = await rawLoop(endpoint, harness.calls);
  const rawRate = raw.calls / raw.seconds;
  return {
    target: name,
    verdict: harness.verdict,
    harnessCalls: harness.calls,
    harnessCallsPerSec: Math.round(harnessRate),
    rawCallsPerSec: Math.round(rawRate),
    overhead: `${(rawRate / harnessRate).toFixed(2)}x`,
    rssMiB: Math.round(Math.max(before, process.memoryUsage().rss) / 2 ** 20),
  };
}

const rows = [];
const reference = await startReference();
rows.push(await measure('reference', { url: reference.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS }));
await reference.stop();
if (!values['no-moto']) {
  const moto = await startMoto();
  rows.push(await measure(`moto ${moto.version}`, { url: moto.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS }));
  await moto.stop();
}
console.table(rows);
console.log(`DynamoDB suite, ${runs} sequences, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
