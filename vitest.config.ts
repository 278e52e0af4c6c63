import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['specs/**/*.test.ts'],
    // Issue #4 (managed emulators, containers, browser matrix) is still being integrated: its specs need podman,
    // chromium and extra emulators and are not yet part of CI. Run them with `npm run test:issue4`.
    exclude: process.env.POLICY_CONFORMANCE_ISSUE4
      ? []
      : ['specs/emulators/container-target.test.ts', 'specs/emulators/managed-targets.test.ts', 'specs/matrix-browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/out/vitest.json' },
  },
});
