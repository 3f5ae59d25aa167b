import type { Job, Queue } from 'bullmq';
import { traineeIdOf } from './data.js';

/**
 * "Dead" jobs, Sidekiq's word: jobs that failed and will not run again. BullMQ keeps a job that will be
 * retried in `delayed` (or `wait`), never in `failed`, so every job in a queue's failed set is dead: its
 * attempts are used up, or its error was unrecoverable (a timeout, data that cannot be read).
 *
 * @example
 * const dead = await deadJobs(jobs.queues.dqt);
 * dead.map((d) => [d.name, d.traineeId, d.error]);
 */
export interface DeadJob {
  id: string;
  name: string;
  traineeId: number | null;
  /** The error message (Register's `error_message`). */
  error: string;
  /** The error class, from the first line of the last stack trace (e.g. `Dqt::Client::HttpError`). */
  errorClass: string | null;
  attemptsMade: number;
  attempts: number;
  enqueuedAt: Date;
  failedAt: Date | null;
  data: unknown;
}

/** The error class of a failed job, read from its last stack trace ("Name: message"). */
export function errorClassOf(job: Pick<Job, 'stacktrace'>): string | null {
  const last = job.stacktrace?.[job.stacktrace.length - 1];
  const m = last ? /^([A-Za-z_][\w:]*)(?::|$)/.exec(last) : null;
  return m ? m[1]! : null;
}

/** The exception class from a job's stored stack trace (BullMQ keeps it as JSON text: a list, the last one latest). */
export function errorClassFromStackText(stacktrace: string | null): string | null {
  if (!stacktrace) return null;
  let traces: string[];
  try {
    const parsed = JSON.parse(stacktrace) as unknown;
    traces = Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    traces = [stacktrace];
  }
  return errorClassOf({ stacktrace: traces });
}

export function toDeadJob(job: Job): DeadJob {
  return {
    id: String(job.id),
    name: job.name,
    traineeId: traineeIdOf(job.data),
    error: job.failedReason ?? '',
    errorClass: errorClassOf(job),
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    enqueuedAt: new Date(job.timestamp),
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    data: job.data,
  };
}

/** Every dead job of a queue, oldest first, read in pages of `pageSize`. */
export async function deadJobs(queue: Queue, pageSize = 1000): Promise<DeadJob[]> {
  const out: DeadJob[] = [];
  for (let start = 0; ; start += pageSize) {
    const page = await queue.getFailed(start, start + pageSize - 1);
    out.push(...page.filter(Boolean).map(toDeadJob));
    if (page.length < pageSize) break;
  }
  return out.sort((a, b) => a.enqueuedAt.getTime() - b.enqueuedAt.getTime());
}
