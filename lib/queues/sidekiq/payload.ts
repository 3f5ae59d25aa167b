import { decodeActiveJobArgument, type ActiveJobValue } from '../activejob.js';
import { isTrnRequestModel, parseGlobalId, type ParsedGlobalId } from '../globalid.js';
import { parseHttpErrorMessage, type HttpErrorMessage } from '../http-error.js';
import { isRegisterJobClass, REGISTER_JOB_CLASSES } from '../register-jobs.js';
import type { JobEntry, PayloadShape, SidekiqSet } from '../store.js';
import { decodeBacktrace } from './backtrace.js';
import { ACTIVEJOB_WRAPPERS, RAILS_ACTIVEJOB_WRAPPER, type SidekiqState } from './keys.js';
import { sidekiqTimeMs } from './time.js';

/**
 * Reading one Sidekiq job (a member of `retry`, `dead`, `schedule`, an element of `queue:<name>`, or a busy job's
 * payload) as the tools see it. Never throws: a member that is not JSON, not an ActiveJob job, or wraps a class Register
 * does not have is returned with that `shape` and what is wrong.
 *
 * @example
 * const { entry } = readSidekiqEntry(raw, 'dead', '1786303761.2147');
 * entry.jobName     // 'Trs::UpdateProfessionalStatusJob'
 * entry.at          // the death (the score), entry.firstFailedAt the first failure, entry.enqueuedAt the last enqueue
 */
export interface ReadSidekiqEntry {
  entry: JobEntry;
  /** The parsed payload (null when it is not a JSON object). */
  item: Record<string, unknown> | null;
}

const SETS: Partial<Record<SidekiqState, SidekiqSet>> = { dead: 'dead', retry: 'retry', scheduled: 'schedule' };

export function readSidekiqEntry(raw: string, state: SidekiqState, score: string | null, options: { queue?: string; runAt?: number | null } = {}): ReadSidekiqEntry {
  const keep = { item: null as Record<string, unknown> | null, visit: (_raw: string, item: Record<string, unknown> | null) => ((keep.item = item), false) };
  const entry = readSidekiqJob(raw, state, score, options.queue, options.runAt ?? null, keep);
  return { entry, item: keep.item };
}

/**
 * `readSidekiqEntry` without the wrapper object, for scans of hundreds of thousands of jobs: `visitor.visit` is given
 * the member, its parsed payload (null when it is not a JSON object) and whether it failed to parse, and says whether
 * Register's clean-up deletes the job.
 */
