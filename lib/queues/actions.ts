import { randomUUID, createHash } from 'node:crypto';
import { loadConfig, type Config } from '../config/env.js';
import { callout, showTable } from '../notebook/display.js';
import { PlanRefusedError } from '../plan/errors.js';
import { checkCommitAllowed } from '../plan/guard.js';
import { canonicalJson } from '../plan/values.js';
import { textTable } from '../tables/text.js';
import { describeActiveJobValue, decodeActiveJobArgument, encodeActiveJobArgument, recordArgument, timeArgument } from './activejob.js';
import { messageWithoutHeaders } from './http-error.js';
import { openJobStore } from './open.js';
import { REGISTER_JOB_CLASSES, updateBeforeAwardPair } from './register-jobs.js';
import type { ActionOutcome, ActiveJobArgument, EnqueueRequest, JobActionKind, JobLocation, JobStore, JobToActOn } from './store.js';

/**
 * Changes to the job queues, built as a plan like data changes are: previewed, hashed, committed only with an audit
 * comment and a known operator, written to the run ledger, and never applied twice. At commit each job is re-checked
 * (still where the plan saw it, same error): a job that vanished or changed meanwhile is reported and skipped, never
 * pushed again. A plan that would push a job onto a queue no running worker polls is refused before anything is done.
 * Works on either backend (lib/queues/store.ts).
 */
export type JobAction =
  | ({ kind: 'retry'; after?: { queue: string; jobId: string } } & FailedJobTarget)
  | ({ kind: 'delete'; reason?: string } & FailedJobTarget)
  | ({ kind: 'kill' } & FailedJobTarget)
  | { kind: 'restart-polling'; traineeId: number; trnRequestId: number; timeoutAfter: string; jobClass: string; queue: string }
  | { kind: 'register-for-trn'; traineeId: number; jobClass: string; queue: string }
  | { kind: 'enqueue'; jobClass: string; queue: string; arguments: ActiveJobArgument[]; traineeId: number | null; detail: string };

/** The failed job an action is for, as the plan saw it. */
export interface FailedJobTarget {
  queue: string;
  jobId: string;
  jobName: string | null;
  traineeId: number | null;
  expectedError: string;
  location: JobLocation;
}

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
  location: JobLocation | null;
}

export const UPDATE_JOB_NAME = 'Dqt::UpdateTraineeJob';
export const AWARD_JOB_NAME = 'Dqt::RecommendForAwardJob';

function target(j: FailedJobRef): FailedJobTarget {
  if (!j.location) throw new Error(`Job ${j.jobName ?? ''} #${j.jobId} is not in a failed set (it is queued or running), so it cannot be retried, deleted or killed.`);
  return { queue: j.queue, jobId: j.jobId, jobName: j.jobName, traineeId: j.traineeId, expectedError: j.message, location: j.location };
}

/**
 * Retries of failed jobs, in the playbook's order: when a trainee has both a failed update and a failed award of the same
 * era in the plan (`Dqt::UpdateTraineeJob` and `Dqt::RecommendForAwardJob`, or `Trs::UpdateTraineeJob` and
 * `Trs::UpdateProfessionalStatusJob`), the update goes first and the award runs only after the update has succeeded.
 *
 * @example
 * const plan = planRetries(report.records.filter((r) => r.bulkSafe));
 */
export function planRetries(jobs: readonly FailedJobRef[], title = `Retry ${jobs.length} failed job(s)`): JobPlan {
  // Each trainee's failed update, by the update's job name (one pair per era: a DQT update never gates a TRS award).
  const updates = new Map<string, FailedJobRef>();
  for (const j of jobs) if (j.traineeId !== null && updateBeforeAwardPair(j.jobName)?.update === j.jobName) updates.set(`${j.jobName}\u0000${j.traineeId}`, j);
  const actions: JobAction[] = jobs.map((j) => {
    const pair = updateBeforeAwardPair(j.jobName);
    const update = pair?.award === j.jobName && j.traineeId !== null ? updates.get(`${pair.update}\u0000${j.traineeId}`) : undefined;
    return { kind: 'retry' as const, ...target(j), ...(update ? { after: { queue: update.queue, jobId: update.jobId } } : {}) };
  });
  // Dependencies first.
  actions.sort((a, b) => Number('after' in a && !!a.after) - Number('after' in b && !!b.after));
  return newPlan(title, actions);
}

