import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { dqtSandboxService } from '../dqt/sandbox/service.js';
import { trsSandboxService } from '../trs/sandbox/service.js';
import { dqtDeadSetSeedHook } from '../jobs/seed-dead-set.js';

/**
 * Something the embedded sandbox runs beside its database (the DQT sandbox server, for one).
 * `support sandbox`, `npm start` and the notebook suite start every registered service.
 */
export interface SandboxService {
  name: string;
  start(config: Config): Promise<{ description: string; stop(): Promise<void> }>;
}

/** Work to do right after the sandbox data is seeded (e.g. run each DQT scenario's job once). */
export interface SeedHook {
  name: string;
  run(db: RegisterDb, config: Config): Promise<string | void>;
}

/** Registered services, started in this order. */
export const sandboxServices: SandboxService[] = [dqtSandboxService, trsSandboxService];
/** Registered after-seed hooks, run in this order by `support db seed` and the first sandbox start. */
export const seedHooks: SeedHook[] = [dqtDeadSetSeedHook];
