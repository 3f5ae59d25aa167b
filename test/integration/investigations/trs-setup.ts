import { Redis } from 'ioredis';
import { loadConfig, Secret, type Config } from '../../../lib/config/env.js';
import { openInvestigation, type InvestigationContext } from '../../../lib/investigations/index.js';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { TRS_SCENARIO_RUNS } from '../../../lib/sandbox/seed/trs.js';
import { seedSidekiqSandbox } from '../../../lib/queues/sidekiq/sandbox.js';
import { createTrsClient } from '../../../lib/trs/client.js';
import { startTrsSandbox, type TrsSandbox } from '../../../lib/trs/sandbox/server.js';
import { trsSandboxSeed } from '../../../lib/trs/sandbox/seed.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';
import { openJobQueues, type JobQueues } from '../../../lib/jobs/queues.js';
import { seedTrsDeadSet } from '../../../lib/jobs/seed-trs-dead-set.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { errorClassOf } from '../../../lib/jobs/dead.js';
import { claimRedisDatabase, waitFor, type RealSidekiq } from '../../helpers/sidekiq.js';
import { REDIS_URL } from './setup.js';

/**
 * A TRS-era Register for the investigations, as production holds it: a 2026-08 test database with the seed, the TRS
 * sandbox on a free port (its seed has the scenario persons and TRN requests), and a Redis database of its own holding
 * Register's Sidekiq sets: each TRS scenario job run once by the jobs' seed hook (`seedTrsDeadSet`, BullMQ `trs`) and
 * copied as Register's Sidekiq stores a dead ActiveJob (`seedSidekiqSandbox`). The investigations read it through the
 * Sidekiq store (every queue, `trs` included), as on a real Register.
 */
