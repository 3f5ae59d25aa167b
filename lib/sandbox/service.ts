import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';

/**
 * The contract between the embedded sandbox and the parts it runs beside its database. The sandbox owns it; the parts
 * (the DQT sandbox server, the DQT dead-set seed) implement it in their own domains, and the composition root
 * (`SANDBOX_PARTS` in lib/cli/sandbox-parts.ts) hands them to `startSandbox`, so imports run one way: parts → sandbox.
 *
 * @example
 * const service: SandboxService = { name: 'dqt-sandbox', start: async (config) => ({ description: '…', stop: async () => {} }) };
 * await startSandbox(loadConfig(), { services: [service], seedHooks: [] });
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

/** What the sandbox runs: services started in this order, then (after a seed) the hooks in this order. */
export interface SandboxParts {
  services: readonly SandboxService[];
  seedHooks: readonly SeedHook[];
}
