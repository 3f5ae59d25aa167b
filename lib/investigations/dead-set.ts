import { findTrainee } from '../db/lookup.js';
import { callout, progress, showSvg, showTable } from '../notebook/display.js';
import { planRegisterCleanup, planRestartPolling, planRetries, type JobAction, type JobPlan, type RetrieveTrnJobClass } from '../queues/actions.js';
import { findTraineeJobs, tallyQueues, type TraineeJob } from '../queues/find.js';
import { barChart } from '../tables/chart.js';
import type { SidekiqProcessInfo } from '../queues/store.js';
import { countByErrorPrefix, triageDeadSet, type TriageReport } from '../triage/report.js';
import type { TriageRecord } from '../triage/triage.js';
import { showTraineeJobs, trnRequestIdsOf, type InvestigationContext } from './investigation.js';
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
  /** Register's own clean-up (the older duplicate deaths `Sidekiq::RemoveDeadDuplicatesJob` deletes), planned here. */
  cleanupPlan: JobPlan;
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
    // The same class as the dead poll (Dqt:: in the DQT era, Trs:: at HEAD), with the new timeout.
    const jobClass: RetrieveTrnJobClass = r.jobName === 'Trs::RetrieveTrnJob' ? 'Trs::RetrieveTrnJob' : 'Dqt::RetrieveTrnJob';
    polls.push(...planRestartPolling(r.traineeId!, r.trnRequestId!, timeout, jobClass).actions);
  }
  return { ...plan, actions: [...plan.actions, ...polls] };
}

/**
 * Reads and classifies the dead set (queues absent or empty: the store's default, BullMQ `dqt`, Sidekiq every queue;
 * `includeRetry`: Sidekiq's retry set too), with progress.
 */
