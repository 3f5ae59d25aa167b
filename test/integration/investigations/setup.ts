import { loadConfig, Secret, type Config } from '../../../lib/config/env.js';
import { createDqtClient } from '../../../lib/dqt/client.js';
import { startDqtSandbox, type DqtSandbox } from '../../../lib/dqt/sandbox/server.js';
import { dqtSandboxSeed } from '../../../lib/dqt/sandbox/seed.js';
import { openInvestigation, type InvestigationContext } from '../../../lib/investigations/index.js';
import { openJobQueues, type JobQueues } from '../../../lib/jobs/queues.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { seedDqtDeadSet } from '../../../lib/jobs/seed-dead-set.js';
import { DQT_SCENARIO_RUNS } from '../../../lib/sandbox/seed/dqt.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A seeded test database, the DQT sandbox on a random port, and a Redis prefix of its own whose `dqt` dead set the
 * seed hook filled (one dead job per DQT scenario job), with an investigation context on them.
 */
export interface SeededSandbox {
  t: TestDatabase;
  sandbox: DqtSandbox;
  config: Config;
  prefix: string;
  apiKey: string;
  ctx: InvestigationContext;
  /** The BullMQ queues behind `ctx.jobs` (the sandbox's job store), for BullMQ-only checks. */
  bull: JobQueues;
  /** Re-runs the seed hook: the DQT sandbox back to its seed, the scenario jobs dead again. */
  reseedDeadSet(): Promise<void>;
  stop(): Promise<void>;
}

export async function seededSandbox(apiKey: string, env: Record<string, string> = {}): Promise<SeededSandbox> {
  const t = await createTestDatabase();
  await seed(t.db);
  const sandbox = await startDqtSandbox({ apiKey, port: 0, seed: dqtSandboxSeed() });
  const prefix = testRedisPrefix();
  const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, DQT_API_KEY: apiKey, SUPPORT_DQT_SANDBOX_PORT: String(sandbox.port), SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Ivy Investigator', ...env });
  const reseedDeadSet = async () => {
    const summary = await seedDqtDeadSet(t.db, config);
    if (summary !== `${DQT_SCENARIO_RUNS.length} DQT scenario jobs are in the dqt dead set.`) throw new Error(summary);
  };
  await reseedDeadSet();
  const dqt = createDqtClient({ url: sandbox.url, apiKey: new Secret(apiKey), db: t.db, timeoutMs: 30_000 });
  const bull = openJobQueues(config.redis);
  const ctx = openInvestigation(t.db, config, { dqt, jobs: new BullmqJobStore(bull) });
  return {
    t,
    sandbox,
    config,
    prefix,
    apiKey,
    ctx,
    bull,
    reseedDeadSet,
    async stop() {
      await ctx.close();
      await dqt.close();
      const queues = openJobQueues({ url: REDIS_URL, prefix });
      for (const q of Object.values(queues.queues)) await q.obliterate({ force: true }).catch(() => undefined);
      await queues.close();
      await sandbox.stop();
      await t.drop();
    },
  };
}

/** POSTs to the DQT sandbox's admin endpoints. */
export async function sandboxAdmin(sandbox: DqtSandbox, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${sandbox.url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}
