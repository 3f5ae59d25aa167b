import { randomUUID, createHash } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../config/env.js';
import { openJobQueues, type JobQueues } from '../jobs/queues.js';
import { callout, showTable } from '../notebook/display.js';
import { PlanRefusedError } from '../plan/errors.js';
import { checkCommitAllowed } from '../plan/guard.js';
import { canonicalJson } from '../plan/values.js';
import { textTable } from '../tables/text.js';

/**
 * Changes to the job queues, built as a plan like data changes are: previewed, hashed, committed only with an audit
 * comment and a known operator, each job re-checked at commit time (still failed, same error), written to the run
 * ledger, and never applied twice.
 */
export type JobAction =
  | { kind: 'retry'; queue: string; jobId: string; jobName: string | null; traineeId: number | null; expectedError: string; after?: { queue: string; jobId: string } }
  | { kind: 'delete'; queue: string; jobId: string; jobName: string | null; traineeId: number | null; expectedError: string }
  | { kind: 'restart-polling'; traineeId: number; trnRequestId: number; timeoutAfter: string }
  | { kind: 'register-for-trn'; traineeId: number };

export interface JobPlan {
  id: string;
  title: string;
  actions: JobAction[];
  builtAt: string;
}

/** A failed job to act on: what a triage record has. */
export interface FailedJobRef {
  queue: string;
  jobId: string;
  jobName: string | null;
  traineeId: number | null;
  message: string;
}

export const UPDATE_JOB_NAME = 'Dqt::UpdateTraineeJob';
export const AWARD_JOB_NAME = 'Dqt::RecommendForAwardJob';

/**
 * Retries of failed jobs, in the playbook's order: when a trainee has both a failed update and a failed award in the
 * plan, the update goes first and the award runs only after the update has succeeded.
 *
 * @example
 * const plan = planRetries(report.records.filter((r) => r.bulkSafe));
 */
export function planRetries(jobs: readonly FailedJobRef[], title = `Retry ${jobs.length} failed job(s)`): JobPlan {
  const updates = new Map<number, FailedJobRef>();
  for (const j of jobs) if (j.jobName === UPDATE_JOB_NAME && j.traineeId !== null) updates.set(j.traineeId, j);
  const actions: JobAction[] = jobs.map((j) => {
    const update = j.jobName === AWARD_JOB_NAME && j.traineeId !== null ? updates.get(j.traineeId) : undefined;
    return {
      kind: 'retry' as const,
      queue: j.queue,
      jobId: j.jobId,
      jobName: j.jobName,
      traineeId: j.traineeId,
      expectedError: j.message,
      ...(update ? { after: { queue: update.queue, jobId: update.jobId } } : {}),
    };
  });
  // Dependencies first.
  actions.sort((a, b) => Number('after' in a && !!a.after) - Number('after' in b && !!b.after));
  return newPlan(title, actions);
}

/** Deletes of failed jobs (e.g. an update that failed only because the award raced it, once Register and DQT agree). */
export function planDeletes(jobs: readonly FailedJobRef[], title = `Delete ${jobs.length} failed job(s)`): JobPlan {
  return newPlan(
    title,
    jobs.map((j) => ({ kind: 'delete' as const, queue: j.queue, jobId: j.jobId, jobName: j.jobName, traineeId: j.traineeId, expectedError: j.message })),
  );
}

/**
 * Polling for a TRN again with a new timeout: the playbook's `Dqt::RetrieveTrnJob.perform_later(t.dqt_trn_request, Date.today + 4.days)`.
 * Refuses a timeout that is not in the future.
 */
export function planRestartPolling(traineeId: number, trnRequestId: number, timeoutAfter: Date | string): JobPlan {
  const at = new Date(timeoutAfter);
  if (Number.isNaN(at.getTime())) throw new Error(`"${String(timeoutAfter)}" is not a date: give the new timeout as YYYY-MM-DD.`);
  if (at.getTime() <= Date.now()) throw new Error(`The new timeout ${at.toISOString().slice(0, 10)} is not in the future: polling would stop at once. Give a later date (the playbook uses today + 4 days).`);
  return newPlan(`Poll DQT for the TRN of trainee ${traineeId} until ${at.toISOString().slice(0, 10)}`, [{ kind: 'restart-polling', traineeId, trnRequestId, timeoutAfter: at.toISOString() }]);
}

/** Registering a trainee for a TRN again (`Dqt::RegisterForTrnJob.perform_later(t)`), which starts polling when it succeeds. */
export function planReregister(traineeId: number): JobPlan {
  return newPlan(`Register trainee ${traineeId} with DQT for a TRN again`, [{ kind: 'register-for-trn', traineeId }]);
}

function newPlan(title: string, actions: JobAction[]): JobPlan {
  return { id: randomUUID(), title, actions, builtAt: new Date().toISOString() };
}

/** The plan's content hash (16 hex characters): the same actions always give the same hash. */
export function jobPlanHash(plan: Pick<JobPlan, 'title' | 'actions'>): string {
  return createHash('sha256').update(canonicalJson({ title: plan.title, actions: plan.actions })).digest('hex').slice(0, 16);
}

