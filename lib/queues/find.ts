import type { Redis } from 'ioredis';
import { jobSubjectFromText } from './globalid.js';
import { JOB_STATES, type JobState } from './keys.js';
import { scanStates } from './scan.js';

/** One job of a trainee, in whatever state it is. */
export interface TraineeJob {
  queue: string;
  state: JobState;
  jobId: string;
  jobName: string | null;
  /** When it was added. */
  enqueuedAt: string | null;
  /** When it finished (failed or completed), or when a delayed job will run. */
  at: string | null;
  attempts: number;
  failedReason: string | null;
}

/**
 * Every job of a trainee in the given queues and states (waiting, prioritized, delayed, active, failed, completed),
 * found by the GlobalIDs anywhere in the job's data: the trainee's own, or its TRN request's when `trnRequestIds`
 * are given (a RetrieveTrnJob carries its TrnRequest). Streams each queue once.
 *
 * @example
 * await findTraineeJobs(redis, { prefix: 'bull', queues: ['dqt', 'default'], traineeId: 201 });
 */
export async function findTraineeJobs(
  redis: Redis,
  options: { prefix: string; queues: string[]; traineeId: number; trnRequestIds?: number[]; states?: readonly JobState[]; onProgress?: (done: number, total: number) => void },
): Promise<TraineeJob[]> {
  const found = new Map<string, TraineeJob>();
  const trnRequests = new Set(options.trnRequestIds ?? []);
  for (const queue of options.queues) {
    for await (const batch of scanStates(redis, options.states ?? JOB_STATES, {
      prefix: options.prefix,
      queue,
      fields: ['name', 'data', 'timestamp', 'finishedOn', 'atm', 'failedReason'],
      onProgress: options.onProgress,
    })) {
      for (const job of batch) {
        const subject = jobSubjectFromText(job.fields.data);
        if (subject.traineeId !== options.traineeId && !(subject.trnRequestId !== null && trnRequests.has(subject.trnRequestId))) continue;
        const finished = job.fields.finishedOn ? Number(job.fields.finishedOn) : job.state === 'delayed' ? job.score : null;
        found.set(`${queue}:${job.id}`, {
          queue,
          state: job.state,
          jobId: job.id,
          jobName: job.fields.name,
          enqueuedAt: job.fields.timestamp ? new Date(Number(job.fields.timestamp)).toISOString() : null,
          at: finished ? new Date(finished).toISOString() : null,
          attempts: job.fields.atm ? Number(job.fields.atm) : 0,
          failedReason: job.fields.failedReason,
        });
      }
    }
  }
  return [...found.values()].sort((a, b) => (b.enqueuedAt ?? '').localeCompare(a.enqueuedAt ?? ''));
}

/** Jobs counted by name and state for each queue: `{ queue, jobName, state, count }`, largest first. */
export async function tallyQueue(redis: Redis, options: { prefix: string; queue: string; states?: readonly JobState[] }): Promise<{ queue: string; jobName: string; state: JobState; count: number }[]> {
  const counts = new Map<string, { queue: string; jobName: string; state: JobState; count: number }>();
  for await (const batch of scanStates(redis, options.states ?? JOB_STATES, { prefix: options.prefix, queue: options.queue, fields: ['name'] })) {
    for (const job of batch) {
      const jobName = job.fields.name ?? '(no name)';
      const key = `${jobName}\u0000${job.state}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { queue: options.queue, jobName, state: job.state, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.jobName.localeCompare(b.jobName));
}