export function readSidekiqJob(
  raw: string,
  state: SidekiqState,
  score: string | null,
  queue: string | undefined,
  runAt: number | null,
  visitor: { visit(raw: string, item: Record<string, unknown> | null, notJson: boolean): boolean } | null,
): JobEntry {
  let parsed: unknown;
  let notJson = false;
  try {
    parsed = JSON.parse(raw);
  } catch {
    notJson = true;
  }
  const item = !notJson && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  const set = SETS[state];
  const jid = item !== null && typeof item.jid === 'string' ? item.jid : '';
  const entry: JobEntry = {
    location: set !== undefined && score !== null ? { backend: 'sidekiq', set, score, jid, size: raw.length } : null,
    queue: item !== null && typeof item.queue === 'string' ? item.queue : queue ?? '(unknown)',
    state,
    jobId: jid,
    jobName: null,
    shape: 'activejob',
    shapeProblem: null,
    traineeId: null,
    trnRequestId: null,
    message: null,
    errorClass: null,
    enqueuedAt: null,
    firstFailedAt: null,
    failedAt: null,
    at: score !== null && set !== undefined ? sidekiqTimeMs(score) : runAt,
    attempts: 0,
    removedByCleanup: visitor !== null ? visitor.visit(raw, item, notJson) : false,
  };
  if (item === null) {
    entry.shape = notJson ? 'not-json' : 'not-activejob';
    entry.shapeProblem = notJson ? `not JSON: ${preview(raw)}` : `JSON but not a job hash: ${preview(raw)}`;
    return entry;
  }
  // The ActiveJob wrapper and its hash in args[0], inline (no object per job).
  const cls = item.class;
  const args = item.args;
  let subjectOfArgs: unknown = args;
  if (typeof cls !== 'string' || (cls !== RAILS_ACTIVEJOB_WRAPPER && !ACTIVEJOB_WRAPPERS.has(cls))) {
    entry.shape = 'not-activejob';
    entry.shapeProblem = typeof cls !== 'string' ? 'no "class"' : `a plain Sidekiq job (${cls}), not ActiveJob`;
    entry.jobName = typeof cls === 'string' ? cls : null;
  } else {
    const aj = Array.isArray(args) ? (args[0] as unknown) : undefined;
    if (aj === null || typeof aj !== 'object' || Array.isArray(aj) || typeof (aj as Record<string, unknown>).job_class !== 'string') {
      entry.shape = 'not-activejob';
      entry.shapeProblem = 'ActiveJob wrapper without an ActiveJob hash in args[0]';
      entry.jobName = typeof item.wrapped === 'string' ? item.wrapped : null;
    } else {
      const jobName = typeof item.wrapped === 'string' ? item.wrapped : ((aj as Record<string, unknown>).job_class as string);
      entry.jobName = jobName;
      subjectOfArgs = (aj as Record<string, unknown>).arguments;
      if (!REGISTER_CLASS_NAMES.has(jobName)) {
        entry.shape = 'unknown-class';
        entry.shapeProblem = `${jobName} is not one of Register's job classes`;
      }
    }
  }
  walk(subjectOfArgs, entry, 0);
  const message = item.error_message;
  entry.message = typeof message === 'string' ? message : null;
  const errorClass = item.error_class;
  entry.errorClass = typeof errorClass === 'string' ? errorClass : null;
  entry.enqueuedAt = sidekiqTimeMs(item.enqueued_at);
  const firstFailedAt = sidekiqTimeMs(item.failed_at);
  entry.firstFailedAt = firstFailedAt;
  entry.failedAt = sidekiqTimeMs(item.retried_at) ?? firstFailedAt;
  const retryCount = item.retry_count;
  entry.attempts = typeof retryCount === 'number' ? Math.max(1, retryCount + 1) : firstFailedAt !== null ? 1 : 0;
  return entry;
}

const REGISTER_CLASS_NAMES = new Set(Object.keys(REGISTER_JOB_CLASSES));

function preview(raw: string): string {
  return raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
}

/** What kind of job a payload is: its ActiveJob class and arguments, or why it is not a Register ActiveJob job. */
export function shapeOf(item: Record<string, unknown>): { shape: PayloadShape; problem: string | null; jobName: string | null; arguments: unknown } {
  const cls = typeof item.class === 'string' ? item.class : null;
  const aj = Array.isArray(item.args) ? (item.args[0] as unknown) : undefined;
  const ajHash = aj !== null && typeof aj === 'object' && !Array.isArray(aj) ? (aj as Record<string, unknown>) : null;
  if (cls === null || !ACTIVEJOB_WRAPPERS.has(cls)) {
    return { shape: 'not-activejob', problem: cls === null ? 'no "class"' : `a plain Sidekiq job (${cls}), not ActiveJob`, jobName: cls, arguments: item.args };
  }
  if (!ajHash || typeof ajHash.job_class !== 'string') {
    return { shape: 'not-activejob', problem: 'ActiveJob wrapper without an ActiveJob hash in args[0]', jobName: typeof item.wrapped === 'string' ? item.wrapped : null, arguments: item.args };
  }
  const jobName = typeof item.wrapped === 'string' ? item.wrapped : ajHash.job_class;
  if (!isRegisterJobClass(jobName)) return { shape: 'unknown-class', problem: `${jobName} is not one of Register's job classes`, jobName, arguments: ajHash.arguments };
  return { shape: 'activejob', problem: null, jobName, arguments: ajHash.arguments };
}

