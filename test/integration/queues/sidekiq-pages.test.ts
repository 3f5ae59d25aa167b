import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import { claimRedisDatabase } from '../../helpers/sidekiq.js';
import { REDIS_URL } from '../investigations/setup.js';

/**
 * The dead set read in pages, on a database of this file's own: ties in score across page edges (Sidekiq gives jobs
 * that die in the same microsecond the same score), and the scan letting each member go once read.
 */
let claim: Awaited<ReturnType<typeof claimRedisDatabase>>;
let redis: Redis;
let store: SidekiqJobStore;

const member = (i: number) =>
  JSON.stringify({
    retry: 0,
    queue: 'dqt',
    wrapped: 'Dqt::UpdateTraineeJob',
    args: [{ job_class: 'Dqt::UpdateTraineeJob', job_id: `job-${i}`, arguments: [{ _aj_globalid: `gid://register-trainee-teachers/Trainee/${1000 + i}` }] }],
    class: 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper',
    jid: `jid${String(i).padStart(6, '0')}`,
    error_message: `status: 500, body: , headers: {"date" => ["job ${i}"]}`,
    error_class: 'Dqt::Client::HttpError',
    failed_at: 1722507331.5,
    retry_count: 0,
  });

beforeAll(async () => {
  claim = await claimRedisDatabase();
  const url = `${REDIS_URL}/${claim.db}`;
  redis = new Redis(url);
  store = new SidekiqJobStore(new Redis(url), { url });
  // 250 jobs, seven to a score: pages of 20 end inside a run of equal scores again and again.
  const args: string[] = [];
  for (let i = 0; i < 250; i++) args.push((1722507331 + Math.floor(i / 7)).toFixed(6), member(i));
  await redis.zadd('dead', ...args);
});
afterAll(async () => {
  await store?.close();
  redis?.disconnect();
  await claim?.release();
});

describe('the dead set in pages', () => {
  it('reads every job exactly once, newest first, whatever the page size, ties at page edges included', async () => {
    const expected = (await redis.zrevrange('dead', 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 0).map((raw) => JSON.parse(raw).jid as string);
    for (const batchSize of [1, 7, 20, 1000]) {
      const read: string[] = [];
      const scores: number[] = [];
      for await (const batch of store.scan({ states: ['dead'], batchSize })) {
        for (const e of batch) {
          read.push(e.jobId);
          scores.push(e.at!);
          // Each entry keeps what it needs of its member: the message and the location's size and score.
          expect(e.message).toMatch(/^status: 500, body: , headers: /);
          expect(e.location).toMatchObject({ backend: 'sidekiq', set: 'dead', jid: e.jobId, size: member(Number(e.jobId.slice(3))).length });
        }
      }
      expect(new Set(read).size, `page size ${batchSize}`).toBe(250);
      expect(read.slice().sort(), `page size ${batchSize}`).toEqual(expected.slice().sort());
      expect(scores.every((s, i) => i === 0 || s <= scores[i - 1]!), `page size ${batchSize}: newest first`).toBe(true);
    }
  });
});
