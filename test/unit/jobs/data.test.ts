import { describe, expect, it } from 'vitest';
import { traineeIdOf } from '../../../lib/jobs/data.js';
import { sidekiqBackoffMs, JOB_SETTINGS } from '../../../lib/jobs/names.js';
import { buildJobData, jobOptions } from '../../../lib/jobs/queues.js';

describe('job data in Register\'s ActiveJob shape', () => {
  it('carries the trainee as a GlobalID; RetrieveTrnJob carries the TRN request first and the trainee beside it', () => {
    expect(buildJobData('Dqt::UpdateTraineeJob', { traineeId: 12 })).toEqual({ job_class: 'Dqt::UpdateTraineeJob', arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Trainee/12' }] });
    const poll = buildJobData('Dqt::RetrieveTrnJob', { trnRequestId: 3, traineeId: 12, timeoutAfter: '2026-12-04' });
    expect(poll).toEqual({
      job_class: 'Dqt::RetrieveTrnJob',
      arguments: [{ _aj_globalid: 'gid://register-trainee-teachers/Dqt::TrnRequest/3' }, '2026-12-04T00:00:00.000Z'],
      trainee: { _aj_globalid: 'gid://register-trainee-teachers/Trainee/12' },
    });
    expect(traineeIdOf(poll)).toBe(12);
    expect(traineeIdOf({ arguments: [{ deep: [{ _aj_globalid: 'gid://register-trainee-teachers/Trainee/99' }] }] })).toBe(99);
    expect(traineeIdOf({ arguments: [{ _aj_globalid: 'gid://register/Provider/1' }] })).toBeNull();
  });

  it('refuses bad arguments naming them', () => {
    expect(() => buildJobData('Dqt::RecommendForAwardJob', { traineeId: 1.5 })).toThrow('Dqt::RecommendForAwardJob: traineeId must be a record id (a whole number from 1), got 1.5.');
    expect(() => buildJobData('Dqt::WithdrawTraineeJob', { traineeId: 1, timeoutAfter: 'not a date' })).toThrow('Dqt::WithdrawTraineeJob: timeoutAfter must be a date or an ISO time such as 2026-12-04T09:00:00Z, got "not a date".');
  });

  it('attempts and backoff follow Register\'s retry settings; failed jobs are kept', () => {
    expect(jobOptions('Dqt::UpdateTraineeJob')).toMatchObject({ attempts: 1, removeOnFail: false });
    expect(jobOptions('Dqt::RecommendForAwardJob', { delayMs: 5 })).toMatchObject({ attempts: 11, backoff: { type: 'sidekiq' }, delay: 5 });
    expect(JOB_SETTINGS.import_applications_from_apply.queue).toBe('default');
    expect([1, 2, 3, 10].map(sidekiqBackoffMs)).toEqual([15_000, 16_000, 31_000, 6_576_000]);
  });
});