/** One row per action, for the preview. */
export function jobPlanRows(plan: JobPlan): Record<string, unknown>[] {
  return plan.actions.map((a, i) => {
    switch (a.kind) {
      case 'retry':
        return { step: i + 1, action: 'retry', queue: a.queue, job: `${a.jobName} #${a.jobId}`, trainee: a.traineeId, detail: a.after ? `only after job #${a.after.jobId} (the update) has succeeded` : a.expectedError.slice(0, 120) };
      case 'delete':
        return { step: i + 1, action: 'delete', queue: a.queue, job: `${a.jobName} #${a.jobId}`, trainee: a.traineeId, detail: a.expectedError.slice(0, 120) };
      case 'restart-polling':
        return { step: i + 1, action: 'enqueue', queue: 'dqt', job: 'Dqt::RetrieveTrnJob', trainee: a.traineeId, detail: `TRN request ${a.trnRequestId}, timeout ${a.timeoutAfter}` };
      case 'register-for-trn':
        return { step: i + 1, action: 'enqueue', queue: 'dqt', job: 'Dqt::RegisterForTrnJob', trainee: a.traineeId, detail: 'register for a TRN, then poll' };
    }
  });
}

/** Shows the plan: one row per action, with its hash; a plan with no actions says so. */
export function showJobPlan(plan: JobPlan): void {
  if (plan.actions.length === 0) {
    callout('info', `${plan.title}: nothing to do.`, 'Empty plan');
    return;
  }
  showTable(jobPlanRows(plan), { caption: `${plan.title} — plan ${jobPlanHash(plan)}` });
}

export interface JobPlanResult {
  action: JobAction;
  status: 'done' | 'skipped' | 'failed';
  message: string;
}

export interface JobReceipt {
  planId: string;
  hash: string;
  alreadyCommitted: boolean;
  operator: string;
  comment: string;
  committedAt: string;
  results: JobPlanResult[];
}

export interface CommitJobPlanOptions {
  auditComment: string;
  operator?: string | null;
  config?: Pick<Config, 'operator' | 'writesAllowed' | 'redis'>;
  /** Queues on the configured Redis (opened and closed here when not given). */
  jobs?: JobQueues;
  /** How long to wait for an update to succeed before retrying the award that depends on it. Default 60 s. */
  waitForDependencyMs?: number;
}

const ledgerKey = (prefix: string) => `${prefix}:support:ledger`;

/** The run ledger: every committed job plan, newest first (operator, comment, actions, results). */
export async function readLedger(redis: Redis, prefix: string, limit = 50): Promise<JobReceipt[]> {
  return (await redis.lrange(ledgerKey(prefix), 0, limit - 1)).map((entry) => JSON.parse(entry) as JobReceipt);
}

/**
 * Commits a job plan. Refuses, doing nothing, on a blank comment, an unknown operator, writes not allowed, or when any
 * job is no longer failed with the error the plan saw. Then runs the actions in order and records the receipt in the
 * run ledger. A plan already in the ledger is not run again.
 *
 * @example
 * const receipt = await commitJobPlan(plan, { auditComment: 'DQT 500s on 30 Nov, rerun per playbook' });
 */
