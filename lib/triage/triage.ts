import { messageWithoutHeaders } from '../queues/http-error.js';
import { UPDATE_BEFORE_AWARD_PAIRS } from '../queues/register-jobs.js';
import { isoOrNull, type JobEntry, type JobLocation, type JobStore, type PayloadShape } from '../queues/store.js';
import { classifyFailure, eraOfJob, PLAYBOOK_RULES, type Classification, type ErrorKind, type RegisterEra } from './rules.js';

/** One failed job, classified by the playbook's rules. The first fourteen keys are `support triage --json`'s. */
export interface TriageRecord {
  queue: string;
  jobId: string;
  jobName: string | null;
  traineeId: number | null;
  slug: string | null;
  /** When it last failed: for a dead job, when it died (Sidekiq: the dead set's score; BullMQ: finishedOn). */
  failedAt: string | null;
  attempts: number;
  status: number | null;
  errorCode: number | null;
  errorClass: string | null;
  explanation: string;
  action: string;
  bulkSafe: boolean;
  runbook: string;
  /** The playbook kind, e.g. `no-qts-record`. */
  kind: ErrorKind;
  /** The era of the failure (`trs` for a `Trs::` job or a TRS-only text): whose words `explanation` and `action` are. */
  era: RegisterEra;
  /** Jobs with the same fingerprint failed the same way (status, errorCode or validation keys). */
  fingerprint: string;
  /** The error as DQT sent it (or the raw message). */
  error: string;
  /** The job's error message exactly as stored (Sidekiq's error_message, BullMQ's failedReason). */
  message: string;
  /** For a RetrieveTrnJob: the TRN request the job polls. */
  trnRequestId: number | null;
  /** The backend's state: `dead` or `retry` (Sidekiq), `failed` (BullMQ). */
  state: string;
  /** The first failure (Sidekiq's failed_at, never reset by a retry); null where the backend does not keep it. */
  firstFailedAt: string | null;
  /** The last time the job was pushed onto its queue (Sidekiq overwrites it on every retry). */
  enqueuedAt: string | null;
  /** A retrying job's next attempt. */
  nextRetryAt: string | null;
  /** Register's `Sidekiq::RemoveDeadDuplicatesJob` will delete it (an older death of the same error, job and trainee). */
  removedByCleanup: boolean;
  /** `activejob`, or what is wrong with the stored job (`not-json`, `not-activejob`, `unknown-class`). */
  shape: PayloadShape;
  /** Where the job is, for the job plans. */
  location: JobLocation | null;
}

export interface TriageScanOptions {
  /** Queues to read; absent = the store's default (BullMQ `dqt` and `trs`, Sidekiq every queue). */
  queues?: readonly string[] | null;
  /** States to read; absent = the dead state (Sidekiq may add `retry`). */
  states?: readonly string[];
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Told what to know about the whole set (see `ScanOptions.onNote`). */
  onNote?: (note: string) => void;
  /** Looks up trainee slugs for a batch of ids (and trainee ids for TRN request ids); without it slugs stay null. */
  resolve?: (ids: { traineeIds: number[]; trnRequestIds: number[] }) => Promise<{ slugs: Map<number, string>; traineeOfTrnRequest: Map<number, number> }>;
}

/**
 * Streams the failed jobs of a job store (its dead set by default) as classified records, batch by batch. Memory
 * stays flat: nothing is kept between batches. A job that is not JSON, not ActiveJob or of an unknown class is a
 * record too (kind `unknown`, with its `shape`), never a crash.
 *
 * @example
 * for await (const batch of scanTriage(store, { queues: ['dqt'] })) for (const r of batch) console.log(r.kind);
 */
export async function* scanTriage(store: JobStore, options: TriageScanOptions = {}): AsyncGenerator<TriageRecord[]> {
  // Dead sets repeat the same few messages thousands of times: classify each distinct message once (bounded cache).
  // Register's messages end with the response headers, whose date differs per job: they do not change the class.
  // The job's era is part of the key (one cache per era, so no key is built per job): a bare HttpError text is
  // explained in DQT's or TRS's words by its job.
  const caches = { dqt: new Map<string, Classification>(), trs: new Map<string, Classification>(), none: new Map<string, Classification>() };
  const classify = (message: string | null, jobName: string | null) => {
    const text = message === null ? '' : messageWithoutHeaders(message);
    const cache = caches[eraOfJob(jobName) ?? 'none'];
    let c = cache.get(text);
    if (!c) {
      c = classifyFailure(text, null, { jobName });
      if (cache.size >= 5_000) cache.clear();
      cache.set(text, c);
    }
    return c;
  };
  const info = await store.info();
  const states = options.states?.length ? options.states : [info.deadState];
  // Whether a message needs its error class from the stack: the kind never depends on the era, so any era's entry answers.
  const isUnknown = (message: string | null) => {
    const text = message === null ? '' : messageWithoutHeaders(message);
    const known = caches.dqt.get(text) ?? caches.trs.get(text);
    return (known ?? classify(message, null)).kind === 'unknown';
  };
  for await (const entries of store.scan({ states, queues: options.queues, batchSize: options.batchSize, onProgress: options.onProgress, onNote: options.onNote, errorClassFor: isUnknown })) {
    const records: TriageRecord[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const c = classify(e.message, e.jobName);
      records[i] = new ScannedRecord(e, c, e.state === info.deadState);
    }
    if (options.resolve) {
      const traineeIds = [...new Set(records.map((r) => r.traineeId).filter((id): id is number => id !== null))];
      const trnRequestIds = [...new Set(records.filter((r) => r.traineeId === null && r.trnRequestId !== null).map((r) => r.trnRequestId!))];
      const { slugs, traineeOfTrnRequest } = await options.resolve({ traineeIds, trnRequestIds });
      for (const r of records) {
        if (r.traineeId === null && r.trnRequestId !== null) r.traineeId = traineeOfTrnRequest.get(r.trnRequestId) ?? null;
        if (r.traineeId !== null) r.slug = slugs.get(r.traineeId) ?? null;
      }
    }
    yield records;
  }
}

