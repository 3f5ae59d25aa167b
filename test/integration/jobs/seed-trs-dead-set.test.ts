import { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../lib/config/env.js';
import { traineeState } from '../../../lib/db/enums.js';
import { createDqtClient } from '../../../lib/dqt/client.js';
import { startJobWorkers } from '../../../lib/jobs/worker.js';
import { createTrsClient } from '../../../lib/trs/client.js';
import { trsSandboxAdmin } from '../../../lib/trs/sandbox/admin.js';
import { deadJobs, type DeadJob } from '../../../lib/jobs/dead.js';
import { openJobQueues } from '../../../lib/jobs/queues.js';
import { dqtDeadSetSeedHook, seedDqtDeadSet } from '../../../lib/jobs/seed-dead-set.js';
import { seedTrsDeadSet, trsDeadSetSeedHook } from '../../../lib/jobs/seed-trs-dead-set.js';
import { decodeSidekiqJob } from '../../../lib/queues/sidekiq/payload.js';
import { seedSidekiqSandbox } from '../../../lib/queues/sidekiq/sandbox.js';
import { scenario, seed } from '../../../lib/sandbox/seed/index.js';
import { TRS_SCENARIO_RUNS } from '../../../lib/sandbox/seed/trs.js';
import { startTrsSandbox, type TrsSandbox } from '../../../lib/trs/sandbox/server.js';
import { trsSandboxSeed } from '../../../lib/trs/sandbox/seed.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';
import { claimRedisDatabase, startRealSidekiq, waitFor as sidekiqWaitFor } from '../../helpers/sidekiq.js';

/**
 * Today's Register (schema 2026-08) in the sandbox: each TRS scenario's job runs once through the real processor and
 * TRS client against the real TRS sandbox server, and dies with Register's error class and text; the Sidekiq-shaped
 * copy holds them as Register's Sidekiq stores them.
 */
const API_KEY = 'seed-test-trs-key-7c21a9';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let t: TestDatabase;
let sandbox: TrsSandbox;
let config: Config;
const prefix = testRedisPrefix();

beforeAll(async () => {
  t = await createTestDatabase({ version: '2026-08' });
  await seed(t.db);
  sandbox = await startTrsSandbox({ apiKey: API_KEY, port: 0, seed: trsSandboxSeed() });
  config = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, TRS_API_KEY: API_KEY, SUPPORT_TRS_SANDBOX_PORT: String(sandbox.port) });
}, 120_000);
afterAll(async () => {
  const queues = openJobQueues({ url: REDIS_URL, prefix });
  for (const q of Object.values(queues.queues)) await q.obliterate({ force: true }).catch(() => undefined);
  await queues.close();
  await sandbox?.stop();
  await t?.drop();
});

async function deadSet(queue: 'trs' | 'dqt'): Promise<DeadJob[]> {
  const queues = openJobQueues(config.redis);
  try {
    return await deadJobs(queues.queues[queue]);
  } finally {
    await queues.close();
  }
}

async function waitFor<T>(read: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + 120_000; // jobs settle late on a busy machine
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting');
}

/** The error class each run must die with: Register's (the timeout's is the toolkit's, Register raises none). */
function expectedClass(run: (typeof TRS_SCENARIO_RUNS)[number]): string {
  if (run.job === 'Trs::RetrieveTrnJob') return run.expectedError.startsWith('status: ') ? 'Trs::Client::HttpError' : 'Trs::RetrieveTrnJob::Timeout';
  if (run.expectedError.startsWith('Cannot update professional status')) return 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn';
  if (run.job === 'Trs::UpdateProfessionalStatusJob') return 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError';
  return 'Trs::UpdatePersonalData::PersonUpdateError';
}

const HEADERS = /, headers: \{.*\}$/s;