/** Deletes of failed jobs (e.g. an update that failed only because the award raced it, once Register and DQT agree). */
export function planDeletes(jobs: readonly FailedJobRef[], title = `Delete ${jobs.length} failed job(s)`, reason?: string): JobPlan {
  return newPlan(
    title,
    jobs.map((j) => ({ kind: 'delete' as const, ...target(j), ...(reason ? { reason } : {}) })),
  );
}

/** Kills of retrying jobs (Sidekiq): each moves from the retry set to the dead set, as Sidekiq's Web UI "Kill" does. */
export function planKills(jobs: readonly FailedJobRef[], title = `Kill ${jobs.length} retrying job(s)`): JobPlan {
  return newPlan(title, jobs.map((j) => ({ kind: 'kill' as const, ...target(j) })));
}

/**
 * Register's own clean-up planned here: the dead jobs `Sidekiq::RemoveDeadDuplicatesJob` would delete (the triage
 * marks them `removedByCleanup`), so the list stops shrinking under you at the next run of the cron.
 *
 * @example
 * const plan = planRegisterCleanup(report.records);
 */
export function planRegisterCleanup(records: readonly (FailedJobRef & { removedByCleanup: boolean })[]): JobPlan {
  const older = records.filter((r) => r.removedByCleanup);
  return planDeletes(older, `Register's clean-up: delete ${older.length} older duplicate dead job(s) (same error, job and trainee as a later death)`, 'older duplicate: Sidekiq::RemoveDeadDuplicatesJob would delete it');
}

/** The job classes that poll for a TRN, by era. */
export type RetrieveTrnJobClass = 'Dqt::RetrieveTrnJob' | 'Trs::RetrieveTrnJob';

/**
 * Polling for a TRN again with a new timeout: the playbook's `Dqt::RetrieveTrnJob.perform_later(t.dqt_trn_request, Date.today + 4.days)`
 * (`Trs::RetrieveTrnJob` with its `Trs::TrnRequest` at HEAD). Refuses a timeout that is not in the future.
 */
export function planRestartPolling(traineeId: number, trnRequestId: number, timeoutAfter: Date | string, jobClass: RetrieveTrnJobClass = 'Dqt::RetrieveTrnJob'): JobPlan {
  const at = new Date(timeoutAfter);
  if (Number.isNaN(at.getTime())) throw new Error(`"${String(timeoutAfter)}" is not a date: give the new timeout as YYYY-MM-DD.`);
  if (at.getTime() <= Date.now()) throw new Error(`The new timeout ${at.toISOString().slice(0, 10)} is not in the future: polling would stop at once. Give a later date (the playbook uses today + 4 days).`);
  return newPlan(`Poll for the TRN of trainee ${traineeId} until ${at.toISOString().slice(0, 10)}`, [
    { kind: 'restart-polling', traineeId, trnRequestId, timeoutAfter: at.toISOString(), jobClass, queue: REGISTER_JOB_CLASSES[jobClass]!.queue },
  ]);
}

/** Registering a trainee for a TRN again (`Dqt::RegisterForTrnJob.perform_later(t)`), which starts polling when it succeeds. */
export function planReregister(traineeId: number, jobClass: 'Dqt::RegisterForTrnJob' | 'Trs::RegisterForTrnJob' = 'Dqt::RegisterForTrnJob'): JobPlan {
  return newPlan(`Register trainee ${traineeId} for a TRN again`, [{ kind: 'register-for-trn', traineeId, jobClass, queue: REGISTER_JOB_CLASSES[jobClass]!.queue }]);
}

/**
 * A new job of the same class on the same queue as a failed one, with new arguments (ActiveJob's `perform_later`):
 * e.g. a dead RetrieveTrnJob again with a new timeout. The failed job is left as it is.
 *
 * @example
 * planReenqueue(deadPoll, [recordArgument('Trs::TrnRequest', 77), timeArgument('2026-12-04')])
 */
export function planReenqueue(job: Pick<FailedJobRef, 'jobName' | 'queue' | 'traineeId' | 'jobId'>, args: ActiveJobArgument[], title?: string): JobPlan {
  if (!job.jobName) throw new Error(`Job #${job.jobId} has no readable job class, so it cannot be enqueued again.`);
  const detail = args.map((a) => describeActiveJobValue(decodeActiveJobArgument(encodeActiveJobArgument(a)))).join(', ');
  return newPlan(title ?? `Enqueue ${job.jobName} again (${detail})`, [{ kind: 'enqueue', jobClass: job.jobName, queue: job.queue, arguments: args, traineeId: job.traineeId, detail: `again as #${job.jobId}, with ${detail}` }]);
}

