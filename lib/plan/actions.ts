import { loadConfig, type Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import type { PostCommitAction } from './types.js';

/** Runs one kind of post-commit action (with every `PlanRef` already resolved to an id) and says what it did. */
export type PostCommitRunner = (action: ResolvedAction, context: { db: RegisterDb; config: Config | null }) => Promise<string>;
export type ResolvedAction = PostCommitAction & { traineeId: number };

/**
 * Jobs a plan can enqueue, with the queue each runs on: Register's trainee jobs, each taking the trainee only (the DQT
 * era's on `dqt`, today's `Trs::` ones on `trs`).
 *
 * @example
 * builder.enqueue({ job: 'Trs::UpdateTraineeJob', queue: TRAINEE_JOBS['Trs::UpdateTraineeJob'], traineeId: 401, description: 'Send the corrected record to TRS' });
 */
export const TRAINEE_JOBS = {
  'Dqt::RegisterForTrnJob': 'dqt',
  'Dqt::UpdateTraineeJob': 'dqt',
  'Dqt::WithdrawTraineeJob': 'dqt',
  'Dqt::RecommendForAwardJob': 'dqt',
  'Trs::RegisterForTrnJob': 'trs',
  'Trs::UpdateTraineeJob': 'trs',
  'Trs::UpdateProfessionalStatusJob': 'trs',
} as const;
export type TraineeJobName = keyof typeof TRAINEE_JOBS;
const isTraineeJob = (job: string): job is TraineeJobName => Object.prototype.hasOwnProperty.call(TRAINEE_JOBS, job);
const ENQUEUE_TIMEOUT_MS = 10_000;

/**
 * The default `enqueue-job` runner: puts the job on Register's queue through the job store (lib/queues: Sidekiq or the
 * toolkit's BullMQ, as `config.redis` says) as an ActiveJob job taking the trainee, and says which job it added. A
 * queue no running Sidekiq polls is refused (the data change stays committed; the receipt says so). Gives up after
 * 10 s if Redis does not answer.
 */
export const enqueueJobRunner: PostCommitRunner = async (action, { config }) => {
  if (!isTraineeJob(action.job)) throw new Error(`a plan can only enqueue ${Object.keys(TRAINEE_JOBS).join(', ')}, not ${action.job}`);
  if (action.queue !== TRAINEE_JOBS[action.job]) throw new Error(`${action.job} runs on queue ${TRAINEE_JOBS[action.job]}, not ${action.queue}: nothing was enqueued`);
  // Loaded on first use: BullMQ and ioredis are not needed by plans without jobs.
  const { openJobStore } = await import('../queues/open.js');
  const store = openJobStore(config ?? loadConfig());
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      store.enqueue({ jobClass: action.job, queue: action.queue, arguments: [{ record: 'Trainee', id: action.traineeId }], traineeId: action.traineeId } as Parameters<typeof store.enqueue>[0]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_TIMEOUT_MS / 1000} s`)), ENQUEUE_TIMEOUT_MS);
      }),
    ]);
    if (outcome.status !== 'done') throw new Error(outcome.message);
    return `${action.job} enqueued on queue ${action.queue} for trainee ${action.traineeId} (job ${outcome.jobId}).`;
  } finally {
    clearTimeout(timer);
    await store.close().catch(() => undefined);
  }
};

const runners = new Map<PostCommitAction['kind'], PostCommitRunner>([['enqueue-job', enqueueJobRunner]]);

/**
 * Replaces how a kind of post-commit action runs (the default `enqueue-job` runner uses lib/jobs). Returns the
 * runner it replaced, so a caller can put it back.
 *
 * @example
 * const previous = registerPostCommitRunner('enqueue-job', async (action) => `would enqueue ${action.job}`);
 */
export function registerPostCommitRunner(kind: PostCommitAction['kind'], runner: PostCommitRunner): PostCommitRunner | undefined {
  const previous = runners.get(kind);
  runners.set(kind, runner);
  return previous;
}

/** The runner for a kind of action, or undefined when none is registered. */
export function postCommitRunner(kind: PostCommitAction['kind']): PostCommitRunner | undefined {
  return runners.get(kind);
}

/** True when jobs can be enqueued after a commit. */
export function canEnqueueJobs(): boolean {
  return runners.has('enqueue-job');
}
