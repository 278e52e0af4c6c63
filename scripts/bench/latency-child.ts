// The child process of scripts/bench/latency-target.ts: a reference server behind the delay proxy, told what to do
// over the IPC channel ('answered' → { answered }, 'stop' → exits) and saying its URL first.
import { startReference } from '../../harness/reference/server.js';
import { startDelayProxy } from './delay-proxy.js';

const send = (m: unknown) => process.send!(m);
try {
  const reference = await startReference();
  const proxy = await startDelayProxy(reference.url, Number(process.argv[2]));
  process.on('message', async (m) => {
    if (m === 'answered') send({ answered: proxy.answered() });
    if (m === 'stop') {
      await proxy.stop();
      await reference.stop();
      process.exit(0);
    }
  });
  // The bench died without saying stop: nothing keeps this process, then.
  process.on('disconnect', () => process.exit(0));
  send({ url: proxy.url });
} catch (error) {
  send({ error: (error as Error).message });
  process.exit(1);
}
