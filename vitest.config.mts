import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous bounds, not speed targets (those live in bench/): a test waits on real events (a kernel's reply, a job
    // settling), and on a busy machine those come late. A test that needs longer says so.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // Integration tests each use their own database and Redis prefix, so files may run in parallel,
    // but the machine has two cores and the notebook suite starts Jupyter kernels: keep it modest.
    maxWorkers: 2,
    fileParallelism: true,
    // Callouts and progress print to the console outside notebooks: show them only for failing tests.
    silent: 'passed-only',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
