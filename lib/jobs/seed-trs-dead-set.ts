import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { traineeState } from '../db/enums.js';
import { timestampToDate } from '../db/timestamp.js';
import { registerFeatures } from '../db/versions/detect.js';
import { createDqtClient } from '../dqt/client.js';
import type { SeedHook } from '../sandbox/service.js';
import { TRS_SCENARIO_RUNS, trsScenarioPersons, trsScenarioTrnRequests, type TrsScenarioRun } from '../sandbox/seed/trs.js';
import { latestTrnRequest } from '../trainees/trn-request.js';
import { createTrsClient } from '../trs/client.js';
import { trsSandboxAdmin, type TrsSandboxAdmin } from '../trs/sandbox/admin.js';
import { sidekiqBackoffMs } from './names.js';
import { runJob } from './processors.js';
import { openJobQueues, type EnqueueArgs } from './queues.js';
import { settleJob } from './seed-dead-set.js';

/**
 * The seed hook that fills the `trs` queue's dead set of today's Register: each `TRS_SCENARIO_RUNS` entry's job runs
 * once, through the real processor (lib/jobs/trs-processors.ts) and the real TRS client against the TRS sandbox, until
 * it dies with Register's error text (`Error updating professional status: status: 400, body: {…}, headers: {…}`).
 * Retries are promoted at once rather than waited for, so a `Trs::UpdateProfessionalStatusJob` uses its 26 attempts
 * in seconds. The TRS sandbox is reset to its seeded state first (the scenario persons are put back if its seed lacks
 * them), the scenario jobs of an earlier seed are replaced, so seeding twice leaves one dead job per run.
 *
 * Runs only on a TRS-era Register (`registerFeatures(db).api === 'trs'`), only against the TRS sandbox (never a real
 * TRS) and only on the toolkit's BullMQ queues.
 *
 * @example
 * await seedTrsDeadSet(db, loadConfig()); // "14 TRS scenario jobs are in the trs dead set."
 */
export async function seedTrsDeadSet(db: RegisterDb, config: Config, options: { timeoutMs?: number } = {}): Promise<string> {
  const register = await registerFeatures(db);
  if (register.api !== 'trs') {
    return `TRS scenario jobs not run: this Register (${register.label}) talks to DQT and has no Trs:: jobs; its dead set is seeded by dqt-dead-set.`;
  }
  if (config.trs.kind !== 'sandbox') {
    return 'TRS scenario jobs not run: TRS_API_URL points at a real TRS, and scenario jobs only ever run against the TRS sandbox.';
  }
  if (config.redis.backend === 'sidekiq') {
    return "TRS scenario jobs not run: QUEUE_BACKEND=sidekiq, and the toolkit's BullMQ jobs are never written into a Sidekiq Redis.";
  }
  const admin = trsSandboxAdmin(config);
  await admin.reset();
  const problems = await ensureScenarioRecords(admin);

  const queues = openJobQueues(config.redis);
  try {
    await queues.ensureReachable();
  } catch (error) {
    await queues.close();
    throw error;
  }
  // The local TRS sandbox: generous bounds, so a busy machine seeds slowly rather than seeding the wrong errors.
  const trs = createTrsClient({ url: config.trs.url, apiKey: config.trs.apiKey, version: config.trs.version, timeoutMs: 60_000, rateLimitRetries: 0 });
  // runJob's context holds a DQT client; no Trs:: job calls it.
  const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db, rateLimitRetries: 0 });
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  const worker = new Worker('trs', (job) => runJob({ db, dqt, trs, queues }, job), {
    connection,
    prefix: config.redis.prefix,
    concurrency: 1,
    settings: { backoffStrategy: (n: number) => sidekiqBackoffMs(n) },
  });
  try {
    for (const [index, run] of TRS_SCENARIO_RUNS.entries()) {
      const jobId = trsSeedJobId(run, index);
      await queues.queues.trs.remove(jobId).catch(() => 0);
      const seeded = await db.selectFrom('trainees').select(['state']).where('id', '=', run.traineeId).executeTakeFirst();
      if (!seeded) {
        problems.push(`${run.scenario}: trainee ${run.traineeId} is not seeded`);
        continue;
      }
      for (const fault of run.faults ?? []) await admin.injectFault(fault);
      if (run.runWhileState) await db.updateTable('trainees').set({ state: traineeState.toDb(run.runWhileState) }).where('id', '=', run.traineeId).execute();
      try {
        const job = await queues.enqueue(run.job, await argsFor(db, run), { jobId });
        const outcome = await settleJob(queues.queues.trs, job.id!, options.timeoutMs ?? 120_000);
        if (outcome.state !== 'failed') problems.push(`${run.scenario}: ${run.job} ended ${outcome.state}, not dead`);
        else if (!outcome.reason.startsWith(run.expectedError)) problems.push(`${run.scenario}: ${run.job} died with "${outcome.reason}", expected "${run.expectedError}..."`);
      } finally {
        if (run.runWhileState) await db.updateTable('trainees').set({ state: seeded.state }).where('id', '=', run.traineeId).execute();
        // A run's unused faults (a 500 fault outlasting the job's attempts) must not reach the next run.
        if (run.faults?.length) await admin.clearFaults();
      }
    }
  } finally {
    await worker.close();
    await connection.quit().catch(() => undefined);
    await trs.close();
    await dqt.close();
    await queues.close();
    await admin.clearFaults().catch(() => undefined);
  }
  if (problems.length) return `TRS scenario jobs: ${problems.length} did not die as expected:\n  - ${problems.join('\n  - ')}`;
  return `${TRS_SCENARIO_RUNS.length} TRS scenario jobs are in the trs dead set.`;
}

