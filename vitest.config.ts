import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Bounds, not expectations: a test's own waits have deadlines of 15-30 s (test/helpers/core.ts)
    // so that a machine with both cores busy is slower, never red.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests bind real ports and write real files; two cores are all this machine has.
    pool: 'forks',
    maxWorkers: 2,
  },
});
