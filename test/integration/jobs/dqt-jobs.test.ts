import { Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../lib/config/env.js';
import { traineeState, trainingRoute, sex } from '../../../lib/db/enums.js';
import { createDqtClient, type DqtClient } from '../../../lib/dqt/client.js';
import { startDqtSandbox, type DqtSandbox } from '../../../lib/dqt/sandbox/server.js';
import { dqtSandboxSeed } from '../../../lib/dqt/sandbox/seed.js';
import { deadJobs } from '../../../lib/jobs/dead.js';
import { openJobQueues, type JobQueues } from '../../../lib/jobs/queues.js';
import { startJobWorkers, type JobWorkers } from '../../../lib/jobs/worker.js';
import { scenario, seed } from '../../../lib/sandbox/seed/index.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';

const API_KEY = 'jobs-test-dqt-key-93ab1c';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let t: TestDatabase;
let sandbox: DqtSandbox;
let dqt: DqtClient;
let queues: JobQueues;
let workers: JobWorkers;
let clock: Date | null = null;
const prefix = testRedisPrefix();

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
  sandbox = await startDqtSandbox({ apiKey: API_KEY, port: 0, seed: dqtSandboxSeed() });
  dqt = createDqtClient({ url: sandbox.url, apiKey: new Secret(API_KEY), db: t.db, timeoutMs: 30_000 });
  queues = openJobQueues({ url: REDIS_URL, prefix });
  workers = startJobWorkers({ redis: { url: REDIS_URL, prefix }, db: t.db, dqt, queues, now: () => clock ?? new Date(), concurrency: 2 });
});
afterAll(async () => {
  await workers?.close();
  if (queues) {
    for (const q of Object.values(queues.queues)) await q.obliterate({ force: true }).catch(() => undefined);
    await queues.close();
  }
  await dqt?.close();
  await sandbox?.stop();
  await t?.drop();
});
beforeEach(async () => {
  clock = null;
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});

