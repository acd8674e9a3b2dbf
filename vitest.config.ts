import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests bind real ports and write real files; two cores are all this machine has.
    pool: 'forks',
    maxWorkers: 2,
  },
});