/** The BullMQ job id of a scenario run (stable, so a second seed replaces the first's job). */
export function trsSeedJobId(run: Pick<TrsScenarioRun, 'scenario' | 'job'>, index: number): string {
  return `seed-${run.scenario}-${index}`;
}

/** Puts back any scenario person the TRS sandbox's seed lacks; says which scenario TRN requests it lacks (no admin call adds one). */
async function ensureScenarioRecords(admin: TrsSandboxAdmin): Promise<string[]> {
  const problems: string[] = [];
  for (const person of trsScenarioPersons()) {
    const present = await admin.person(person.trn).then(
      () => true,
      () => false,
    );
    if (!present) await admin.putPerson(person);
  }
  for (const request of trsScenarioTrnRequests()) {
    const present = await admin.trnRequest(request.requestId).then(
      () => true,
      () => false,
    );
    if (!present) problems.push(`the TRS sandbox has no TRN request ${request.requestId} (${request.status}): start it with the sandbox's seed (trsSandboxSeed)`);
  }
  return problems;
}

async function argsFor(db: RegisterDb, run: TrsScenarioRun): Promise<EnqueueArgs[TrsScenarioRun['job']]> {
  if (run.job !== 'Trs::RetrieveTrnJob') return { traineeId: run.traineeId };
  const request = await latestTrnRequest(db, run.traineeId);
  if (!request) throw new Error(`Seed error: trainee ${run.traineeId} has no TRN request.`);
  const trainee = await db.selectFrom('trainees').select(['submitted_for_trn_at']).where('id', '=', run.traineeId).executeTakeFirstOrThrow();
  const timeoutAfter = new Date(timestampToDate(trainee.submitted_for_trn_at!).getTime() + (run.timeoutDays ?? 4) * 86_400_000);
  return { trnRequestId: request.id, traineeId: run.traineeId, timeoutAfter };
}

/** `seedTrsDeadSet` as a seed hook (`SANDBOX_PARTS` in lib/cli/sandbox-parts.ts). */
export const trsDeadSetSeedHook: SeedHook = {
  name: 'trs-dead-set',
  // A seed must not fail because Redis or the TRS sandbox is away: say so and carry on.
  run: (db, config) => seedTrsDeadSet(db, config).catch((error: Error) => `the trs dead set was not seeded: ${error.message}`),
};
