import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../lib/config/env.js';
import { startDqtSandbox, type DqtSandbox } from '../../../lib/dqt/sandbox/server.js';
import { dqtSandboxSeed } from '../../../lib/dqt/sandbox/seed.js';
import { Job } from 'bullmq';
import { createDqtClient } from '../../../lib/dqt/client.js';
import { dqtSandboxAdmin } from '../../../lib/dqt/sandbox/admin.js';
import { deadJobs } from '../../../lib/jobs/dead.js';
import { startJobWorkers } from '../../../lib/jobs/worker.js';
import { openJobQueues } from '../../../lib/jobs/queues.js';
import { dqtDeadSetSeedHook, seedDqtDeadSet } from '../../../lib/jobs/seed-dead-set.js';
import { DQT_SCENARIO_RUNS } from '../../../lib/sandbox/seed/dqt.js';
import { scenario, seed } from '../../../lib/sandbox/seed/index.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';

const API_KEY = 'seed-test-dqt-key-41d0e2';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let t: TestDatabase;
let sandbox: DqtSandbox;
let config: Config;
const prefix = testRedisPrefix();

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
  sandbox = await startDqtSandbox({ apiKey: API_KEY, port: 0, seed: dqtSandboxSeed() });
  config = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, DQT_API_KEY: API_KEY, SUPPORT_DQT_SANDBOX_PORT: String(sandbox.port) });
});
afterAll(async () => {
  const queues = openJobQueues({ url: REDIS_URL, prefix });
  for (const q of Object.values(queues.queues)) await q.obliterate({ force: true }).catch(() => undefined);
  await queues.close();
  await sandbox?.stop();
  await t?.drop();
});

async function waitFor<T>(read: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + 120_000; // jobs settle late on a busy machine
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting');
}

