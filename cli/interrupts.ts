/**
 * SIGINT and SIGTERM during `run` and `matrix`. The first one stops the run cleanly: no new sequence starts, the one
 * in flight finishes and removes what it created, managed emulators and containers stop, the reports are written
 * with what was done (verdict `interrupted`), and the exit code is the signal's (130, 143). A second one exits at
 * once, saying what may be left behind.
 */
import { Halt } from '../harness/halt.js';
import { EXIT, stderr } from './exit.js';

export async function withInterrupts<T>(halt: Halt, work: (halt: Halt) => Promise<T>): Promise<T> {
  let signals = 0;
  const on = (signal: 'SIGINT' | 'SIGTERM') => {
    signals++;
    if (signals === 1) {
      halt.interrupt(signal);
      stderr(`policy-conformance: ${signal}: finishing the sequence in flight, cleaning up and writing the reports (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to exit at once)`);
      return;
    }
    stderr(
      `policy-conformance: ${signal} again: exiting now. Resources the sequence in flight created may be left on the target ` +
        '(their names start with "pc" and the run\'s prefix); managed emulators the suite started stop with it.',
    );
    process.exit(EXIT[signal]);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await work(halt);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
