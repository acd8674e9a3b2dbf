import { defineConfig } from 'vitest/config';

// The desktop app through Playwright's _electron: the compiled main process, one window, a real
// agent connection. Runs only where an Electron binary exists; otherwise it is reported skipped,
// with a SKIPPED: line saying why.
export default defineConfig({
  test: {
    include: ['test/electron/**/*.electron.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
