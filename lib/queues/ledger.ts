import type { Redis } from 'ioredis';

/**
 * The run ledger in Redis: a list of committed job plans, newest first (`<key>`), and an index of the plans it holds
 * (`<key>:plans`, plan id → when), so "was this plan committed?" is one lookup however long the list grows.
 *
 * @example
 * await appendLedger(redis, 'bull:support:ledger', receipt);
 * await findInLedger(redis, 'bull:support:ledger', receipt.planId) // the receipt
 */
export async function appendLedger(redis: Redis, key: string, entry: { planId: string }): Promise<void> {
  await redis.multi().lpush(key, JSON.stringify(entry)).hset(`${key}:plans`, entry.planId, new Date().toISOString()).exec();
}

/** The ledger entry of a plan, or null: the index says whether it is there; the list is read only when it is. */
export async function findInLedger<T>(redis: Redis, key: string, planId: string): Promise<T | null> {
  if (!(await redis.hexists(`${key}:plans`, planId))) return null;
  for (let start = 0; ; start += 200) {
    const page = await redis.lrange(key, start, start + 199);
    if (!page.length) return null;
    const hit = page.find((e) => e.includes(`"planId":"${planId}"`));
    if (hit) return JSON.parse(hit) as T;
  }
}
