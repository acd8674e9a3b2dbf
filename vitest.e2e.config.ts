import { defineConfig } from 'vitest/config';

// Browser tests: the compiled `meridian serve`, the simulator and Chromium, one file at a time
// (each drives a whole stack; running them side by side on two cores would only add noise).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