export async function triageDeadJobs(
  ctx: Pick<InvestigationContext, 'db' | 'jobs'>,
  options: { queues?: string[]; errorPrefix?: string | null; timeoutAfter?: string | null; showProgress?: boolean; includeRetry?: boolean } = {},
): Promise<DeadSetTriage> {
  const p = options.showProgress === false ? null : progress('Reading the dead set');
  const info = await ctx.jobs.info();
  const states = options.includeRetry && info.failingStates.includes('retry') ? [info.deadState, 'retry'] : [info.deadState];
  const queues = (options.queues ?? []).map((q) => q.trim()).filter(Boolean);
  const report = await triageDeadSet(ctx.jobs, { queues: queues.length ? queues : null, states, db: ctx.db, onProgress: p ? (done, total) => p.update(done, total) : undefined });
  p?.done(`${report.total} job(s)`);
  const prefixes = new Map<string, number>();
  for (const r of report.records) {
    const prefix = errorPrefixOf(r.message);
    prefixes.set(prefix, (prefixes.get(prefix) ?? 0) + 1);
  }
  const wanted = (options.errorPrefix ?? '').trim();
  // Only dead jobs are planned: a retrying job will run again by itself.
  const dead = report.records.filter((r) => r.state === info.deadState);
  const bulkPlan = planBulkSafeActions(dead, { timeoutAfter: options.timeoutAfter });
  return {
    report,
    byErrorPrefix: [...prefixes.entries()].map(([prefix, count]) => ({ prefix, count })).sort((a, b) => b.count - a.count),
    prefixCount: wanted ? { prefix: wanted, count: countByErrorPrefix(report.records, wanted) } : null,
    bulkPlan,
    cleanupPlan: planRegisterCleanup(dead),
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
  callout('info', `${r.total} dead job(s) of ${r.uniqueTrainees} unique trainee(s); ${r.total - t.needsARunbook} can be handled in bulk, ${t.needsARunbook} need their runbook.\nRead from ${r.source.backend === 'sidekiq' ? 'Sidekiq' : 'BullMQ'} at ${r.source.where} (${r.source.states.join(' and ')}).`, 'Dead set');
  if (r.removedByCleanup) {
    callout('warn', `${r.removedByCleanup} dead job(s) are older duplicates (same error, job and trainee as a later death): Register's Sidekiq::RemoveDeadDuplicatesJob deletes them within 5 minutes in production, so this list will shrink. They are marked "cleanup" below; the clean-up plan at the end deletes them now.`, "Register's clean-up");
  }
  for (const note of r.notes) callout('warn', note, "Register's clean-up");
  if (r.byShape.length) {
    callout('warn', `${r.byShape.map((x) => `${x.count} ${x.shape}`).join(', ')}: stored jobs that are not readable Register ActiveJob jobs. They are listed below with kind unknown and left out of every bulk action.`, 'Unreadable jobs');
  }
  // A kind's rule may be bulk-safe while some of its jobs are not (a trainee's update and award): bulkSafeJobs counts the jobs in the plan.
  showTable(r.byKind, { caption: 'By kind of error (playbook)', columns: ['kind', 'count', 'trainees', 'bulkSafeJobs', 'action', 'runbook'] });
  showSvg(await barChart(r.byKind, { x: 'kind', y: 'count', title: 'Dead jobs by kind of error' }), 'dead jobs by kind');
  showSvg(await barChart(r.byDay, { x: 'day', y: 'count', color: 'kind', title: 'Dead jobs by day failed', xType: 'ordinal' }), 'dead jobs by day');
  showTable(r.byJobName, { caption: 'By job' });
  showTable(r.byFingerprint, { caption: 'By error fingerprint (ids and dates normalised away)' });
  showTable(t.byErrorPrefix, { caption: 'By error prefix' });
  if (t.prefixCount) callout('info', `${t.prefixCount.count} dead job(s) have an error starting with "${t.prefixCount.prefix}".`, 'Count by prefix');
  showTable(
    // What to do first (action, bulk or not, which runbook), then which job it is and its times.
    r.records.map((x) => ({
      slug: x.slug,
      kind: x.kind,
      action: x.action,
      bulkSafe: x.bulkSafe,
      runbook: x.runbook,
      cleanup: x.removedByCleanup ? 'deleted by Register' : '',
      jobName: x.jobName ?? `(${x.shape})`,
      status: x.status,
      errorCode: x.errorCode,
      state: x.state,
      died: x.state === 'retry' ? null : x.failedAt,
      firstFailed: x.firstFailedAt,
      lastEnqueued: x.enqueuedAt,
      nextRetry: x.nextRetryAt,
      traineeId: x.traineeId,
      jobId: x.jobId,
    })),
    { caption: 'Every dead job, classified (open the runbook named for each)', pageSize: 25, rowClass: (row) => (row.cleanup ? 'warn' : row.bulkSafe ? 'good' : undefined) },
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
  /** Which store was read (backend and where). */
  source: string;
  /** Jobs per state, every queue. */
  counts: Record<string, number>;
  /** Sidekiq's running processes and the queues they poll (null on BullMQ). */
  processes: SidekiqProcessInfo[] | null;
}

/**
 * The playbook's console commands ("Inspect jobs in a queue", "Tally by job type", "Dead jobs") on the `dqt` and
 * `default` queues. An empty `slug` skips the trainee part.
 *
 * @example
 * const o = await queueOverview(ctx, { slug: '' });
 */
export async function queueOverview(ctx: Pick<InvestigationContext, 'db' | 'jobs'>, input: { slug?: string | null; queues?: string[] }): Promise<QueueOverview> {
  const info = await ctx.jobs.info();
  const summary = await ctx.jobs.summary();
  const queues = input.queues?.length ? input.queues : info.defaultQueues === null ? [...new Set([...summary.queues, 'dqt', 'default'])].sort() : ['dqt', 'default'];
  let trainee: QueueOverview['trainee'] = null;
  let traineeJobs: TraineeJob[] = [];
  if ((input.slug ?? '').trim()) {
    const t = await findTrainee(ctx.db, input.slug!.trim());
    trainee = { id: t.id, slug: t.slug, name: fullName(t) };
    traineeJobs = await findTraineeJobs(ctx.jobs, { queues: info.defaultQueues === null ? null : queues, traineeId: t.id, trnRequestIds: await trnRequestIdsOf(ctx.db, t.id) });
  }
  const byQueueAndName = new Map<string, Record<string, unknown>>();
  for (const r of await tallyQueues(ctx.jobs, { queues })) {
    const key = `${r.queue}\u0000${r.jobName}`;
    const row = byQueueAndName.get(key) ?? byQueueAndName.set(key, { queue: r.queue, jobName: r.jobName, ...Object.fromEntries(info.states.map((s) => [s, 0])), total: 0 }).get(key)!;
    row[r.state] = (row[r.state] as number) + r.count;
    row.total = (row.total as number) + r.count;
  }
  const order = new Map(queues.map((q, i) => [q, i]));
  const tally = [...byQueueAndName.values()].sort((a, b) => (order.get(a.queue as string)! - order.get(b.queue as string)!) || (b.total as number) - (a.total as number));
  const report = await triageDeadSet(ctx.jobs, { queues: info.defaultQueues === null ? null : queues, db: ctx.db });
  return { trainee, traineeJobs, tally, deadByError: report.byFingerprint, deadByKind: report.byKind, uniqueDeadTrainees: report.uniqueTrainees, source: `${info.backend === 'sidekiq' ? 'Sidekiq' : 'BullMQ'} at ${info.where}`, counts: summary.counts, processes: summary.processes };
}

/** Shows the queues runbook's tables. */
export function showQueueOverview(o: QueueOverview): void {
  callout('info', `${o.source}: ${Object.entries(o.counts).map(([s, n]) => `${n} ${s}`).join(', ')}.`, 'Queues');
  if (o.processes) {
    if (o.processes.length) showTable(o.processes.map((p) => ({ process: p.identity, alive: p.alive, quiet: p.quiet, busy: p.busy, concurrency: p.concurrency, queues: p.queues.join(', '), lastBeat: p.beatAt ? new Date(p.beatAt).toISOString() : null })), { caption: 'Sidekiq processes and the queues they poll' });
    else callout('warn', 'No Sidekiq process is running on this Redis: nothing pushed onto a queue would run.', 'Processes');
  }
  if (o.trainee) {
    showTraineeJobs(o.traineeJobs, `Jobs of ${o.trainee.name} (${o.trainee.slug}, id ${o.trainee.id}) in every state`);
  } else {
    callout('info', 'No slug given: the trainee part is skipped.', 'Trainee');
  }
  showTable(o.tally, { caption: 'Jobs by queue, job and state' });
  showTable(o.deadByKind, { caption: `Dead set by kind of error (${o.uniqueDeadTrainees} unique trainee(s))`, columns: ['kind', 'count', 'trainees', 'bulkSafeJobs', 'runbook'] });
  showTable(o.deadByError, { caption: 'Dead set by error' });
}
