/** The AWS-like simulator's settings, their defaults, and the checks `serve --aws-like` runs on them up front. */
import type { SigningCredentials } from './sigv4.js';
import type { LagSetting } from './visibility.js';

export interface AwsLikeOptions {
  port?: number;
  /** The account the simulator plays (12 digits; default 123456789012). */
  account?: string;
  /** The region its foreign resources are in (default: AWS_REGION, else us-east-1). Requests may name any region. */
  region?: string;
  /** Seeds every draw (lags, window phases, lifecycle durations, throttles); default 1. */
  seed?: number;
  /** Multiplies every simulated duration (default 1; 0.01 makes the 15 s window last 150 ms). */
  timeScale?: number;
  /** The fraction of service requests answered with the service's throttling error, not carried out (default 0). */
  throttleRate?: number;
  /** Lagging visibility per service (default: each service's `defaultLag`, services/<service>/aws-like.ts). */
  lag?: Partial<Record<string, LagSetting>>;
  /** An AWS-like mutant (harness/aws-like/mutants.ts) or a reference-server mutant. */
  mutant?: string;
  /** The credentials it accepts (default: from its environment). */
  credentials?: SigningCredentials;
  /** Start without the foreign resources (default true: with them; harness/aws-like/foreign.ts). */
  foreign?: boolean;
  /**
   * Resources take their (scaled) time to become ACTIVE and to go (default true). Off: created ACTIVE and deleted at
   * once, for tests about something else (the SDK's waiters poll a CREATING table no sooner than once a second, so
   * a shrinking run would spend most of its time waiting on them). Not a `serve` flag: AWS has no such mode.
   */
  lifecycle?: boolean;
}

export const LAG_SETTINGS: readonly LagSetting[] = ['off', 'ddb-like'];

export const DEFAULT_SEED = 1;

/** The credentials of the simulator's own environment, or a reason there are none. */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SigningCredentials | string {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return 'serve --aws-like accepts only requests signed with the credentials in its environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/** The first thing wrong with the options, as one line, or undefined. */
export function optionsProblem(options: AwsLikeOptions, services: readonly string[]): string | undefined {
  if (options.account !== undefined && !/^\d{12}$/.test(options.account)) return `--account must be 12 digits, not "${options.account}"`;
  if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0)) return `--seed must be a whole number >= 0, not "${options.seed}"`;
  if (options.timeScale !== undefined && !(Number.isFinite(options.timeScale) && options.timeScale > 0 && options.timeScale <= 100)) {
    return `--time-scale must be a number > 0 and <= 100, not "${options.timeScale}"`;
  }
  if (options.throttleRate !== undefined && !(Number.isFinite(options.throttleRate) && options.throttleRate >= 0 && options.throttleRate <= 1)) {
    return `--throttle-rate must be a number from 0 to 1, not "${options.throttleRate}"`;
  }
  for (const [service, setting] of Object.entries(options.lag ?? {})) {
    if (!services.includes(service)) return `--lag names an unknown service "${service}" (one of ${services.join(', ')})`;
    if (!LAG_SETTINGS.includes(setting as LagSetting)) return `--lag ${service}= must be ${LAG_SETTINGS.join(' or ')}, not "${setting}"`;
  }
  return undefined;
}

/** `--lag SERVICE=SETTING` values into a map, or the one-line reason one cannot be read. */
export function parseLag(values: readonly string[]): Record<string, string> | string {
  const lag: Record<string, string> = {};
  for (const value of values) {
    const m = /^([a-z0-9-]+)=(.*)$/.exec(value);
    if (!m) return `--lag must be SERVICE=off|ddb-like, not "${value}"`;
    lag[m[1]!] = m[2]!;
  }
  return lag;
}
