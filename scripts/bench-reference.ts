// Benchmark: does the reference server's cost per request depend on its history? In one process:
//   1. the engine alone (no HTTP): a DynamoDB PutResourcePolicy on a fresh state, after N tables created and deleted,
//      and with N tables alive;
//   2. a plain SDK loop (PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy on one table) against a fresh
//      reference server and against one that has served `--suite-runs` whole suite runs (all services, as against a
//      URL target: no reset, each run under its own prefix), loops alternating between the two; the ratio is the
//      aged server's rate over the fresh one's.
// Usage: npm run bench:reference [-- --suite-runs 10] [-- --tables 5000] [-- --calls 600] [-- --rounds 5]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DeleteResourcePolicyCommand, DynamoDBClient, GetResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-dynamodb';
import { REFERENCE_ACCOUNT, ReferenceServer, startReference } from '../harness/reference/server.js';
import type { HttpRequest } from '../harness/reference/protocol.js';
import { runService } from '../harness/runner.js';
import { DUMMY_CREDENTIALS } from '../harness/sdk.js';
import { SERVICES } from '../services/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    'suite-runs': { type: 'string', default: '10' },
    tables: { type: 'string', default: '5000' },
    calls: { type: 'string', default: '600' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '20261123' },
  },
});
const SUITE_RUNS = Number(values['suite-runs']);
const TABLES = Number(values.tables);
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const REGION = 'us-east-1';

const POLICY = (arn: string, n: number) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `s${n}`, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'dynamodb:GetItem', Resource: arn }] });
const arnOf = (name: string) => `arn:aws:dynamodb:${REGION}:${REFERENCE_ACCOUNT}:table/${name}`;

function ddb(operation: string, input: object): HttpRequest {
  return { method: 'POST', path: '/', headers: { 'x-amz-target': `DynamoDB_20120810.${operation}` }, body: JSON.stringify(input) };
}

function createTable(name: string): HttpRequest {
  return ddb('CreateTable', {
    TableName: name,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  });
}

/** Microseconds per PutResourcePolicy (alternating documents, so each one replaces) through the server's handler, no HTTP. */
function putCost(server: ReferenceServer, name: string, puts = 400): number {
  const ok = server.handle(createTable(name));
  if (ok.status !== 200) throw new Error(`CreateTable ${name}: ${ok.body}`);
  const started = performance.now();
  for (let i = 0; i < puts; i++) {
    const r = server.handle(ddb('PutResourcePolicy', { ResourceArn: arnOf(name), Policy: POLICY(arnOf(name), i % 2) }));
    if (r.status !== 200) throw new Error(`PutResourcePolicy: ${r.body}`);
  }
  return ((performance.now() - started) * 1000) / puts;
}

function engineCosts() {
  putCost(new ReferenceServer(), 'benchwarmup'); // JIT warm-up: the first figure is not the slowest for nothing
  const fresh = putCost(new ReferenceServer(), 'benchfresh');
  const history = new ReferenceServer();
  for (let i = 0; i < TABLES; i++) {
    const name = `benchgone${i}`;
    history.handle(createTable(name));
    history.handle(ddb('PutResourcePolicy', { ResourceArn: arnOf(name), Policy: POLICY(arnOf(name), 0) }));
    history.handle(ddb('DeleteTable', { TableName: name }));
  }
  const afterDeleted = putCost(history, 'benchafter');
  const alive = new ReferenceServer();
  for (let i = 0; i < TABLES; i++) alive.handle(createTable(`benchlive${i}`));
  const withAlive = putCost(alive, 'benchafter');
  return { fresh, afterDeleted, withAlive };
}

/** Calls per second of a plain SDK loop: Put, Get, Delete of a policy on one table, `calls` calls. */
async function sdkLoop(url: string, tag: string): Promise<number> {
  const client = new DynamoDBClient({ endpoint: url, region: REGION, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
  const name = `benchloop${tag}${Date.now().toString(36)}`;
  await client.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  const ResourceArn = arnOf(name);
  const started = performance.now();
  for (let i = 0; i < CALLS; i += 3) {
    await client.send(new PutResourcePolicyCommand({ ResourceArn, Policy: POLICY(ResourceArn, i) }));
    await client.send(new GetResourcePolicyCommand({ ResourceArn }));
    await client.send(new DeleteResourcePolicyCommand({ ResourceArn }));
  }
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  return CALLS / seconds;
}

/** One whole suite run (every service, default settings) against `url`, as a URL target gets it: no reset. */
async function suiteRun(url: string, run: number): Promise<{ calls: number; verdicts: string }> {
  let calls = 0;
  const verdicts: string[] = [];
  for (const service of SERVICES) {
    const result = await runService(service.adapter, { url, region: REGION, credentials: DUMMY_CREDENTIALS }, {
      runs: 200,
      seed: Number(values.seed) + run,
      consistency: 'strict',
      settleMs: 0,
      waitSeconds: 30,
      maxDivergences: 30,
      replayBase: '',
    });
    calls += result.calls;
    verdicts.push(`${service.name} ${result.verdict}`);
  }
  return { calls, verdicts: verdicts.join(', ') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const costs = engineCosts();
console.log(`engine, PutResourcePolicy: fresh ${costs.fresh.toFixed(1)} µs; after ${TABLES} tables created and deleted ${costs.afterDeleted.toFixed(1)} µs (${(costs.afterDeleted / costs.fresh).toFixed(2)}×); with ${TABLES} tables alive ${costs.withAlive.toFixed(1)} µs (${(costs.withAlive / costs.fresh).toFixed(2)}×)`);

const aged = await startReference();
const suiteStarted = performance.now();
for (let run = 0; run < SUITE_RUNS; run++) {
  const started = performance.now();
  const { calls, verdicts } = await suiteRun(aged.url, run);
  console.log(`suite run ${run + 1}/${SUITE_RUNS}: ${calls} calls in ${((performance.now() - started) / 1000).toFixed(1)} s (${verdicts})`);
}
const suiteSeconds = (performance.now() - suiteStarted) / 1000;
console.log(`aged server's engines after ${SUITE_RUNS} suite runs: ${JSON.stringify(aged.server.sizes())}`);

const fresh = await startReference();
// Warm-up (JIT, sockets), not counted: the first loop of a process is the slowest whichever server it talks to.
await sdkLoop(fresh.url, 'warm');
await sdkLoop(aged.url, 'warm');
const rates = { fresh: [] as number[], aged: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  rates.fresh.push(await sdkLoop(fresh.url, `f${round}`));
  rates.aged.push(await sdkLoop(aged.url, `a${round}`));
}
await fresh.stop();
await aged.stop();
const f = median(rates.fresh);
const a = median(rates.aged);
console.table([
  { server: 'fresh', 'calls/s (median)': Math.round(f), rounds: rates.fresh.map(Math.round).join(' ') },
  { server: `after ${SUITE_RUNS} suite runs`, 'calls/s (median)': Math.round(a), rounds: rates.aged.map(Math.round).join(' ') },
]);
console.log(`aged / fresh: ${(a / f).toFixed(2)} (${SUITE_RUNS} suite runs took ${suiteSeconds.toFixed(0)} s); Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`);
