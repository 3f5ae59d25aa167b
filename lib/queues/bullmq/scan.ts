import type { Redis } from 'ioredis';
import { queueKeys, type JobState } from './keys.js';

/** A job as read straight from its Redis hash: only the fields asked for are filled. */
export interface RawJob {
  id: string;
  state: JobState;
  /** The job's score in its state's sorted set (finishedOn for failed and completed, run time for delayed). */
  score: number | null;
  fields: Record<string, string | null>;
}

export interface BullmqScanOptions {
  prefix: string;
  queue: string;
  /** Hash fields to read per job (e.g. name, data, failedReason, atm, finishedOn). */
  fields: string[];
  /** Jobs read per round trip. Default 2,000 (the measured sweet spot). */
  batchSize?: number;
  /** Called after each batch with the running count and the total at the start of the scan. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * One batch of a sorted-set scan as read from Redis: the ids, their scores, and for each job the values of the asked
 * fields in order (`null` for a missing field). Jobs removed since their id was read are already dropped.
 */
export interface RawBatch {
  ids: string[];
  scores: string[];
  values: (string | null)[][];
}

/**
 * Streams the jobs of a sorted-set state (failed, completed, delayed, prioritized) in batches, reading each job's hash
 * once with one pipelined HMGET per batch, the next batch already on its way while this one is used: memory stays
 * flat however large the set.
 *
 * The scan is a snapshot of the set as it was when the scan started: it walks by score up to the highest score at the
 * start, with a cursor of (score, position within that score), so jobs that fail while it runs are not counted, and
 * no job is read twice even as the set changes (a job retried during the scan is simply not seen again).
 *
 * `scanSortedSet` hands out jobs as objects; this is the allocation-light form the dead-set triage uses.
 */
export async function* scanSortedSetRaw(redis: Redis, state: Exclude<JobState, 'waiting' | 'active'>, options: BullmqScanOptions): AsyncGenerator<RawBatch> {
  const keys = queueKeys(options.prefix, options.queue);
  const setKey = keys.state[state].key;
  const batchSize = Math.max(1, options.batchSize ?? 2000);
  const [top, total] = await Promise.all([redis.zrevrange(setKey, 0, 0, 'WITHSCORES'), redis.zcard(setKey)]);
  if (top.length < 2) {
    options.onProgress?.(0, 0);
    return;
  }
  const maxScore = top[1]!;
  const fields = options.fields;
  // One page of ids from the cursor (score, members already read at that score).
  const fetchPage = async (cursorScore: string, offsetAtScore: number) => {
    const page = await redis.zrangebyscore(setKey, cursorScore, maxScore, 'WITHSCORES', 'LIMIT', offsetAtScore, batchSize);
    const ids: string[] = [];
    const scores: string[] = [];
    for (let i = 0; i < page.length; i += 2) {
      ids.push(page[i]!);
      scores.push(page[i + 1]!);
    }
    let next: [string, number] | null = null;
    if (ids.length === batchSize) {
      // Advance past every member already read at the last score.
      const lastScore = scores[scores.length - 1]!;
      let sameAsLast = 0;
      for (let i = scores.length - 1; i >= 0 && scores[i] === lastScore; i--) sameAsLast++;
      next = [lastScore, lastScore === cursorScore ? offsetAtScore + sameAsLast : sameAsLast];
    }
    return { ids, scores, next };
  };
  const readHashes = (ids: string[]) => {
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.job(id), ...fields);
    return pipeline.exec();
  };
  let done = 0;
  let page = await fetchPage('-inf', 0);
  let hashes = readHashes(page.ids);
  while (page.ids.length) {
    // Keep Redis busy with the next page while this one is used.
    const nextPage = page.next ? await fetchPage(page.next[0], page.next[1]) : null;
    const results = (await hashes) ?? [];
    const nextHashes = nextPage && nextPage.ids.length ? readHashes(nextPage.ids) : null;
    const batch: RawBatch = { ids: [], scores: [], values: [] };
    for (let i = 0; i < page.ids.length; i++) {
      const result = results[i];
      const values = result && !result[0] ? (result[1] as (string | null)[]) : null;
      // A job removed since its id was read has no hash any more: skip it.
      if (!values || values.every((v) => v === null)) continue;
      batch.ids.push(page.ids[i]!);
      batch.scores.push(page.scores[i]!);
      batch.values.push(values);
    }
    done += page.ids.length;
    options.onProgress?.(done, total);
    if (batch.ids.length) yield batch;
    if (!nextPage || !nextHashes) break;
    page = nextPage;
    hashes = nextHashes;
  }
}

/**
 * Streams the jobs of a sorted-set state as `RawJob` objects, batch by batch (see `scanSortedSetRaw`).
 *
 * @example
 * for await (const batch of scanSortedSet(redis, 'failed', { prefix: 'bull', queue: 'dqt', fields: ['name', 'failedReason'] })) {
 *   for (const job of batch) tally(job.fields.name);
 * }
 */
export async function* scanSortedSet(redis: Redis, state: Exclude<JobState, 'waiting' | 'active'>, options: BullmqScanOptions): AsyncGenerator<RawJob[]> {
  for await (const raw of scanSortedSetRaw(redis, state, options)) {
    const batch: RawJob[] = new Array(raw.ids.length);
    for (let i = 0; i < raw.ids.length; i++) {
      const record: Record<string, string | null> = {};
      const values = raw.values[i]!;
      for (let j = 0; j < options.fields.length; j++) record[options.fields[j]!] = values[j] ?? null;
      batch[i] = { id: raw.ids[i]!, state, score: Number(raw.scores[i]), fields: record };
    }
    yield batch;
  }
}

/**
 * Streams the jobs of a list state (waiting, active) in batches, with the same single pipelined read per batch.
 * Lists move while workers run, so a job may be missed or seen twice here; `findJobs` de-duplicates by id.
 */
export async function* scanList(redis: Redis, state: 'waiting' | 'active', options: BullmqScanOptions): AsyncGenerator<RawJob[]> {
  const keys = queueKeys(options.prefix, options.queue);
  const listKey = keys.state[state].key;
  const batchSize = Math.max(1, options.batchSize ?? 2000);
  const total = await redis.llen(listKey);
  let done = 0;
  for (let start = 0; start < total; start += batchSize) {
    const ids = await redis.lrange(listKey, start, start + batchSize - 1);
    if (ids.length === 0) break;
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.job(id), ...options.fields);
    const results = (await pipeline.exec()) ?? [];
    const batch: RawJob[] = [];
    ids.forEach((id, i) => {
      const values = results[i]?.[1];
      if (!Array.isArray(values) || values.every((v) => v === null)) return;
      const fields: Record<string, string | null> = {};
      options.fields.forEach((f, j) => (fields[f] = (values[j] as string | null) ?? null));
      batch.push({ id, state, score: null, fields });
    });
    done += ids.length;
    options.onProgress?.(done, total);
    if (batch.length) yield batch;
  }
}

/** Streams every job of the given states. */
export async function* scanStates(redis: Redis, states: readonly JobState[], options: BullmqScanOptions): AsyncGenerator<RawJob[]> {
  for (const state of states) {
    if (state === 'waiting' || state === 'active') yield* scanList(redis, state, options);
    else yield* scanSortedSet(redis, state, options);
  }
}
