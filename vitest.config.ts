import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // .ci/run asks for a JSON report to print its `N passed, N failed` line.
    ...(process.env.SLUICE_TEST_REPORT && {
      reporters: ['default', 'json'],
      outputFile: { json: process.env.SLUICE_TEST_REPORT },
    }),
  },
});
