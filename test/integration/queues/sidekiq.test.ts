import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordArgument, timeArgument } from '../../../lib/queues/activejob.js';
import { commitJobPlan, planDeletes, planKills, planReenqueue, planRegisterCleanup, planRestartPolling, planReregister, planRetries, readLedger } from '../../../lib/queues/actions.js';
import { openJobStore } from '../../../lib/queues/open.js';
import { describeJobStore } from '../../../lib/queues/describe.js';
import { decodeSidekiqJob } from '../../../lib/queues/sidekiq/payload.js';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import type { JobEntry } from '../../../lib/queues/store.js';
import { PlanRefusedError } from '../../../lib/plan/errors.js';
import { scanTriage, type TriageRecord } from '../../../lib/triage/triage.js';
import { claimRedisDatabase, startRealSidekiq, waitFor, type RealSidekiq } from '../../helpers/sidekiq.js';

/**
 * The Sidekiq backend against a real Sidekiq: Debian's ruby-sidekiq 6.4.1 running test/sidekiq/app.rb (Register's job
 * class names, queues and retry options, GlobalID arguments, the playbook's error texts built as Register builds them)
 * on a Redis database of this file's own. The toolkit must read the entries Sidekiq wrote exactly, and a job it
 * retries or enqueues must be performed by that Sidekiq with the right arguments, once.
 */
const GID = 'gid://register-trainee-teachers';
const HTTP = 'Dqt::Client::HttpError';
const NOT_FOUND = '{"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}';
let sk: RealSidekiq;
let store: SidekiqJobStore;
let config: { operator: string; writesAllowed: boolean; redis: { url: string; prefix: string; backend: 'sidekiq' } };

beforeAll(async () => {
  sk = await startRealSidekiq({ queues: ['dqt', 'trs', 'default'] });
  store = new SidekiqJobStore(new Redis(sk.url, { maxRetriesPerRequest: null }), { url: sk.url, deadSet: { maxJobs: 100_000, timeoutSeconds: 15_552_000 } });
  config = { operator: 'Sam Sidekiq', writesAllowed: true, redis: { url: sk.url, prefix: 'bull', backend: 'sidekiq' } };
}, 120_000);
afterAll(async () => {
  await store?.close();
  await sk?.stop();
});

const fail500 = { raise: HTTP, status: 500, body: '' };
const scanAll = async (states: string[]) => {
  const out: JobEntry[] = [];
  for await (const batch of store.scan({ states })) out.push(...batch);
  return out;
};
const triage = async (states = ['dead']) => {
  const out: TriageRecord[] = [];
  for await (const batch of scanTriage(store, { states })) out.push(...batch);
  return out;
};
const deadOf = async (traineeId: number, jobName = 'Dqt::UpdateTraineeJob') => (await triage()).filter((r) => r.traineeId === traineeId && r.jobName === jobName);
const waitDead = (what: string, traineeId: number, count = 1, jobName = 'Dqt::UpdateTraineeJob') =>
  waitFor(what, async () => ((await deadOf(traineeId, jobName)).length >= count ? true : null), 60_000, () => sk.log());
const performedOf = async (jid: string) => (await sk.performed()).filter((p) => p.jid === jid);

