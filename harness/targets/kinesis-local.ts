/**
 * Start / stop kinesis-local (npm; https://github.com/etspaceman/kinesis-mock compiled to JavaScript) as a child
 * process. Kinesis only.
 *
 * Provisioned by scripts/setup-kinesis-local.sh into .emulators/kinesis-local (outside the project's own
 * dependencies); the pin lives in scripts/kinesis-local-version.txt. It listens on a plain-HTTP port
 * (KINESIS_MOCK_PLAIN_PORT) and a TLS port (KINESIS_MOCK_TLS_PORT); both are set to free ports. It has no
 * setting for the bind address (it listens on every interface); the suite only talks to it on 127.0.0.1.
 * It has no reset endpoint: the suite's uniquely named fixtures keep sequences apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EmulatorStartError, HOST, type ManagedProcess, REPO_ROOT, freePort, runSetupScript, startManagedProcess, withPortRetries } from './process.js';

const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-kinesis-local.sh');
const VERSION_FILE = path.join(REPO_ROOT, 'scripts', 'kinesis-local-version.txt');

export function pinnedKinesisLocalVersion(): string {
  return readFileSync(VERSION_FILE, 'utf8').trim();
}

export function kinesisLocalDir(): string {
  return process.env.POLICY_CONFORMANCE_KINESIS_LOCAL_DIR || path.join(REPO_ROOT, '.emulators', 'kinesis-local');
}

export async function startKinesisLocal(opts: { install?: boolean; dir?: string } = {}): Promise<ManagedProcess> {
  const dir = path.resolve(opts.dir ?? kinesisLocalDir());
  if (opts.install !== false) await runSetupScript(SETUP_SCRIPT, { POLICY_CONFORMANCE_KINESIS_LOCAL_DIR: dir });
  const pkg = path.join(dir, 'node_modules', 'kinesis-local');
  const main = path.join(pkg, 'main.js');
  if (!existsSync(main)) throw new EmulatorStartError(`kinesis-local not found at ${main}; run scripts/setup-kinesis-local.sh`);
  return withPortRetries(async () => {
    const port = await freePort();
    let tlsPort = await freePort();
    while (tlsPort === port) tlsPort = await freePort();
    const endpoint = `http://${HOST}:${port}`;
    return startManagedProcess({
      name: 'kinesis-local',
      command: process.execPath,
      args: [main],
      cwd: pkg,
      env: {
        KINESIS_MOCK_PLAIN_PORT: String(port),
        KINESIS_MOCK_TLS_PORT: String(tlsPort),
        // Without this it looks for server.json (its self-signed TLS certificate) in the working directory.
        KINESIS_MOCK_CERT_PATH: path.join(pkg, 'server.json'),
        // Stream and consumer transitions (CREATING → ACTIVE, DELETING → gone) default to 500 ms each; the suite waits
        // them out with the SDK waiters (first re-check after 1 s), which made a 20-sequence run take minutes. The
        // policy APIs under test do not depend on how long a transition takes, so they complete at once here.
        CREATE_STREAM_DURATION: '0ms',
        DELETE_STREAM_DURATION: '0ms',
        REGISTER_STREAM_CONSUMER_DURATION: '0ms',
        DEREGISTER_STREAM_CONSUMER_DURATION: '0ms',
        SHOULD_PERSIST_DATA: 'false',
        LOAD_DATA_IF_EXISTS: 'false',
        LOG_LEVEL: 'WARN',
      },
      endpoint,
      readyUrl: `${endpoint}/healthcheck`,
      readyStatus: (status) => status === 200,
      version: pinnedKinesisLocalVersion(),
    });
  });
}
