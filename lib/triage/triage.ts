import type { Redis } from 'ioredis';
import { jobSubjectFromText } from '../queues/globalid.js';
import { scanSortedSetRaw } from '../queues/scan.js';
import { classifyFailure, errorClassFromStack, PLAYBOOK_RULES, type Classification, type ErrorKind } from './rules.js';

/** One dead job, classified by the playbook's rules. The first fourteen keys are `support triage --json`'s. */
export interface TriageRecord {
  queue: string;
  jobId: string;
  jobName: string | null;
  traineeId: number | null;
  slug: string | null;
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
  /** Jobs with the same fingerprint failed the same way (status, errorCode or validation keys). */
  fingerprint: string;
  /** The error as DQT sent it (or the raw message). */
  error: string;
  /** The job's error message exactly as stored (BullMQ's failedReason). */
  message: string;
  /** For a RetrieveTrnJob: the TRN request the job polls. */
  trnRequestId: number | null;
  /** When the job was enqueued (BullMQ's `timestamp`, Sidekiq's `enqueued_at`), ISO text. */
  enqueuedAt: string | null;
}

/** The hash fields a triage reads per job. The stack trace is read only for jobs whose message does not say what they are. */
export const TRIAGE_FIELDS = ['name', 'data', 'failedReason', 'atm', 'finishedOn', 'timestamp'] as const;

export interface TriageScanOptions {
  prefix: string;
  queue: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Looks up trainee slugs for a batch of ids (and trainee ids for TRN request ids); without it slugs stay null. */
  resolve?: (ids: { traineeIds: number[]; trnRequestIds: number[] }) => Promise<{ slugs: Map<number, string>; traineeOfTrnRequest: Map<number, number> }>;
}

/**
 * Streams the dead set (failed jobs) of a queue as classified records, batch by batch, reading each job's hash once.
 * Memory stays flat: nothing is kept between batches.
 *
 * @example
 * for await (const batch of scanTriage(redis, { prefix: 'bull', queue: 'dqt' })) for (const r of batch) console.log(r.kind);
 */
export async function* scanTriage(redis: Redis, options: TriageScanOptions): AsyncGenerator<TriageRecord[]> {
  // Dead sets repeat the same few messages thousands of times: classify each distinct message once (bounded cache).
  const cache = new Map<string, Classification>();
  const classify = (message: string | null) => {
    const key = message ?? '';
    let c = cache.get(key);
    if (!c) {
      c = classifyFailure(message);
      if (cache.size >= 5_000) cache.clear();
      cache.set(key, c);
    }
    return c;
  };
  // TRIAGE_FIELDS order: name, data, failedReason, atm, finishedOn, timestamp.
  for await (const raw of scanSortedSetRaw(redis, 'failed', { prefix: options.prefix, queue: options.queue, fields: [...TRIAGE_FIELDS], batchSize: options.batchSize, onProgress: options.onProgress })) {
    const records: TriageRecord[] = new Array(raw.ids.length);
    const needStack: number[] = [];
    for (let i = 0; i < raw.ids.length; i++) {
      const [name, data, failedReason, atm, finishedOn, timestamp] = raw.values[i]!;
      const subject = jobSubjectFromText(data ?? null);
      const c = classify(failedReason ?? null);
      const rule = PLAYBOOK_RULES[c.kind];
      if (c.kind === 'unknown') needStack.push(i);
      const finished = finishedOn ? Number(finishedOn) : Number(raw.scores[i]);
      records[i] = {
        queue: options.queue,
        jobId: raw.ids[i]!,
        jobName: name ?? null,
        traineeId: subject.traineeId,
        slug: null,
        failedAt: finished ? new Date(finished).toISOString() : null,
        attempts: atm ? Number(atm) : 0,
        status: c.status,
        errorCode: c.errorCode,
        errorClass: c.errorClass,
        explanation: rule.explanation,
        action: rule.action,
        bulkSafe: rule.bulkSafe,
        runbook: rule.runbook,
        kind: c.kind,
        fingerprint: c.fingerprint,
        error: c.detail,
        message: failedReason ?? '',
        trnRequestId: subject.trnRequestId,
        enqueuedAt: timestamp ? new Date(Number(timestamp)).toISOString() : null,
      };
    }
    if (needStack.length) {
      const pipeline = redis.pipeline();
      for (const i of needStack) pipeline.hget(`${options.prefix}:${options.queue}:${records[i]!.jobId}`, 'stacktrace');
      const stacks = (await pipeline.exec()) ?? [];
      needStack.forEach((recordIndex, j) => {
        const cls = errorClassFromStack((stacks[j]?.[1] as string | null) ?? null);
        const record = records[recordIndex]!;
        if (cls) {
          record.errorClass = cls;
          record.fingerprint = `${cls}: ${record.fingerprint.replace(/^[^:]*: /, '')}`;
        }
      });
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

/** The job names of the update-then-award rule. */
export const UPDATE_JOB = 'Dqt::UpdateTraineeJob';
export const AWARD_JOB = 'Dqt::RecommendForAwardJob';

/**
 * The playbook's ordering rule: a trainee with both a failed update and a failed award must have the update re-run
 * first (the award first would give the trainee QTS, and DQT then refuses the update). Marks both records.
 */
export function applyUpdateBeforeAward(records: TriageRecord[]): TriageRecord[] {
  const names = new Map<number, Set<string>>();
  for (const r of records) if (r.traineeId !== null && r.jobName) (names.get(r.traineeId) ?? names.set(r.traineeId, new Set()).get(r.traineeId)!).add(r.jobName);
  for (const r of records) {
    const set = r.traineeId !== null ? names.get(r.traineeId) : undefined;
    if (set?.has(UPDATE_JOB) && set.has(AWARD_JOB) && (r.jobName === UPDATE_JOB || r.jobName === AWARD_JOB)) {
      r.runbook = 'dqt-errors/failed-update-and-award';
      r.bulkSafe = false;
      r.action = r.jobName === UPDATE_JOB ? `Retry this update first (the trainee also has a failed award). ${r.action}` : 'Retry only after the failed update of this trainee has succeeded.';
    }
  }
  return records;
}
