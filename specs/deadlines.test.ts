/**
 * Every SDK call ends within its deadline, however the target misbehaves: it accepts the connection and never
 * answers, sends headers and no body, trickles a body that never ends, or never accepts the connection at all.
 * Real SDK clients, real sockets; the call must end as a `timeout` fault within deadline + 1 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { DynamoDBClient, GetResourcePolicyCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { GetResourcePolicyCommand as KinesisGetResourcePolicyCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { ListResourcePoliciesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReadRetries } from '../harness/adapter-kit.js';
import { observeError } from '../harness/observe.js';
import { startReference } from '../harness/reference/server.js';
import { clientConfig, defaultDeadlineMs, type Endpoint, LOCAL_DEADLINE_MS, REMOTE_DEADLINE_MS } from '../harness/sdk.js';
import type { Observation } from '../models/types.js';
import { type FaultKind, type Proxy, startProxy } from './support/proxy.js';
import { endpointAt } from './support/reference.js';

const DEADLINE_MS = 1200;
const SLACK_MS = 1000;

type Call = (endpoint: Endpoint, deadlineMs?: number) => { run(): Promise<unknown>; destroy(): void };

const CLIENTS: Record<'dynamodb' | 'kinesis' | 'xray', Call> = {
  dynamodb: (endpoint, deadlineMs) => {
    const c = new DynamoDBClient(clientConfig(endpoint, deadlineMs === undefined ? {} : { deadlineMs }));
    return { run: () => c.send(new GetResourcePolicyCommand({ ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/deadline' })), destroy: () => c.destroy() };
  },
  kinesis: (endpoint, deadlineMs) => {
    const c = new KinesisClient(clientConfig(endpoint, deadlineMs === undefined ? {} : { deadlineMs }));
    return { run: () => c.send(new KinesisGetResourcePolicyCommand({ ResourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/deadline' })), destroy: () => c.destroy() };
  },
  xray: (endpoint, deadlineMs) => {
    const c = new XRayClient(clientConfig(endpoint, deadlineMs === undefined ? {} : { deadlineMs }));
    return { run: () => c.send(new ListResourcePoliciesCommand({})), destroy: () => c.destroy() };
  },
};

/** Run one call to its end: what the harness would observe, and how long it took. */
async function timed(call: ReturnType<Call>): Promise<{ observation: Observation; ms: number }> {
  const started = Date.now();
  try {
    await call.run();
    return { observation: { kind: 'ok', output: {} }, ms: Date.now() - started };
  } catch (error) {
    return { observation: observeError(error, new Set()), ms: Date.now() - started };
  } finally {
    call.destroy();
  }
}

/**
 * A listener that never accepts: a raw socket (perl: Node's own servers always accept) listening with a backlog
 * of 0, whose one-slot accept queue is then filled; the kernel drops every later SYN, so connect() never completes.
 */
async function startBlackhole(): Promise<{ url: string; stop(): Promise<void> }> {
  const script =
    'socket(S, PF_INET, SOCK_STREAM, 0) or die; bind(S, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die; listen(S, 0) or die;' +
    ' my ($p) = unpack_sockaddr_in(getsockname(S)); $| = 1; print "$p\\n"; sleep 600;';
  const child: ChildProcess = spawn('perl', ['-MSocket', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const connected = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      fillers.push(s);
      s.once('connect', () => resolve(true));
      s.once('error', () => resolve(false));
      setTimeout(() => resolve(false), 300);
    });
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const s of fillers) s.destroy();
      child.kill();
    },
  };
}

let proxy: Proxy;
let blackhole: { url: string; stop(): Promise<void> };
let shape: FaultKind | 'forward' = 'forward';
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const ref = await startReference();
  proxy = await startProxy(ref.url, () => shape);
  blackhole = await startBlackhole();
  stops.push(ref.stop, proxy.stop, blackhole.stop);
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

const SHAPES = ['stall', 'stall-body', 'trickle', 'blackhole'] as const;

/** Which mechanism ends each shape: smithy's requestTimeout, the body deadline of our handler, smithy's connectionTimeout. */
const ENDED_BY: Record<(typeof SHAPES)[number], RegExp> = {
  stall: /exceeded the configured \d+ ms requestTimeout/,
  'stall-body': /headers came, the body did not end/,
  trickle: /headers came, the body did not end/,
  blackhole: /did not establish a connection/,
};

