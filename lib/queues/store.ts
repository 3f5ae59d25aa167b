import type { Redis } from 'ioredis';

/**
 * The one job-store interface every queue tool speaks (triage, queue views, the dead-jobs CSV, job plans, the
 * investigations): two backends behind it, BullMQ (`lib/queues/bullmq/`, the toolkit's own sandbox queues) and Sidekiq
 * (`lib/queues/sidekiq/`, what Register runs). Open one with `openJobStore(config)` (lib/queues/open.ts).
 *
 * @example
 * const store = openJobStore(config);
 * for await (const batch of store.scan({ states: ['dead'] })) for (const job of batch) console.log(job.jobName, job.message);
 * await store.close();
 */
export type QueueBackend = 'bullmq' | 'sidekiq';
export const QUEUE_BACKENDS = ['bullmq', 'sidekiq'] as const;

/** Where a BullMQ job is: its queue and id. */
export interface BullmqLocation {
  backend: 'bullmq';
  queue: string;
  jobId: string;
}

/**
 * Where a Sidekiq job is, exactly: its sorted set, its score there (as Redis returned it, never re-formatted) and its
 * jid. A job that failed again, was retried or was rescheduled has another score, so the same location never names two
 * versions of a job. `size` (the member's length) is a cheap second check.
 */
export interface SidekiqLocation {
  backend: 'sidekiq';
  set: SidekiqSet;
  score: string;
  jid: string;
  size: number;
}
export type SidekiqSet = 'dead' | 'retry' | 'schedule';

export type JobLocation = BullmqLocation | SidekiqLocation;

/** How a stored job decoded: an ActiveJob job of a class Register has, or what is wrong with it. */
export type PayloadShape = 'activejob' | 'not-json' | 'not-activejob' | 'unknown-class';

/**
 * One job as the tools see it, whatever the backend. Times are epoch milliseconds.
 *
 * Which time is which: `enqueuedAt` is the last time the job was pushed onto a queue (Sidekiq overwrites it on every
 * retry); `firstFailedAt` the first failure (Sidekiq's `failed_at`, never reset); `failedAt` the latest failure
 * (Sidekiq's `retried_at`, else `failed_at`; BullMQ's `finishedOn`); `at` the time of the state: when it died (dead),
 * its next attempt (retry), when it runs (scheduled, delayed), when it finished (completed) or started (busy).
 */
export interface JobEntry {
  /** Where to find it again for an action; null for jobs no action applies to (queued, running). */
  location: JobLocation | null;
  queue: string;
  /** The backend's own word: BullMQ waiting, delayed, failed…; Sidekiq enqueued, scheduled, retry, busy, dead. */
  state: string;
  /** BullMQ job id or Sidekiq jid. */
  jobId: string;
  /** Register's job class (`wrapped` for ActiveJob on Sidekiq, the BullMQ job name); null when unreadable. */
  jobName: string | null;
  shape: PayloadShape;
  /** What is wrong with the payload, for shapes other than `activejob`. */
  shapeProblem: string | null;
  traineeId: number | null;
  /** A TRN request's id (any `…TrnRequest` GlobalID model), for jobs that carry the request rather than the trainee. */
  trnRequestId: number | null;
  /** The error message exactly as stored; null when the job has not failed. */
  message: string | null;
  /** The exception class, when the backend keeps it (Sidekiq always; BullMQ in the stack trace, read on demand). */
  errorClass: string | null;
  enqueuedAt: number | null;
  firstFailedAt: number | null;
  failedAt: number | null;
  at: number | null;
  /** Runs made: BullMQ attemptsMade; Sidekiq retry_count + 1 once failed. */
  attempts: number;
  /** Register's `Sidekiq::RemoveDeadDuplicatesJob` (production, every 5 minutes) will delete this dead job. */
  removedByCleanup: boolean;
}

/** What a store is and where. */
export interface StoreInfo {
  backend: QueueBackend;
  /** The Redis URL (password masked), with the BullMQ prefix or the Sidekiq database. */
  where: string;
  /** How the backend was chosen: QUEUE_BACKEND, or detected from what Redis holds. */
  chosenBy: 'QUEUE_BACKEND' | 'detected';
  /** The backend's states, in display order. */
  states: readonly string[];
  /** The state holding dead jobs (BullMQ `failed`, Sidekiq `dead`). */
  deadState: string;
  /** States whose jobs carry an error (BullMQ `failed`; Sidekiq `dead` and `retry`). */
  failingStates: readonly string[];
  /** The queues a tool reads when given none: BullMQ `dqt` and `trs`; Sidekiq every queue (null). */
  defaultQueues: readonly string[] | null;
}

/** Counts for `support doctor` and the banner. */
export interface StoreSummary {
  info: StoreInfo;
  /** Jobs per state, all queues. */
  counts: Record<string, number>;
  queues: string[];
  /** Sidekiq only: the running processes and the queues they poll; null for BullMQ (it cannot tell). */
  processes: SidekiqProcessInfo[] | null;
}

export interface SidekiqProcessInfo {
  identity: string;
  hostname: string;
  pid: number | null;
  queues: string[];
  concurrency: number | null;
  busy: number;
  /** Last heartbeat, epoch ms. */
  beatAt: number | null;
  /** Quiet (stopping): fetches no new job. */
  quiet: boolean;
  /** Its heartbeat hash is still there (it expires 60 s after the process stops). */
  alive: boolean;
}