/** The first Trainee and the first TRN request GlobalID in the arguments, in document order. */
export function subjectOf(args: unknown): { traineeId: number | null; trnRequestId: number | null } {
  const found = { traineeId: null as number | null, trnRequestId: null as number | null };
  walk(args, found, 0);
  return found;
}

function walk(value: unknown, found: { traineeId: number | null; trnRequestId: number | null }, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 20) return;
  if (Array.isArray(value)) {
    for (const v of value) {
      walk(v, found, depth + 1);
      if (found.traineeId !== null && found.trnRequestId !== null) return;
    }
    return;
  }
  const o = value as Record<string, unknown>;
  const gid = o._aj_globalid;
  if (typeof gid === 'string') {
    noteGlobalId(gid, found);
    return;
  }
  for (const k in o) {
    walk(o[k], found, depth + 1);
    if (found.traineeId !== null && found.trnRequestId !== null) return;
  }
}

/**
 * Notes a `gid://app/Model/123` of a Trainee or a TRN request (`TrnRequest`, `Dqt::TrnRequest`, `Trs::TrnRequest`)
 * without a regular expression or any allocation: this runs for every job of a scan.
 */
function noteGlobalId(gid: string, found: { traineeId: number | null; trnRequestId: number | null }): void {
  if (!gid.startsWith('gid://')) return;
  const last = gid.lastIndexOf('/');
  const prev = gid.lastIndexOf('/', last - 1);
  // As parseGlobalId: an app name without "/", a model, a whole id.
  if (prev <= 6 || last === gid.length - 1 || gid.indexOf('/', 6) !== prev) return;
  let id = 0;
  for (let i = last + 1; i < gid.length; i++) {
    const c = gid.charCodeAt(i);
    if (c < 48 || c > 57) return;
    id = id * 10 + (c - 48);
  }
  const modelLength = last - prev - 1;
  if (found.traineeId === null && modelLength === 7 && gid.startsWith('Trainee', prev + 1)) found.traineeId = id;
  else if (found.trnRequestId === null && gid.endsWith('TrnRequest', last) && (modelLength === 10 || gid.startsWith('::', last - 12))) {
    const m = parseGlobalId(gid);
    if (m && isTrnRequestModel(m.model)) found.trnRequestId = id;
  }
}

/** Everything a Sidekiq job says, decoded, for the views that show one job. */
export interface SidekiqJob {
  raw: string;
  shape: PayloadShape;
  shapeProblem: string | null;
  jid: string | null;
  queue: string | null;
  /** Sidekiq's `class` (the ActiveJob wrapper for Register's jobs). */
  sidekiqClass: string | null;
  /** Register's job class (`wrapped`). */
  jobClass: string | null;
  /** Sidekiq's retry option: true (25), a number, or false. */
  retry: boolean | number | null;
  retryCount: number | null;
  /** Epoch ms. */
  createdAt: number | null;
  enqueuedAt: number | null;
  failedAt: number | null;
  retriedAt: number | null;
  errorClass: string | null;
  errorMessage: string | null;
  /** The HTTP failure inside the message (status, body, headers), when there is one. */
  http: HttpErrorMessage | null;
  backtrace: string[] | null;
  activeJob: {
    jobId: string | null;
    providerJobId: string | null;
    queueName: string | null;
    executions: number | null;
    exceptionExecutions: Record<string, number>;
    locale: string | null;
    timezone: string | null;
    /** As ActiveJob wrote it (ISO text). */
    enqueuedAt: string | null;
    scheduledAt: string | null;
    arguments: ActiveJobValue[];
  } | null;
  globalIds: ParsedGlobalId[];
  traineeId: number | null;
  trnRequestId: number | null;
  /** Other top-level keys, as found (e.g. `trace_propagation_headers`). */
  extra: Record<string, unknown>;
}

