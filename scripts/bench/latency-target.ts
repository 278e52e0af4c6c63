// The latency scenario's target, in a process of its own (scripts/bench/latency-child.ts runs it): a reference server
// behind the 20 ms proxy. A remote region does not share the client's event loop; a server and proxy in the bench's
// own process did, and their work then showed as the suite's waiting (seed 20261123, --runs 50: 15.0 s in process,
// 12.3 s with the target in a child, on 4 December 2026).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LatencyTarget {
  /** The proxy's URL: what the suite and the plain loop are pointed at. */
  url: string;
  /** Answers the proxy sent so far. */
  answered(): Promise<number>;
  stop(): Promise<void>;
}

type FromChild = { url: string } | { answered: number } | { error: string };

export async function startLatencyTarget(delayMs: number): Promise<LatencyTarget> {
  const child = fork(fileURLToPath(new URL('./latency-child.ts', import.meta.url)), [String(delayMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the latency target exited (${code}) before it answered`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as FromChild);
      });
    });
  const first = await next();
  if (!('url' in first)) {
    child.kill();
    throw new Error(`the latency target did not start: ${'error' in first ? first.error : JSON.stringify(first)}`);
  }
  return {
    url: first.url,
    async answered() {
      const reply = next();
      child.send('answered');
      const m = await reply;
      if (!('answered' in m)) throw new Error(`the latency target answered ${JSON.stringify(m)}`);
      return m.answered;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('stop');
      await exited;
    },
  };
}
