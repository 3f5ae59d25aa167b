import { dqtSandboxService } from '../dqt/sandbox/service.js';
import { trsSandboxService } from '../trs/sandbox/service.js';
import { dqtDeadSetSeedHook } from '../jobs/seed-dead-set.js';
import { sidekiqSandboxSeedHook } from '../queues/sidekiq/sandbox.js';
import type { SandboxParts } from '../sandbox/service.js';

/**
 * The parts the embedded sandbox runs beside its database: the DQT and TRS sandbox servers, then (after a seed) each DQT
 * scenario's job once so the dead set is real. `support sandbox`, `support db seed`, `npm start` and the notebook suite
 * use this list; add a new part here.
 *
 * @example
 * const sandbox = await startSandbox(loadConfig(), SANDBOX_PARTS);
 */
export const SANDBOX_PARTS: SandboxParts = {
  services: [dqtSandboxService, trsSandboxService],
  seedHooks: [dqtDeadSetSeedHook, sidekiqSandboxSeedHook],
};
