import { findTrainee } from '../db/lookup.js';
import { JOB_STATES, type JobState } from '../queues/keys.js';
import { callout, progress, showSvg, showTable } from '../notebook/display.js';
import { planRestartPolling, planRetries, type JobAction, type JobPlan } from '../queues/actions.js';
import { findTraineeJobs, tallyQueue, type TraineeJob } from '../queues/find.js';
import { barChart } from '../tables/chart.js';
import { countByErrorPrefix, triageDeadSet, type TriageReport } from '../triage/report.js';
import type { TriageRecord } from '../triage/triage.js';
import { trnRequestIdsOf, type InvestigationContext } from './investigation.js';
import { fullName } from '../trainees/lookup.js';
import { pollingTimeout } from './retrieve-trn-timeout.js';

/**
 * The whole dead set for the triage runbook (playbook "Managing the sidekiq queue" → "Dead jobs", and "Error codes on
 * DQT trainee jobs"): the lead's triage report, the count by error prefix, and a bulk plan of the safe actions only.
 *
 * @example
 * const triage = await triageDeadJobs(ctx, { errorPrefix: 'status: 500' });
 * await showDeadSetTriage(triage);
 * showJobPlan(triage.bulkPlan);
 */
export interface DeadSetTriage {
  report: TriageReport;
  /** Dead jobs per error prefix (`status: 500`, `status: 404`, or the start of other messages). */
  byErrorPrefix: { prefix: string; count: number }[];
  /** The `errorPrefix` asked for and how many messages start with it (the playbook's `starts_with?` count). */
  prefixCount: { prefix: string; count: number } | null;
  /** Retries of bulk-safe 500s and new polling for bulk-safe timeouts; nothing else. */
  bulkPlan: JobPlan;
  /** Records left for a runbook each (not bulk-safe). */
  needsARunbook: number;
}

/**
 * The prefix of an error message used for counting: `status: 500`, or the message up to its first digit or bracket.
 *
 * @example
 * errorPrefixOf('Cannot update trainee on DQT without a trn (id: 209)') // 'Cannot update trainee on DQT without a trn'
 */
