import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests each use their own database and Redis prefix, so files may run in parallel,
    // but the machine has two cores and the notebook suite starts Jupyter kernels: keep it modest.
    maxWorkers: 2,
    fileParallelism: true,
    // Callouts and progress print to the console outside notebooks: show them only for failing tests.
    silent: 'passed-only',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
