import { dqtSandboxService } from '../dqt/sandbox/service.js';
import { trsSandboxService } from '../trs/sandbox/service.js';
import { dqtDeadSetSeedHook } from '../jobs/seed-dead-set.js';
import { trsDeadSetSeedHook } from '../jobs/seed-trs-dead-set.js';
import { sidekiqSandboxSeedHook } from '../queues/sidekiq/sandbox.js';
import type { SandboxParts } from '../sandbox/service.js';

/**
 * The parts the embedded sandbox runs beside its database: the DQT and TRS sandbox servers, then (after a seed) each
 * scenario's job once so the dead set is real (DQT scenarios on a DQT-era Register, TRS ones on today's; each hook
 * does nothing on the other era), then the Sidekiq-shaped copy of that dead set. `support sandbox`, `support db seed`, `npm start` and the notebook suite
 * use this list; add a new part here.
 *
 * @example
 * const sandbox = await startSandbox(loadConfig(), SANDBOX_PARTS);
 */
export const SANDBOX_PARTS: SandboxParts = {
  services: [dqtSandboxService, trsSandboxService],
  seedHooks: [dqtDeadSetSeedHook, trsDeadSetSeedHook, sidekiqSandboxSeedHook],
};