describe.each(SHAPES)('a target that %s', (which) => {
  it.each(Object.keys(CLIENTS) as Array<keyof typeof CLIENTS>)(`%s: the call ends as a timeout fault within ${DEADLINE_MS} + ${SLACK_MS} ms`, async (client) => {
    shape = which === 'blackhole' ? 'forward' : which;
    const url = which === 'blackhole' ? blackhole.url : proxy.url;
    const { observation, ms } = await timed(CLIENTS[client](endpointAt(url), DEADLINE_MS));
    expect(observation).toMatchObject({ kind: 'fault', cause: 'timeout' });
    expect(observation.kind === 'fault' && observation.reason).toMatch(ENDED_BY[which]);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Not before the deadline either (the blackhole's connect budget is the deadline here: it is under 2 s).
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
  });
});

describe('the deadline', () => {
  it('is 5 s for a target on this machine and 15 s elsewhere', () => {
    expect(LOCAL_DEADLINE_MS).toBe(5000);
    expect(REMOTE_DEADLINE_MS).toBe(15000);
    for (const local of ['http://127.0.0.1:4566', 'http://localhost:8000', 'http://[::1]:4566', 'http://127.0.0.2', 'http://moto.localhost:5000']) expect(defaultDeadlineMs(local)).toBe(5000);
    for (const remote of ['https://dynamodb.us-east-1.amazonaws.com', 'http://10.0.0.5:4566', 'http://emulator:4566', 'http://127.example.com']) expect(defaultDeadlineMs(remote)).toBe(15000);
  });

  it('applies by default: a stalled call to 127.0.0.1 ends after about 5 s', async () => {
    shape = 'stall';
    const { observation, ms } = await timed(CLIENTS.dynamodb(endpointAt(proxy.url)));
    expect(observation).toMatchObject({ kind: 'fault', cause: 'timeout' });
    expect(ms).toBeGreaterThanOrEqual(LOCAL_DEADLINE_MS - 50);
    expect(ms).toBeLessThan(LOCAL_DEADLINE_MS + SLACK_MS);
  });

  it("an endpoint's own deadline is used when clientConfig is given none", async () => {
    shape = 'stall-body';
    const { observation, ms } = await timed(CLIENTS.kinesis({ ...endpointAt(proxy.url), requestDeadlineMs: 800 }));
    expect(observation).toMatchObject({ kind: 'fault', cause: 'timeout' });
    expect(ms).toBeLessThan(800 + SLACK_MS);
  });

  it('does not cut a good answer, nor a kept-alive connection used again after the deadline passed', async () => {
    shape = 'forward';
    const c = new XRayClient(clientConfig(endpointAt(proxy.url), { deadlineMs: 300 }));
    try {
      expect((await c.send(new ListResourcePoliciesCommand({}))).ResourcePolicies).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
      expect((await c.send(new ListResourcePoliciesCommand({}))).ResourcePolicies).toEqual([]);
    } finally {
      c.destroy();
    }
  });
});

describe('withReadRetries and timeouts', () => {
  it('does not repeat a read that timed out (the runner decides when a target has stopped answering)', async () => {
    shape = 'stall';
    const before = proxy.count('stall');
    const c = new DynamoDBClient(clientConfig(endpointAt(proxy.url), { deadlineMs: 600 }));
    const started = Date.now();
    try {
      const error = await withReadRetries(() => c.send(new GetResourcePolicyCommand({ ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/deadline' }))).catch((e: unknown) => e);
      expect(observeError(error, new Set())).toMatchObject({ kind: 'fault', cause: 'timeout' });
    } finally {
      c.destroy();
    }
    expect(proxy.count('stall') - before).toBe(1);
    expect(Date.now() - started).toBeLessThan(600 + 200 + SLACK_MS);
  });

  it('still repeats other faults (up to its attempts)', async () => {
    shape = 'service-unavailable';
    const before = proxy.count('service-unavailable');
    const c = new KinesisClient(clientConfig(endpointAt(proxy.url), { deadlineMs: 600 }));
    try {
      await expect(withReadRetries(() => c.send(new KinesisGetResourcePolicyCommand({ ResourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/x' })), 3)).rejects.toMatchObject({
        name: 'ServiceUnavailable',
      });
    } finally {
      c.destroy();
    }
    expect(proxy.count('service-unavailable') - before).toBe(3);
  });

  it('does not repeat a waiter that polled a stalled target until its budget ran out', async () => {
    shape = 'stall';
    const c = new DynamoDBClient(clientConfig(endpointAt(proxy.url), { deadlineMs: 500 }));
    const started = Date.now();
    try {
      const error = await withReadRetries(() => waitUntilTableExists({ client: c, minDelay: 1, maxDelay: 1, maxWaitTime: 2 }, { TableName: 'deadline' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect(observeError(error, new Set())).toMatchObject({ kind: 'fault', cause: 'timeout' });
    } finally {
      c.destroy();
    }
    // The waiter's own budget (2 s) plus at most one request deadline: it was not run a second time.
    expect(Date.now() - started).toBeLessThan(2000 + 500 + SLACK_MS);
  });
});
