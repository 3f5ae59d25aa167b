import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DqtError } from '../dqt/error.js';
import { TrsError } from '../trs/error.js';
import { redactSecrets } from '../notebook/redact.js';
import { QUEUE_NAMES, sidekiqBackoffMs, type QueueName } from './names.js';
import { runJob, type JobContext } from './processors.js';
import type { RedisSettings } from './queues.js';

/**
 * Runs the job processors on the `dqt`, `trs` and `default` queues (what `support worker` starts; the `Trs::` jobs
 * need `trs`, a TRS client, in the options). Each failure is
 * retried with Register's attempts and a Sidekiq-like backoff; a job whose attempts are used up stays in the
 * failed set: that is the dead set.
 *
 * @example
 * const workers = startJobWorkers({ redis: config.redis, db, dqt, trs, queues });
 * workers.onEvent((line) => console.log(line));
 * await workers.close();
 */
export interface JobWorkersOptions extends JobContext {
  redis: RedisSettings;
  /** Which queues to work (default all: dqt, trs, default). */
  queueNames?: QueueName[];
  /** Jobs in parallel per queue (default 5, as Register's Sidekiq). */
  concurrency?: number;
}

export interface JobWorkers {
  workers: Worker[];
  /** Called with one line per job finished or failed (secrets redacted). */
  onEvent(listener: (line: string) => void): void;
  close(): Promise<void>;
}

export function startJobWorkers(options: JobWorkersOptions): JobWorkers {
  const listeners: ((line: string) => void)[] = [];
  const emit = (line: string) => listeners.forEach((l) => l(redactSecrets(line)));
  const connections: Redis[] = [];
  const workers = (options.queueNames ?? [...QUEUE_NAMES]).map((queueName) => {
    const connection = new Redis(options.redis.url, { maxRetriesPerRequest: null });
    connection.on('error', () => {});
    connections.push(connection);
    const worker = new Worker(queueName, (job) => runJob(options, job), {
      connection,
      prefix: options.redis.prefix,
      concurrency: options.concurrency ?? 5,
      settings: { backoffStrategy: (attemptsMade: number) => sidekiqBackoffMs(attemptsMade) },
    });
    worker.on('completed', (job, result) => emit(`${queueName} ${job.name} #${job.id} done: ${String(result)}`));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const dead = job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || error.name === 'JobTimedOut';
      // A bare "status: 401, body: " says little: add what it means for the statuses whose body is empty.
      const hint = (error instanceof DqtError || error instanceof TrsError) && [0, 401, 403, 429].includes(error.status) && error.explanation !== error.message ? ` (${error.explanation})` : '';
      emit(`${queueName} ${job.name} #${job.id} ${dead ? 'DEAD' : `failed (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}, will retry)`}: ${error.message}${hint}`);
    });
    // Redis being away raises the same error on every reconnect: report it once until it changes.
    let lastError = '';
    worker.on('error', (error) => {
      if (error.message !== lastError) emit(`${queueName} worker error: ${error.message}`);
      lastError = error.message;
    });
    worker.on('ready', () => (lastError = ''));
    return worker;
  });
  return {
    workers,
    onEvent(listener) {
      listeners.push(listener);
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
    },
  };
}
