import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The slow files first: the notebook suites (each runs tens of notebooks), then the browser test and the runner's,
 * then the rest in vitest's own order. Started last, a slow file would run on alone at the end of the suite.
 */
class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const weight = (f: TestSpecification) => (/[\\/]test[\\/]notebooks[\\/]/.test(f.moduleId) ? 0 : /[\\/]test[\\/](browser|integration[\\/]runner)[\\/]/.test(f.moduleId) ? 1 : 2);
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => weight(a.f) - weight(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous bounds, not speed targets (those live in bench/): a test waits on real events (a kernel's reply, a job
    // settling), and on a busy machine those come late. A test that needs longer says so.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // Integration tests each use their own database and Redis prefix, so files may run in parallel. The machine has
    // two cores; a notebook run keeps them busy only in bursts, so three files at a time (and RUNS_AT_A_TIME in
    // test/notebooks/suite.ts) finished soonest of the settings tried.
    maxWorkers: 3,
    fileParallelism: true,
    sequence: { sequencer: SlowFilesFirst },
    // Callouts and progress print to the console outside notebooks: show them only for failing tests.
    silent: 'passed-only',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
