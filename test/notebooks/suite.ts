import { createServer } from 'node:net';
import { join } from 'node:path';
import { listScenarios, type Scenario } from '../../lib/sandbox/seed/index.js';
import { scenarioRunArgs } from '../../lib/sandbox/scenario-run.js';
import { listRunbooks } from '../../lib/runner/resolve-notebook.js';
import { ROOT } from '../integration/runner/cli.js';

export const NOTEBOOKS_DIR = join(ROOT, 'notebooks');

/** Every runbook under notebooks/, as paths relative to it without `.ipynb` (how scenarios name them), sorted. */
export function discoverNotebooks(): string[] {
  return listRunbooks(ROOT);
}

/** One headless run of a runbook: for a scenario, or with the notebook's defaults. */
export interface PlannedRun {
  runbook: string;
  label: string;
  args: string[];
}

/** `-p` arguments for a scenario: its slug (when it has one) and its parameters (lists joined with commas). */
export const scenarioArgs = scenarioRunArgs;

/** The runs of the suite: each scenario whose runbook is the notebook, or one run with the defaults. */
export function plannedRuns(runbooks: string[], scenarios: Scenario[] = listScenarios()): PlannedRun[] {
  return runbooks.flatMap((runbook) => {
    const mine = scenarios.filter((s) => s.runbook === runbook);
    if (mine.length === 0) return [{ runbook, label: 'defaults', args: [] }];
    return mine.map((s) => ({ runbook, label: `scenario ${s.name}`, args: scenarioArgs(s) }));
  });
}

/**
 * Notebook runs at a time within one suite file. A run keeps about 1.3 of the machine's two cores busy (the kernel,
 * its garbage collector, Python and the runner side by side), and vitest runs two files at once: one run per file
 * keeps both cores busy without the slow-down of more processes than cores.
 */
export const RUNS_AT_A_TIME = 1;

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function inPool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
