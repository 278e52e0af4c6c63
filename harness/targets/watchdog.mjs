#!/usr/bin/env node
/**
 * The watchdog every managed emulator runs under, so that it dies with the process that started it — even when that
 * process is killed with SIGKILL and can run no cleanup of its own.
 *
 *   node harness/targets/watchdog.mjs [--grace-ms N] -- <command> [args...]
 *
 * - <command> is spawned in a process group (and session) of its own, so that it and anything it starts can be
 *   signalled together. The parent starts this watchdog in a group of its own as well: a terminal's Ctrl-C, or a
 *   SIGKILL sent to the parent's whole group, reaches neither the watchdog nor the command, and the parent (or the
 *   lifeline) decides when the command stops. Its stdout and stderr are this process's (the parent's pipes); its
 *   stdin is /dev/null.
 * - This process's stdin is the lifeline: a pipe whose only writer is the parent. When it reaches end of file — the
 *   parent closed it (stop()), or the parent died, however it died — the group gets SIGTERM, and SIGKILL after the
 *   grace period (default 3000 ms) if the command has not exited by then. SIGTERM, SIGINT and SIGHUP to this process
 *   do the same.
 * - fd 3, when the parent opened it, receives one JSON line: {"pid": N} once the command runs, or {"error": "..."}
 *   when it could not be spawned (this process then exits 127).
 * - This process exits as the command did: with its exit code, or by the signal that ended it (SIGTERM, SIGINT,
 *   SIGHUP, SIGKILL; other signals as exit code 128 + their number).
 *
 * Plain JavaScript with node built-ins only: it is started with `node` directly (no TypeScript loader to wait for).
 * Nothing in it names an emulator; the project's own code decides what to run under it.
 */
import { spawn } from 'node:child_process';
import { writeSync, closeSync } from 'node:fs';
import { constants } from 'node:os';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];
/** Signals this process can die of in the same way as the command, so the parent sees the same signal. */
const RERAISE = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGKILL']);

function parseArgs(argv) {
  let graceMs = 3000;
  let i = 0;
  for (; i < argv.length; i++) {
    if (argv[i] === '--') {
      i++;
      break;
    }
    if (argv[i] === '--grace-ms' && i + 1 < argv.length) graceMs = Number(argv[++i]);
    else break;
  }
  const [command, ...args] = argv.slice(i);
  if (!command || !Number.isFinite(graceMs) || graceMs < 0) {
    process.stderr.write('usage: watchdog.mjs [--grace-ms N] -- <command> [args...]\n');
    process.exit(2);
  }
  return { graceMs, command, args };
}

/** One line to the parent on fd 3, if it gave us one; then fd 3 is closed. */
function report(message) {
  try {
    writeSync(3, `${JSON.stringify(message)}\n`);
    closeSync(3);
  } catch {
    /* no fd 3: run by hand */
  }
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone */
  }
}

const { graceMs, command, args } = parseArgs(process.argv.slice(2));

const child = spawn(command, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
let exited = false;
let terminating = false;
let killTimer;

// Until the command exits this process must stay: neither the end of stdin nor a signal may end it by default.
for (const s of SIGNALS) process.on(s, () => terminate());
process.stdin.on('end', () => terminate());
process.stdin.on('error', () => terminate());
process.stdin.on('data', () => undefined); // nothing is expected on the lifeline; keep it flowing to see its end
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

function terminate() {
  if (terminating || exited) return;
  terminating = true;
  if (child.pid === undefined) return; // not spawned: the 'error' handler ends this process
  signalGroup(child.pid, 'SIGTERM');
  killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
}

child.on('error', (err) => {
  // Not spawned (ENOENT, EACCES, ...): nothing to watch.
  exited = true;
  report({ error: err.message });
  process.exit(127);
});

child.on('spawn', () => report({ pid: child.pid }));

child.on('exit', (code, signal) => {
  exited = true;
  if (killTimer) clearTimeout(killTimer);
  // Anything the command started in its group and left behind goes with it.
  signalGroup(child.pid, 'SIGKILL');
  if (signal && RERAISE.has(signal)) {
    for (const s of SIGNALS) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  } else if (signal) {
    // Node gives other signals a meaning of its own (SIGUSR1 starts the inspector): the shell's convention instead.
    process.exit(128 + (constants.signals[signal] ?? 0));
  } else {
    process.exit(code ?? 0);
  }
});
