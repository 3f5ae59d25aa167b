import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitInvestigation,
  investigateNoIncompleteItt,
  investigateRetrieveTrnTimeout,
  investigateServerError,
  investigateTeacherNotFound,
  investigateUpdateMissingTrn,
} from '../../../lib/investigations/index.js';
import { PlanRefusedError } from '../../../lib/plan/errors.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { sandboxAdmin, seededSandbox, type SeededSandbox } from './setup.js';

/**
 * Committing what the investigations plan: Register rows and their audits, jobs on the queue, and the refusals that
 * leave everything as it was. Real database, DQT sandbox and Redis; no worker runs, so enqueued jobs stay queued.
 */
let s: SeededSandbox;
beforeAll(async () => {
  s = await seededSandbox('commits-test-key-3e8d10');
}, 120_000);
afterAll(async () => {
  await s?.stop();
});
const slug = (name: string) => scenario(name).slug;
const trainee = (id: number) => s.t.db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audits = (id: number) => s.t.db.selectFrom('audits').selectAll().where('auditable_type', '=', 'Trainee').where('auditable_id', '=', id).orderBy('id').execute();
const queued = async (name: string) => (await s.bull.queues.dqt.getJobs(['wait', 'delayed', 'prioritized'])).filter((j) => j && j.name === name);

describe('10005 stuck in recommended for award', () => {
  it('when DQT holds the award and everything else matches: awards on Register only (one audit) and deletes the dead award job', async () => {
    // DQT's record as it is when the award reached DQT under the right provider.
    await sandboxAdmin(s.sandbox, '/_sandbox/teachers', {
      trn: '3012205', firstName: 'Ivy', lastName: 'Jensen', dateOfBirth: '1997-05-22', emailAddress: 'ivy.jensen@example.com', active: true, qtsDate: '2025-06-18',
      initialTeacherTraining: [{ programmeStartDate: '2024-09-02', programmeEndDate: '2025-07-18', programmeType: 'ProviderLedPostgrad', result: 'Pass', provider: { ukprn: '10099001' }, active: true }],
    });
    const inv = await investigateNoIncompleteItt(s.ctx, { slug: slug('dqt-no-incomplete-itt') });
    expect(inv.cause).toBe('stuck-in-recommended-for-award');
    expect(inv.plan!.changes).toEqual([
      { kind: 'update', table: 'trainees', id: 205, expected: { state: 3, awarded_at: null }, values: { state: 6, awarded_at: '2025-06-18T00:00:00.000000Z' }, label: 'Ivy Jensen' },
    ]);
    expect(inv.plan!.actions).toEqual([]); // nothing is sent to DQT
    const awardJob = inv.jobPlan!.actions[0] as { kind: string; jobId: string };
    expect(awardJob.kind).toBe('delete');
    const before = (await audits(205)).length;

    const { receipt, jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'Stuck in recommended for award; DQT has QTS' });
    expect(receipt!.rowsChanged).toBe(1);
    expect(await trainee(205)).toMatchObject({ state: 6, awarded_at: '2025-06-18T00:00:00.000000Z' });
    const added = (await audits(205)).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: 'update', comment: 'Stuck in recommended for award; DQT has QTS', username: 'Ivy Investigator via support notebook' });
    expect(added[0]!.audited_changes).toMatchObject({ state: [3, 6] });
    expect(jobReceipt!.results.map((r) => r.status)).toEqual(['done']);
    expect(await Job.fromId(s.bull.queues.dqt, awardJob.jobId)).toBeUndefined();
  });
});

describe('404 with the agreed date of birth', () => {
  it('when the dead job changed since the preview, neither the date of birth nor the job is touched', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-dob-mismatch'), dateOfBirth: '1995-03-04' });
    const retry = inv.jobPlan!.actions[0] as { jobId: string };
    await (await Job.fromId(s.bull.queues.dqt, retry.jobId))!.retry('failed');
    await expect(commitInvestigation(s.ctx, inv, { auditComment: 'DOB confirmed with DQT and provider' })).rejects.toThrow(/^Refused: the queue changed since this plan was built, so nothing was written/);
    expect((await trainee(202)).date_of_birth).toBe('1995-03-14');
    expect((await audits(202)).filter((a) => a.comment === 'DOB confirmed with DQT and provider')).toEqual([]);
    await s.reseedDeadSet(); // the scenario jobs dead again, as seeded
  });

  it('a blank audit comment is refused and changes nothing; then the date is aligned (one audit) and the dead job rerun', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-dob-mismatch'), dateOfBirth: '1995-03-04' });
    const retry = inv.jobPlan!.actions[0] as { jobId: string };
    await expect(commitInvestigation(s.ctx, inv, { auditComment: '' })).rejects.toBeInstanceOf(PlanRefusedError);
    expect((await trainee(202)).date_of_birth).toBe('1995-03-14');
    expect(await (await Job.fromId(s.bull.queues.dqt, retry.jobId))!.getState()).toBe('failed');

    await commitInvestigation(s.ctx, inv, { auditComment: 'DOB confirmed with DQT and provider' });
    expect((await trainee(202)).date_of_birth).toBe('1995-03-04');
    const last = (await audits(202)).at(-1)!;
    expect(last).toMatchObject({ comment: 'DOB confirmed with DQT and provider', audited_changes: { date_of_birth: ['1995-03-14', '1995-03-04'] } });
    expect(await (await Job.fromId(s.bull.queues.dqt, retry.jobId))!.getState()).toBe('waiting');
  });
});

describe('polling and registering again', () => {
  it('retrieve-trn-timeout enqueues Dqt::RetrieveTrnJob for the TRN request with the new timeout', async () => {
    const inv = await investigateRetrieveTrnTimeout(s.ctx, { slug: slug('dqt-retrieve-trn-timeout'), timeoutAfter: '2099-01-31' });
    await commitInvestigation(s.ctx, inv, { auditComment: 'DQT resolved the duplicate' });
    const polls = await queued('Dqt::RetrieveTrnJob');
    expect(polls.map((j) => j.data)).toContainEqual({
      job_class: 'Dqt::RetrieveTrnJob',
      arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Dqt::TrnRequest/201' }, '2099-01-31T00:00:00.000Z'],
      trainee: { _aj_globalid: 'gid://register-trainee-teachers/Trainee/208' },
    });
  });

  it('update-missing-trn for a trainee DQT does not know enqueues Dqt::RegisterForTrnJob', async () => {
    const inv = await investigateUpdateMissingTrn(s.ctx, { slug: slug('dqt-update-missing-trn-unknown-to-dqt') });
    await commitInvestigation(s.ctx, inv, { auditComment: 'Registration never reached DQT' });
    expect((await queued('Dqt::RegisterForTrnJob')).map((j) => j.data)).toEqual([{ job_class: 'Dqt::RegisterForTrnJob', arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Trainee/210' }] }]);
  });
});

describe('drift', () => {
  it('a rerun planned on a job that has since been retried elsewhere is skipped and reported, never pushed again', async () => {
    const inv = await investigateServerError(s.ctx, { slug: slug('dqt-server-error-500') });
    const { jobId } = inv.jobPlan!.actions[0] as { jobId: string };
    await (await Job.fromId(s.bull.queues.dqt, jobId))!.retry('failed');
    const waitingBefore = await s.bull.queues.dqt.getWaitingCount();
    const { jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'rerun' });
    expect(jobReceipt!.results.map((r) => [r.status, r.message])).toEqual([['skipped', `Not retried: job #${jobId} is now waiting, not failed`]]);
    expect(await s.bull.queues.dqt.getWaitingCount()).toBe(waitingBefore);
  });
});