describe('the seeded trs dead set of a TRS-era Register', () => {
  it('holds one dead job per TRS scenario run, each with its expected error class and text, produced by the real client', async () => {
    expect(await seedTrsDeadSet(t.db, config)).toBe(`${TRS_SCENARIO_RUNS.length} TRS scenario jobs are in the trs dead set.`);
    const dead = await deadSet('trs');
    expect(dead).toHaveLength(TRS_SCENARIO_RUNS.length);
    for (const run of TRS_SCENARIO_RUNS) {
      const found = dead.filter((d) => d.traineeId === run.traineeId && d.name === run.job);
      expect(found, `${run.scenario} ${run.job}`).toHaveLength(1);
      expect(found[0]!.error.startsWith(run.expectedError), `${run.scenario}: ${found[0]!.error}`).toBe(true);
      expect(found[0]!.errorClass, run.scenario).toBe(expectedClass(run));
    }
    const errorOf = (traineeId: number, job: string) => dead.find((d) => d.traineeId === traineeId && d.name === job)!;
    // TRS's own answers, as Register's HttpError writes them: the body, then the response headers in Ruby's form.
    expect(errorOf(402, 'Trs::UpdateTraineeJob').error).toMatch(/^Error updating personal data: status: 404, body: \{[^}]*"errorCode":10001[^}]*\}, headers: \{/);
    expect(errorOf(406, 'Trs::UpdateProfessionalStatusJob').error).toMatch(/^Error updating professional status: status: 400, body: \{.*10048.*\}, headers: \{/s);
    expect(errorOf(412, 'Trs::RetrieveTrnJob').error).toMatch(/^status: 400, body: \{.*"errorCode":10062.*\}, headers: \{/s);
    expect(errorOf(413, 'Trs::UpdateTraineeJob').error).toMatch(/"errorCode":10057/);
    expect(errorOf(414, 'Trs::UpdateProfessionalStatusJob').error).toMatch(/"errorCode":10054/);
    expect(errorOf(401, 'Trs::UpdateTraineeJob').error).toMatch(/^Error updating personal data: status: 500, body: , headers: \{/);
    expect(errorOf(409, 'Trs::UpdateProfessionalStatusJob').error).toBe(
      `Cannot update professional status on TRS without a TRN\nslug: ${scenario('trs-update-missing-trn-known-to-trs').slug}\nid: 409\nhttps://www.register-trainee-teachers.service.gov.uk/trainees/${scenario('trs-update-missing-trn-known-to-trs').slug}\n`,
    );
    expect(errorOf(408, 'Trs::RetrieveTrnJob').error).toBe(`Trs::RetrieveTrnJob for Trainee with slug: ${scenario('trs-retrieve-trn-timeout').slug} has timed out after 4 days.`);
    // Register's retry settings: UpdateProfessionalStatus 25 retries (26 runs), RetrieveTrn 10, UpdateTrainee none; the timeout is final.
    expect(dead.map((d) => `${d.traineeId} ${d.name} ${d.attemptsMade}/${d.attempts}`).sort()).toEqual(
      [
        '401 Trs::UpdateTraineeJob 1/1',
        '402 Trs::UpdateTraineeJob 1/1',
        '403 Trs::UpdateProfessionalStatusJob 26/26',
        '404 Trs::UpdateProfessionalStatusJob 26/26',
        '405 Trs::UpdateProfessionalStatusJob 26/26',
        '406 Trs::UpdateProfessionalStatusJob 26/26',
        '408 Trs::RetrieveTrnJob 1/11',
        '409 Trs::UpdateProfessionalStatusJob 26/26',
        '410 Trs::UpdateProfessionalStatusJob 26/26',
        '411 Trs::UpdateProfessionalStatusJob 26/26',
        '411 Trs::UpdateTraineeJob 1/1',
        '412 Trs::RetrieveTrnJob 11/11',
        '413 Trs::UpdateTraineeJob 1/1',
        '414 Trs::UpdateProfessionalStatusJob 26/26',
      ].sort(),
    );
    // The RetrieveTrn jobs carry Today's TRN request model, Trs::TrnRequest, and the trainee beside it.
    const request412 = await t.db.selectFrom('trs_trn_requests').select('id').where('trainee_id', '=', 412).executeTakeFirstOrThrow();
    expect(errorOf(412, 'Trs::RetrieveTrnJob').data).toMatchObject({
      job_class: 'Trs::RetrieveTrnJob',
      arguments: [{ _aj_globalid: `gid://register-trainee-teachers/Trs::TrnRequest/${request412.id}` }, expect.stringMatching(/^2\d{3}-/)],
      trainee: { _aj_globalid: 'gid://register-trainee-teachers/Trainee/412' },
    });
    expect(JSON.stringify(dead)).not.toContain(API_KEY);
    // The trainee whose update ran while trn_received is back in its seeded state; 405 was not awarded.
    const states = await t.db.selectFrom('trainees').select(['id', 'state', 'awarded_at']).where('id', 'in', [405, 411]).orderBy('id').execute();
    expect(states).toEqual([
      { id: 405, state: 3, awarded_at: null },
      { id: 411, state: 3, awarded_at: null },
    ]);
  }, 300_000);

  it('seeding again replaces the scenario jobs instead of adding more', async () => {
    expect(await trsDeadSetSeedHook.run(t.db, config)).toBe(`${TRS_SCENARIO_RUNS.length} TRS scenario jobs are in the trs dead set.`);
    const dead = await deadSet('trs');
    expect(dead).toHaveLength(TRS_SCENARIO_RUNS.length);
    expect(new Set(dead.map((d) => `${d.traineeId} ${d.name}`)).size).toBe(TRS_SCENARIO_RUNS.length);
  }, 300_000);

  it('the DQT hook does nothing on this Register', async () => {
    expect(await seedDqtDeadSet(t.db, config)).toBe(
      'DQT scenario jobs not run: this Register (TRS era (2026-08), migration 20260609164710) talks to TRS and has no Dqt:: jobs; its dead set is seeded by trs-dead-set.',
    );
    expect(await dqtDeadSetSeedHook.run(t.db, config)).toMatch(/^DQT scenario jobs not run: this Register .* talks to TRS/);
    expect(await deadSet('dqt')).toEqual([]);
  });

  it('the Sidekiq-shaped sets hold the Trs:: dead jobs as Register\'s Sidekiq stores them, on queue trs', async () => {
    const claim = await claimRedisDatabase();
    const url = `${REDIS_URL}/${claim.db}`;
    const redis = new Redis(url);
    try {
      const bullmq = await deadSet('trs');
      // The era is read from the BullMQ queues when not given: only trs has dead jobs.
      expect(await seedSidekiqSandbox(config.redis, url, { now: new Date('2026-12-01T10:00:00Z') })).toBe(
        `The sandbox's Sidekiq database (${url}) holds ${TRS_SCENARIO_RUNS.length} dead and 2 retrying Register-shaped jobs (QUEUE_BACKEND=sidekiq REDIS_URL=${url} to look at them).`,
      );
      expect(await redis.smembers('queues')).toEqual(['trs']);
      const entries = (await redis.zrange('dead', 0, -1)).map(decodeSidekiqJob);
      expect(entries).toHaveLength(TRS_SCENARIO_RUNS.length);
      const retries: Record<string, number | boolean> = { 'Trs::UpdateTraineeJob': 0, 'Trs::UpdateProfessionalStatusJob': true, 'Trs::RetrieveTrnJob': 10 };
      for (const job of entries) {
        // Register's RetrieveTrnJob carries the TRN request only (its trainee is found through the request).
        const requestOf = (d: DeadJob) => Number(/\/Trs::TrnRequest\/(\d+)$/.exec((d.data as { arguments: { _aj_globalid?: string }[] }).arguments[0]?._aj_globalid ?? '')?.[1] ?? NaN);
        const twin = bullmq.find((d) => d.name === job.jobClass && (job.jobClass === 'Trs::RetrieveTrnJob' ? requestOf(d) === job.trnRequestId && job.traineeId === null : d.traineeId === job.traineeId))!;
        expect(twin, `${job.jobClass} ${job.traineeId}`).toBeDefined();
        expect(job).toMatchObject({ sidekiqClass: 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', queue: 'trs', jid: expect.stringMatching(/^[0-9a-f]{24}$/) });
        expect(job.activeJob).toMatchObject({ queueName: 'trs', locale: 'en' });
        expect(job.retry).toBe(retries[job.jobClass!]);
        expect(job.retryCount).toBe(job.retry === true ? 25 : job.retry);
        // Register's class and text, the headers once (the TRS client's HttpError already carries them).
        expect(job.errorClass).toBe(twin.errorClass);
        expect(job.errorMessage).toBe(twin.error);
        expect(job.errorMessage!.match(/, headers: /g)?.length ?? 0).toBe(/status: \d+, body: /.test(twin.error) ? 1 : 0);
        if (job.errorMessage!.includes('status: ')) expect(job.errorMessage).toMatch(HEADERS);
        // The record arguments are Register's GlobalIDs; the toolkit's extra trainee is not in Register's payload.
        expect(job.raw).not.toContain('"trainee"');
      }
      // UpdateProfessionalStatusJob spends about 20.4 days in retry before it dies.
      const award = entries.find((e) => e.jobClass === 'Trs::UpdateProfessionalStatusJob' && e.traineeId === 405)!;
      expect((award.retriedAt! - award.failedAt!) / 86_400_000).toBeCloseTo(20.4, 1);
      // The rejected TRN request: retry_on's five tries in the last run, the TRN request as Trs::TrnRequest, the timeout as a TimeWithZone.
      const rejected = entries.find((e) => e.jobClass === 'Trs::RetrieveTrnJob' && e.errorClass === 'Trs::Client::HttpError')!;
      expect(rejected.activeJob).toMatchObject({ executions: 4, exceptionExecutions: { '[Trs::Client::HttpError]': 4 } });
      expect(rejected.activeJob!.arguments.map((a) => a.type)).toEqual(['record', 'time']);
      expect(rejected.activeJob!.arguments[0]).toMatchObject({ model: 'Trs::TrnRequest' });
      expect(rejected.http).toMatchObject({ status: 400 });
      // Retrying: award jobs of today's Register after a TRS 500.
      const retrying = (await redis.zrange('retry', 0, -1)).map(decodeSidekiqJob);
      expect(retrying.map((r) => [r.jobClass, r.queue, r.traineeId, r.errorClass, r.errorMessage!.replace(HEADERS, '')])).toEqual([
        ['Trs::UpdateProfessionalStatusJob', 'trs', 4, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'Error updating professional status: status: 500, body: '],
        ['Trs::UpdateProfessionalStatusJob', 'trs', 11, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'Error updating professional status: status: 500, body: '],
      ]);
      // Ruby 3.4's Hash#inspect, as Register's HttpError message holds the headers today.
      for (const r of retrying) expect(r.errorMessage).toMatch(/, headers: \{"date" => \["[^"]+ GMT"\], "content-type" => \["application\/problem\+json; charset=utf-8"\]\}$/);
    } finally {
      redis.disconnect();
      await claim.release();
    }
  });

  it("the worker runs the trs queue, and the playbook's fixes work on the seeded TRS scenarios", async () => {
    const queues = openJobQueues(config.redis);
    const trs = createTrsClient({ url: config.trs.url, apiKey: config.trs.apiKey });
    const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db: t.db });
    const workers = startJobWorkers({ redis: config.redis, db: t.db, dqt, trs, queues });
    const admin = trsSandboxAdmin(config);
    const retry = async (traineeId: number, name: string) => {
      const dead = (await deadJobs(queues.queues.trs)).find((d) => d.traineeId === traineeId && d.name === name)!;
      await (await Job.fromId(queues.queues.trs, dead.id))!.retry('failed');
      return waitFor(async () => {
        const state = await queues.queues.trs.getJobState(dead.id);
        return state === 'completed' || state === 'failed' ? { state, job: await Job.fromId(queues.queues.trs, dead.id) } : null;
      });
    };
    const trainee = (id: number) => t.db.selectFrom('trainees').select(['state', 'trn', 'awarded_at']).where('id', '=', id).executeTakeFirstOrThrow();
    try {
      expect(workers.workers.map((w) => w.name)).toEqual(['dqt', 'trs', 'default']);
      // 500: run it again.
      expect((await retry(401, 'Trs::UpdateTraineeJob')).job!.returnvalue).toBe('personal data sent to TRS for TRN 3012401');
      // Organisation not found (10048): TRS adds the UKPRN, then the job runs again.
      await admin.addOrganisation('10099041', 'Brook Hill Training Partnership');
      expect((await retry(406, 'Trs::UpdateProfessionalStatusJob')).state).toBe('completed');
      // Failed update and award, once TRS is back: the award job runs again, and Register awards with its own outcome date.
      expect((await retry(411, 'Trs::UpdateProfessionalStatusJob')).job!.returnvalue).toBe('professional status sent to TRS for TRN 3012411; awarded on Register on 2026-06-18');
      expect(await trainee(411)).toEqual({ state: traineeState.toDb('awarded'), trn: '3012411', awarded_at: '2026-06-18T00:00:00.000000Z' });
      // Missing TRN, TRS completed the request: poll again with a timeout in the future; the TRN arrives and the route follows.
      const request409 = await t.db.selectFrom('trs_trn_requests').select('id').where('trainee_id', '=', 409).executeTakeFirstOrThrow();
      await queues.enqueue('Trs::RetrieveTrnJob', { trnRequestId: request409.id, traineeId: 409, timeoutAfter: new Date(Date.now() + 4 * 86_400_000) });
      expect(await waitFor(async () => ((await trainee(409)).trn ? trainee(409) : null))).toMatchObject({ state: traineeState.toDb('deferred'), trn: '3012409' });
    } finally {
      await workers.close();
      await queues.close();
      await trs.close();
      await dqt.close();
    }
  }, 300_000);

  it('as a seed hook, reports rather than fails when the TRS sandbox is not running', async () => {
    const away = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, TRS_API_KEY: API_KEY, SUPPORT_TRS_SANDBOX_PORT: '1' });
    expect(await trsDeadSetSeedHook.run(t.db, away)).toBe(
      'the trs dead set was not seeded: the TRS sandbox at http://127.0.0.1:1 is not answering (ECONNREFUSED): start it with `support sandbox` or `support trs-sandbox`',
    );
  });

  it('never runs against a real TRS', async () => {
    const external = loadConfig({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, TRS_API_URL: 'https://teacher-qualifications-api.education.gov.uk', TRS_API_KEY: 'real-key-123456' });
    expect(await seedTrsDeadSet(t.db, external)).toBe('TRS scenario jobs not run: TRS_API_URL points at a real TRS, and scenario jobs only ever run against the TRS sandbox.');
  });
});

describe('the trs-dead-set hook on a DQT-era Register', () => {
  it('does nothing on schema 2024-08', async () => {
    const old = await createTestDatabase({ version: '2024-08' });
    try {
      const oldConfig = loadConfig({ DATABASE_URL: old.url, REDIS_URL, REDIS_PREFIX: prefix, TRS_API_KEY: API_KEY, SUPPORT_TRS_SANDBOX_PORT: String(sandbox.port) });
      const before = (await deadSet('trs')).map((d) => d.id).sort();
      expect(await trsDeadSetSeedHook.run(old.db, oldConfig)).toMatch(/^TRS scenario jobs not run: this Register \(DQT era \(2024-08\).*\) talks to DQT and has no Trs:: jobs; its dead set is seeded by dqt-dead-set\.$/);
      expect((await deadSet('trs')).map((d) => d.id).sort()).toEqual(before);
    } finally {
      await old.drop();
    }
  });
});

describe('the Sidekiq-shaped copy beside a real Sidekiq', () => {
  it('stores a dead Trs:: job with the keys, values and ActiveJob hash a real Sidekiq writes for the same failure', async () => {
    // The fixes above changed the scenario trainees: a seed puts them back, then its hook runs, as `support db seed` does.
    await seed(t.db);
    expect(await seedTrsDeadSet(t.db, config)).toBe(`${TRS_SCENARIO_RUNS.length} TRS scenario jobs are in the trs dead set.`);
    const claim = await claimRedisDatabase();
    const url = `${REDIS_URL}/${claim.db}`;
    const redis = new Redis(url);
    const sk = await startRealSidekiq({ queues: ['trs'] });
    try {
      await seedSidekiqSandbox(config.redis, url, { api: 'trs' });
      // The same failure through Debian's Sidekiq running Register's Trs::UpdateTraineeJob (retry: 0): dead at once.
      await sk.behave('Trs::UpdateTraineeJob/Trainee/401', { raise: 'Trs::UpdatePersonalData::PersonUpdateError', status: 500, body: '' });
      await sk.enqueue([{ job: 'Trs::UpdateTraineeJob', args: [{ gid: 'Trainee/401' }] }]);
      await sidekiqWaitFor('the real job to die', async () => (await sk.redis.zcard('dead')) === 1);
      const real = JSON.parse((await sk.redis.zrange('dead', 0, -1))[0]!) as Record<string, unknown>;
      const ours = (await redis.zrange('dead', 0, -1)).map((raw) => JSON.parse(raw) as Record<string, unknown>).find((p) => p.wrapped === 'Trs::UpdateTraineeJob' && JSON.stringify(p.args).includes('/Trainee/401"'))!;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(real).sort());
      const pick = (p: Record<string, unknown>) => ({ class: p.class, wrapped: p.wrapped, queue: p.queue, retry: p.retry, retry_count: p.retry_count, error_class: p.error_class });
      expect(pick(ours)).toEqual(pick(real));
      expect(pick(ours)).toEqual({ class: 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', wrapped: 'Trs::UpdateTraineeJob', queue: 'trs', retry: 0, retry_count: 0, error_class: 'Trs::UpdatePersonalData::PersonUpdateError' });
      const strip = (m: unknown) => String(m).replace(HEADERS, '');
      expect(strip(ours.error_message)).toBe(strip(real.error_message));
      const aj = (p: Record<string, unknown>) => (p.args as Record<string, unknown>[])[0]!;
      // Sidekiq 6.4.1 with ActiveJob 6.1 writes no scheduled_at; Register's Rails 8 does.
      expect(Object.keys(aj(ours)).filter((k) => k !== 'scheduled_at').sort()).toEqual(Object.keys(aj(real)).filter((k) => k !== 'scheduled_at').sort());
      expect([aj(ours).job_class, aj(ours).queue_name, aj(ours).arguments, aj(ours).executions]).toEqual([aj(real).job_class, aj(real).queue_name, aj(real).arguments, aj(real).executions]);
    } finally {
      await sk.stop();
      redis.disconnect();
      await claim.release();
    }
  }, 300_000);
});
