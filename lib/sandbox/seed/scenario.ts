import type { SeedRows } from './builders.js';

/**
 * A named situation from the playbook, seeded into the sandbox so its runbook can be tried (and tested)
 * on realistic data.
 */
export interface Scenario {
  /** Short name, e.g. `route-change`. */
  name: string;
  /** The trainee the scenario is about, when there is one. */
  slug: string | null;
  /** The runbook that handles it, as a path under notebooks/ without `.ipynb`, e.g. `data-fixes/change-training-route`. */
  runbook: string;
  /** One sentence: what is wrong with this record. */
  description: string;
  /** Parameters the notebook suite passes to the runbook for this scenario (besides `slug`). */
  parameters?: Record<string, string | number | boolean | string[]>;
}

/** One area's scenarios and the database rows they need. */
export interface ScenarioSet {
  scenarios: Scenario[];
  rows: SeedRows;
  /** Only for a Register that talks to this service (DQT before 2025, TRS since); every Register when absent. */
  api?: 'dqt' | 'trs';
}