function newPlan(title: string, actions: JobAction[]): JobPlan {
  return { id: randomUUID(), title, actions, builtAt: new Date().toISOString() };
}

/**
 * The plan's content hash (16 hex characters): the same actions always give the same hash. Each action is hashed in
 * turn, its error without the response headers (the job is named exactly by its location), so a plan of thousands of
 * jobs is never one big string.
 */
export function jobPlanHash(plan: Pick<JobPlan, 'title' | 'actions'>): string {
  const hash = createHash('sha256').update(canonicalJson(plan.title));
  for (const a of plan.actions) {
    if (a.kind === 'retry' || a.kind === 'delete' || a.kind === 'kill') {
      // The fields in a fixed order: no object built per job.
      const l = a.location;
      const where = l.backend === 'sidekiq' ? `${l.set}\u0001${l.score}\u0001${l.jid}\u0001${l.size}` : `${l.queue}\u0001${l.jobId}`;
      const after = a.kind === 'retry' && a.after ? `${a.after.queue}\u0001${a.after.jobId}` : '';
      const reason = a.kind === 'delete' ? (a.reason ?? '') : '';
      hash.update(`\n${a.kind}\u0000${a.queue}\u0000${a.jobId}\u0000${a.jobName ?? ''}\u0000${a.traineeId ?? ''}\u0000${where}\u0000${after}\u0000${reason}\u0000${messageWithoutHeaders(a.expectedError)}`);
    } else {
      hash.update('\n').update(canonicalJson(a));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** What the run ledger keeps of an action: the error without its response headers, at most 500 characters. */
function ledgerAction(a: JobAction): JobAction {
  if (!('expectedError' in a)) return a;
  const short = messageWithoutHeaders(a.expectedError);
  return short.length <= 500 && short === a.expectedError ? a : { ...a, expectedError: short.length > 500 ? `${short.slice(0, 500)}…` : `${short}, headers: …` };
}

/** Where a failed job is, in words: `dead set, died 2026-…` or `BullMQ failed`. */
function whereText(l: JobLocation): string {
  return l.backend === 'sidekiq' ? `${l.set} set, ${l.set === 'dead' ? 'died' : l.set === 'retry' ? 'next try' : 'runs'} ${new Date(Number(l.score) * 1000).toISOString()}` : 'failed';
}

/** One row per action, for the preview. */
export function jobPlanRows(plan: JobPlan): Record<string, unknown>[] {
  return plan.actions.map((a, i) => {
    switch (a.kind) {
      case 'retry':
        return { step: i + 1, action: 'retry', queue: a.queue, job: `${a.jobName} #${a.jobId}`, trainee: a.traineeId, detail: a.after ? `only after job #${a.after.jobId} (the update) has succeeded` : `${whereText(a.location)}: ${a.expectedError.slice(0, 120)}` };
      case 'delete':
        return { step: i + 1, action: 'delete', queue: a.queue, job: `${a.jobName} #${a.jobId}`, trainee: a.traineeId, detail: `${a.reason ? `${a.reason}; ` : ''}${whereText(a.location)}: ${a.expectedError.slice(0, 120)}` };
      case 'kill':
        return { step: i + 1, action: 'kill', queue: a.queue, job: `${a.jobName} #${a.jobId}`, trainee: a.traineeId, detail: `${whereText(a.location)} → dead set: ${a.expectedError.slice(0, 120)}` };
      case 'restart-polling':
        return { step: i + 1, action: 'enqueue', queue: a.queue, job: a.jobClass, trainee: a.traineeId, detail: `TRN request ${a.trnRequestId}, timeout ${a.timeoutAfter}` };
      case 'register-for-trn':
        return { step: i + 1, action: 'enqueue', queue: a.queue, job: a.jobClass, trainee: a.traineeId, detail: 'register for a TRN, then poll' };
      case 'enqueue':
        return { step: i + 1, action: 'enqueue', queue: a.queue, job: a.jobClass, trainee: a.traineeId, detail: a.detail };
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
  /** `skipped`: the job vanished or changed since the plan, or what it depends on did not succeed; `refused`: not done on purpose. */
  status: 'done' | 'skipped' | 'refused' | 'failed';
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
  /** The job store (opened on the configured Redis and closed here when not given). */
  jobs?: JobStore;
  /** How long to wait for an update to succeed before retrying the award that depends on it. Default 60 s. */
  waitForDependencyMs?: number;
}

/**
 * The run ledger: every committed job plan, newest first (operator, comment, actions, results).
 *
 * @example
 * const [last] = await readLedger(ctx.jobs, 1);
 */
export async function readLedger(store: JobStore, limit = 50): Promise<JobReceipt[]> {
  return store.readLedger<JobReceipt>(limit);
}

/** The request an enqueue action pushes. */
export function enqueueRequestOf(a: Extract<JobAction, { kind: 'restart-polling' | 'register-for-trn' | 'enqueue' }>): EnqueueRequest & { traineeId?: number } {
  if (a.kind === 'restart-polling') {
    const model = `${a.jobClass.split('::')[0]}::TrnRequest`;
    return { jobClass: a.jobClass, queue: a.queue, arguments: [recordArgument(model, a.trnRequestId), timeArgument(a.timeoutAfter)], traineeId: a.traineeId };
  }
  if (a.kind === 'register-for-trn') return { jobClass: a.jobClass, queue: a.queue, arguments: [recordArgument('Trainee', a.traineeId)], traineeId: a.traineeId };
  return { jobClass: a.jobClass, queue: a.queue, arguments: a.arguments, ...(a.traineeId !== null ? { traineeId: a.traineeId } : {}) };
}

/** The queues a plan pushes jobs onto that no running worker polls (nothing for BullMQ, which cannot tell). */
export async function unpolledQueues(store: JobStore, plan: JobPlan): Promise<string[]> {
  const pushes = plan.actions.filter((a) => a.kind !== 'delete' && a.kind !== 'kill').map((a) => a.queue);
  if (!pushes.length) return [];
  const polled = await store.pollingQueues();
  if (!polled) return [];
  return [...new Set(pushes.filter((q) => !polled.has(q)))];
}

/**
 * What `commitJobPlan` would find wrong now: queues no worker polls (the plan is refused), and jobs no longer where the
 * plan saw them with the same error (they are skipped).
 */
export async function jobPlanDrift(store: JobStore, plan: JobPlan): Promise<string[]> {
  const problems: string[] = [];
  const unpolled = await unpolledQueues(store, plan);
  if (unpolled.length) problems.push(await unpolledProblem(store, unpolled));
  const targets = plan.actions.filter((a): a is Extract<JobAction, { kind: 'retry' | 'delete' | 'kill' }> => a.kind === 'retry' || a.kind === 'delete' || a.kind === 'kill');
  const checks = await store.check(targets.map(toAct));
  targets.forEach((a, i) => {
    const c = checks[i]!;
    if (c.status !== 'same') problems.push(c.detail || `job #${a.jobId} (${a.jobName}) ${c.status}`);
  });
  return problems;
}

async function unpolledProblem(store: JobStore, queues: string[]): Promise<string> {
  const polled = await store.pollingQueues();
  const who = polled && polled.size ? `running Sidekiq processes poll ${[...polled.keys()].join(', ')}` : 'no Sidekiq process is running on this Redis';
  return `no running Sidekiq process polls queue${queues.length > 1 ? 's' : ''} ${queues.map((q) => `"${q}"`).join(', ')} (${who}): a job pushed there would wait for ever`;
}

const toAct = (a: FailedJobTarget): JobToActOn => ({ location: a.location, expectedMessage: a.expectedError, queue: a.queue });

/**
 * Commits a job plan. Refuses, doing nothing, on a blank comment, an unknown operator, writes not allowed, or a push
 * onto a queue no running worker polls. Then runs the actions in order (consecutive retries, deletes and kills in one
 * pipelined batch), skipping and reporting any job no longer where the plan saw it, and records the receipt in the run
 * ledger. A plan already in the ledger is not run again.
 *
 * @example
 * const receipt = await commitJobPlan(plan, { auditComment: 'DQT 500s on 30 Nov, rerun per playbook' });
 */
export async function commitJobPlan(plan: JobPlan, options: CommitJobPlanOptions): Promise<JobReceipt> {
  const config = options.config ?? loadConfig();
  const { comment, operator } = checkCommitAllowed({ auditComment: options.auditComment, operator: options.operator, config, what: 'job action' });
  const store = options.jobs ?? openJobStore(config);
  try {
    const hash = jobPlanHash(plan);
    // Both reads at once: was it committed already, and which queues are polled.
    const [previous, unpolled] = await Promise.all([store.findInLedger<JobReceipt>(plan.id), unpolledQueues(store, plan)]);
    if (previous) return { ...previous, alreadyCommitted: true };
    if (unpolled.length) {
      const problem = await unpolledProblem(store, unpolled);
      throw new PlanRefusedError('drift', `Refused: ${problem}. Nothing was done. Check that Register's Sidekiq runs, or plan for a queue it polls (e.g. Trs:: jobs on "trs" at HEAD, not Dqt:: on "dqt").`, [problem]);
    }
    const results: JobPlanResult[] = new Array(plan.actions.length);
    const outcome = new Map<string, JobPlanResult['status']>();
    const record = (i: number, a: JobAction, o: ActionOutcome) => {
      const status: JobPlanResult['status'] = o.status === 'done' ? 'done' : o.status === 'refused' ? 'refused' : 'skipped';
      results[i] = { action: a, status, message: o.message };
      if (a.kind === 'retry' || a.kind === 'delete' || a.kind === 'kill') outcome.set(`${a.queue}:${a.jobId}`, status);
    };
    let i = 0;
    while (i < plan.actions.length) {
      const a = plan.actions[i]!;
      try {
        if ((a.kind === 'retry' && !a.after) || a.kind === 'delete' || a.kind === 'kill') {
          // A run of the same action without dependencies: one pipelined batch.
          let j = i;
          const batch: { index: number; action: FailedJobTarget & { kind: JobActionKind } }[] = [];
          while (j < plan.actions.length) {
            const b = plan.actions[j]!;
            if (b.kind !== a.kind || (b.kind === 'retry' && b.after)) break;
            batch.push({ index: j, action: b as FailedJobTarget & { kind: JobActionKind } });
            j++;
          }
          const outcomes = await store.apply(a.kind, batch.map((b) => toAct(b.action)));
          batch.forEach((b, k) => record(b.index, plan.actions[b.index]!, withJobName(outcomes[k]!, b.action)));
          i = j;
          continue;
        }
        if (a.kind === 'retry') {
          const retried = outcome.get(`${a.after!.queue}:${a.after!.jobId}`) === 'done';
          const dependency = retried ? await store.waitForOutcome(a.after!.queue, a.after!.jobId, options.waitForDependencyMs ?? 60_000) : 'not retried';
          if (!retried || dependency !== 'completed') {
            record(i, a, { status: 'vanished', message: `Not retried: the update #${a.after!.jobId} it depends on ${retried ? `has not succeeded (${dependency})` : 'was not retried'}. Fix the update first, then retry this award.` });
          } else {
            const [o] = await store.apply('retry', [toAct(a)]);
            record(i, a, withJobName(o!, a));
          }
        } else {
          const o = await store.enqueue(enqueueRequestOf(a));
          record(i, a, o.status === 'done' ? { ...o, message: enqueueMessage(a, o) } : o);
        }
      } catch (error) {
        results[i] = { action: a, status: 'failed', message: `Failed: ${(error as Error).message}` };
        if (a.kind === 'retry' || a.kind === 'delete' || a.kind === 'kill') outcome.set(`${a.queue}:${a.jobId}`, 'failed');
      }
      i++;
    }
    const receipt: JobReceipt = { planId: plan.id, hash, alreadyCommitted: false, operator, comment, committedAt: new Date().toISOString(), results };
    // The ledger keeps each error without its response headers: a bulk plan's entry stays small.
    const entry: JobReceipt = { ...receipt, results: results.map((r) => ({ ...r, action: ledgerAction(r.action) })) };
    await store.appendLedger(entry);
    return receipt;
  } finally {
    if (!options.jobs) await store.close();
  }
}

function withJobName(o: ActionOutcome, a: FailedJobTarget & { kind: JobActionKind }): ActionOutcome {
  if (o.status !== 'done') return o;
  const verb = a.kind === 'retry' ? 'Retried' : a.kind === 'delete' ? 'Deleted' : 'Killed';
  const of = a.kind === 'delete' ? 'of' : 'for';
  return { ...o, message: `${verb} ${a.jobName} #${a.jobId}${a.traineeId ? ` ${of} trainee ${a.traineeId}` : ''}. ${o.message}` };
}

function enqueueMessage(a: Extract<JobAction, { kind: 'restart-polling' | 'register-for-trn' | 'enqueue' }>, o: ActionOutcome): string {
  if (a.kind === 'restart-polling') return `Enqueued ${a.jobClass} #${o.jobId} for TRN request ${a.trnRequestId}, polling until ${a.timeoutAfter}.`;
  if (a.kind === 'register-for-trn') return `Enqueued ${a.jobClass} #${o.jobId} for trainee ${a.traineeId}: check it succeeds (it starts polling for the TRN).`;
  return `Enqueued ${a.jobClass} #${o.jobId} on ${a.queue}: ${a.detail}.`;
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
