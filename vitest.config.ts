import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The long runs start first, so the two workers finish at about the same time: those against real emulators, then
 * the longest of the others (on a fresh clone vitest has no timings to sort by, and left to itself it ran the
 * mutation score, about 100 s, last and alone: CI run of 75608b8).
 */
const LONGEST_FIRST = [
  'specs/emulators/matrix-expectations.test.ts',
  'specs/emulators/managed-targets.test.ts',
  'specs/emulators/container-target.test.ts',
  'specs/mutants.test.ts',
  'specs/fixture-pool.test.ts',
  'specs/soundness.test.ts',
  'specs/expectations.test.ts',
  'specs/concurrent-runs.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['specs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/out/vitest.json' },
  },
});