/** Waits until the job is completed or failed; promotes retries (their backoff is minutes) when asked. */
async function settle(job: Job, options: { promote?: boolean } = {}): Promise<Job> {
  const deadline = Date.now() + 120_000;
  const queue = job.queueName === 'default' ? queues.queues.default : queues.queues.dqt;
  while (Date.now() < deadline) {
    const state = await queue.getJobState(job.id!);
    // Read the job after its state, so its failedReason and return value are there.
    if (state === 'completed' || state === 'failed') return (await Job.fromId(queue, job.id!))!;
    if (state === 'delayed' && options.promote) await (await Job.fromId(queue, job.id!))!.promote().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${job.name} #${job.id} did not settle`);
}

/** The newest job of this name for this trainee, in any state. */
async function latest(name: string, traineeId: number): Promise<Job | undefined> {
  const jobs = await queues.queues.dqt.getJobs(['wait', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
  return jobs
    .filter((j) => j && j.name === name && JSON.stringify(j.data).includes(`gid://register-trainee-teachers/Trainee/${traineeId}"`))
    .sort((a, b) => b.timestamp - a.timestamp || Number(b.id) - Number(a.id))[0];
}

async function waitFor<T>(read: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const trainee = (id: number) => t.db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audits = (id: number) =>
  t.db.selectFrom('audits').selectAll().where('auditable_type', '=', 'Trainee').where('auditable_id', '=', id).orderBy('version').execute();

let nextId = 1000;
async function draftTrainee(over: Record<string, unknown> = {}): Promise<number> {
  const id = nextId++;
  await t.db
    .insertInto('trainees')
    .values({
      id,
      slug: `jobsTestSlug${id}xxxxxxxxxx`.slice(0, 24),
      created_at: new Date(),
      updated_at: new Date(),
      state: traineeState.toDb('draft'),
      training_route: trainingRoute.toDb('provider_led_postgrad'),
      first_names: 'Quentin',
      last_name: `Unique${id}`,
      date_of_birth: '1995-05-05',
      email: `q${id}@example.com`,
      sex: sex.toDb('male'),
      provider_id: 1,
      itt_start_date: '2025-09-01',
      itt_end_date: '2026-07-17',
      course_subject_one: 'mathematics',
      course_min_age: 11,
      course_max_age: 16,
      progress: '{}',
      ...over,
    } as never)
    .execute();
  return id;
}

describe('the TRN lifecycle', () => {
  it('register stores the request and submits the trainee; polling receives the TRN; every change is audited', async () => {
    const id = await draftTrainee();
    const register = await queues.enqueue('Dqt::RegisterForTrnJob', { traineeId: id });
    expect((await settle(register)).returnvalue).toMatch(/^TRN requested \(request [0-9a-f-]{36}\); polling enqueued$/);

    const request = await t.db.selectFrom('dqt_trn_requests').selectAll().where('trainee_id', '=', id).executeTakeFirstOrThrow();
    // requested, or already received: the worker runs the polling job straight after the register job.
    expect([0, 1]).toContain(request.state);
    expect(request.response).toMatchObject({ requestId: request.request_id, status: 'Completed', potentialDuplicate: false });

    const received = await waitFor(async () => {
      const row = await trainee(id);
      return row.trn ? row : null;
    }, 'the TRN');
    expect(received.state).toBe(traineeState.toDb('trn_received'));
    expect(received.trn).toMatch(/^\d{7}$/);
    expect(await t.db.selectFrom('dqt_trn_requests').select('state').where('id', '=', request.id).executeTakeFirstOrThrow()).toEqual({ state: 1 });

    const rows = await audits(id);
    expect(rows.map((a) => [a.version, a.username, a.action, Object.keys(a.audited_changes as object).sort()])).toEqual([
      [1, 'DQT job', 'update', ['slug_sent_to_dqt_at', 'state', 'submitted_for_trn_at']],
      [2, 'DQT job', 'update', ['state', 'trn']],
    ]);
    expect((rows[0]!.audited_changes as Record<string, unknown>).state).toEqual([0, 1]);
    expect((rows[1]!.audited_changes as Record<string, unknown>).trn).toEqual([null, received.trn]);
    expect(rows.every((a) => a.associated_type === 'Provider' && a.associated_id === 1 && a.request_uuid?.startsWith('Dqt::'))).toBe(true);

    // Polling carried the TRN request's GlobalID first and the trainee's beside it.
    const poll = (await latest('Dqt::RetrieveTrnJob', id))!;
    expect(poll.data).toEqual({
      job_class: 'Dqt::RetrieveTrnJob',
      arguments: [{ _aj_globalid: `gid://register-trainee-teachers/Dqt::TrnRequest/${request.id}` }, expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/)],
      trainee: { _aj_globalid: `gid://register-trainee-teachers/Trainee/${id}` },
    });
  });

  it('a pending request is polled hourly until DQT completes it; past the timeout the job dies with Register\'s text', async () => {
    // Same names and date of birth as a seeded teacher: DQT holds it as a potential duplicate.
    const id = await draftTrainee({ first_names: 'Aisha', last_name: 'Bello', date_of_birth: '1994-02-11', email: 'aisha.b@example.com' });
    await settle(await queues.enqueue('Dqt::RegisterForTrnJob', { traineeId: id }));
    const pendingPoll = await waitFor(async () => {
      const job = await latest('Dqt::RetrieveTrnJob', id);
      return job && (await job.getState()) === 'delayed' && job.data.arguments[1] ? job : null;
    }, 'an hourly poll');
    expect(pendingPoll.opts.delay).toBe(3_600_000);
    const row = await trainee(id);
    expect(pendingPoll.data.arguments[1]).toBe(new Date(Date.parse(row.submitted_for_trn_at!) + 4 * 86_400_000).toISOString());
    expect(row.state).toBe(traineeState.toDb('submitted_for_trn'));

    // Past the timeout: the next poll dies, not retried.
    clock = new Date(Date.parse(row.submitted_for_trn_at!) + 5 * 86_400_000);
    const dead = await settle(pendingPoll, { promote: true });
    expect(dead.failedReason).toBe(`Dqt::RetrieveTrnJob for Trainee id: ${id} has timed out after 4 days`);
    expect(await dead.getState()).toBe('failed');

    // The playbook's restart: a new poll with a timeout in the future, after DQT releases the request.
    const request = await t.db.selectFrom('dqt_trn_requests').selectAll().where('trainee_id', '=', id).executeTakeFirstOrThrow();
    await fetch(`${sandbox.url}/_sandbox/trn-requests/${request.request_id}/release`, { method: 'POST', body: '{}' });
    clock = null;
    const restart = await queues.enqueue('Dqt::RetrieveTrnJob', { trnRequestId: request.id, traineeId: id, timeoutAfter: new Date(Date.now() + 4 * 86_400_000) });
    expect((await settle(restart)).returnvalue).toMatch(/^TRN \d{7} received$/);
    expect((await trainee(id)).state).toBe(traineeState.toDb('trn_received'));
  });

  it('a failed TRN request is stored as failed with Register\'s error text and enqueues no polling', async () => {
    const id = await draftTrainee();
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ path: '/v2/trn-requests/*', kind: '500', count: 1 }) });
    const job = await settle(await queues.enqueue('Dqt::RegisterForTrnJob', { traineeId: id }));
    expect(await job.getState()).toBe('completed');
    const request = await t.db.selectFrom('dqt_trn_requests').selectAll().where('trainee_id', '=', id).executeTakeFirstOrThrow();
    expect(request.state).toBe(2);
    expect(request.response).toEqual({ error: 'status: 500, body: ' });
    expect((await trainee(id)).state).toBe(traineeState.toDb('submitted_for_trn'));
    expect(await latest('Dqt::RetrieveTrnJob', id)).toBeUndefined();
  });
});

