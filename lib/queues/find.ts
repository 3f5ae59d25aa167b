import { isoOrNull, type JobLocation, type JobStore, type PayloadShape } from './store.js';

/**
 * One job of a trainee, in whatever state it is. Times: `enqueuedAt` the last push onto a queue, `firstFailedAt` the
 * first failure, `at` the time of its state (died, next attempt, runs, finished, started).
 */
export interface TraineeJob {
  queue: string;
  /** The backend's word for the state (Sidekiq: enqueued, scheduled, busy, retry, dead; BullMQ: waiting … failed). */
  state: string;
  /** In the dead set (Sidekiq `dead`, BullMQ `failed`). */
  dead: boolean;
  jobId: string;
  jobName: string | null;
  enqueuedAt: string | null;
  firstFailedAt: string | null;
  at: string | null;
  attempts: number;
  failedReason: string | null;
  shape: PayloadShape;
  location: JobLocation | null;
}

/**
 * Every job of one trainee across queues and states: jobs carrying the trainee's GlobalID, or its TRN request's when
 * `trnRequestIds` are given (a RetrieveTrnJob carries its TrnRequest). Newest first.
 *
 * @example
 * await findTraineeJobs(store, { queues: ['dqt', 'default'], traineeId: 201 });
 */
export async function findTraineeJobs(
  store: JobStore,
  options: { queues?: readonly string[] | null; traineeId: number; trnRequestIds?: number[]; states?: readonly string[]; onProgress?: (done: number, total: number) => void },
): Promise<TraineeJob[]> {
  const info = await store.info();
  const found = new Map<string, TraineeJob>();
  const trnRequests = new Set(options.trnRequestIds ?? []);
  for await (const batch of store.scan({ states: options.states ?? info.states, queues: options.queues, onProgress: options.onProgress })) {
    for (const job of batch) {
      if (job.traineeId !== options.traineeId && !(job.trnRequestId !== null && trnRequests.has(job.trnRequestId))) continue;
      // Lists move while workers run: the same job may be read twice.
      found.set(`${job.queue}:${job.state}:${job.jobId}:${job.location?.backend === 'sidekiq' ? job.location.score : ''}`, {
        queue: job.queue,
        state: job.state,
        dead: job.state === info.deadState,
        jobId: job.jobId,
        jobName: job.jobName,
        enqueuedAt: isoOrNull(job.enqueuedAt),
        firstFailedAt: isoOrNull(job.firstFailedAt),
        at: isoOrNull(job.at),
        attempts: job.attempts,
        failedReason: job.message,
        shape: job.shape,
        location: job.location,
      });
    }
  }
  return [...found.values()].sort((a, b) => (b.enqueuedAt ?? '').localeCompare(a.enqueuedAt ?? ''));
}

/** Jobs counted by name and state for a queue: `{ queue, jobName, state, count }`, largest first. */
export async function tallyQueue(store: JobStore, options: { queue: string; states?: readonly string[] }): Promise<{ queue: string; jobName: string; state: string; count: number }[]> {
  return tallyQueues(store, { queues: [options.queue], states: options.states });
}

/**
 * Jobs counted by queue, name and state in one pass (Sidekiq's retry and dead sets hold every queue's jobs), largest
 * first within each queue. A job whose class cannot be read is counted under its shape, e.g. `(not-json)`.
 */
export async function tallyQueues(store: JobStore, options: { queues: readonly string[]; states?: readonly string[] }): Promise<{ queue: string; jobName: string; state: string; count: number }[]> {
  const info = await store.info();
  const counts = new Map<string, { queue: string; jobName: string; state: string; count: number }>();
  for await (const batch of store.scan({ states: options.states ?? info.states, queues: options.queues })) {
    for (const job of batch) {
      const jobName = job.jobName ?? `(${job.shape})`;
      const key = `${job.queue}\u0000${jobName}\u0000${job.state}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { queue: job.queue, jobName, state: job.state, count: 1 });
    }
  }
  const order = new Map(options.queues.map((q, i) => [q, i]));
  return [...counts.values()].sort((a, b) => (order.get(a.queue) ?? 0) - (order.get(b.queue) ?? 0) || b.count - a.count || a.jobName.localeCompare(b.jobName));
}
