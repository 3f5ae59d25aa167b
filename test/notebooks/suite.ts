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
 * Notebook runs at a time within one suite file, beside the other files vitest runs (vitest.config.ts). Measured on
 * two cores: two runs per file and three files at a time finished the suite soonest (a run alone keeps about 1.3
 * cores busy, in bursts); one run per file left the cores idle a third of the time.
 */
export const RUNS_AT_A_TIME = 2;

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

/**
 * A free TCP port on 127.0.0.1, for a server a test starts later. Chosen below Linux's ephemeral range (32768 up): a
 * port the system handed out there would be free only until the next `listen(0)` of another test took it again.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('No free port between 20000 and 32000 after 100 tries.');
}