export interface ScanOptions {
  /** States to read (from `info().states`). */
  states: readonly string[];
  /** Queues to read; null or absent = the store's default queues. */
  queues?: readonly string[] | null;
  /** Jobs read per round trip. */
  batchSize?: number;
  /** Called after each batch with the running count and the total at the start. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Read the error class for the jobs whose message this accepts (BullMQ keeps it only in the stack trace, a second
   * read; Sidekiq always has it).
   */
  errorClassFor?: (message: string | null) => boolean;
  /** Told what a reader should know about the whole set (e.g. Register's clean-up stops at an unreadable dead job). */
  onNote?: (note: string) => void;
}

/** What an action did. Anything but `done` changed nothing. */
export interface ActionOutcome {
  status: 'done' | 'vanished' | 'changed' | 'refused';
  message: string;
  /** The id of a job the action pushed (an enqueue). */
  jobId?: string;
}

export type JobActionKind = 'retry' | 'delete' | 'kill';

/** A job an action is for: where the plan saw it and the error it had then. */
export interface JobToActOn {
  location: JobLocation;
  expectedMessage: string | null;
  /** The queue the job was on when the plan saw it (where a retry pushes it). */
  queue?: string;
}

/** How a job still matches what a plan saw. */
export interface LocationCheck {
  status: 'same' | 'vanished' | 'changed';
  /** What was found, in words (for `vanished` and `changed`). */
  detail: string;
}

/**
 * An ActiveJob argument as Register's ActiveJob serializes it: a record (GlobalID), a time with zone, keyword arguments,
 * or a plain JSON value.
 */
export type ActiveJobArgument =
  | { record: string; id: number }
  | { timeWithZone: string }
  | { keywords: Record<string, ActiveJobArgument> }
  | string
  | number
  | boolean
  | null;

/** A new job to push: Register's ActiveJob class, its queue, its arguments. */
export interface EnqueueRequest {
  jobClass: string;
  queue: string;
  arguments: ActiveJobArgument[];
  /** Sidekiq's `retry` option for the job (copied from the job it replaces, or Register's setting for the class). */
  retry?: boolean | number;
}

/** The job stores' common interface. Every method is safe to call before the backend is known. */
export interface JobStore {
  info(): Promise<StoreInfo>;
  /** Fails within `timeoutMs` with a clear message when Redis cannot be reached. */
  ensureReachable(timeoutMs?: number): Promise<void>;
  summary(): Promise<StoreSummary>;
  /** Streams jobs in batches; memory stays flat however many there are. Never throws on a bad payload. */
  scan(options: ScanOptions): AsyncGenerator<JobEntry[]>;
  /** Whether each job is still where a plan saw it, unchanged (same error), read in one round trip. */
  check(jobs: readonly JobToActOn[]): Promise<LocationCheck[]>;
  /**
   * Acts on failed jobs, in order, pipelined: `retry` pushes each back onto its queue (Sidekiq: one more attempt,
   * `retry_count` − 1, removed and pushed in one atomic step), `delete` removes it, `kill` moves a retrying job to the
   * dead set. A job no longer there unchanged is reported (`vanished`, `changed`) and left alone, never re-pushed.
   */
  apply(action: JobActionKind, jobs: readonly JobToActOn[]): Promise<ActionOutcome[]>;
  /** Pushes a new ActiveJob job. */
  enqueue(request: EnqueueRequest): Promise<ActionOutcome>;
  /**
   * The queues some running worker takes jobs from, with who polls them; null when the backend cannot tell (BullMQ:
   * the toolkit's own worker is started by hand).
   */
  pollingQueues(): Promise<Map<string, string[]> | null>;
  /** Waits until a job pushed by an action has run: `completed`, `failed again`, or why it could not tell. */
  waitForOutcome(queue: string, jobId: string, timeoutMs: number): Promise<string>;
  /** The run ledger: committed job plans, newest first. */
  readLedger<T>(limit: number): Promise<T[]>;
  /** The ledger entry of one plan, or null (one lookup, however long the ledger). */
  findInLedger<T>(planId: string): Promise<T | null>;
  appendLedger(entry: { planId: string }): Promise<void>;
  /** The Redis connection (for tests and bespoke reads). */
  connection(): Promise<Redis>;
  close(): Promise<void>;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/**
 * Epoch ms as ISO 8601 (`Date#toISOString`'s text, to the millisecond), or null. Computed with integer arithmetic
 * (days to a civil date): a triage formats hundreds of thousands of times, and this is several times faster than
 * allocating a Date for each.
 *
 * @example
 * isoOrNull(1784538903407.2) // '2026-07-20T09:15:03.407Z'
 */
export function isoOrNull(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || ms < 0 || ms >= 253402300800000) return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
  const t = Math.floor(ms);
  const millis = t % 1000;
  const seconds = (t - millis) / 1000;
  const days = Math.floor(seconds / 86400);
  let rest = seconds - days * 86400;
  // Jobs come in time order: most share the previous one's day.
  if (days !== lastDays) {
    lastDays = days;
    lastDayText = dayText(days);
  }
  const hh = (rest / 3600) | 0;
  rest -= hh * 3600;
  const mm = (rest / 60) | 0;
  const ss = rest - mm * 60;
  return `${lastDayText}T${PAD2[hh]}:${PAD2[mm]}:${PAD2[ss]}.${millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : millis}Z`;
}

let lastDays = NaN;
let lastDayText = '';

/** `YYYY-MM-DD` of a day counted from 1970-01-01 (Howard Hinnant's civil-from-days). */
function dayText(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${year < 1000 ? String(year).padStart(4, '0') : String(year)}-${PAD2[m]}-${PAD2[d]}`;
}
