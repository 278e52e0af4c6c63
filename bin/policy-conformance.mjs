#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clean clone needs only `npm ci`.
import { register } from 'tsx/esm/api';

// The SDK's notice that it will need Node 22 from 2027 is printed by the README, not on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