describe('update, award and withdraw', () => {
  it('the race: an award that lands before the update leaves the update dead with the QTS message', async () => {
    const s = scenario('dqt-server-error-500');
    const row = await trainee(201);
    await dqt.awardTrainee(row.trn!, row.date_of_birth, s.slug!, { ittProviderUkprn: '10099001', outcome: 'Pass', assessmentDate: '2025-06-18' });
    const job = await settle(await queues.enqueue('Dqt::UpdateTraineeJob', { traineeId: 201 }));
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(
      /^status: 400, body: \{"type":"https:\/\/tools.ietf.org\/html\/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":\{"initialTeacherTraining.programmeType":\["Teacher already has QTS\/EYTS date"\]\},"traceId":"[^"]+"\}$/,
    );
    const dead = (await deadJobs(queues.queues.dqt)).find((d) => d.id === job.id)!;
    expect(dead).toMatchObject({ name: 'Dqt::UpdateTraineeJob', traineeId: 201, errorClass: 'Dqt::Client::HttpError', attemptsMade: 1, attempts: 1 });
  });

  it('update refuses without a TRN, as Dqt::TraineeUpdate::TraineeUpdateMissingTrn', async () => {
    const job = await settle(await queues.enqueue('Dqt::UpdateTraineeJob', { traineeId: 209 }));
    expect(job.failedReason).toBe('Cannot update trainee on DQT without a trn (id: 209)');
    expect(job.stacktrace[0]).toMatch(/^Dqt::TraineeUpdate::TraineeUpdateMissingTrn: Cannot update trainee on DQT without a trn \(id: 209\)/);
  });

  it('update skips trainees that are not submitted_for_trn, trn_received or deferred', async () => {
    const job = await settle(await queues.enqueue('Dqt::UpdateTraineeJob', { traineeId: 211 }));
    expect(job.returnvalue).toBe('skipped: trainee 211 is recommended_for_award');
    expect(sandbox.calls.get('PATCH /v2/teachers/update/3012211')).toBeUndefined();
  });

  it('award: 500 then success on retry; stores DQT\'s QTS date and moves the trainee to awarded, audited', async () => {
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ path: '/v2/teachers/3012211/itt-outcome', kind: '500', count: 1 }) });
    const job = await queues.enqueue('Dqt::RecommendForAwardJob', { traineeId: 211 });
    const done = await settle(job, { promote: true });
    expect(await done.getState()).toBe('completed');
    expect(done.attemptsMade).toBe(2);
    expect(done.returnvalue).toBe('awarded on 2025-06-18');
    const row = await trainee(211);
    expect(row.state).toBe(traineeState.toDb('awarded'));
    expect(row.awarded_at).toBe('2025-06-18T00:00:00.000000Z');
    const last = (await audits(211)).at(-1)!;
    expect(last.username).toBe('DQT job');
    expect(last.audited_changes).toEqual({ awarded_at: [null, '2025-06-18T00:00:00.000Z'], state: [3, 6] });
  });

  it('withdraw waits an hour on its first run, then sends ITT outcome Withdrawn', async () => {
    const first = await settle(await queues.enqueue('Dqt::WithdrawTraineeJob', { traineeId: 201 }));
    expect(first.returnvalue).toMatch(/^first run: withdrawal sent in 1 h/);
    const later = (await latest('Dqt::WithdrawTraineeJob', 201))!;
    expect(later.opts.delay).toBe(3_600_000);
    const done = await settle(later, { promote: true });
    expect(done.returnvalue).toBe('withdrawal sent to DQT for TRN 3012201');
    expect(sandbox.store.persons.find((p) => p.trn === '3012201')!.initialTeacherTraining[0]!.result).toBe('Withdrawn');
  });
});

