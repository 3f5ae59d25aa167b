import { Job, Worker, type Queue } from 'bullmq';
import { latestTrnRequest } from '../trainees/trn-request.js';
import { registerFeatures } from '../db/versions/detect.js';
import { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { traineeState } from '../db/enums.js';
import { timestampToDate } from '../db/timestamp.js';
import { createDqtClient } from '../dqt/client.js';
import { dqtSandboxAdmin } from '../dqt/sandbox/admin.js';
import { DQT_SCENARIO_RUNS, type DqtScenarioRun } from '../sandbox/seed/dqt.js';
import { sidekiqBackoffMs, JOB_POLLING } from './names.js';
import { runJob } from './processors.js';
import { openJobQueues, type EnqueueArgs } from './queues.js';
import type { SeedHook } from '../sandbox/service.js';

/**
 * The seed hook that fills the `dqt` queue's dead set: each DQT scenario's job runs once, through the real
 * processor and the real client against the DQT sandbox, until it dies with Register's error text. Its
 * retries are promoted at once rather than waited for. Runs only against the DQT sandbox (never a real DQT);
 * resets the DQT sandbox to its seeded state first, and replaces the scenario jobs of an earlier seed, so
 * seeding twice leaves one dead job per scenario job. Only on a DQT-era Register (`registerFeatures(db).api` `'dqt'`):
 * today's Register has no DQT jobs, and its dead set is seeded by `seedTrsDeadSet` (lib/jobs/seed-trs-dead-set.ts).
 *
 * @example
 * const summary = await seedDqtDeadSet(db, loadConfig()); // "12 DQT scenario jobs are in the dqt dead set."
 */
export async function seedDqtDeadSet(db: RegisterDb, config: Config, options: { timeoutMs?: number } = {}): Promise<string> {
  const register = await registerFeatures(db);
  if (register.api !== 'dqt') {
    return `DQT scenario jobs not run: this Register (${register.label}) talks to TRS and has no Dqt:: jobs; its dead set is seeded by trs-dead-set.`;
  }
  if (config.dqt.kind !== 'sandbox') {
    return 'DQT scenario jobs not run: DQT_API_URL points at a real DQT, and scenario jobs only ever run against the DQT sandbox.';
  }
  if (config.redis.backend === 'sidekiq') {
    return "DQT scenario jobs not run: QUEUE_BACKEND=sidekiq, and the toolkit's BullMQ jobs are never written into a Sidekiq Redis.";
  }
  const admin = dqtSandboxAdmin(config);
  await admin.reset();

  const queues = openJobQueues(config.redis);
  try {
    await queues.ensureReachable();
  } catch (error) {
    await queues.close();
    throw error;
  }
  // The local DQT sandbox: generous bounds, so a busy machine seeds slowly rather than seeding the wrong errors.
  const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db, timeoutMs: 60_000, rateLimitRetries: 0 });
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  const worker = new Worker('dqt', (job) => runJob({ db, dqt, queues }, job), {
    connection,
    prefix: config.redis.prefix,
    concurrency: 1,
    settings: { backoffStrategy: (n: number) => sidekiqBackoffMs(n) },
  });
  const problems: string[] = [];
  try {
    for (const [index, run] of DQT_SCENARIO_RUNS.entries()) {
      const jobId = `seed-${run.scenario}-${index}`;
      await queues.queues.dqt.remove(jobId).catch(() => 0);
      for (const fault of run.faults ?? []) await admin.injectFault(fault);
      const seeded = await db.selectFrom('trainees').select(['state']).where('id', '=', run.traineeId).executeTakeFirst();
      if (!seeded) {
        problems.push(`${run.scenario}: trainee ${run.traineeId} is not seeded`);
        continue;
      }
      if (run.runWhileState) await db.updateTable('trainees').set({ state: traineeState.toDb(run.runWhileState) }).where('id', '=', run.traineeId).execute();
      try {
        const job = await queues.enqueue(run.job, await argsFor(db, run), { jobId });
        const outcome = await settleJob(queues.queues.dqt, job.id!, options.timeoutMs ?? 120_000);
        if (outcome.state !== 'failed') problems.push(`${run.scenario}: ${run.job} ended ${outcome.state}, not dead`);
        else if (!outcome.reason.startsWith(run.expectedError)) problems.push(`${run.scenario}: ${run.job} died with "${outcome.reason}", expected "${run.expectedError}..."`);
      } finally {
        if (run.runWhileState) await db.updateTable('trainees').set({ state: seeded.state }).where('id', '=', run.traineeId).execute();
      }
    }
  } finally {
    await worker.close();
    await connection.quit().catch(() => undefined);
    await dqt.close();
    await queues.close();
    await admin.clearFaults().catch(() => undefined);
  }
  if (problems.length) return `DQT scenario jobs: ${problems.length} did not die as expected:\n  - ${problems.join('\n  - ')}`;
  return `${DQT_SCENARIO_RUNS.length} DQT scenario jobs are in the dqt dead set.`;
}

async function argsFor(db: RegisterDb, run: DqtScenarioRun): Promise<EnqueueArgs[DqtScenarioRun['job']]> {
  if (run.job !== 'Dqt::RetrieveTrnJob') return { traineeId: run.traineeId };
  const request = await latestTrnRequest(db, run.traineeId);
  if (!request) throw new Error(`Seed error: trainee ${run.traineeId} has no TRN request.`);
  const trainee = await db.selectFrom('trainees').select(['submitted_for_trn_at']).where('id', '=', run.traineeId).executeTakeFirstOrThrow();
  const timeoutAfter = new Date(timestampToDate(trainee.submitted_for_trn_at!).getTime() + JOB_POLLING.maxPollDurationDays * 86_400_000);
  return { trnRequestId: request.id, traineeId: run.traineeId, timeoutAfter };
}

/** Waits until a job is completed or failed, promoting its retries so their backoff is not waited out. */
export async function settleJob(queue: Queue, jobId: string, timeoutMs: number): Promise<{ state: string; reason: string; stacktrace: string[] }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') return { state: 'missing', reason: '', stacktrace: [] };
    // Read the job after its state: read before, it may lack the failedReason written since.
    if (state === 'failed' || state === 'completed') {
      const job = await Job.fromId(queue, jobId);
      return { state, reason: job?.failedReason ?? '', stacktrace: job?.stacktrace ?? [] };
    }
    if (state === 'delayed') await (await Job.fromId(queue, jobId))?.promote().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { state: 'still running after the time allowed', reason: '', stacktrace: [] };
}

/** `seedDqtDeadSet` as a seed hook (`SANDBOX_PARTS` in lib/cli/sandbox-parts.ts). */
export const dqtDeadSetSeedHook: SeedHook = {
  name: 'dqt-dead-set',
  // A seed must not fail because Redis or the DQT sandbox is away: say so and carry on.
  run: (db, config) => seedDqtDeadSet(db, config).catch((error: Error) => `the dqt dead set was not seeded: ${error.message}`),
};
