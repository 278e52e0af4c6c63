#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clean clone needs only `npm ci`.
import { register } from 'tsx/esm/api';

process.removeAllListeners('warning');
process.on('warning', (w) => {
  // The SDK's notice about Node 20's end of support is not the user's problem during a conformance run.
  if (w.name !== 'NodeVersionSupportWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});
register();
const { main } = await import('../harness/cli.ts');
process.exitCode = await main(process.argv.slice(2));