describe('reading what the real Sidekiq wrote', () => {
  let members: { raw: string; score: string }[];
  beforeAll(async () => {
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/201', fail500);
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/202', { raise: HTTP, status: 404, body: NOT_FOUND });
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/209', { raise: 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn', message: 'Cannot update trainee on DQT without a trn (id: 209)' });
    await sk.behave('Dqt::RecommendForAwardJob/Trainee/204', { raise: HTTP, status: 400, body: '{"title":"Teacher has no QTS record","status":400,"errorCode":10006}' });
    await sk.behave('Dqt::RetrieveTrnJob/Dqt::TrnRequest/201', { raise: 'Dqt::RetrieveTrnJob::Timeout', message: 'Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days' });
    await sk.behave('Trs::UpdateProfessionalStatusJob/Trainee/301', {
      raise: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError',
      status: 400,
      body: '{"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10012345\'","errorCode":10048}',
    });
    await sk.behave('Trs::UpdateTraineeJob/Trainee/302', { raise: 'Trs::UpdatePersonalData::PersonUpdateError', status: 400, body: '{"title":"Person has EYTS.","status":400,"errorCode":10057}' });
    await sk.behave('SomethingElseJob/none', { raise: 'RuntimeError', message: 'boom, with a comma' });
    await sk.redis.sadd('test:deleted', 'Trainee/404');
    await sk.enqueue([
      { job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/201' }] },
      { job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/202' }] },
      { job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/209' }] },
      { job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/404' }] },
      { job: 'Dqt::RecommendForAwardJob', args: [{ gid: 'Trainee/204' }] },
      { job: 'Dqt::RetrieveTrnJob', args: [{ gid: 'Dqt::TrnRequest/201' }, { time: '2026-12-04T00:00:00Z' }] },
      { job: 'Trs::UpdateProfessionalStatusJob', args: [{ gid: 'Trainee/301' }] },
      { job: 'Trs::UpdateTraineeJob', args: [{ gid: 'Trainee/302' }] },
      { job: 'SomethingElseJob', args: [{ kwargs: { reason: 'check', at: { time: '2026-08-01T10:00:00Z' } } }] },
    ]);
    await waitFor('6 dead and 3 retrying jobs', async () => (await sk.redis.zcard('dead')) === 6 && (await sk.redis.zcard('retry')) === 3, 60_000, () => sk.log());
    // Bad input, as a broken client or a hand edit leaves it: not JSON, and a plain (not ActiveJob) Sidekiq job. Dead
    // an hour ago: older than every death this file causes.
    const now = Date.now() / 1000 - 3600;
    await sk.redis.zadd('dead', (now + 1).toFixed(4), '{"this is": not json');
    await sk.redis.zadd('dead', (now + 2).toFixed(4), JSON.stringify({ retry: 0, queue: 'default', class: 'HardJob', args: ['x', 2], jid: 'feedfacefeedfacefeedface', error_message: 'boom', error_class: 'RuntimeError', failed_at: now, retry_count: 0 }));
    const flat = await sk.redis.zrevrange('dead', 0, -1, 'WITHSCORES');
    members = [];
    for (let i = 0; i < flat.length; i += 2) members.push({ raw: flat[i]!, score: flat[i + 1]! });
  }, 120_000);

  it('reads every dead entry newest first, field for field as Sidekiq stored it', async () => {
    const entries = await scanAll(['dead']);
    expect(entries).toHaveLength(8);
    const ms = (seconds: number) => Math.round(seconds * 1e6) / 1e3; // Ruby's float seconds, to the microsecond
    entries.forEach((e, i) => {
      const { raw, score } = members[i]!;
      expect(e.at).toBe(ms(Number(score))); // death = the dead set's score
      expect(e.location).toEqual({ backend: 'sidekiq', set: 'dead', score, jid: e.jobId, size: raw.length });
      let item: Record<string, unknown>;
      try {
        item = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        expect(e).toMatchObject({ shape: 'not-json', jobId: '', jobName: null, message: null });
        return;
      }
      expect(e).toMatchObject({
        jobId: item.jid,
        queue: item.queue,
        message: item.error_message,
        errorClass: item.error_class,
        firstFailedAt: ms(item.failed_at as number),
        failedAt: ms(item.failed_at as number),
        enqueuedAt: item.enqueued_at === undefined ? null : ms(item.enqueued_at as number),
        attempts: (item.retry_count as number) + 1,
        state: 'dead',
        removedByCleanup: false,
      });
      expect(e.jobName).toBe(item.wrapped ?? item.class);
    });
    const by = (name: string | null, traineeId: number | null = null) => entries.filter((e) => e.jobName === name && (traineeId === null || e.traineeId === traineeId));
    expect(by('Dqt::UpdateTraineeJob', 201)[0]).toMatchObject({ shape: 'activejob', queue: 'dqt', errorClass: HTTP, message: expect.stringMatching(/^status: 500, body: , headers: \{"date"=>\["[^"]+ GMT"\], "content-type"=>\["application\/problem\+json; charset=utf-8"\]\}$/) });
    expect(by('Dqt::UpdateTraineeJob', 404)[0]).toMatchObject({ errorClass: 'ActiveJob::DeserializationError', message: expect.stringMatching(/^Error while trying to deserialize arguments: Couldn't find Trainee with 'id'=404/) });
    expect(by('Trs::UpdateTraineeJob', 302)[0]).toMatchObject({ shape: 'activejob', queue: 'trs', errorClass: 'Trs::UpdatePersonalData::PersonUpdateError' });
    expect(by('SomethingElseJob')[0]).toMatchObject({ shape: 'unknown-class', shapeProblem: 'SomethingElseJob is not one of Register\'s job classes', traineeId: null });
    expect(by('HardJob')[0]).toMatchObject({ shape: 'not-activejob', jobId: 'feedfacefeedfacefeedface', message: 'boom' });
  });

  it('decodes the payload: ActiveJob hash, GlobalIDs, times with zone, keyword arguments, HTTP status, body and headers', async () => {
    const retry = await sk.redis.zrange('retry', 0, -1);
    const poll = decodeSidekiqJob(retry.find((m) => m.includes('Dqt::RetrieveTrnJob'))!);
    expect(poll).toMatchObject({ shape: 'activejob', jobClass: 'Dqt::RetrieveTrnJob', sidekiqClass: 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', retry: 10, retryCount: 0, errorClass: 'Dqt::RetrieveTrnJob::Timeout', trnRequestId: 201, traineeId: null });
    expect(poll.activeJob!.arguments).toEqual([
      { type: 'record', gid: `${GID}/Dqt::TrnRequest/201`, app: 'register-trainee-teachers', model: 'Dqt::TrnRequest', id: 201 },
      // ActiveJob 6.1 writes no time_zone (Rails 7+ adds "Etc/UTC").
      { type: 'time', value: '2026-12-04T00:00:00.000000000Z', timeZone: null },
    ]);
    const award = decodeSidekiqJob(retry.find((m) => m.includes('Trs::UpdateProfessionalStatusJob'))!);
    expect(award).toMatchObject({ retry: true, errorClass: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError' });
    expect(award.http).toMatchObject({ prefix: 'Error updating professional status: ', status: 400, json: { errorCode: 10048, title: 'Invalid training provider UKPRN.' } });
    expect(award.http!.headers).toEqual({ date: [expect.stringMatching(/GMT$/)], 'content-type': ['application/problem+json; charset=utf-8'] });
    expect(award.http!.headersText).toMatch(/^\{"date"=>\["/); // Ruby before 3.4
    const other = decodeSidekiqJob(members.find((m) => m.raw.includes('SomethingElseJob'))!.raw);
    expect(other.activeJob!.arguments).toEqual([{ type: 'keywords', values: { reason: { type: 'value', value: 'check' }, at: { type: 'time', value: '2026-08-01T10:00:00.000000000Z', timeZone: null } } }]);
    expect(other.errorMessage).toBe('boom, with a comma');
  });

  it('classifies the dead and retrying jobs; unreadable ones are records of their own, never a crash', async () => {
    const records = await triage(['dead', 'retry']);
    const kind = (jobName: string, id: number) => records.find((r) => r.jobName === jobName && (r.traineeId === id || r.trnRequestId === id));
    expect(kind('Dqt::UpdateTraineeJob', 201)).toMatchObject({ state: 'dead', kind: 'server-error', status: 500, bulkSafe: true, errorClass: HTTP });
    expect(kind('Dqt::UpdateTraineeJob', 202)).toMatchObject({ kind: 'teacher-not-found', errorCode: 10001 });
    expect(kind('Dqt::UpdateTraineeJob', 209)).toMatchObject({ kind: 'update-missing-trn', errorClass: 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn' });
    expect(kind('Dqt::RecommendForAwardJob', 204)).toMatchObject({ state: 'retry', kind: 'no-qts-record', failedAt: expect.any(String), nextRetryAt: expect.any(String) });
    expect(Date.parse(kind('Dqt::RecommendForAwardJob', 204)!.nextRetryAt!) - Date.now()).toBeGreaterThan(3_000_000);
    expect(kind('Dqt::RetrieveTrnJob', 201)).toMatchObject({ state: 'retry', kind: 'retrieve-trn-timeout', errorClass: 'Dqt::RetrieveTrnJob::Timeout' });
    expect(records.filter((r) => r.shape !== 'activejob').map((r) => [r.shape, r.kind, r.bulkSafe]).sort()).toEqual([
      ['not-activejob', 'unknown', false],
      ['not-json', 'unknown', false],
      ['unknown-class', 'unknown', false],
    ]);
  });

  it('says which backend it detected and what it found', async () => {
    const detected = openJobStore({ redis: { url: sk.url, prefix: 'bull', backend: null } });
    try {
      const summary = await detected.summary();
      expect(summary.info).toMatchObject({ backend: 'sidekiq', chosenBy: 'detected', deadState: 'dead' });
      expect(summary.counts).toMatchObject({ dead: 8, retry: 3 });
      expect(summary.processes!.map((p) => [p.alive, p.quiet, p.queues])).toEqual([[true, false, ['dqt', 'trs', 'default']]]);
      expect((await describeJobStore({ redis: { url: sk.url, prefix: 'bull', backend: null } })).text).toBe(
        `Sidekiq (detected) at ${sk.url}: 0 enqueued, 0 scheduled, 0 busy, 3 retry, 8 dead; 1 Sidekiq process(es) polling dqt, trs, default`,
      );
    } finally {
      await detected.close();
    }
  });

  it('refuses to guess when a Redis database holds both Sidekiq and BullMQ keys', async () => {
    const other = await claimRedisDatabase();
    const url = `${sk.url.replace(/\/\d+$/, '')}/${other.db}`;
    const redis = new Redis(url);
    const mixed = openJobStore({ redis: { url, prefix: 'bull', backend: null } });
    try {
      await redis.zadd('dead', 1, '{}');
      await redis.set('bull:dqt:id', '1');
      await expect(mixed.info()).rejects.toThrow(`Redis at ${url} holds both Sidekiq's keys (dead) and BullMQ queues (bull:dqt:id): set QUEUE_BACKEND=sidekiq or QUEUE_BACKEND=bullmq to say which to read.`);
      expect(await describeJobStore({ redis: { url, prefix: 'bull', backend: null } })).toMatchObject({ ok: false, fix: 'set QUEUE_BACKEND=sidekiq or QUEUE_BACKEND=bullmq' });
    } finally {
      await mixed.close();
      redis.disconnect();
      await other.release();
    }
  });
});

describe('acting on it, then the real Sidekiq runs what was pushed', () => {
  it('a retried dead job is performed once with its arguments, and recorded in the run ledger', async () => {
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/201', null);
    const [dead] = await deadOf(201);
    const plan = planRetries([dead!]);
    const receipt = await commitJobPlan(plan, { auditComment: 'DQT 500 passed; rerun', config, jobs: store });
    expect(receipt.results.map((r) => r.status)).toEqual(['done']);
    const [run] = await waitFor('the retried job to be performed', async () => ((await performedOf(dead!.jobId)).length ? performedOf(dead!.jobId) : null), 60_000, () => sk.log());
    expect(run).toMatchObject({ job_class: 'Dqt::UpdateTraineeJob', queue: 'dqt', arguments: [{ record: `${GID}/Trainee/201` }] });
    expect(await deadOf(201)).toEqual([]);
    expect((await readLedger(store, 1))[0]).toMatchObject({ planId: plan.id, operator: 'Sam Sidekiq', comment: 'DQT 500 passed; rerun' });
  });

  it('a job whose payload holds UTF-8 beyond ASCII is retried byte-exactly (the Lua edits count bytes)', async () => {
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/230', { raise: HTTP, status: 400, body: '{"title":"Prénom invalide – Zoë Łukasz 日本","status":400}' });
    await sk.enqueue([{ job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/230' }] }]);
    await waitDead('230 to die', 230);
    const [dead] = await deadOf(230);
    expect(dead!.message).toContain('Zoë Łukasz 日本');
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/230', null);
    const receipt = await commitJobPlan(planRetries([dead!]), { auditComment: 'rerun', config, jobs: store });
    expect(receipt.results.map((r) => r.status)).toEqual(['done']);
    await waitFor('the retried job to be performed', async () => (await performedOf(dead!.jobId)).length === 1, 60_000, () => sk.log());
  });

  it('a retrying job retried now runs at once', async () => {
    await sk.behave('Dqt::RecommendForAwardJob/Trainee/204', null);
    const r = (await triage(['retry'])).find((x) => x.jobName === 'Dqt::RecommendForAwardJob')!;
    const receipt = await commitJobPlan(planRetries([r]), { auditComment: 'no need to wait an hour', config, jobs: store });
    expect(receipt.results.map((x) => x.status)).toEqual(['done']);
    await waitFor('the award to be performed', async () => (await performedOf(r.jobId)).length === 1, 60_000, () => sk.log());
    expect(await sk.redis.zcard('retry')).toBe(2);
  });

  it('polling again, registering again and a re-enqueue with new arguments are ActiveJob jobs the real Sidekiq performs', async () => {
    await sk.behave('Dqt::RetrieveTrnJob/Dqt::TrnRequest/201', null);
    const plans = [
      planRestartPolling(208, 201, '2099-01-31', 'Dqt::RetrieveTrnJob'),
      planRestartPolling(301, 77, '2099-02-28', 'Trs::RetrieveTrnJob'),
      planReregister(210),
      planReenqueue({ jobName: 'Dqt::WithdrawTraineeJob', queue: 'dqt', traineeId: 203, jobId: 'x' }, [recordArgument('Trainee', 203), timeArgument('2026-09-01T12:30:00Z')]),
    ];
    const jids: string[] = [];
    for (const plan of plans) {
      const receipt = await commitJobPlan(plan, { auditComment: 'playbook: poll again / register again', config, jobs: store });
      expect(receipt.results.map((r) => r.status)).toEqual(['done']);
      jids.push(receipt.results[0]!.message.match(/#([0-9a-f]{24})/)![1]!);
    }
    const runs = await waitFor('the four jobs to be performed', async () => {
      const all = await sk.performed();
      const mine = jids.map((jid) => all.filter((p) => p.jid === jid));
      return mine.every((m) => m.length === 1) ? mine.map((m) => m[0]!) : null;
    }, 60_000, () => sk.log());
    expect(runs.map((r) => [r.job_class, r.queue, r.arguments])).toEqual([
      ['Dqt::RetrieveTrnJob', 'dqt', [{ record: `${GID}/Dqt::TrnRequest/201` }, { time: '2099-01-31T00:00:00.000Z', zone: 'Etc/UTC' }]],
      ['Trs::RetrieveTrnJob', 'trs', [{ record: `${GID}/Trs::TrnRequest/77` }, { time: '2099-02-28T00:00:00.000Z', zone: 'Etc/UTC' }]],
      ['Dqt::RegisterForTrnJob', 'dqt', [{ record: `${GID}/Trainee/210` }]],
      ['Dqt::WithdrawTraineeJob', 'dqt', [{ record: `${GID}/Trainee/203` }, { time: '2026-09-01T12:30:00.000Z', zone: 'Etc/UTC' }]],
    ]);
  });

  it('kill moves a retrying job to the dead set byte for byte', async () => {
    const raw = (await sk.redis.zrange('retry', 0, -1)).find((m) => m.includes('Trs::UpdateProfessionalStatusJob'))!;
    const r = (await triage(['retry'])).find((x) => x.jobName === 'Trs::UpdateProfessionalStatusJob')!;
    const receipt = await commitJobPlan(planKills([r]), { auditComment: 'TRS rejects the UKPRN: stop retrying', config, jobs: store });
    expect(receipt.results.map((x) => x.status)).toEqual(['done']);
    expect(await sk.redis.zscore('retry', raw)).toBeNull();
    expect(Number(await sk.redis.zscore('dead', raw)) * 1000).toBeGreaterThan(Date.now() - 60_000);
    const [dead] = (await triage()).filter((x) => x.jobName === 'Trs::UpdateProfessionalStatusJob');
    expect(dead).toMatchObject({ state: 'dead', traineeId: 301, firstFailedAt: r.firstFailedAt, enqueuedAt: r.enqueuedAt });
  });

  it('a job that vanished before the commit is skipped and never pushed; one that died again is reported as changed', async () => {
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/220', fail500);
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/221', fail500);
    await sk.enqueue([{ job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/220' }] }, { job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/221' }] }]);
    await waitDead('220 and 221 to die', 220);
    await waitDead('221 to die', 221);
    const [gone] = await deadOf(220);
    const [again] = await deadOf(221);
    const vanishing = planRetries([gone!]);
    // Register's clean-up (or the Web UI) deletes it between the preview and the commit.
    const member = (await sk.redis.zrangebyscore('dead', (gone!.location as { score: string }).score, (gone!.location as { score: string }).score))[0]!;
    await sk.redis.zrem('dead', member);
    const r1 = await commitJobPlan(vanishing, { auditComment: 'rerun', config, jobs: store });
    expect(r1.results.map((r) => [r.status, r.message])).toEqual([['skipped', `Not retried: job ${gone!.jobId} is no longer in the dead set (retried, deleted, run by the poller or removed by Register's clean-up)`]]);

    const stale = planRetries([again!]);
    await commitJobPlan(planRetries([again!]), { auditComment: 'rerun while DQT still fails', config, jobs: store });
    const [died] = await waitFor('221 to die again', async () => {
      const d = await deadOf(221);
      return d.length === 1 && d[0]!.failedAt !== again!.failedAt ? d : null;
    });
    // Which time is which: first failure kept, last enqueue = the retry, death = the new score.
    expect(died!.firstFailedAt).toBe(again!.firstFailedAt);
    expect(died!.enqueuedAt! > again!.enqueuedAt!).toBe(true);
    expect(died!.failedAt! > again!.failedAt!).toBe(true);
    expect(died!.attempts).toBe(1); // retry_count 0 → −1 by the retry → 0 by the failure: one more attempt
    const r2 = await commitJobPlan(stale, { auditComment: 'rerun', config, jobs: store });
    expect(r2.results[0]).toMatchObject({ status: 'skipped', message: expect.stringMatching(new RegExp(`^Not retried: job ${again!.jobId} is in the dead set again at .+ \\(it failed again or was rescheduled since the plan saw it\\)$`)) });
    expect(await sk.performed()).not.toContainEqual(expect.objectContaining({ jid: gone!.jobId }));
    expect((await deadOf(221)).map((d) => d.failedAt)).toEqual([died!.failedAt]);
  });
});

describe("Register's clean-up (Sidekiq::RemoveDeadDuplicatesJob)", () => {
  it('triage marks exactly the dead jobs the real clean-up deletes through the Sidekiq API; the same clean-up can be planned here', async () => {
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/205', fail500);
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/206', { raise: HTTP, status: 404, body: NOT_FOUND });
    const deaths = new Map<number, number>();
    for (const id of [205, 206, 205, 206, 205]) {
      deaths.set(id, (deaths.get(id) ?? 0) + 1);
      await sk.enqueue([{ job: 'Dqt::UpdateTraineeJob', args: [{ gid: `Trainee/${id}` }] }]);
      await waitDead(`death ${deaths.get(id)} of ${id}`, id, deaths.get(id));
    }
    // Older than these deaths, the dead set holds two unreadable members (not JSON, a plain job whose first argument
    // is a string): the real job deletes the duplicates in front of them, then raises on the plain job and stops.
    const notes: string[] = [];
    const records: TriageRecord[] = [];
    for await (const batch of scanTriage(store, { onNote: (n) => notes.push(n) })) records.push(...batch);
    expect(notes).toEqual([expect.stringMatching(/^Register's Sidekiq::RemoveDeadDuplicatesJob raises on a dead job it cannot read \(a String cannot be dug into \(TypeError\) in job feedfacefeedfacefeedface\) and stops there/)]);
    const marked = records.filter((r) => r.removedByCleanup);
    // The newest death per error, job and trainee is kept.
    expect(marked.map((r) => r.traineeId).sort()).toEqual([205, 205, 206]);
    for (const id of [205, 206]) {
      const mine = records.filter((r) => r.traineeId === id);
      expect(mine.find((r) => !r.removedByCleanup)!.failedAt).toBe(mine.map((r) => r.failedAt!).sort().at(-1));
    }
    const output = (await sk.ruby('remove_dead_duplicates.rb')).trim().split('\n');
    expect(output.at(-1)).toMatch(/^raised TypeError: String does not have #dig method/);
    expect(output.slice(0, -1).sort()).toEqual(marked.map((r) => r.jobId).sort());

    // Deleting the unreadable members (by their exact bytes) lets the clean-up run to the end.
    const unreadable = (await triage()).filter((r) => r.shape === 'not-json' || r.shape === 'not-activejob');
    expect(unreadable).toHaveLength(2);
    const removal = await commitJobPlan(planDeletes(unreadable), { auditComment: "unreadable dead jobs stop Register's clean-up", config, jobs: store });
    expect(removal.results.map((r) => r.status)).toEqual(['done', 'done']);
    const after: string[] = [];
    for await (const batch of scanTriage(store, { onNote: (n) => after.push(n) })) expect(batch.filter((r) => r.removedByCleanup)).toEqual([]);
    expect(after).toEqual([]);

    // Two more deaths of 207: planned and committed here, the real clean-up then finds nothing to delete.
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/207', fail500);
    await sk.enqueue([{ job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/207' }] }]);
    await waitDead('207 to die', 207);
    await sk.enqueue([{ job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/207' }] }]);
    await waitDead('207 to die twice', 207, 2);
    const plan = planRegisterCleanup(await triage());
    expect(plan.actions.map((a) => [a.kind, a.traineeId])).toEqual([['delete', 207]]);
    const receipt = await commitJobPlan(plan, { auditComment: "do Register's clean-up now", config, jobs: store });
    expect(receipt.results.map((r) => r.status)).toEqual(['done']);
    expect((await sk.ruby('remove_dead_duplicates.rb')).trim()).toBe('');
    expect(await deadOf(207)).toHaveLength(1);
  });
});

describe('while the real Sidekiq runs and kills other jobs', () => {
  it('two plans retrying the same 40 dead jobs at once: each job is performed exactly once, no other death is lost', async () => {
    const retried = Array.from({ length: 40 }, (_, i) => 1001 + i);
    const dying = Array.from({ length: 60 }, (_, i) => 2001 + i);
    for (const id of retried) await sk.behave(`Dqt::UpdateTraineeJob/Trainee/${id}`, fail500);
    await sk.enqueue(retried.map((id) => ({ job: 'Dqt::UpdateTraineeJob', args: [{ gid: `Trainee/${id}` }] })));
    const wanted = new Set(retried);
    const records = await waitFor('40 deaths', async () => {
      const r = (await triage()).filter((x) => x.traineeId !== null && wanted.has(x.traineeId));
      return r.length === 40 ? r : null;
    }, 60_000, () => sk.log());
    for (const id of retried) await sk.behave(`Dqt::UpdateTraineeJob/Trainee/${id}`, null);
    for (const id of dying) await sk.behave(`Dqt::UpdateTraineeJob/Trainee/${id}`, { ...fail500, sleep: 0.02 });
    const deadBefore = await sk.redis.zcard('dead');
    // Other jobs die while the plans run: every death ZADDs to the dead set the plans are taking jobs from.
    const killing = sk.enqueue(dying.map((id) => ({ job: 'Dqt::UpdateTraineeJob', args: [{ gid: `Trainee/${id}` }] })));
    const [a, b] = await Promise.all([
      commitJobPlan(planRetries(records), { auditComment: 'bulk rerun A', config, jobs: store }),
      commitJobPlan(planRetries(records), { auditComment: 'bulk rerun B', config, jobs: store }),
    ]);
    await killing;
    const done = [...a.results, ...b.results].filter((r) => r.status === 'done');
    expect(done).toHaveLength(40);
    expect([...a.results, ...b.results].filter((r) => r.status === 'skipped')).toHaveLength(40);
    const jids = new Set(records.map((r) => r.jobId));
    await waitFor('every retried job to run and every other job to die', async () => {
      const performed = (await sk.performed()).filter((p) => jids.has(p.jid));
      return performed.length >= 40 && (await sk.redis.zcard('dead')) === deadBefore - 40 + 60 && (await sk.redis.llen('queue:dqt')) === 0 ? true : null;
    }, 90_000, () => sk.log());
    // Quiet: nothing queued, nothing running (the heartbeat shows a busy job within 5 s, so wait for two clear beats).
    await waitFor('Sidekiq to be idle', async () => {
      const [p] = await (await store.summary()).processes!;
      return p && p.busy === 0 && (await sk.redis.llen('queue:dqt')) === 0 ? true : null;
    });
    const performed = (await sk.performed()).filter((p) => jids.has(p.jid));
    expect(performed).toHaveLength(40);
    expect(new Set(performed.map((p) => p.jid)).size).toBe(40);
    const dead = await triage();
    expect(dead.filter((r) => r.traineeId !== null && wanted.has(r.traineeId))).toEqual([]);
    expect(new Set(dead.filter((r) => r.traineeId !== null && r.traineeId >= 2001 && r.traineeId <= 2060).map((r) => r.traineeId)).size).toBe(60);
  });
});

describe("today's Register: no process polls dqt", () => {
  it('refuses, doing nothing, to push a dqt job; a trs job is pushed and performed', async () => {
    await sk.restart(['trs', 'default']);
    await waitFor('only the new process to poll', async () => {
      const polled = await store.pollingQueues();
      return !polled.has('dqt') && polled.has('trs') ? true : null;
    });
    const [dead] = await deadOf(202);
    const before = await sk.redis.zrange('dead', 0, -1, 'WITHSCORES');
    const refusal = commitJobPlan(planRetries([dead!]), { auditComment: 'rerun', config, jobs: store });
    await expect(refusal).rejects.toBeInstanceOf(PlanRefusedError);
    await expect(refusal).rejects.toThrow(/^Refused: no running Sidekiq process polls queue "dqt" \(running Sidekiq processes poll trs, default\): a job pushed there would wait for ever\. Nothing was done\./);
    await expect(commitJobPlan(planRestartPolling(208, 201, '2099-01-31'), { auditComment: 'poll', config, jobs: store })).rejects.toThrow(/polls queue "dqt"/);
    expect(await sk.redis.zrange('dead', 0, -1, 'WITHSCORES')).toEqual(before);
    expect(await sk.redis.exists('queue:dqt')).toBe(0);

    const receipt = await commitJobPlan(planRestartPolling(302, 88, '2099-01-31', 'Trs::RetrieveTrnJob'), { auditComment: 'poll on TRS', config, jobs: store });
    const jid = receipt.results[0]!.message.match(/#([0-9a-f]{24})/)![1]!;
    await waitFor('the TRS poll to run', async () => (await performedOf(jid)).length === 1, 60_000, () => sk.log());
  });
});
