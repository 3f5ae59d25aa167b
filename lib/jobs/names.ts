/**
 * Register's queues and job names, with the retry settings each job has in Sidekiq: the DQT era's (register-facts
 * 4.6, 4.9) and today's `Trs::` jobs on queue `trs` (Register `ce1126541`, `app/jobs/trs/*.rb`).
 * BullMQ's `attempts` counts the first run: Sidekiq `retry: 0` is 1 attempt, `retry: 10` is 11. ActiveJob's
 * `retry_on HttpError` (5 quick attempts about 3 s apart inside each Sidekiq run) is folded into those attempts.
 *
 * @example
 * JOB_SETTINGS['Dqt::UpdateTraineeJob'] // { queue: 'dqt', attempts: 1 }
 * JOB_SETTINGS['Trs::UpdateProfessionalStatusJob'] // { queue: 'trs', attempts: 26 }
 */
export const QUEUE_NAMES = ['dqt', 'trs', 'default'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const DQT_JOB_NAMES = [
  'Dqt::RegisterForTrnJob',
  'Dqt::RetrieveTrnJob',
  'Dqt::UpdateTraineeJob',
  'Dqt::WithdrawTraineeJob',
  'Dqt::RecommendForAwardJob',
] as const;
/** Today's Register (2026-08): the TRS jobs, all on queue `trs`. */
export const TRS_JOB_NAMES = ['Trs::RegisterForTrnJob', 'Trs::RetrieveTrnJob', 'Trs::UpdateTraineeJob', 'Trs::UpdateProfessionalStatusJob'] as const;
export type TrsJobName = (typeof TRS_JOB_NAMES)[number];
export const APPLY_JOB_NAMES = ['import_applications_from_apply', 'create_trainees_from_apply'] as const;
export const JOB_NAMES = [...DQT_JOB_NAMES, ...TRS_JOB_NAMES, ...APPLY_JOB_NAMES] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobSettings {
  queue: QueueName;
  /** Runs in all, the first included. */
  attempts: number;
  /** What Register had, in words, for the runbooks. */
  register: string;
}

export const JOB_SETTINGS: Readonly<Record<JobName, JobSettings>> = {
  'Dqt::RegisterForTrnJob': { queue: 'dqt', attempts: 1, register: 'retry: 0 (a failed request is stored as failed, not raised)' },
  'Dqt::RetrieveTrnJob': { queue: 'dqt', attempts: 11, register: 'retry: 10 (plus retry_on HttpError)' },
  'Dqt::UpdateTraineeJob': { queue: 'dqt', attempts: 1, register: 'retry: 0' },
  'Dqt::WithdrawTraineeJob': { queue: 'dqt', attempts: 1, register: 'retry: 0' },
  'Dqt::RecommendForAwardJob': { queue: 'dqt', attempts: 11, register: 'retry: 10 (plus retry_on HttpError)' },
  'Trs::RegisterForTrnJob': { queue: 'trs', attempts: 1, register: 'retry: 0 (an HTTP failure is stored on the TRN request, not raised)' },
  'Trs::RetrieveTrnJob': { queue: 'trs', attempts: 11, register: 'retry: 10 from Trs::BaseJob (plus retry_on HttpError)' },
  'Trs::UpdateTraineeJob': { queue: 'trs', attempts: 1, register: 'retry: 0' },
  'Trs::UpdateProfessionalStatusJob': { queue: 'trs', attempts: 26, register: 'Sidekiq default, 25 retries (its retry_on HttpError never fires: the service raises its own error)' },
  import_applications_from_apply: { queue: 'default', attempts: 26, register: 'Sidekiq default, 25 retries (cron 01:00)' },
  create_trainees_from_apply: { queue: 'default', attempts: 26, register: 'Sidekiq default, 25 retries (cron 04:00)' },
};

/** Sidekiq's retry delay without the random part: (retry count ^ 4) + 15 seconds. BullMQ passes attempts made (1 after the first failure). */
export function sidekiqBackoffMs(attemptsMade: number): number {
  const retryCount = Math.max(0, attemptsMade - 1);
  return (retryCount ** 4 + 15) * 1000;
}

/** Register's `Settings.jobs`: poll every hour, give up 4 days after submission. */
export const JOB_POLLING = { pollDelayHours: 1, maxPollDurationDays: 4 } as const;