const KNOWN_KEYS = new Set(['retry', 'queue', 'wrapped', 'args', 'class', 'jid', 'created_at', 'enqueued_at', 'error_message', 'error_class', 'failed_at', 'retry_count', 'retried_at', 'error_backtrace', 'backtrace']);

/**
 * Decodes a Sidekiq job fully: ActiveJob arguments (records, times with zone, keyword arguments), times (float seconds
 * or Sidekiq 8's milliseconds), the HTTP status, body and headers in the error message, the compressed backtrace.
 *
 * @example
 * const job = decodeSidekiqJob(raw);
 * job.http?.status           // 400
 * job.activeJob?.arguments   // [{ type: 'record', model: 'Trainee', id: 123456, … }]
 */
export function decodeSidekiqJob(raw: string): SidekiqJob {
  const { entry, item } = readSidekiqEntry(raw, 'dead', null);
  const base: SidekiqJob = {
    raw,
    shape: entry.shape,
    shapeProblem: entry.shapeProblem,
    jid: null,
    queue: null,
    sidekiqClass: null,
    jobClass: entry.jobName,
    retry: null,
    retryCount: null,
    createdAt: null,
    enqueuedAt: null,
    failedAt: null,
    retriedAt: null,
    errorClass: null,
    errorMessage: null,
    http: null,
    backtrace: null,
    activeJob: null,
    globalIds: [],
    traineeId: entry.traineeId,
    trnRequestId: entry.trnRequestId,
    extra: {},
  };
  if (!item) return base;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  base.jid = str(item.jid);
  base.queue = str(item.queue);
  base.sidekiqClass = str(item.class);
  base.retry = typeof item.retry === 'boolean' || typeof item.retry === 'number' ? item.retry : null;
  base.retryCount = num(item.retry_count);
  base.createdAt = sidekiqTimeMs(item.created_at);
  base.enqueuedAt = sidekiqTimeMs(item.enqueued_at);
  base.failedAt = sidekiqTimeMs(item.failed_at);
  base.retriedAt = sidekiqTimeMs(item.retried_at);
  base.errorClass = str(item.error_class);
  base.errorMessage = str(item.error_message);
  base.http = parseHttpErrorMessage(base.errorMessage);
  base.backtrace = decodeBacktrace(item.error_backtrace);
  for (const [k, v] of Object.entries(item)) if (!KNOWN_KEYS.has(k)) base.extra[k] = v;
  const aj = Array.isArray(item.args) ? item.args[0] : undefined;
  if (base.shape !== 'not-activejob' && aj && typeof aj === 'object' && !Array.isArray(aj)) {
    const a = aj as Record<string, unknown>;
    const args = Array.isArray(a.arguments) ? a.arguments : [];
    const exceptions: Record<string, number> = {};
    if (a.exception_executions && typeof a.exception_executions === 'object') {
      for (const [k, v] of Object.entries(a.exception_executions as Record<string, unknown>)) if (typeof v === 'number') exceptions[k] = v;
    }
    base.activeJob = {
      jobId: str(a.job_id),
      providerJobId: str(a.provider_job_id),
      queueName: str(a.queue_name),
      executions: num(a.executions),
      exceptionExecutions: exceptions,
      locale: str(a.locale),
      timezone: str(a.timezone),
      enqueuedAt: str(a.enqueued_at),
      scheduledAt: str(a.scheduled_at),
      arguments: args.map(decodeActiveJobArgument),
    };
  }
  const gids: ParsedGlobalId[] = [];
  const collect = (v: ActiveJobValue) => {
    if (v.type === 'record') gids.push({ app: v.app, model: v.model, id: v.id });
    else if (v.type === 'array') v.values.forEach(collect);
    else if (v.type === 'hash' || v.type === 'keywords') Object.values(v.values).forEach(collect);
  };
  base.activeJob?.arguments.forEach(collect);
  base.globalIds = gids;
  return base;
}
