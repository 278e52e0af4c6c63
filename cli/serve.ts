/** `policy-conformance serve`: the reference server on a fixed port, until SIGINT or SIGTERM. */
import { parseArgs } from 'node:util';
import { UsageError } from '../harness/errors.js';
import { findMutant, startReference } from '../harness/reference/server.js';
import { SERVICE_NAMES } from '../services/index.js';
import { EXIT } from './exit.js';
import { DEFAULTS } from './options.js';

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, mutant: { type: 'string' } }, strict: true });
  const port = values.port === undefined ? DEFAULTS.port : /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, not "${values.port}"`);
  if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"`);
  let running;
  try {
    running = await startReference({ port, ...(values.mutant ? { mutant: values.mutant } : {}) });
  } catch (error) {
    throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  process.stdout.write(`policy-conformance reference server on ${running.url} (services: ${SERVICE_NAMES.join(', ')}${values.mutant ? `; mutant ${values.mutant}` : ''})\n`);
  await new Promise<void>((done) => {
    const stop = () => void running.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.pass;
}
