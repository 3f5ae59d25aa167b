import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, Secret, type Config } from '../../../lib/config/env.js';
import { traineeState } from '../../../lib/db/enums.js';
import { openInvestigation, type InvestigationContext } from '../../../lib/investigations/index.js';
import { trsRetrieveTrn, trsUpdateProfessionalStatus, trsUpdateTrainee, type TrsJobContext } from '../../../lib/jobs/trs-processors.js';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { TRS_SCENARIO_RUNS, type TrsScenarioRun } from '../../../lib/sandbox/seed/trs.js';
import { createTrsClient, type TrsClient } from '../../../lib/trs/client.js';
import { startTrsSandbox, type TrsSandbox } from '../../../lib/trs/sandbox/server.js';
import { trsSandboxSeed } from '../../../lib/trs/sandbox/seed.js';
import { latestTrnRequest } from '../../../lib/trainees/trn-request.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';
import { openJobQueues, type JobQueues } from '../../../lib/jobs/queues.js';
import { seedTrsDeadSet } from '../../../lib/jobs/seed-trs-dead-set.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { claimRedisDatabase } from '../../helpers/sidekiq.js';
import { REDIS_URL } from './setup.js';

/**
 * A TRS-era Register for the investigations: a 2026-08 test database with the seed, the TRS sandbox on a free port
 * seeded with the scenario persons and TRN requests, and a Redis database of its own holding Register's Sidekiq `dead`
 * set as production would after each TRS scenario job died once (`TRS_SCENARIO_RUNS`).
 *
 * A seam until the jobs work lands (its seed hook fills the toolkit's own `trs` dead set): each scenario job is run
 * here once by the toolkit's TRS-era processors (lib/jobs/trs-processors.ts) against the sandbox, with the run's faults,
 * and the error it dies with is stored as Register's Sidekiq stores a dead ActiveJob (the Sidekiq store reads every
 * queue, so `trs` is looked at as on a real Register).
 */
export interface TrsSeededSandbox {
  t: TestDatabase;
  sandbox: TrsSandbox;
  trs: TrsClient;
  config: Config;
  /** The Redis URL (with its database number) holding the Sidekiq sets. */
  sidekiqUrl: string;
  apiKey: string;
  ctx: InvestigationContext;
  /** What each scenario job died with, in TRS_SCENARIO_RUNS order. */
  deaths: { run: TrsScenarioRun; message: string }[];
  /** The dead set's members (raw JSON), sorted. */
  deadSet(): Promise<string[]>;
  stop(): Promise<void>;
}

const seconds = (ms: number) => Math.round(ms) / 1000;
const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);
const GID = 'gid://register-trainee-teachers';
const RETRY: Record<TrsScenarioRun['job'], number | boolean> = { 'Trs::UpdateTraineeJob': 0, 'Trs::UpdateProfessionalStatusJob': true, 'Trs::RetrieveTrnJob': 10 };

/** Runs one scenario job once against the sandbox and returns the error it died with. */
async function dieOnce(db: TestDatabase['db'], sandbox: TrsSandbox, trs: TrsClient, run: TrsScenarioRun): Promise<{ message: string; errorClass: string; args: unknown[] }> {
  const ctx: TrsJobContext = { db, trs, enqueue: async () => undefined, who: { username: 'TRS job' } };
  for (const f of run.faults ?? []) sandbox.addFault({ path: f.path, method: f.method, kind: f.kind, count: f.count });
  const restore = run.runWhileState ? (await db.selectFrom('trainees').select(['state']).where('id', '=', run.traineeId).executeTakeFirstOrThrow()).state : null;
  if (run.runWhileState) await db.updateTable('trainees').set({ state: traineeState.toDb(run.runWhileState) }).where('id', '=', run.traineeId).execute();
  let args: unknown[] = [{ _aj_globalid: `${GID}/Trainee/${run.traineeId}` }];
  try {
    if (run.job === 'Trs::UpdateTraineeJob') await trsUpdateTrainee(ctx, run.traineeId);
    else if (run.job === 'Trs::UpdateProfessionalStatusJob') await trsUpdateProfessionalStatus(ctx, run.traineeId);
    else {
      const request = await latestTrnRequest(db, run.traineeId);
      const trainee = await db.selectFrom('trainees').select(['submitted_for_trn_at']).where('id', '=', run.traineeId).executeTakeFirstOrThrow();
      const submitted = new Date(String(trainee.submitted_for_trn_at).replace(' ', 'T') + (String(trainee.submitted_for_trn_at).endsWith('Z') ? '' : 'Z'));
      const timeout = new Date(submitted.getTime() + (run.timeoutDays ?? 4) * 86_400_000).toISOString();
      args = [{ _aj_globalid: `${GID}/Trs::TrnRequest/${request!.id}` }, { _aj_serialized: 'ActiveJob::Serializers::TimeWithZoneSerializer', value: timeout, time_zone: 'Etc/UTC' }];
      await trsRetrieveTrn(ctx, request!.id, timeout);
    }
  } catch (error) {
    const e = error as Error;
    return { message: e.message, errorClass: e.name, args };
  } finally {
    if (run.runWhileState) await db.updateTable('trainees').set({ state: restore }).where('id', '=', run.traineeId).execute();
  }
  throw new Error(`${run.scenario}: ${run.job} for trainee ${run.traineeId} did not fail (expected "${run.expectedError}")`);
}