export interface TrsSeededSandbox {
  t: TestDatabase;
  sandbox: TrsSandbox;
  config: Config;
  /** The Redis URL (with its database number) holding the Sidekiq sets. */
  sidekiqUrl: string;
  apiKey: string;
  ctx: InvestigationContext;
  /** The Sidekiq dead set's members (raw JSON), sorted. */
  deadSet(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function trsSeededSandbox(apiKey: string): Promise<TrsSeededSandbox> {
  const b = await trsBullmqSandbox(apiKey);
  const claim = await claimRedisDatabase();
  const sidekiqUrl = `${REDIS_URL}/${claim.db}`;
  const copied = await seedSidekiqSandbox(b.config.redis, sidekiqUrl, { api: 'trs' });
  if (!copied.includes(`holds ${TRS_SCENARIO_RUNS.length} dead`)) throw new Error(copied);
  const redis = new Redis(sidekiqUrl, { maxRetriesPerRequest: null });
  const config = loadConfig({
    DATABASE_URL: b.t.url,
    REDIS_URL: sidekiqUrl,
    QUEUE_BACKEND: 'sidekiq',
    TRS_API_KEY: apiKey,
    SUPPORT_TRS_SANDBOX_PORT: String(b.sandbox.port),
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Ivy Investigator',
  });
  const trs = createTrsClient({ url: b.sandbox.url, apiKey: new Secret(apiKey), timeoutMs: 30_000 });
  const ctx = openInvestigation(b.t.db, config, { trs, jobs: new SidekiqJobStore(new Redis(sidekiqUrl, { maxRetriesPerRequest: null }), { url: sidekiqUrl }) });
  return {
    t: b.t,
    sandbox: b.sandbox,
    config,
    sidekiqUrl,
    apiKey,
    ctx,
    async deadSet() {
      return (await redis.zrange('dead', 0, -1)).sort();
    },
    async stop() {
      await ctx.close();
      await trs.close();
      redis.disconnect();
      await claim.release();
      await b.stop();
    },
  };
}

/**
 * The same TRS-era Register on the toolkit's own queues (what `support sandbox --schema 2026-08` gives a newcomer): the
 * `trs` dead set on BullMQ, filled by the jobs' seed hook (`seedTrsDeadSet`, each scenario job run by the worker
 * against the TRS sandbox until it dies).
 */
export interface TrsBullmqSandbox {
  t: TestDatabase;
  sandbox: TrsSandbox;
  config: Config;
  prefix: string;
  ctx: InvestigationContext;
  bull: JobQueues;
  /** The trs queue's failed jobs as `<id> <failedReason>`, sorted. */
  deadSet(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function trsBullmqSandbox(apiKey: string): Promise<TrsBullmqSandbox> {
  const t = await createTestDatabase({ version: '2026-08' });
  await seed(t.db);
  const sandbox = await startTrsSandbox({ apiKey, port: 0, seed: trsSandboxSeed() });
  const prefix = testRedisPrefix();
  const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, TRS_API_KEY: apiKey, SUPPORT_TRS_SANDBOX_PORT: String(sandbox.port), SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Ivy Investigator' });
  const summary = await seedTrsDeadSet(t.db, config);
  if (summary !== `${TRS_SCENARIO_RUNS.length} TRS scenario jobs are in the trs dead set.`) throw new Error(summary);
  const trs = createTrsClient({ url: sandbox.url, apiKey: new Secret(apiKey), timeoutMs: 30_000 });
  const bull = openJobQueues(config.redis);
  const ctx = openInvestigation(t.db, config, { trs, jobs: new BullmqJobStore(bull) });
  return {
    t,
    sandbox,
    config,
    prefix,
    ctx,
    bull,
    async deadSet() {
      return (await bull.queues.trs.getFailed()).map((j) => `${j.id} ${j.failedReason}`).sort();
    },
    async stop() {
      await ctx.close();
      await trs.close();
      const queues = openJobQueues({ url: REDIS_URL, prefix });
      for (const q of Object.values(queues.queues)) await q.obliterate({ force: true }).catch(() => undefined);
      await queues.close();
      await sandbox.stop();
      await t.drop();
    },
  };
}

/**
 * The TRS scenario jobs' deaths again, this time in a real Sidekiq (test/sidekiq/app.rb polling `trs`): each job of the
 * BullMQ `trs` dead set is enqueued with ActiveJob as Register enqueues it (its GlobalID, a RetrieveTrnJob's timeout as
 * a TimeWithZone) and fails with the same error class and text; Sidekiq kills the ones with retries left through its
 * own API. Returns when the dead set holds every one.
 */
export async function trsDeathsInRealSidekiq(b: TrsBullmqSandbox, sk: RealSidekiq): Promise<void> {
  const failed = await b.bull.queues.trs.getFailed();
  const jobs: { job: string; args: unknown[] }[] = [];
  const expected: string[] = [];
  for (const job of failed) {
    const [record, timeout] = (job.data as { arguments: [{ _aj_globalid: string }, { value?: string }?] }).arguments;
    const gid = record._aj_globalid.replace(/^gid:\/\/[^/]+\//, '');
    const errorClass = errorClassOf(job);
    if (!errorClass) throw new Error(`no error class for ${job.name} ${gid}: ${job.stacktrace?.at(-1)}`);
    await sk.behave(`${job.name}/${gid}`, { raise: errorClass, message: job.failedReason });
    expected.push(`${job.name} ${gid} ${errorClass}: ${job.failedReason}`);
    jobs.push({ job: job.name, args: [{ gid }, ...(timeout?.value ? [{ time: timeout.value }] : [])] });
  }
  if (jobs.length !== TRS_SCENARIO_RUNS.length) throw new Error(`the trs dead set holds ${jobs.length} jobs, not ${TRS_SCENARIO_RUNS.length}`);
  await sk.enqueue(jobs);
  // Trs::UpdateTraineeJob has no retries: it dies at once. The others wait in the retry set until killed.
  const once = jobs.filter((j) => j.job === 'Trs::UpdateTraineeJob').length;
  await waitFor(`${once} deaths and ${jobs.length - once} retries`, async () => (await sk.redis.zcard('dead')) === once && (await sk.redis.zcard('retry')) === jobs.length - once, 60_000, () => sk.log());
  await sk.ruby('kill_retries.rb');
  // Each died as it did against the TRS sandbox: same class (one the app lacks would die as a NameError), same text.
  const died = (await sk.redis.zrange('dead', 0, -1)).map((raw) => {
    const m = JSON.parse(raw) as { wrapped: string; args: [{ arguments: [{ _aj_globalid: string }] }]; error_class: string; error_message: string };
    return `${m.wrapped} ${m.args[0].arguments[0]._aj_globalid.replace(/^gid:\/\/[^/]+\//, '')} ${m.error_class}: ${m.error_message}`;
  });
  if (JSON.stringify(died.sort()) !== JSON.stringify(expected.sort())) throw new Error(`the real Sidekiq's deaths differ from the TRS sandbox's:\n${died.filter((d) => !expected.includes(d)).join('\n')}`);
}
