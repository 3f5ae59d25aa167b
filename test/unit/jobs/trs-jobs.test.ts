import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { parseJobData, traineeIdOf, trsTrnRequestGlobalId } from '../../../lib/jobs/data.js';
import { JOB_SETTINGS, QUEUE_NAMES, TRS_JOB_NAMES } from '../../../lib/jobs/names.js';
import { runJob, type JobContext } from '../../../lib/jobs/processors.js';
import { buildJobData, jobOptions } from '../../../lib/jobs/queues.js';
import { enqueueJobRunner, TRAINEE_JOBS } from '../../../lib/plan/actions.js';
import { REGISTER_JOB_CLASSES } from '../../../lib/queues/register-jobs.js';

describe("today's Register's Trs:: jobs", () => {
  it("run on queue trs with Register HEAD's retry settings (app/jobs/trs/*.rb at ce1126541)", () => {
    expect(QUEUE_NAMES).toEqual(['dqt', 'trs', 'default']);
    expect(TRS_JOB_NAMES.map((n) => [n, JOB_SETTINGS[n].queue, JOB_SETTINGS[n].attempts])).toEqual([
      ['Trs::RegisterForTrnJob', 'trs', 1],
      ['Trs::RetrieveTrnJob', 'trs', 11],
      ['Trs::UpdateTraineeJob', 'trs', 1],
      ['Trs::UpdateProfessionalStatusJob', 'trs', 26],
    ]);
    // The same facts as the Sidekiq reader's table of Register's classes (retry: true is Sidekiq's 25).
    for (const name of TRS_JOB_NAMES) {
      const sidekiq = REGISTER_JOB_CLASSES[name]!;
      expect([sidekiq.queue, (sidekiq.retry === true ? 25 : Number(sidekiq.retry)) + 1]).toEqual([JOB_SETTINGS[name].queue, JOB_SETTINGS[name].attempts]);
    }
    expect(jobOptions('Trs::UpdateProfessionalStatusJob')).toMatchObject({ attempts: 26, backoff: { type: 'sidekiq' }, removeOnFail: false });
  });

  it('carry the trainee as a GlobalID; RetrieveTrnJob carries the Trs::TrnRequest first and the trainee beside it', () => {
    for (const name of ['Trs::RegisterForTrnJob', 'Trs::UpdateTraineeJob', 'Trs::UpdateProfessionalStatusJob'] as const) {
      expect(buildJobData(name, { traineeId: 405 })).toEqual({ job_class: name, arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Trainee/405' }] });
    }
    const poll = buildJobData('Trs::RetrieveTrnJob', { trnRequestId: 401, traineeId: 408, timeoutAfter: new Date('2026-12-04T10:00:00Z') });
    expect(poll).toEqual({
      job_class: 'Trs::RetrieveTrnJob',
      arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Trs::TrnRequest/401' }, '2026-12-04T10:00:00.000Z'],
      trainee: { _aj_globalid: 'gid://register-trainee-teachers/Trainee/408' },
    });
    expect(traineeIdOf(poll)).toBe(408);
    expect(buildJobData('Trs::RetrieveTrnJob', { trnRequestId: 401, traineeId: 408 }).arguments[1]).toBeNull();
    expect(trsTrnRequestGlobalId(7)).toEqual({ _aj_globalid: 'gid://register-trainee-teachers/Trs::TrnRequest/7' });
  });

  it('refuse bad arguments with a message naming what is wrong and what is expected', () => {
    expect(() => buildJobData('Trs::UpdateTraineeJob', { traineeId: '401' as never })).toThrow('Trs::UpdateTraineeJob: traineeId must be a record id (a whole number from 1), got "401".');
    expect(() => buildJobData('Trs::UpdateProfessionalStatusJob', { traineeId: 0 })).toThrow('Trs::UpdateProfessionalStatusJob: traineeId must be a record id (a whole number from 1), got 0.');
    expect(() => buildJobData('Trs::RetrieveTrnJob', { traineeId: 408 } as never)).toThrow('Trs::RetrieveTrnJob: trnRequestId must be a record id (a whole number from 1), got undefined.');
    expect(() => buildJobData('Trs::RetrieveTrnJob', { trnRequestId: 401, traineeId: 408, timeoutAfter: 'next week' })).toThrow(
      'Trs::RetrieveTrnJob: timeoutAfter must be a date or an ISO time such as 2026-12-04T09:00:00Z, got "next week".',
    );
    expect(() => buildJobData('Trs::RegisterForTrnJob', null as never)).toThrow('Trs::RegisterForTrnJob: the arguments must be an object such as { traineeId: 201 }, got null.');
    expect(() => buildJobData('Trs::RegisterForTrnJob', 405 as never)).toThrow('Trs::RegisterForTrnJob: the arguments must be an object such as { traineeId: 201 }, got 405.');
    expect(() => buildJobData('Trs::SyncEverythingJob' as never, { traineeId: 1 } as never)).toThrow(/^Unknown job "Trs::SyncEverythingJob"\. Known jobs: .*Trs::RegisterForTrnJob, Trs::RetrieveTrnJob, Trs::UpdateTraineeJob, Trs::UpdateProfessionalStatusJob/);
    // A DQT-era TRN request is not today's.
    expect(() => parseJobData('Trs::RetrieveTrnJob', { job_class: 'Trs::RetrieveTrnJob', arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Dqt::TrnRequest/1' }, null], trainee: { _aj_globalid: 'gid://register-trainee-teachers/Trainee/408' } })).toThrow(
      'The data of this Trs::RetrieveTrnJob job is not what the job expects: arguments.0: expected a Trs::TrnRequest GlobalID',
    );
  });

  it('die at once, saying so, on a worker started without a TRS client', async () => {
    const job = { id: '1', name: 'Trs::UpdateTraineeJob', data: buildJobData('Trs::UpdateTraineeJob', { traineeId: 401 }) } as unknown as Job;
    const error = await runJob({} as JobContext, job).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Trs::UpdateTraineeJob needs a TRS client, and this worker was started without one (JobContext.trs): start it with the configured TRS.');
    expect((error as Error).name).toBe('UnrecoverableError');
  });
});

describe('plans enqueue the Trs:: trainee jobs on queue trs', () => {
  it("lists Register's trainee jobs of both eras with their queues", () => {
    expect(TRAINEE_JOBS).toEqual({
      'Dqt::RegisterForTrnJob': 'dqt',
      'Dqt::UpdateTraineeJob': 'dqt',
      'Dqt::WithdrawTraineeJob': 'dqt',
      'Dqt::RecommendForAwardJob': 'dqt',
      'Trs::RegisterForTrnJob': 'trs',
      'Trs::UpdateTraineeJob': 'trs',
      'Trs::UpdateProfessionalStatusJob': 'trs',
    });
  });

  it('refuses a job on the wrong queue, and a job that is not a trainee job, before touching Redis', async () => {
    const action = (job: string, queue: string) => ({ kind: 'enqueue-job' as const, job, queue, traineeId: 405, description: 'x' }) as never;
    await expect(enqueueJobRunner(action('Trs::UpdateProfessionalStatusJob', 'dqt'), { db: null as never, config: null })).rejects.toThrow(
      'Trs::UpdateProfessionalStatusJob runs on queue trs, not dqt: nothing was enqueued',
    );
    await expect(enqueueJobRunner(action('Trs::RetrieveTrnJob', 'trs'), { db: null as never, config: null })).rejects.toThrow(
      /^a plan can only enqueue Dqt::RegisterForTrnJob, .*Trs::UpdateProfessionalStatusJob, not Trs::RetrieveTrnJob$/,
    );
  });
});
