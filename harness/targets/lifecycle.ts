/**
 * One registry for everything the suite starts and must not leave behind (managed emulator processes, containers):
 * each is stopped by its own stop(), and also when this process receives SIGINT / SIGTERM / SIGHUP or exits.
 *
 * - When someone else also listens for a signal (the CLI's interrupt handling, vitest, `serve`), they decide what
 *   happens to this process and when things stop: the CLI lets the sequence in flight finish and clean up on the
 *   emulator before it stops its target. Otherwise the signal stops every registered thing and, once all have
 *   stopped (at most STOP_ON_SIGNAL_MS), is raised again with its default action, as if we had never listened; a
 *   second signal while waiting kills what is left and raises the signal at once.
 * - When this process exits, what is still registered gets its synchronous kill(), if it has one.
 * - SIGKILL runs none of this: managed emulators run under harness/targets/watchdog.mjs, which ends them when this
 *   process's end of its lifeline pipe closes; containers left by a killed process are removed by the next start.
 *
 * Only node built-ins are used here.
 */

export interface Stoppable {
  /** Graceful, idempotent stop. */
  stop(): Promise<void>;
  /** Last resort, synchronous (this process is exiting): kill without waiting. */
  kill?(): void;
}

const STOP_ON_SIGNAL_MS = 10_000;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const live = new Set<Stoppable>();
let hooked = false;
let waiting = false;

function killAll(): void {
  for (const s of live) {
    try {
      s.kill?.();
    } catch {
      /* already gone */
    }
  }
}

const onExit = (): void => killAll();

function onSignal(signal: NodeJS.Signals): void {
  if (waiting) {
    // Second signal while we wait for the stops: no more waiting.
    killAll();
    unhook();
    process.kill(process.pid, signal);
    return;
  }
  // Someone else handles this signal (the CLI, vitest, `serve`): they decide what happens to this process and when
  // its emulators stop — the CLI lets the sequence in flight finish and clean up on them first. They stop at the
  // latest when this process exits (the exit hook, or the watchdog's lifeline).
  if (process.listenerCount(signal) > 1) return;
  const stops = [...live].map((s) => s.stop().catch(() => undefined));
  waiting = true;
  void Promise.race([Promise.all(stops), new Promise((r) => setTimeout(r, STOP_ON_SIGNAL_MS).unref())]).finally(() => {
    waiting = false;
    killAll();
    unhook();
    process.kill(process.pid, signal);
  });
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Register something to stop on a signal or at exit; the returned function unregisters it (call it once stopped). */
export function register(s: Stoppable): () => void {
  live.add(s);
  hook();
  return () => {
    live.delete(s);
    if (live.size === 0 && !waiting) unhook();
  };
}
