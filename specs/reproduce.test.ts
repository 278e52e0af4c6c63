import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';
import { kinesisAdapter } from '../services/kinesis/adapter.js';
import { ssmAdapter } from '../services/ssm/adapter.js';
import { xrayAdapter } from '../services/xray/adapter.js';
import { startReference } from '../harness/reference/server.js';
import { awsCliReproducer, kebab, shellQuote } from '../reports/reproducer.js';
import { serviceNamed } from '../services/index.js';
import type { Divergence } from '../models/results.js';
import { runService } from '../harness/runner.js';
import type { ServiceAdapter } from '../harness/service.js';
import { startProxy } from './support/proxy.js';
import { REPO, runProcess } from './support/cli.js';
import { endpointAt, options } from './support/reference.js';

const run = promisify(execFile);
/** The AWS CLI (v1, from PyPI) in a scratch venv of its own: its botocore pin must not touch moto's venv. */
const AWSCLI_VENV = join(REPO, '.tmp', 'awscli-venv');
const AWS = join(AWSCLI_VENV, 'bin', 'aws');

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('reproducibility: every divergence is replayed before it is reported', () => {
  it('a deterministic bug is labelled reproducible (every replay diverges again on the same rule)', async () => {
    const ref = await startReference({ mutant: 'ddb-wrong-error-missing-policy' });
    cleanup.push(ref.stop);
    const r = await runService(dynamodbAdapter, endpointAt(ref.url), options({ runs: 100, reproduce: 3 }));
    expect(r.divergences).toHaveLength(1);
    expect(r.divergences[0]!.reproducibility).toEqual({ label: 'reproducible', replays: 3, sameRule: 3, otherRules: [] });
    expect(r.divergences[0]!.commands!.length).toBe(r.divergences[0]!.calls);
  });

  it('a target that answers wrongly only every third time is labelled flaky', async () => {
    const ref = await startReference();
    // Every third GetResourcePolicy answers "no such stream" for a stream that exists.
    const proxy = await startProxy(ref.url, ({ operation, nth }) =>
      operation === 'GetResourcePolicy' && nth % 3 === 0
        ? { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'ResourceNotFoundException', message: 'flaky' }) }
        : 'forward',
    );
    cleanup.push(ref.stop, proxy.stop);
    const r = await runService(kinesisAdapter, endpointAt(proxy.url), options({ runs: 100, reproduce: 3 }));
    const d = r.divergences[0]!;
    expect(d.actual).toMatchObject({ kind: 'error', code: 'ResourceNotFoundException' });
    expect(d.reproducibility!.label).toBe('flaky');
    expect(d.reproducibility!.sameRule).toBeLessThan(3);
  });

  it('without --reproduce nothing is replayed (the library default)', async () => {
    const ref = await startReference({ mutant: 'ddb-wrong-error-missing-policy' });
    cleanup.push(ref.stop);
    const r = await runService(dynamodbAdapter, endpointAt(ref.url), options({ runs: 100 }));
    expect(r.divergences[0]!.reproducibility).toBeUndefined();
  });
});

describe('AWS CLI reproducers', () => {
  it('names operations as the AWS CLI does', () => {
    expect(['PutResourcePolicy', 'GetResourcePolicies', 'DescribeStreamConsumer', 'ListResourcePolicies', 'CreateTable'].map(kebab)).toEqual([
      'put-resource-policy',
      'get-resource-policies',
      'describe-stream-consumer',
      'list-resource-policies',
      'create-table',
    ]);
  });

  it('quotes any text as one POSIX shell word', () => {
    for (const text of [`it's`, `"$HOME" \`id\` \\ ; | & > <`, `{"a":"b'c"}\n`, '', 'é ü 😀']) {
      const echoed = spawnSync('sh', ['-c', `printf '%s' ${shellQuote(text)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(text);
    }
  });

  describe('pasted into a shell with the real AWS CLI, against the reference server with the bug', () => {
    beforeAll(async () => {
      if (existsSync(AWS)) return;
      await run('python3', ['-m', 'venv', AWSCLI_VENV]);
      await run(join(AWSCLI_VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'awscli'], { timeout: 240_000 });
    }, 300_000);

    const ADAPTER: Record<string, ServiceAdapter> = { dynamodb: dynamodbAdapter, kinesis: kinesisAdapter, ssm: ssmAdapter, xray: xrayAdapter };
    it.each([
      ['dynamodb', 'ddb-ignore-expected-revision'],
      ['dynamodb', 'ddb-wrong-error-missing-policy'],
      ['kinesis', 'kin-get-missing-policy-not-found'],
      ['ssm', 'ssm-policy-hash-ignored'],
      ['xray', 'xray-put-ignores-revision'],
    ])('%s %s: the last command answers what the target answered', async (service, mutant) => {
      const adapter = ADAPTER[service]!;
      const found = await startReference({ mutant });
      cleanup.push(found.stop);
      const r = await runService(adapter, endpointAt(found.url), options({ runs: 100 }));
      const d: Divergence = r.divergences[0]!;
      // A fresh server with the same bug: the reproducer must make its own resources and pick up its own ids.
      const fresh = await startReference({ mutant });
      cleanup.push(fresh.stop);
      const lines = awsCliReproducer(serviceNamed(adapter.service)!.cli, d, { endpointUrl: fresh.url, region: 'us-east-1' });
      expect(lines.filter((l) => l.startsWith('aws ')).every((l) => l.includes(`--endpoint-url '${fresh.url}' --region 'us-east-1'`))).toBe(true);
      const script = `${lines.join('\n')}\necho "EXIT:$?"\n`;
      // Asynchronous: the reference server answering the commands runs in this very process.
      const sh = await runProcess('sh', ['-c', script], { env: { ...process.env, PATH: `${join(AWSCLI_VENV, 'bin')}:${process.env.PATH}` }, timeoutMs: 90_000 });
      const output = `${sh.stdout}${sh.stderr}`;
      const exit = Number(/EXIT:(\d+)/.exec(sh.stdout)?.[1]);
      if (d.actual.kind === 'error') {
        expect(exit).not.toBe(0);
        expect(output).toContain(`(${d.actual.code}) when calling the ${d.steps.at(-1)!.operation} operation`);
      } else {
        expect(exit, output).toBe(0);
        expect(output).not.toMatch(/An error occurred/);
      }
    });
  });
});