describe('the Apply jobs', () => {
  it('run on the default queue and say what they did', async () => {
    const importJob = await queues.enqueue('import_applications_from_apply', { fromDate: '2024-10-01' });
    expect(importJob.queueName).toBe('default');
    expect(importJob.data).toEqual({ job_class: 'RecruitsApi::ImportApplicationsJob', arguments: [{ from_date: '2024-10-01', recruitment_cycle_years: null }] });
    expect((await settle(importJob)).returnvalue).toMatch(/^RecruitsApi::ImportApplicationsJob ran: Apply \(the Recruits API\) is not reachable/);
    const create = await settle(await queues.enqueue('create_trainees_from_apply', {}));
    expect(create.returnvalue).toMatch(/^Trainees::CreateFromApplyJob ran: \d+ importable application\(s\) of opted-in providers/);
  });
});

describe('a wrong DQT key', () => {
  it('kills the job with status 401, and the worker says what it means without printing the key', async () => {
    const wrongKey = 'wrong-worker-key-88e1';
    const otherPrefix = testRedisPrefix();
    const otherQueues = openJobQueues({ url: REDIS_URL, prefix: otherPrefix });
    const wrongDqt = createDqtClient({ url: sandbox.url, apiKey: new Secret(wrongKey), db: t.db });
    const otherWorkers = startJobWorkers({ redis: { url: REDIS_URL, prefix: otherPrefix }, db: t.db, dqt: wrongDqt, queues: otherQueues, queueNames: ['dqt'] });
    const lines: string[] = [];
    otherWorkers.onEvent((line) => lines.push(line));
    try {
      const job = await otherQueues.enqueue('Dqt::UpdateTraineeJob', { traineeId: 201 });
      await waitFor(async () => (await otherQueues.queues.dqt.getJobState(job.id!)) === 'failed', 'the job to die');
      await waitFor(async () => lines.length > 0, 'the worker line');
      expect(lines[0]).toBe(`dqt Dqt::UpdateTraineeJob #${job.id} DEAD: status: 401, body:  (DQT refused the API key (401): DQT_API_KEY is wrong, expired or missing.)`);
      expect(lines.join('\n')).not.toContain(wrongKey);
    } finally {
      await otherWorkers.close();
      await otherQueues.queues.dqt.obliterate({ force: true }).catch(() => undefined);
      await otherQueues.close();
      await wrongDqt.close();
    }
  });
});

describe('inspecting the objects in a notebook', () => {
  it('shows neither the DQT key nor a Redis password', async () => {
    const { inspect } = await import('node:util');
    const withPassword = openJobQueues({ url: 'redis://:s3cret-pass@127.0.0.1:6390', prefix });
    expect(inspect(withPassword)).toBe(`JobQueues(dqt, trs, default on redis://:*****@127.0.0.1:6390, prefix ${prefix})`);
    expect(JSON.stringify(withPassword)).not.toContain('s3cret-pass');
    await withPassword.close();
    expect(inspect(dqt)).toBe(`DqtClient(${sandbox.url}, timeout 30 s)`);
    expect(inspect(dqt, { showHidden: true, depth: 5 })).not.toContain(API_KEY);
  });
});

describe('Redis out of reach', () => {
  it('fails fast with a clear message instead of waiting for ever', async () => {
    const away = openJobQueues({ url: 'redis://127.0.0.1:6390', prefix });
    const started = Date.now();
    await expect(away.ensureReachable(300)).rejects.toThrow('Cannot reach Redis at redis://127.0.0.1:6390 (ECONNREFUSED) within 0.3 s: start Redis or check REDIS_URL.');
    expect(Date.now() - started).toBeLessThan(30_000); // not for ever (a bound, not a speed target)
    await away.close();
  });
});

describe('job data', () => {
  it('is Register-shaped, validated, and never holds the API key', async () => {
    await expect(queues.enqueue('Dqt::UpdateTraineeJob', { traineeId: 0 })).rejects.toThrow('Dqt::UpdateTraineeJob: traineeId must be a record id (a whole number from 1), got 0.');
    const bad = await queues.queues.dqt.add('Dqt::UpdateTraineeJob', { job_class: 'Dqt::UpdateTraineeJob', arguments: [{ _aj_globalid: 'gid://register/Provider/1' }] });
    const failed = await settle(bad);
    expect(failed.failedReason).toBe('The data of this Dqt::UpdateTraineeJob job is not what the job expects: arguments.0: expected a Trainee GlobalID');

    const all = await queues.queues.dqt.getJobs(['wait', 'delayed', 'active', 'completed', 'failed']);
    expect(all.length).toBeGreaterThan(5);
    for (const job of all) {
      const text = JSON.stringify({ data: job.data, failedReason: job.failedReason, stacktrace: job.stacktrace, returnvalue: job.returnvalue, opts: job.opts });
      expect(text).not.toContain(API_KEY);
    }
  });
});