describe('the seeded dqt dead set', () => {
  it('holds one dead job per DQT scenario job, each with Register\'s error text, produced by the real client', async () => {
    expect(await seedDqtDeadSet(t.db, config)).toBe(`${DQT_SCENARIO_RUNS.length} DQT scenario jobs are in the dqt dead set.`);
    const queues = openJobQueues(config.redis);
    try {
      const dead = await deadJobs(queues.queues.dqt);
      expect(dead).toHaveLength(DQT_SCENARIO_RUNS.length);
      const byTrainee = dead.map((d) => `${d.traineeId} ${d.name} ${d.error.replace(/"traceId":"[^"]+"/, '"traceId":"…"')}`).sort();
      expect(byTrainee).toEqual(
        [
          '201 Dqt::UpdateTraineeJob status: 500, body: ',
          '202 Dqt::UpdateTraineeJob status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}',
          '203 Dqt::UpdateTraineeJob status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}',
          '204 Dqt::RecommendForAwardJob status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}',
          '205 Dqt::RecommendForAwardJob status: 400, body: {"title":"Teacher has no incomplete ITT record","status":400,"errorCode":10005}',
          '206 Dqt::UpdateTraineeJob status: 400, body: {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"qualification.providerUkprn":["Organisation not found"]},"traceId":"…"}',
          '207 Dqt::UpdateTraineeJob status: 400, body: {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"initialTeacherTraining.programmeType":["Teacher already has QTS/EYTS date"]},"traceId":"…"}',
          '208 Dqt::RetrieveTrnJob Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days',
          '209 Dqt::UpdateTraineeJob Cannot update trainee on DQT without a trn (id: 209)',
          '210 Dqt::UpdateTraineeJob Cannot update trainee on DQT without a trn (id: 210)',
          '211 Dqt::RecommendForAwardJob status: 500, body: ',
          '211 Dqt::UpdateTraineeJob status: 500, body: ',
        ].sort(),
      );
      // "Dead" means out of attempts (or unrecoverable): the award jobs used all 11.
      expect(dead.filter((d) => d.name === 'Dqt::RecommendForAwardJob').map((d) => d.attemptsMade)).toEqual([11, 11, 11]);
      expect(dead.find((d) => d.traineeId === 209)!.errorClass).toBe('Dqt::TraineeUpdate::TraineeUpdateMissingTrn');
      expect(JSON.stringify(dead)).not.toContain(API_KEY);
    } finally {
      await queues.close();
    }
    // The trainee whose update ran while trn_received is back in its seeded state.
    const row = await t.db.selectFrom('trainees').select(['state', 'slug']).where('id', '=', 211).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 3, slug: scenario('dqt-failed-update-and-award').slug });
  });

  it('seeding again replaces the scenario jobs instead of adding more', async () => {
    await seedDqtDeadSet(t.db, config);
    const queues = openJobQueues(config.redis);
    try {
      expect(await deadJobs(queues.queues.dqt)).toHaveLength(DQT_SCENARIO_RUNS.length);
    } finally {
      await queues.close();
    }
  });

  it("the playbook's fixes work on the seeded scenarios", async () => {
    const queues = openJobQueues(config.redis);
    const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db: t.db });
    const workers = startJobWorkers({ redis: config.redis, db: t.db, dqt, queues });
    const admin = dqtSandboxAdmin(config);
    const retry = async (traineeId: number, name: string) => {
      const dead = (await deadJobs(queues.queues.dqt)).find((d) => d.traineeId === traineeId && d.name === name)!;
      const job = (await Job.fromId(queues.queues.dqt, dead.id))!;
      await job.retry('failed');
      return waitFor(async () => {
        const state = await queues.queues.dqt.getJobState(dead.id);
        return state === 'completed' || state === 'failed' ? { state, job: await Job.fromId(queues.queues.dqt, dead.id) } : null;
      });
    };
    const trainee = (id: number) => t.db.selectFrom('trainees').select(['state', 'trn', 'date_of_birth']).where('id', '=', id).executeTakeFirstOrThrow();
    try {
      // 500: run it again.
      expect((await retry(201, 'Dqt::UpdateTraineeJob')).state).toBe('completed');
      // Organisation not found: DQT adds the UKPRN, then the job is run again.
      await admin.addOrganisation('10003863');
      expect((await retry(206, 'Dqt::UpdateTraineeJob')).state).toBe('completed');
      // 404 on a DOB mismatch: align the date of birth (here Register takes DQT's), then run again.
      await t.db.updateTable('trainees').set({ date_of_birth: '1995-03-04' }).where('id', '=', 202).execute();
      expect((await retry(202, 'Dqt::UpdateTraineeJob')).state).toBe('completed');
      // Missing TRN, DQT knows the trainee: poll again with a timeout in the future.
      const request209 = await t.db.selectFrom('dqt_trn_requests').select('id').where('trainee_id', '=', 209).executeTakeFirstOrThrow();
      await queues.enqueue('Dqt::RetrieveTrnJob', { trnRequestId: request209.id, traineeId: 209, timeoutAfter: new Date(Date.now() + 4 * 86_400_000) });
      expect(await waitFor(async () => ((await trainee(209)).trn ? trainee(209) : null))).toEqual({ state: 5, trn: '3012209', date_of_birth: '1998-08-08' });
      // Missing TRN, DQT does not know the trainee: register again (it starts polling), then the TRN arrives.
      await queues.enqueue('Dqt::RegisterForTrnJob', { traineeId: 210 });
      const after = await waitFor(async () => ((await trainee(210)).trn ? trainee(210) : null));
      expect(after.state).toBe(2);
      expect(after.trn).toMatch(/^\d{7}$/);
      // Timed-out polling: DQT's QTS unit resolves the pending request, then polling restarts.
      const request208 = await t.db.selectFrom('dqt_trn_requests').select(['id', 'request_id']).where('trainee_id', '=', 208).executeTakeFirstOrThrow();
      await admin.releaseTrnRequest(request208.request_id);
      await queues.enqueue('Dqt::RetrieveTrnJob', { trnRequestId: request208.id, traineeId: 208, timeoutAfter: new Date(Date.now() + 4 * 86_400_000) });
      expect((await waitFor(async () => ((await trainee(208)).trn ? trainee(208) : null))).state).toBe(2);
      // Failed update and award, once DQT is back: update first (skipped: the trainee is recommended for award), then the award.
      expect((await retry(211, 'Dqt::UpdateTraineeJob')).job!.returnvalue).toBe('skipped: trainee 211 is recommended_for_award');
      expect((await retry(211, 'Dqt::RecommendForAwardJob')).job!.returnvalue).toBe('awarded on 2025-06-18');
    } finally {
      await workers.close();
      await queues.close();
      await dqt.close();
    }
  });

  it('as a seed hook, reports rather than fails when the DQT sandbox is not running', async () => {
    const away = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, DQT_API_KEY: API_KEY, SUPPORT_DQT_SANDBOX_PORT: '1' });
    expect(await dqtDeadSetSeedHook.run(t.db, away)).toBe(
      'the dqt dead set was not seeded: the DQT sandbox at http://127.0.0.1:1 is not answering (ECONNREFUSED): start it with `support sandbox` or `support dqt-sandbox`',
    );
  });

  it('never runs against a real DQT', async () => {
    const external = loadConfig({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, DQT_API_URL: 'https://teacher-qualifications-api.education.gov.uk', DQT_API_KEY: 'real-key-123456' });
    expect(await seedDqtDeadSet(t.db, external)).toBe(
      'DQT scenario jobs not run: DQT_API_URL points at a real DQT, and scenario jobs only ever run against the DQT sandbox.',
    );
  });
});
