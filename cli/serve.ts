/** `policy-conformance serve`: the reference server (or, with --aws-like, the AWS-like simulator) on a fixed port, until SIGINT or SIGTERM. */
import { parseArgs } from 'node:util';
import { UsageError } from '../harness/errors.js';
import { findMutant, startReference } from '../harness/reference/server.js';
import { AWS_LIKE_MUTANTS, awsLikeMutant } from '../harness/aws-like/mutants.js';
import { type AwsLikeOptions, credentialsFromEnvironment, optionsProblem, parseLag } from '../harness/aws-like/options.js';
import { startAwsLike } from '../harness/aws-like/server.js';
import type { LagSetting } from '../harness/aws-like/visibility.js';
import { SERVICE_NAMES } from '../services/index.js';
import { EXIT } from './exit.js';
import { DEFAULTS } from './options.js';

/** Flags only the simulator takes. */
const AWS_LIKE_FLAGS = ['account', 'seed', 'time-scale', 'throttle-rate', 'lag'] as const;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      mutant: { type: 'string' },
      'aws-like': { type: 'boolean' },
      account: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      'throttle-rate': { type: 'string' },
      lag: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = values.port === undefined ? DEFAULTS.port : /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, not "${values.port}"`);
  if (!values['aws-like']) {
    const stray = AWS_LIKE_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} is a flag of the AWS-like simulator: add --aws-like`);
    if (values.mutant && !findMutant(values.mutant)) throw new UsageError(`unknown mutant "${values.mutant}"`);
    return serveReference(port, values.mutant);
  }
  const options = awsLikeOptions(port, values);
  return serveAwsLike(options);
}

/** The simulator's options from the flags, every check done before anything starts (UsageError: exit 2, one line). */
function awsLikeOptions(port: number, values: { account?: string; seed?: string; 'time-scale'?: string; 'throttle-rate'?: string; lag?: string[]; mutant?: string }): AwsLikeOptions {
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = /^[0-9.eE+-]+$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(n)) throw new UsageError(`--${flag} must be a number, not "${text}"`);
    return n;
  };
  const lag = parseLag(values.lag ?? []);
  if (typeof lag === 'string') throw new UsageError(lag);
  const options: AwsLikeOptions = {
    port,
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.seed !== undefined ? { seed: /^\d+$/.test(values.seed) ? Number(values.seed) : NaN } : {}),
    ...(values['time-scale'] !== undefined ? { timeScale: number('time-scale', values['time-scale']) } : {}),
    ...(values['throttle-rate'] !== undefined ? { throttleRate: number('throttle-rate', values['throttle-rate']) } : {}),
    lag: lag as Record<string, LagSetting>,
  };
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new UsageError(`--seed must be a whole number >= 0, not "${values.seed}"`);
  const problem = optionsProblem(options, SERVICE_NAMES);
  if (problem) throw new UsageError(problem);
  if (values.mutant !== undefined) {
    if (!awsLikeMutant(values.mutant) && !findMutant(values.mutant)) {
      throw new UsageError(`unknown mutant "${values.mutant}" (AWS-like: ${AWS_LIKE_MUTANTS.map((m) => m.name).join(', ')}; or one of \`mutants --list\`)`);
    }
    options.mutant = values.mutant;
  }
  const credentials = credentialsFromEnvironment();
  if (typeof credentials === 'string') throw new UsageError(credentials);
  return options;
}

async function serveReference(port: number, mutant: string | undefined): Promise<number> {
  let running;
  try {
    running = await startReference({ port, ...(mutant ? { mutant } : {}) });
  } catch (error) {
    throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  process.stdout.write(`policy-conformance reference server on ${running.url} (services: ${SERVICE_NAMES.join(', ')}${mutant ? `; mutant ${mutant}` : ''})\n`);
  return untilSignal(running.stop);
}

async function serveAwsLike(options: AwsLikeOptions): Promise<number> {
  let running;
  try {
    running = await startAwsLike(options);
  } catch (error) {
    throw new UsageError(`cannot listen on 127.0.0.1:${options.port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const { server } = running;
  const lags = Object.entries(server.lagDistributions()).map(([service, lag]) => `${service}=${lag ? 'ddb-like' : 'off'}`).join(',');
  process.stdout.write(
    `policy-conformance AWS-like simulator on ${running.url} (account ${server.account}, region ${server.region}; ` +
      `time scale ${server.clock.scale}, seed ${options.seed ?? 1}, throttle rate ${options.throttleRate ?? 0}, lag ${lags}` +
      `${options.mutant ? `; mutant ${options.mutant}` : ''}; accepts only requests signed with AWS_ACCESS_KEY_ID ${server.accessKeyId})\n`,
  );
  return untilSignal(running.stop);
}

async function untilSignal(stop: () => Promise<void>): Promise<number> {
  await new Promise<void>((done) => {
    const once = () => void stop().then(done);
    process.once('SIGINT', once);
    process.once('SIGTERM', once);
  });
  return EXIT.pass;
}