export function errorPrefixOf(message: string): string {
  const status = /^status: \d{3}/.exec(message);
  if (status) return status[0];
  const words = message.split(/[\d({]/)[0]!.replace(/[\s:,]+$/, '');
  return words.slice(0, 60) || '(empty)';
}

/**
 * The bulk plan of the playbook's safe actions: a retry for each bulk-safe server error (an update before an award of
 * the same trainee), and for each bulk-safe RetrieveTrn timeout a new polling job until `timeoutAfter` (retrying the
 * dead poll itself would time out again at once, its timeout being past). Records that are not bulk-safe are left out.
 */
export function planBulkSafeActions(records: readonly TriageRecord[], options: { timeoutAfter?: string | null; now?: Date } = {}): JobPlan {
  const safe = records.filter((r) => r.bulkSafe);
  const retries = safe.filter((r) => r.kind !== 'retrieve-trn-timeout');
  const timeouts = safe.filter((r) => r.kind === 'retrieve-trn-timeout' && r.traineeId !== null && r.trnRequestId !== null);
  const plan = planRetries(retries, `Bulk: retry ${retries.length} server error(s)${timeouts.length ? `, poll again for ${timeouts.length} timed-out TRN request(s)` : ''}`);
  if (timeouts.length === 0) return plan;
  const timeout = pollingTimeout(options.timeoutAfter, options.now);
  const seen = new Set<number>();
  const polls: JobAction[] = [];
  for (const r of timeouts) {
    if (seen.has(r.trnRequestId!)) continue;
    seen.add(r.trnRequestId!);
    polls.push(...planRestartPolling(r.traineeId!, r.trnRequestId!, timeout).actions);
  }
  return { ...plan, actions: [...plan.actions, ...polls] };
}

/** Reads and classifies the dead set of the queues (default `dqt`), with progress. */
export async function triageDeadJobs(
  ctx: Pick<InvestigationContext, 'db' | 'jobs'>,
  options: { queues?: string[]; errorPrefix?: string | null; timeoutAfter?: string | null; showProgress?: boolean } = {},
): Promise<DeadSetTriage> {
  const p = options.showProgress === false ? null : progress('Reading the dead set');
  const report = await triageDeadSet(ctx.jobs.connection, { prefix: ctx.jobs.prefix, queues: options.queues?.length ? options.queues : ['dqt'], db: ctx.db, onProgress: p ? (done, total) => p.update(done, total) : undefined });
  p?.done(`${report.total} dead job(s)`);
  const prefixes = new Map<string, number>();
  for (const r of report.records) {
    const prefix = errorPrefixOf(r.message);
    prefixes.set(prefix, (prefixes.get(prefix) ?? 0) + 1);
  }
  const wanted = (options.errorPrefix ?? '').trim();
  const bulkPlan = planBulkSafeActions(report.records, { timeoutAfter: options.timeoutAfter });
  return {
    report,
    byErrorPrefix: [...prefixes.entries()].map(([prefix, count]) => ({ prefix, count })).sort((a, b) => b.count - a.count),
    prefixCount: wanted ? { prefix: wanted, count: countByErrorPrefix(report.records, wanted) } : null,
    bulkPlan,
    needsARunbook: report.records.filter((r) => !r.bulkSafe).length,
  };
}

/** The triage runbook's tables and charts. */
export async function showDeadSetTriage(t: DeadSetTriage): Promise<void> {
  const r = t.report;
  if (r.total === 0) {
    callout('ok', 'The dead set is empty: no failed job to triage.', 'Nothing dead');
    return;
  }
  callout('info', `${r.total} dead job(s) of ${r.uniqueTrainees} unique trainee(s); ${r.total - t.needsARunbook} can be handled in bulk, ${t.needsARunbook} need their runbook.`, 'Dead set');
  // A kind's rule may be bulk-safe while some of its jobs are not (a trainee's update and award): bulkSafeJobs counts the jobs in the plan.
  showTable(r.byKind, { caption: 'By kind of error (playbook)', columns: ['kind', 'count', 'trainees', 'bulkSafeJobs', 'action', 'runbook'] });
  showSvg(await barChart(r.byKind, { x: 'kind', y: 'count', title: 'Dead jobs by kind of error' }), 'dead jobs by kind');
  showSvg(await barChart(r.byDay, { x: 'day', y: 'count', color: 'kind', title: 'Dead jobs by day failed', xType: 'ordinal' }), 'dead jobs by day');
  showTable(r.byJobName, { caption: 'By job' });
  showTable(r.byFingerprint, { caption: 'By error fingerprint (ids and dates normalised away)' });
  showTable(t.byErrorPrefix, { caption: 'By error prefix' });
  if (t.prefixCount) callout('info', `${t.prefixCount.count} dead job(s) have an error starting with "${t.prefixCount.prefix}".`, 'Count by prefix');
  showTable(
    // What to do first (action, bulk or not, which runbook), then which job it is.
    r.records.map((x) => ({ slug: x.slug, kind: x.kind, action: x.action, bulkSafe: x.bulkSafe, runbook: x.runbook, jobName: x.jobName, status: x.status, errorCode: x.errorCode, failedAt: x.failedAt, traineeId: x.traineeId, jobId: x.jobId })),
    { caption: 'Every dead job, classified (open the runbook named for each)', pageSize: 25, rowClass: (row) => (row.bulkSafe ? 'good' : undefined) },
  );
}

/** The queues runbook: a trainee's jobs in every state, each queue tallied by job and state, the dead set by error. */
export interface QueueOverview {
  trainee: { id: number; slug: string; name: string } | null;
  traineeJobs: TraineeJob[];
  /** One row per queue and job name, a column per state. */
  tally: Record<string, unknown>[];
  deadByError: TriageReport['byFingerprint'];
  deadByKind: TriageReport['byKind'];
  uniqueDeadTrainees: number;
}

/**
 * The playbook's console commands ("Inspect jobs in a queue", "Tally by job type", "Dead jobs") on the `dqt` and
 * `default` queues. An empty `slug` skips the trainee part.
 *
 * @example
 * const o = await queueOverview(ctx, { slug: '' });
 */
export async function queueOverview(ctx: Pick<InvestigationContext, 'db' | 'jobs'>, input: { slug?: string | null; queues?: string[] }): Promise<QueueOverview> {
  const queues = input.queues?.length ? input.queues : ['dqt', 'default'];
  const redis = ctx.jobs.connection;
  const prefix = ctx.jobs.prefix;
  let trainee: QueueOverview['trainee'] = null;
  let traineeJobs: TraineeJob[] = [];
  if ((input.slug ?? '').trim()) {
    const t = await findTrainee(ctx.db, input.slug!.trim());
    trainee = { id: t.id, slug: t.slug, name: fullName(t) };
    traineeJobs = await findTraineeJobs(redis, { prefix, queues, traineeId: t.id, trnRequestIds: await trnRequestIdsOf(ctx.db, t.id) });
  }
  const tally: Record<string, unknown>[] = [];
  for (const queue of queues) {
    const rows = await tallyQueue(redis, { prefix, queue });
    const byName = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      const row = byName.get(r.jobName) ?? byName.set(r.jobName, { queue, jobName: r.jobName, ...Object.fromEntries(JOB_STATES.map((s) => [s, 0])), total: 0 }).get(r.jobName)!;
      row[r.state as JobState] = (row[r.state as JobState] as number) + r.count;
      row.total = (row.total as number) + r.count;
    }
    tally.push(...[...byName.values()].sort((a, b) => (b.total as number) - (a.total as number)));
  }
  const report = await triageDeadSet(redis, { prefix, queues, db: ctx.db });
  return { trainee, traineeJobs, tally, deadByError: report.byFingerprint, deadByKind: report.byKind, uniqueDeadTrainees: report.uniqueTrainees };
}

/** Shows the queues runbook's tables. */
export function showQueueOverview(o: QueueOverview): void {
  if (o.trainee) {
    showTable(
      o.traineeJobs.map((j) => ({ queue: j.queue, state: j.state, jobId: j.jobId, jobName: j.jobName, enqueued: j.enqueuedAt, at: j.at, attempts: j.attempts, error: j.failedReason })),
      { caption: `Jobs of ${o.trainee.name} (${o.trainee.slug}, id ${o.trainee.id}) in every state`, rowClass: (r) => (r.state === 'failed' ? 'warn' : undefined) },
    );
  } else {
    callout('info', 'No slug given: the trainee part is skipped.', 'Trainee');
  }
  showTable(o.tally, { caption: 'Jobs by queue, job and state' });
  showTable(o.deadByKind, { caption: `Dead set by kind of error (${o.uniqueDeadTrainees} unique trainee(s))`, columns: ['kind', 'count', 'trainees', 'bulkSafeJobs', 'runbook'] });
  showTable(o.deadByError, { caption: 'Dead set by error' });
}
