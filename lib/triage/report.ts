import type { JobStore, PayloadShape } from '../queues/store.js';
import type { RegisterDb } from '../db/connect.js';
import { traineeState, trainingRoute } from '../db/enums.js';
import { toCsv } from '../tables/csv.js';
import { fullName } from '../trainees/lookup.js';
import { traineesOfTrnRequests } from '../trainees/trn-request.js';
import { eraOfJob, PLAYBOOK_RULES, ruleWording, type ErrorKind, type RegisterEra } from './rules.js';
import { applyUpdateBeforeAward, scanTriage, type TriageRecord } from './triage.js';

export interface TriageReport {
  /** Every dead job, classified; trainees that have both a failed update and award are marked. */
  records: TriageRecord[];
  total: number;
  uniqueTrainees: number;
  /**
   * `bulkSafeJobs`: how many of the kind's jobs may be acted on in bulk (not those held back by the update-before-award
   * rule). `action` is in TRS's words when every job of the kind is a TRS-era one, else the playbook's.
   */
  byKind: { kind: ErrorKind; count: number; trainees: number; bulkSafeJobs: number; runbook: string; action: string }[];
  byJobName: { jobName: string; count: number }[];
  byFingerprint: { fingerprint: string; kind: ErrorKind; count: number; example: string }[];
  /** Dead jobs per day they failed, per kind: for the chart. */
  byDay: { day: string; kind: ErrorKind; count: number }[];
  /** Jobs whose stored payload is not a readable Register ActiveJob job, counted by what is wrong. */
  byShape: { shape: Exclude<PayloadShape, 'activejob'>; count: number }[];
  /** Dead jobs Register's `Sidekiq::RemoveDeadDuplicatesJob` will delete (older deaths of the same error, job and trainee). */
  removedByCleanup: number;
  /** The store read: backend, where, and the states. */
  source: { backend: string; where: string; states: string[] };
  /** What the store said about the whole set (e.g. Register's clean-up stopping at an unreadable job). */
  notes: string[];
}

/** Looks up slugs and the trainees of TRN requests, for `scanTriage`'s `resolve`. */
export function databaseResolver(db: RegisterDb) {
  return async ({ traineeIds, trnRequestIds }: { traineeIds: number[]; trnRequestIds: number[] }) => {
    const traineeOfTrnRequest = await traineesOfTrnRequests(db, trnRequestIds);
    const ids = [...new Set([...traineeIds, ...traineeOfTrnRequest.values()])];
    const slugs = new Map<number, string>();
    if (ids.length) {
      const rows = await db.selectFrom('trainees').select(['id', 'slug']).where('id', 'in', ids).execute();
      for (const r of rows) slugs.set(r.id, r.slug);
    }
    return { slugs, traineeOfTrnRequest };
  };
}

/**
 * The whole dead set (Sidekiq may add the retry set), classified by the playbook's rules, with tallies by kind, job
 * name, error fingerprint, day and payload shape, the jobs Register's own clean-up will delete, and each trainee's slug
 * when a database is given. `queues` absent: the store's default (BullMQ `dqt` and `trs`, Sidekiq every queue).
 *
 * @example
 * const report = await triageDeadSet(store, { queues: ['dqt'], db });
 * report.byKind // [{ kind: 'server-error', count: 12, bulkSafeJobs: 10, runbook: 'dqt-errors/server-error-500', … }, …]
 */
