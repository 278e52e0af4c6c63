/**
 * Managed emulators die with the suite. A CLI killed with SIGKILL runs no cleanup of its own, yet leaves no
 * moto_server, ministack or kinesis-local behind: each emulator runs under harness/targets/watchdog.mjs, in a
 * process group of its own, and the watchdog ends that group when its lifeline (a pipe whose only writer is the
 * CLI) reaches end of file — which the kernel makes happen when the CLI dies, however it dies.
 *
 * What is checked is what a user would look for: the processes themselves (found through /proc: the CLI's
 * descendants and every member of the emulator's process group) and the emulator's port.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startManagedProcess } from '../../harness/targets/process.js';
import { REPO } from '../support/cli.js';
import { portIsOpen } from '../support/ports.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pc-orphans-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Processes, as /proc shows them.

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (zombie: dead, waiting to be reaped), ... */
  state: string;
  cmd: string;
}

function proc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(ppid), pgid: Number(pgid), state: state!, cmd };
  } catch {
    return undefined;
  }
}

function processes(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => proc(Number(d)))
    .filter((p): p is Proc => p !== undefined);
}

/** Alive: exists and is not a zombie (a zombie has exited; only its exit status is left for its parent). */
function running(pid: number): boolean {
  const p = proc(pid);
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
}

/** Every descendant of `root`, and every member of the process groups `groups`. */
function tree(root: number, groups: number[]): Proc[] {
  const all = processes();
  const mine = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  mine.delete(root);
  return all.filter((p) => mine.has(p.pid) || groups.includes(p.pgid));
}

const describeProcs = (ps: Proc[]): string => ps.map((p) => `${p.pid} (ppid ${p.ppid}, pgid ${p.pgid}, ${p.state}) ${p.cmd}`).join('\n');

/** Waits until none of `pids` runs and nothing accepts connections at `url`; returns what is still there. */
async function leftovers(pids: number[], url: string | undefined, withinMs: number): Promise<{ procs: Proc[]; portOpen: boolean }> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const procs = pids.filter(running).map((pid) => proc(pid)!);
    const portOpen = url !== undefined && (await portIsOpen(url));
    if ((procs.length === 0 && !portOpen) || Date.now() >= deadline) return { procs: procs.filter(Boolean), portOpen };
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI, as a user runs it.

/** The line `[target] <name> <version> on <url> (pid N)` the CLI prints on stderr. */
function announced(stderr: string): { url: string; pid: number } | undefined {
  const m = /\[target\] \S+ \S+ on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/.exec(stderr);
  return m ? { url: m[1]!, pid: Number(m[2]) } : undefined;
}