/**
 * A triage record as the scan makes it: its times are kept as epoch ms and written as ISO text only when read (a
 * triage of hundreds of thousands of jobs mostly tallies them). Plain data otherwise, mutable as records are.
 */
class ScannedRecord implements TriageRecord {
  queue: string;
  jobId: string;
  jobName: string | null;
  traineeId: number | null;
  slug: string | null = null;
  attempts: number;
  status: number | null;
  errorCode: number | null;
  errorClass: string | null;
  explanation: string;
  action: string;
  bulkSafe: boolean;
  runbook: string;
  kind: ErrorKind;
  era: RegisterEra;
  fingerprint: string;
  error: string;
  message: string;
  trnRequestId: number | null;
  state: string;
  removedByCleanup: boolean;
  shape: PayloadShape;
  location: JobLocation | null;
  #failed: number | null;
  #firstFailed: number | null;
  #enqueued: number | null;
  #nextRetry: number | null;
  #failedIso: string | null | undefined;
  #firstFailedIso: string | null | undefined;
  #enqueuedIso: string | null | undefined;
  #nextRetryIso: string | null | undefined;

  constructor(e: JobEntry, c: Classification, dead: boolean) {
    this.queue = e.queue;
    this.jobId = e.jobId;
    this.jobName = e.jobName;
    this.traineeId = e.traineeId;
    this.attempts = e.attempts;
    this.status = c.status;
    this.errorCode = c.errorCode;
    this.errorClass = e.errorClass ?? c.errorClass;
    this.explanation = c.explanation;
    this.action = c.action;
    this.bulkSafe = PLAYBOOK_RULES[c.kind].bulkSafe && e.shape === 'activejob';
    this.runbook = PLAYBOOK_RULES[c.kind].runbook;
    this.kind = c.kind;
    this.era = c.era;
    this.fingerprint = c.kind === 'unknown' && e.errorClass ? `${e.errorClass}: ${c.fingerprint.replace(/^[^:]*: /, '')}` : c.fingerprint;
    this.error = c.detail;
    this.message = e.message ?? '';
    this.trnRequestId = e.trnRequestId;
    this.state = e.state;
    this.removedByCleanup = e.removedByCleanup;
    this.shape = e.shape;
    this.location = e.location;
    this.#failed = dead ? e.at ?? e.failedAt : e.failedAt;
    this.#firstFailed = e.firstFailedAt;
    this.#enqueued = e.enqueuedAt;
    this.#nextRetry = dead ? null : e.at;
  }

  get failedAt(): string | null {
    return this.#failedIso === undefined ? (this.#failedIso = isoOrNull(this.#failed)) : this.#failedIso;
  }
  get firstFailedAt(): string | null {
    return this.#firstFailedIso === undefined ? (this.#firstFailedIso = isoOrNull(this.#firstFailed)) : this.#firstFailedIso;
  }
  get enqueuedAt(): string | null {
    return this.#enqueuedIso === undefined ? (this.#enqueuedIso = isoOrNull(this.#enqueued)) : this.#enqueuedIso;
  }
  get nextRetryAt(): string | null {
    return this.#nextRetryIso === undefined ? (this.#nextRetryIso = isoOrNull(this.#nextRetry)) : this.#nextRetryIso;
  }
  /** As plain data (JSON shows the times too). */
  toJSON(): TriageRecord {
    return { ...this, failedAt: this.failedAt, firstFailedAt: this.firstFailedAt, enqueuedAt: this.enqueuedAt, nextRetryAt: this.nextRetryAt };
  }
}

/** The job names of the update-then-award rule (the DQT era's pair). */
export const UPDATE_JOB = UPDATE_BEFORE_AWARD_PAIRS[0]!.update;
export const AWARD_JOB = UPDATE_BEFORE_AWARD_PAIRS[0]!.award;
export { UPDATE_BEFORE_AWARD_PAIRS };

/**
 * The playbook's ordering rule: a trainee with both a failed update and a failed award of the same era must have the
 * update re-run first. The award first would give the trainee QTS: DQT then refuses the update; TRS refuses it with
 * 10042 (10057 for EYTS), which Register ignores, so the change would be lost without a trace. Marks both records. A
 * DQT update never pairs with a TRS award.
 *
 * @example
 * applyUpdateBeforeAward(report.records) // Trs::UpdateTraineeJob of trainee 411: "Retry this update first …"
 */
export function applyUpdateBeforeAward(records: TriageRecord[]): TriageRecord[] {
  const names = new Map<number, Set<string>>();
  for (const r of records) if (r.traineeId !== null && r.jobName) (names.get(r.traineeId) ?? names.set(r.traineeId, new Set()).get(r.traineeId)!).add(r.jobName);
  for (const r of records) {
    const set = r.traineeId !== null ? names.get(r.traineeId) : undefined;
    if (!set) continue;
    const pair = UPDATE_BEFORE_AWARD_PAIRS.find((p) => (r.jobName === p.update || r.jobName === p.award) && set.has(p.update) && set.has(p.award));
    if (!pair) continue;
    r.runbook = 'dqt-errors/failed-update-and-award';
    r.bulkSafe = false;
    r.action = r.jobName === pair.update ? `Retry this update first (the trainee also has a failed award). ${r.action}` : 'Retry only after the failed update of this trainee has succeeded.';
  }
  return records;
}
