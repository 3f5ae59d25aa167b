import type { Redis } from 'ioredis';
import { SIDEKIQ_KEYS } from './keys.js';

/**
 * One page of a sorted set as Redis returned it: member, score (as text), member, score… (`flat[2i]` is the i-th
 * member exactly as stored, `flat[2i + 1]` its score). Kept flat: no copying per page. The page is the consumer's:
 * it may blank members it has read (the next page is found from the scores alone), so a page of megabytes does not
 * outlive its use.
 */
export interface MemberPage {
  flat: string[];
  /** Members in the page. */
  size: number;
}

/**
 * Streams a Sidekiq sorted set (`dead`, `retry`, `schedule`) newest first, as Sidekiq's own `JobSet#each` walks it,
 * in pages, the next page already on its way while this one is used. A snapshot as of the start: it walks down from
 * the highest score at the start with a cursor of (score, members already read at that score), so jobs added while it
 * runs are not read, and no job is read twice while others are removed (the poller, a death, Register's clean-up).
 *
 * @example
 * for await (const page of scanSortedSetNewestFirst(redis, 'dead', { pageSize: 1000 })) for (let i = 0; i < page.size; i++) read(page.flat[2 * i]);
 */
export async function* scanSortedSetNewestFirst(
  redis: Redis,
  key: string,
  options: { pageSize?: number; onProgress?: (done: number, total: number) => void } = {},
): AsyncGenerator<MemberPage> {
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const [top, total] = await Promise.all([redis.zrevrange(key, 0, 0, 'WITHSCORES'), redis.zcard(key)]);
  if (top.length < 2) {
    options.onProgress?.(0, 0);
    return;
  }
  const fetch = (score: string, offset: number) =>
    redis.zrevrangebyscore(key, score, '-inf', 'WITHSCORES', 'LIMIT', offset, pageSize).then((flat) => {
      const size = flat.length >> 1;
      let next: [string, number] | null = null;
      if (size === pageSize) {
        const last = flat[flat.length - 1]!;
        let same = 0;
        for (let i = flat.length - 1; i >= 1 && flat[i] === last; i -= 2) same++;
        next = [last, last === score ? offset + same : same];
      }
      return { page: { flat, size }, next };
    });
  let done = 0;
  let current = await fetch(top[1]!, 0);
  for (;;) {
    const following = current.next ? fetch(current.next[0], current.next[1]) : null;
    // A rejected prefetch must not go unhandled while this page is used; it is awaited below.
    following?.catch(() => undefined);
    done += current.page.size;
    options.onProgress?.(Math.min(done, total), total);
    if (current.page.size) yield current.page;
    if (!following) return;
    current = await following;
    if (!current.page.size) return;
  }
}

/**
 * Streams a queue list (`queue:<name>`) in pages, oldest first (Sidekiq LPUSHes at the head and BRPOPs from the
 * tail). Lists move while workers run: a job may be missed or read twice, so callers de-duplicate by jid.
 */
export async function* scanQueueList(redis: Redis, queue: string, options: { pageSize?: number } = {}): AsyncGenerator<string[]> {
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const key = SIDEKIQ_KEYS.queue(queue);
  for (let end = -1; ; end -= pageSize) {
    const page = await redis.lrange(key, end - pageSize + 1, end);
    if (!page.length) return;
    yield page.reverse();
    if (page.length < pageSize) return;
  }
}