export async function commitJobPlan(plan: JobPlan, options: CommitJobPlanOptions): Promise<JobReceipt> {
  const config = options.config ?? loadConfig();
  const { comment, operator } = checkCommitAllowed({ auditComment: options.auditComment, operator: options.operator, config, what: 'job action' });
  const jobs = options.jobs ?? openJobQueues(config.redis);
  const redis = jobs.connection;
  try {
    const hash = jobPlanHash(plan);
    const previous = (await readLedger(redis, jobs.prefix, 500)).find((r) => r.planId === plan.id);
    if (previous) return { ...previous, alreadyCommitted: true };

    const queueOf = (name: string): Queue => {
      const q = (jobs.queues as Record<string, Queue>)[name];
      if (!q) throw new Error(`Unknown queue "${name}". Queues: ${Object.keys(jobs.queues).join(', ')}.`);
      return q;
    };
    // Drift check: every job to retry or delete must still be failed with the error the plan saw.
    const problems: string[] = [];
    for (const a of plan.actions) {
      if (a.kind !== 'retry' && a.kind !== 'delete') continue;
      const job = await Job.fromId(queueOf(a.queue), a.jobId);
      const state = job ? await job.getState() : 'missing';
      if (!job) problems.push(`job #${a.jobId} (${a.jobName}) no longer exists`);
      else if (state !== 'failed') problems.push(`job #${a.jobId} (${a.jobName}) is now ${state}, not failed`);
      else if ((job.failedReason ?? '') !== a.expectedError) problems.push(`job #${a.jobId} (${a.jobName}) failed again with another error: ${job.failedReason}`);
    }
    if (problems.length) {
      throw new PlanRefusedError('drift', `Refused: the queue changed since this plan was built, so nothing was done.\n${problems.map((p) => `  - ${p}`).join('\n')}\nRun the triage again for a new plan.`, problems);
    }

    const results: JobPlanResult[] = [];
    const outcome = new Map<string, 'done' | 'skipped' | 'failed'>();
    for (const a of plan.actions) {
      try {
        if (a.kind === 'retry') {
          if (a.after) {
            const ok = await waitForCompletion(queueOf(a.after.queue), a.after.jobId, options.waitForDependencyMs ?? 60_000);
            if (outcome.get(`${a.after.queue}:${a.after.jobId}`) !== 'done' || ok !== 'completed') {
              results.push({ action: a, status: 'skipped', message: `Not retried: the update #${a.after.jobId} it depends on ${ok === 'completed' ? 'was not retried' : `has not succeeded (${ok})`}. Fix the update first, then retry this award.` });
              outcome.set(`${a.queue}:${a.jobId}`, 'skipped');
              continue;
            }
          }
          const job = await Job.fromId(queueOf(a.queue), a.jobId);
          await job!.retry('failed');
          results.push({ action: a, status: 'done', message: `Retried ${a.jobName} #${a.jobId}${a.traineeId ? ` for trainee ${a.traineeId}` : ''}.` });
        } else if (a.kind === 'delete') {
          const job = await Job.fromId(queueOf(a.queue), a.jobId);
          await job!.remove();
          results.push({ action: a, status: 'done', message: `Deleted ${a.jobName} #${a.jobId}${a.traineeId ? ` of trainee ${a.traineeId}` : ''}.` });
        } else if (a.kind === 'restart-polling') {
          const job = await jobs.enqueue('Dqt::RetrieveTrnJob', { trnRequestId: a.trnRequestId, traineeId: a.traineeId, timeoutAfter: a.timeoutAfter });
          results.push({ action: a, status: 'done', message: `Enqueued Dqt::RetrieveTrnJob #${job.id} for TRN request ${a.trnRequestId}, polling until ${a.timeoutAfter}.` });
        } else {
          const job = await jobs.enqueue('Dqt::RegisterForTrnJob', { traineeId: a.traineeId });
          results.push({ action: a, status: 'done', message: `Enqueued Dqt::RegisterForTrnJob #${job.id} for trainee ${a.traineeId}: check it succeeds (it starts polling for the TRN).` });
        }
        if (a.kind === 'retry' || a.kind === 'delete') outcome.set(`${a.queue}:${a.jobId}`, 'done');
      } catch (error) {
        results.push({ action: a, status: 'failed', message: `Failed: ${(error as Error).message}` });
        if (a.kind === 'retry' || a.kind === 'delete') outcome.set(`${a.queue}:${a.jobId}`, 'failed');
      }
    }
    const receipt: JobReceipt = { planId: plan.id, hash, alreadyCommitted: false, operator, comment, committedAt: new Date().toISOString(), results };
    await redis.lpush(ledgerKey(jobs.prefix), JSON.stringify(receipt));
    return receipt;
  } finally {
    if (!options.jobs) await jobs.close();
  }
}

/** Waits until a job completes or fails (or the time runs out). */
async function waitForCompletion(queue: Queue, jobId: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await Job.fromId(queue, jobId);
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed' || state === 'missing') return state;
    // The update was moved out of the failed set when it was retried: failed now means it failed again.
    if (state === 'failed') return 'failed again';
    if (Date.now() > deadline) return `still ${state} after ${Math.round(timeoutMs / 1000)} s`;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Shows a job plan receipt as call-outs. */
export function showJobReceipt(receipt: JobReceipt): void {
  if (receipt.alreadyCommitted) {
    callout('info', `Plan ${receipt.hash} was already committed on ${receipt.committedAt} by ${receipt.operator}: nothing was done this time.`, 'Already done');
    return;
  }
  const rows = receipt.results.map((r) => ({ status: r.status, message: r.message }));
  const bad = receipt.results.filter((r) => r.status !== 'done').length;
  callout(bad ? 'warn' : 'ok', `Plan ${receipt.hash} committed by ${receipt.operator}: ${receipt.results.length - bad} of ${receipt.results.length} action(s) done. Recorded in the run ledger.\n${textTable(rows, { maxWidth: 100 })}`, bad ? 'Done, with exceptions' : 'Done');
}

/**
 * The commit cell of a queue runbook: with `commit` false says nothing was done; otherwise commits and shows the receipt.
 *
 * @example
 * await commitJobPlanIfRequested(plan, { commit, auditComment });
 */
export async function commitJobPlanIfRequested(plan: JobPlan, options: CommitJobPlanOptions & { commit: boolean }): Promise<JobReceipt | null> {
  if (!options.commit) {
    callout('info', 'Preview only (commit = false): no job was touched. To apply this plan, set commit = true and an auditComment, then run again.', 'Preview only');
    return null;
  }
  if (plan.actions.length === 0) {
    callout('info', 'This plan does nothing, so there is nothing to commit.', 'Nothing to do');
    return null;
  }
  try {
    const receipt = await commitJobPlan(plan, options);
    showJobReceipt(receipt);
    return receipt;
  } catch (error) {
    if (error instanceof PlanRefusedError) callout('error', error.message, 'Commit refused');
    throw error;
  }
}