/** A dead ActiveJob as Register's Sidekiq 6.5 stores it. */
function deadEntry(run: TrsScenarioRun, i: number, died: { message: string; errorClass: string; args: unknown[] }, at: number): { score: string; json: string } {
  const retry = RETRY[run.job];
  const retries = typeof retry === 'number' ? retry : 25;
  const payload = {
    retry,
    queue: 'trs',
    wrapped: run.job,
    args: [{ job_class: run.job, job_id: `${hex(`job:${run.scenario}:${i}`, 8)}-0000-4000-8000-${hex(`job:${i}`, 12)}`, provider_job_id: null, queue_name: 'trs', priority: null, arguments: died.args, executions: 0, exception_executions: {}, locale: 'en', timezone: 'UTC', enqueued_at: new Date(at - 60_000).toISOString() }],
    class: 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper',
    jid: hex(`jid:${run.scenario}:${i}`, 24),
    created_at: seconds(at - 3_600_000),
    enqueued_at: seconds(at - 60_000),
    error_message: died.message,
    error_class: died.errorClass,
    failed_at: seconds(retries ? at - 3_000_000 : at),
    retry_count: retries,
    ...(retries ? { retried_at: seconds(at - 5_000) } : {}),
  };
  return { score: seconds(at).toFixed(3), json: JSON.stringify(payload) };
}

export async function trsSeededSandbox(apiKey: string): Promise<TrsSeededSandbox> {
  const t = await createTestDatabase({ version: '2026-08' });
  await seed(t.db);
  const sandbox = await startTrsSandbox({ apiKey, port: 0, seed: trsSandboxSeed() });
  const trs = createTrsClient({ url: sandbox.url, apiKey: new Secret(apiKey), timeoutMs: 30_000 });
  const claim = await claimRedisDatabase();
  const sidekiqUrl = `${REDIS_URL}/${claim.db}`;
  const redis = new Redis(sidekiqUrl, { maxRetriesPerRequest: null });
  const deaths: TrsSeededSandbox['deaths'] = [];
  const now = Date.now();
  const tx = redis.multi();
  for (const [i, run] of TRS_SCENARIO_RUNS.entries()) {
    const died = await dieOnce(t.db, sandbox, trs, run);
    if (!died.message.startsWith(run.expectedError)) throw new Error(`${run.scenario}: died with "${died.message}", expected "${run.expectedError}…"`);
    deaths.push({ run, message: died.message });
    const e = deadEntry(run, i, died, now - (TRS_SCENARIO_RUNS.length - i) * 60_000);
    tx.zadd('dead', e.score, e.json);
  }
  tx.sadd('queues', 'trs');
  await tx.exec();
  // The sandbox back to its seed (faults used up or cleared).
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  const config = loadConfig({
    DATABASE_URL: t.url,
    REDIS_URL: sidekiqUrl,
    QUEUE_BACKEND: 'sidekiq',
    TRS_API_KEY: apiKey,
    SUPPORT_TRS_SANDBOX_PORT: String(sandbox.port),
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Ivy Investigator',
  });
  const store = new SidekiqJobStore(new Redis(sidekiqUrl, { maxRetriesPerRequest: null }), { url: sidekiqUrl });
  const ctx = openInvestigation(t.db, config, { trs, jobs: store });
  return {
    t,
    sandbox,
    trs,
    config,
    sidekiqUrl,
    apiKey,
    ctx,
    deaths,
    async deadSet() {
      return (await redis.zrange('dead', 0, -1)).sort();
    },
    async stop() {
      await ctx.close();
      await trs.close();
      redis.disconnect();
      await claim.release();
      await sandbox.stop();
      await t.drop();
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
