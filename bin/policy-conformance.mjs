#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clean clone needs only `npm ci`.
import { register } from 'tsx/esm/api';

// A reader that stops early (`policy-conformance mutants --list | head -1`) closes the pipe: that is its choice, not
// an error. The rest of the output is dropped without a stack trace; the exit code stays the command's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

// The SDK's notice that it will need Node 22 from 2027 is printed by the README, not on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// A usage error (exit 2) has started nothing: nothing may keep the process alive after it (a file-system call that
// never returned, e.g. on a hung mount, is abandoned). The timer does not hold the process up if all is done.
if (process.exitCode === 2) setTimeout(() => process.exit(2), 200).unref();