interface Cli {
  pid: number;
  /** The emulator's URL and pid, once the CLI has printed them; with the processes found at that moment. */
  started: Promise<{ url: string; pid: number; procs: Proc[] }>;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

function startCli(args: string[], options: { detached?: boolean } = {}): Cli {
  const child = spawn(process.execPath, ['bin/policy-conformance.mjs', ...args], { cwd: REPO, env: { ...process.env }, detached: options.detached ?? false });
  let stderr = '';
  child.stdout.on('data', () => undefined);
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const started = new Promise<{ url: string; pid: number; procs: Proc[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no [target] line within 150 s:\n${stderr.slice(-3000)}`)), 150_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const a = announced(stderr);
      if (a) {
        clearTimeout(timer);
        // Right away, while the CLI is surely alive: its descendants and the emulator's group.
        resolve({ ...a, procs: tree(child.pid!, [a.pid]) });
      }
    });
    void closed.then(() => reject(new Error(`the CLI ended before starting its target:\n${stderr.slice(-3000)}`)));
  });
  started.catch(() => undefined);
  return { pid: child.pid!, started, closed, stderr: () => stderr };
}

/** The emulator runs under the watchdog, which the CLI started, in a group of the emulator's own. */
function expectUnderWatchdog(cliPid: number, emulatorPid: number, procs: Proc[]): void {
  const emulator = procs.find((p) => p.pid === emulatorPid);
  expect(emulator, describeProcs(procs)).toBeDefined();
  expect(emulator!.pgid).toBe(emulatorPid);
  const watchdog = procs.find((p) => p.pid === emulator!.ppid);
  expect(watchdog?.cmd, describeProcs(procs)).toContain('harness/targets/watchdog.mjs');
  expect(watchdog!.ppid).toBe(cliPid);
}

const TARGETS = [
  { target: 'moto', services: 'dynamodb', command: /moto_server/ },
  { target: 'kinesis-local', services: 'kinesis', command: /kinesis-local\/main\.js/ },
  { target: 'ministack', services: 'dynamodb', command: /ministack/ },
];

describe('managed emulators die with the suite', () => {
  for (const { target, services, command } of TARGETS) {
    it(`kill -9 of the CLI mid-run leaves no ${target} process behind, and its port closed`, async () => {
      const cli = startCli(['run', '--target', target, '--services', services, '--runs', '200', '--seed', '1', '--out', join(tmp, `kill9-${target}`)]);
      const emulator = await cli.started;
      expect(emulator.procs.map((p) => p.cmd).join('\n')).toMatch(command);
      expectUnderWatchdog(cli.pid, emulator.pid, emulator.procs);
      expect(await portIsOpen(emulator.url)).toBe(true);
      await new Promise((r) => setTimeout(r, 1_500)); // mid-run: requests in flight

      // Everything the CLI has started by now (the emulator, its watchdog, anything else), and the emulator's group.
      const before = tree(cli.pid, [emulator.pid]);
      expect(before.map((p) => p.pid)).toContain(emulator.pid);
      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.closed).toEqual({ code: null, signal: 'SIGKILL' });

      const left = await leftovers(
        before.map((p) => p.pid),
        emulator.url,
        5_000,
      );
      expect(describeProcs(left.procs), `still running 5 s after kill -9 of the CLI`).toBe('');
      expect(left.portOpen, `${emulator.url} still accepts connections`).toBe(false);
      // Nothing else joined the emulator's group meanwhile.
      expect(describeProcs(processes().filter((p) => p.pgid === emulator.pid && running(p.pid)))).toBe('');
    }, 200_000);
  }

  it('services side by side, a moto process each: kill -9 of the CLI mid-run leaves none of them behind', async () => {
    const cli = startCli(['run', '--target', 'moto', '--services', 'dynamodb,kinesis,ssm', '--runs', '200', '--seed', '1', '--out', join(tmp, 'kill9-lanes')]);
    await cli.started;
    const all = () => [...cli.stderr().matchAll(/\[target\] moto \S+ on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/g)].map((m) => ({ url: m[1]!, pid: Number(m[2]) }));
    for (const deadline = Date.now() + 60_000; all().length < 3 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    const emulators = all();
    expect(emulators, cli.stderr().slice(-2000)).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1_500)); // mid-run: each lane's requests in flight
    const before = tree(cli.pid, emulators.map((e) => e.pid));
    for (const e of emulators) expectUnderWatchdog(cli.pid, e.pid, before);
    process.kill(cli.pid, 'SIGKILL');
    await cli.closed;
    for (const e of emulators) {
      const left = await leftovers(before.map((p) => p.pid), e.url, 5_000);
      expect(describeProcs(left.procs), `still running 5 s after kill -9 of the CLI`).toBe('');
      expect(left.portOpen, `${e.url} still accepts connections`).toBe(false);
    }
  }, 200_000);

  it('kill -9 of the CLI\'s whole process group leaves no moto_server behind (the watchdog is in a group of its own)', async () => {
    const cli = startCli(['run', '--target', 'moto', '--services', 'dynamodb', '--runs', '200', '--seed', '1', '--out', join(tmp, 'kill9-group')], { detached: true });
    const emulator = await cli.started;
    expectUnderWatchdog(cli.pid, emulator.pid, emulator.procs);
    const before = tree(cli.pid, [emulator.pid]);
    process.kill(-cli.pid, 'SIGKILL'); // what a CI runner's timeout does
    await cli.closed;
    const left = await leftovers(
      before.map((p) => p.pid),
      emulator.url,
      5_000,
    );
    expect(describeProcs(left.procs)).toBe('');
    expect(left.portOpen).toBe(false);
  }, 200_000);

  it('a normal run leaves no emulator process behind', async () => {
    const cli = startCli(['run', '--target', 'moto', '--services', 'dynamodb', '--runs', '3', '--seed', '1', '--out', join(tmp, 'normal')]);
    const emulator = await cli.started;
    expectUnderWatchdog(cli.pid, emulator.pid, emulator.procs);
    const how = await cli.closed;
    expect([0, 1], cli.stderr().slice(-2000)).toContain(how.code);
    // stop() waited for them: gone by the time the CLI has exited, no grace needed.
    const left = await leftovers(
      emulator.procs.map((p) => p.pid),
      emulator.url,
      0,
    );
    expect(describeProcs(left.procs)).toBe('');
    expect(left.portOpen).toBe(false);
  }, 200_000);
});

describe('the watchdog', () => {
  /** A stand-in emulator: a shell that leaves a grandchild running and serves HTTP with node. */
  async function fakeEmulator(opts: { ignoreTerm?: boolean } = {}) {
    const port = await freePort();
    const trap = opts.ignoreTerm ? "process.on('SIGTERM', () => {});" : '';
    const server = `${trap} require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
    return {
      port,
      spawn: {
        name: 'fake',
        command: '/bin/sh',
        args: ['-c', `sleep 300 & exec "${process.execPath}" -e "${server}"`],
        endpoint: `http://127.0.0.1:${port}`,
        readyUrl: `http://127.0.0.1:${port}/`,
        version: '0',
      },
    };
  }

  it('stop() ends the emulator and everything in its process group, and is idempotent', async () => {
    const fake = await fakeEmulator();
    const m = await startManagedProcess(fake.spawn);
    const group = processes().filter((p) => p.pgid === m.pid);
    expect(group.map((p) => p.cmd).join('\n')).toMatch(/sleep 300/); // the grandchild is in the group
    const started = Date.now();
    await m.stop();
    expect(Date.now() - started).toBeLessThan(1_000); // graceful and fast: SIGTERM is enough
    expect(describeProcs(group.filter((p) => running(p.pid)))).toBe('');
    expect(running(m.watchdogPid!)).toBe(false);
    expect(await portIsOpen(fake.port)).toBe(false);
    await m.stop();
  });

  it('an emulator that ignores SIGTERM is killed after the grace period', async () => {
    const fake = await fakeEmulator({ ignoreTerm: true });
    const m = await startManagedProcess(fake.spawn);
    const started = Date.now();
    await m.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2_900);
    expect(took).toBeLessThan(5_000);
    expect(running(m.pid!)).toBe(false);
    expect(await portIsOpen(fake.port)).toBe(false);
  });

  /** A fresh node process that starts the stand-in emulator (with its own SIGINT handler, if asked) and idles. */
  async function starter(fake: Awaited<ReturnType<typeof fakeEmulator>>, opts: { handlesSigint?: boolean } = {}) {
    const handler = opts.handlesSigint ? "process.on('SIGINT', () => console.log('SIGINT handled'));" : '';
    const code = `${handler} import('./harness/targets/process.ts').then((m) => m.startManagedProcess(${JSON.stringify(fake.spawn)})).then(
      (p) => { console.log(JSON.stringify({ pid: p.pid, watchdogPid: p.watchdogPid })); setInterval(() => {}, 1000); },
      (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: REPO });
    let stdout = '';
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const line = await new Promise<{ pid?: number; watchdogPid?: number; error?: string }>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
      });
      void closed.then(() => reject(new Error(`ended early: ${stdout}`)));
    });
    expect(line.error).toBeUndefined();
    return { child, line, closed, stdout: () => stdout };
  }

  it('kill -9 of the process that started it ends the emulator and its group', async () => {
    const fake = await fakeEmulator();
    const { child, line } = await starter(fake);
    const before = tree(child.pid!, [line.pid!]);
    expect(before.map((p) => p.pid)).toEqual(expect.arrayContaining([line.pid, line.watchdogPid]));
    expect(before.map((p) => p.cmd).join('\n')).toMatch(/sleep 300/);
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGKILL');
    await closed;
    const left = await leftovers(
      before.map((p) => p.pid),
      `http://127.0.0.1:${fake.port}`,
      5_000,
    );
    expect(describeProcs(left.procs)).toBe('');
    expect(left.portOpen).toBe(false);
  }, 60_000);

  it('a signal the process handles itself leaves the emulator to it; one it does not handle stops it, then ends the process', async () => {
    const fake = await fakeEmulator();
    const { child, line, closed, stdout } = await starter(fake, { handlesSigint: true });
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 700));
    expect(stdout()).toContain('SIGINT handled');
    // Its owner decides when it stops (the CLI first finishes the sequence in flight on it).
    expect(running(line.pid!)).toBe(true);
    expect(await portIsOpen(fake.port)).toBe(true);
    child.kill('SIGTERM'); // nobody else listens: the registry stops the emulator, then SIGTERM takes its course
    expect(await closed).toEqual({ code: null, signal: 'SIGTERM' });
    expect(running(line.pid!)).toBe(false);
    expect(running(line.watchdogPid!)).toBe(false);
    expect(await portIsOpen(fake.port)).toBe(false);
  }, 60_000);
});
