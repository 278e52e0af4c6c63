/**
 * `--target container:<image>` for real: podman's Docker-API socket (scripts/setup-podman.sh), the locally built
 * moto image (scripts/build-moto-image.sh: debootstrap root + moto[server], cached), testcontainers starting it, and
 * the DynamoDB suite run against the container over real HTTP on 127.0.0.1.
 *
 * The first image build takes a minute or two (debootstrap + pip); later runs find the image and skip it.
 * Needs root (apt-get, podman); on a machine with Docker the setup script is not needed, but this test uses it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamodbAdapter } from '../../services/dynamodb/adapter.js';
import { type ContainerTarget, startContainerTarget } from '../../harness/targets/container.js';
import { pinnedMotoVersion } from '../../harness/targets/moto.js';
import type { ServiceResult } from '../../models/results.js';
import { runService } from '../../harness/runner.js';
import { DUMMY_CREDENTIALS } from '../../harness/sdk.js';
import { InfraError } from '../../harness/errors.js';
import { motoImage, useContainerEngine } from '../support/containers.js';
import { endpointAt, options } from '../support/reference.js';
import { portIsOpen } from '../support/ports.js';
import { motoProbes } from './probes/moto.probes.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `podman container exists` exits 0 when the container exists, 1 when it does not. */
async function containerExists(id: string): Promise<boolean> {
  try {
    await run('podman', ['container', 'exists', id]);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 1) return false;
    throw error;
  }
}


const timings: Record<string, number> = {};
let image: string;
let target: ContainerTarget | undefined;
let result: ServiceResult;

beforeAll(async () => {
  let t = Date.now();
  await useContainerEngine();
  timings.setupPodmanMs = Date.now() - t;

  t = Date.now();
  image = await motoImage();
  timings.imageMs = Date.now() - t;

  t = Date.now();
  target = await startContainerTarget(image);
  timings.startMs = Date.now() - t;

  t = Date.now();
  result = await runService(dynamodbAdapter, endpointAt(target.endpoint), options({ runs: 20, maxDivergences: 30 }));
  timings.suiteMs = Date.now() - t;
  process.stderr.write(`[container-target] timings: ${JSON.stringify(timings)}\n`);
}, 900_000);

afterAll(async () => {
  await target?.stop();
}, 60_000);

describe('container:<image> target through podman and testcontainers', () => {
  it('set up the engine and the locally built moto image', () => {
    expect(process.env.DOCKER_HOST).toBe('unix:///run/podman-docker.sock');
    expect(process.env.TESTCONTAINERS_RYUK_DISABLED).toBe('true');
    expect(image).toBe(`localhost/policy-conformance/moto:${pinnedMotoVersion()}`);
  });

  it('runs the image as a container reachable on 127.0.0.1 only, versioned by its tag', async () => {
    expect(target!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target!.version).toBe(pinnedMotoVersion());
    expect(target!.claims).toContain('dynamodb');
    const { stdout: state } = await run('podman', ['inspect', '--format', '{{.State.Running}} {{.ImageName}}', target!.containerId!]);
    expect(state.trim()).toBe(`true ${image}`);
    const { stdout: ports } = await run('podman', ['port', target!.containerId!]);
    expect(ports.trim()).toBe(`5000/tcp -> 127.0.0.1:${new URL(target!.endpoint).port}`);
  });

  it('the DynamoDB suite finds moto departures there, attributed to DynamoDB rules, faulting only where moto crashes', () => {
    expect(result.verdict, result.reason).toBe('fail');
    // moto answers a Put without ResourceArn with a 500 every time (a crash entry): the only faults there are.
    if (!result.divergences.some((d) => d.kind === 'crash')) expect(result.faults).toBe(0);
    expect(result.unsupportedOperations).toEqual([]);
    expect(result.divergences.length).toBeGreaterThan(1);
    const rules = Object.keys(dynamodbAdapter.model.rules);
    const switches = dynamodbAdapter.model.switches.map((s) => s.name);
    for (const d of result.divergences) {
      expect(rules).toContain(d.rule);
      if (d.explainedBy) expect(switches).toContain(d.explainedBy.switch);
      expect(d.steps.length).toBeGreaterThan(0);
    }
    // The same moto as the process target (its probes: specs/emulators/probes/moto.probes.ts): every departure found
    // here is one a probe shows; with this small budget, at least the plainest of them.
    const probed = new Set(motoProbes.probes.filter((p) => p.service === 'dynamodb').map((p) => `${p.kind} ${p.rule}`));
    for (const d of result.divergences) expect(probed, `${d.kind} ${d.rule}`).toContain(`${d.kind ?? 'wrong-answer'} ${d.rule}`);
    const found = new Set(result.divergences.map((d) => d.rule));
    for (const rule of ['ddb.arn.index', 'ddb.stream.supported', 'ddb.delete.no-policy']) expect(found, `expected a departure on ${rule}`).toContain(rule);
    // The index ARN answer (ResourceNotFoundException) is a plain departure now: AWS answers ValidationException (§7.6).
    expect(result.divergences.filter((d) => d.explainedBy)).toEqual([]);
  });

  it('reset() clears the emulator in the container (POST /moto-api/reset)', async () => {
    const client = new DynamoDBClient({ endpoint: target!.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, requestHandler: new NodeHttpHandler() });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'container-reset-probe',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect((await client.send(new ListTablesCommand({}))).TableNames).toContain('container-reset-probe');
      await target!.reset!();
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('a missing image is an infrastructure error naming the build script', async () => {
    const missing = 'localhost/policy-conformance/moto:0.0.0-missing';
    const error = await startContainerTarget(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('scripts/build-moto-image.sh');
  });

  it('an unreachable engine is an infrastructure error telling how to get one', async () => {
    // In a fresh process: testcontainers keeps one engine client per process.
    const code = `import('./harness/targets/container.ts').then((m) => m.startContainerTarget('${image}')).then(
      () => { console.log('started'); process.exit(0); },
      (e) => { console.log(e.constructor.name + ': ' + e.message); process.exit(0); })`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', code], {
      cwd: ROOT,
      env: { ...process.env, DOCKER_HOST: 'unix:///run/policy-conformance-no-such.sock' },
      timeout: 60_000,
    });
    expect(stdout.trim()).toMatch(/^InfraError: container target: no container engine reachable .*DOCKER_HOST=unix:\/\/\/run\/policy-conformance-no-such\.sock.*scripts\/setup-podman\.sh/);
  });

  it('stop() removes the container and frees the port (idempotent)', async () => {
    const id = target!.containerId!;
    const port = Number(new URL(target!.endpoint).port);
    expect(await containerExists(id)).toBe(true);
    await target!.stop();
    expect(await containerExists(id)).toBe(false);
    expect(await portIsOpen(port)).toBe(false);
    await target!.stop();
  });
});