export async function triageDeadSet(
  store: JobStore,
  options: { queues?: readonly string[] | null; states?: readonly string[]; db?: RegisterDb; onProgress?: (done: number, total: number) => void } = {},
): Promise<TriageReport> {
  const records: TriageRecord[] = [];
  const info = await store.info();
  const states = options.states?.length ? [...options.states] : [info.deadState];
  const notes: string[] = [];
  for await (const batch of scanTriage(store, { queues: options.queues, states, onProgress: options.onProgress, onNote: (n) => notes.push(n), resolve: options.db ? databaseResolver(options.db) : undefined })) {
    for (const r of batch) records.push(r);
  }
  applyUpdateBeforeAward(records);
  records.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
  const kinds = new Map<ErrorKind, { count: number; bulkSafe: number; trainees: Set<number>; allTrs: boolean }>();
  const names = new Map<string, number>();
  const prints = new Map<string, { kind: ErrorKind; count: number; example: string }>();
  const days = new Map<string, number>();
  const trainees = new Set<number>();
  const shapes = new Map<Exclude<PayloadShape, 'activejob'>, number>();
  let removedByCleanup = 0;
  for (const r of records) {
    if (r.shape !== 'activejob') shapes.set(r.shape, (shapes.get(r.shape) ?? 0) + 1);
    if (r.removedByCleanup) removedByCleanup++;
    const k = kinds.get(r.kind) ?? kinds.set(r.kind, { count: 0, bulkSafe: 0, trainees: new Set(), allTrs: true }).get(r.kind)!;
    k.count++;
    if (r.era !== 'trs') k.allTrs = false;
    if (r.bulkSafe) k.bulkSafe++;
    if (r.traineeId !== null) {
      k.trainees.add(r.traineeId);
      trainees.add(r.traineeId);
    }
    names.set(r.jobName ?? '(no name)', (names.get(r.jobName ?? '(no name)') ?? 0) + 1);
    const p = prints.get(r.fingerprint) ?? prints.set(r.fingerprint, { kind: r.kind, count: 0, example: r.message }).get(r.fingerprint)!;
    p.count++;
    const day = `${(r.failedAt ?? 'unknown').slice(0, 10)}\u0000${r.kind}`;
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  return {
    records,
    total: records.length,
    uniqueTrainees: trainees.size,
    byKind: [...kinds.entries()]
      .map(([kind, v]) => ({ kind, count: v.count, trainees: v.trainees.size, bulkSafeJobs: v.bulkSafe, runbook: PLAYBOOK_RULES[kind].runbook, action: ruleWording(kind, v.allTrs ? 'trs' : 'dqt').action }))
      .sort((a, b) => b.count - a.count),
    byJobName: [...names.entries()].map(([jobName, count]) => ({ jobName, count })).sort((a, b) => b.count - a.count),
    byFingerprint: [...prints.entries()].map(([fingerprint, v]) => ({ fingerprint, ...v })).sort((a, b) => b.count - a.count),
    byDay: [...days.entries()]
      .map(([key, count]) => {
        const [day, kind] = key.split('\u0000') as [string, ErrorKind];
        return { day, kind, count };
      })
      .sort((a, b) => a.day.localeCompare(b.day)),
    byShape: [...shapes.entries()].map(([shape, count]) => ({ shape, count })).sort((a, b) => b.count - a.count),
    removedByCleanup,
    source: { backend: info.backend, where: info.where, states },
    notes,
  };
}

/** How many dead jobs' messages start with `prefix` (the playbook's `ds.select { … starts_with? "status: 405" }.count`). */
export function countByErrorPrefix(records: readonly TriageRecord[], prefix: string): number {
  return records.filter((r) => r.message.startsWith(prefix)).length;
}

/**
 * The records as `support triage --json` prints them: the fourteen original keys, then `state`, `firstFailedAt`,
 * `enqueuedAt`, `removedByCleanup` and `shape`, in order.
 */
export function triageJson(records: readonly TriageRecord[]): Record<string, unknown>[] {
  return records.map((r) => ({
    queue: r.queue,
    jobId: r.jobId,
    jobName: r.jobName,
    traineeId: r.traineeId,
    slug: r.slug,
    failedAt: r.failedAt,
    attempts: r.attempts,
    status: r.status,
    errorCode: r.errorCode,
    errorClass: r.errorClass,
    explanation: r.explanation,
    action: r.action,
    bulkSafe: r.bulkSafe,
    runbook: r.runbook,
    state: r.state,
    firstFailedAt: r.firstFailedAt,
    enqueuedAt: r.enqueuedAt,
    removedByCleanup: r.removedByCleanup,
    shape: r.shape,
  }));
}

/** Whether `a` was enqueued after `b` (on a tie, or without enqueue times, the one that failed later). */
function laterEnqueued(a: TriageRecord, b: TriageRecord): boolean {
  const byEnqueue = (a.enqueuedAt ?? '').localeCompare(b.enqueuedAt ?? '');
  return byEnqueue !== 0 ? byEnqueue > 0 : (a.failedAt ?? '') > (b.failedAt ?? '');
}

/** Register's dead-jobs CSV columns in the DQT era (register-facts 5, Register `bb6fda83f`), in order. */
export const DEAD_JOBS_CSV_COLUMNS = [
  'register_id',
  'job_id',
  'url',
  'trn',
  'date_of_birth',
  'full_name',
  'email',
  'state',
  'provider_name',
  'provider_ukprn',
  'training_route',
  'itt_start_date',
  'itt_end_date',
  'course_min_age',
  'course_max_age',
  'course_subject_one',
  'course_subject_two',
  'course_subject_three',
  'error_message',
  'dqt',
] as const;

/**
 * The same CSV as Register exports it today (`DeadJobs::Base#build_csv_row` at `ce1126541`): the last column is `trs`
 * (always empty: the "with TRS status" button links to the plain CSV) instead of `dqt`.
 */
export const TRS_DEAD_JOBS_CSV_COLUMNS = [...DEAD_JOBS_CSV_COLUMNS.slice(0, -1), 'trs'] as const;

/**
 * The dead set joined to trainee records as Register's dead-jobs CSV: one row per trainee from its most recently
 * enqueued dead job (of `jobName` when given), as Register's page builds its list, error message with double quotes turned to single quotes, and `itt_end_date` holding the
 * end date (Register's CSV wrote the start date there by mistake). The last column is the era's: `dqt` as Register
 * exported it with DQT, `trs` as it does today. `era` absent: the era of `jobName`, else `trs` when every job in the
 * CSV is a TRS-era one, else `dqt`.
 *
 * @example
 * writeFileSync('DQT Update Trainee_2026-11-30.csv', await deadJobsCsv(db, report.records, { jobName: 'Dqt::UpdateTraineeJob' }));
 * writeFileSync('TRS Update Trainee_2026-11-30.csv', await deadJobsCsv(db, report.records, { jobName: 'Trs::UpdateTraineeJob' })); // last column `trs`
 */
export async function deadJobsCsv(db: RegisterDb, records: readonly TriageRecord[], options: { jobName?: string; baseUrl?: string; era?: RegisterEra } = {}): Promise<string> {
  const baseUrl = (options.baseUrl ?? 'https://www.register-trainee-teachers.service.gov.uk').replace(/\/+$/, '');
  // Register sorts the jobs by enqueued_at and maps trainee id → job: the most recently enqueued job of a trainee
  // wins, not the one that failed last (a job enqueued early and retried for days may die after a newer one).
  const latest = new Map<number, TriageRecord>();
  for (const r of records) {
    if (r.traineeId === null || (options.jobName && r.jobName !== options.jobName)) continue;
    const current = latest.get(r.traineeId);
    if (!current || laterEnqueued(r, current)) latest.set(r.traineeId, r);
  }
  const ids = [...latest.keys()];
  const jobs = [...latest.values()];
  const era: RegisterEra = options.era ?? eraOfJob(options.jobName) ?? (jobs.length && jobs.every((r) => (eraOfJob(r.jobName) ?? r.era) === 'trs') ? 'trs' : 'dqt');
  const trainees = ids.length
    ? await db
        .selectFrom('trainees')
        .leftJoin('providers', 'providers.id', 'trainees.provider_id')
        .select([
          'trainees.id',
          'trainees.slug',
          'trainees.trn',
          'trainees.date_of_birth',
          'trainees.first_names',
          'trainees.middle_names',
          'trainees.last_name',
          'trainees.email',
          'trainees.state',
          'trainees.training_route',
          'trainees.itt_start_date',
          'trainees.itt_end_date',
          'trainees.course_min_age',
          'trainees.course_max_age',
          'trainees.course_subject_one',
          'trainees.course_subject_two',
          'trainees.course_subject_three',
          'providers.name as provider_name',
          'providers.ukprn as provider_ukprn',
        ])
        .where('trainees.id', 'in', ids)
        .orderBy('trainees.id')
        .execute()
    : [];
  const rows = trainees.map((t) => {
    const r = latest.get(t.id)!;
    return {
      register_id: t.id,
      job_id: r.jobId,
      url: `${baseUrl}/trainees/${t.slug}`,
      trn: t.trn,
      date_of_birth: t.date_of_birth,
      full_name: fullName(t),
      email: t.email,
      state: t.state === null ? null : traineeState.fromDb(t.state),
      provider_name: t.provider_name,
      provider_ukprn: t.provider_ukprn,
      training_route: t.training_route === null ? null : trainingRoute.fromDb(t.training_route),
      itt_start_date: t.itt_start_date,
      itt_end_date: t.itt_end_date,
      course_min_age: t.course_min_age,
      course_max_age: t.course_max_age,
      course_subject_one: t.course_subject_one,
      course_subject_two: t.course_subject_two,
      course_subject_three: t.course_subject_three,
      error_message: r.error.replace(/"/g, "'"),
      [era]: null,
    };
  });
  return toCsv(rows, era === 'trs' ? [...TRS_DEAD_JOBS_CSV_COLUMNS] : [...DEAD_JOBS_CSV_COLUMNS]);
}
