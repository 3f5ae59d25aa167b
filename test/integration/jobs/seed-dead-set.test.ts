import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../lib/config/env.js';
import { startDqtSandbox, type DqtSandbox } from '../../../lib/dqt/sandbox/server.js';
import { dqtSandboxSeed } from '../../../lib/dqt/sandbox/seed.js';
import { deadJobs } from '../../../lib/jobs/dead.js';
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
