import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import type { PostCommitAction } from './types.js';

/** Runs one kind of post-commit action (with every `PlanRef` already resolved to an id) and says what it did. */
export type PostCommitRunner = (action: ResolvedAction, context: { db: RegisterDb; config: Config | null }) => Promise<string>;
export type ResolvedAction = PostCommitAction & { traineeId: number };

const runners = new Map<PostCommitAction['kind'], PostCommitRunner>();

/**
 * Registers how a kind of post-commit action runs. The job library registers `enqueue-job` (it puts the job on
 * Register's queue); until something is registered, plans that need it say the action is unavailable.
 *
 * @example
 * registerPostCommitRunner('enqueue-job', async (action) => { await enqueue(action.job, action.traineeId); return `enqueued ${action.job}`; });
 */
export function registerPostCommitRunner(kind: PostCommitAction['kind'], runner: PostCommitRunner): void {
  runners.set(kind, runner);
}

/** The runner for a kind of action, or undefined when none is registered yet. */
export function postCommitRunner(kind: PostCommitAction['kind']): PostCommitRunner | undefined {
  return runners.get(kind);
}

/** True when jobs can be enqueued after a commit (the job library is loaded and registered its runner). */
export function canEnqueueJobs(): boolean {
  return runners.has('enqueue-job');
}
