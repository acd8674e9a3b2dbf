import { defineConfig } from 'vitest/config';

// Browser tests: the compiled `meridian serve`, the simulator and Chromium, one file at a time
// (each drives a whole stack; running them side by side on two cores would only add noise).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    // Bounds, not expectations: every wait inside has its own deadline (test/e2e/ui.ts), and a
    // machine with both cores busy must only make a test slower.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
