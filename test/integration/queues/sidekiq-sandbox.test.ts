import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSidekiqSandbox } from '../../../lib/queues/sidekiq/sandbox.js';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import { decodeSidekiqJob } from '../../../lib/queues/sidekiq/payload.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { triageDeadSet } from '../../../lib/triage/report.js';
import { claimRedisDatabase } from '../../helpers/sidekiq.js';
import { REDIS_URL, seededSandbox, type SeededSandbox } from '../investigations/setup.js';

/**
 * The sandbox's Sidekiq-shaped sets: the BullMQ sandbox's dead set as Register's Sidekiq would hold it, in a Redis
 * database of its own, so a newcomer sees what production looks like. Same playbook errors, same trainees, same kinds.
 */
let s: SeededSandbox;
let claim: Awaited<ReturnType<typeof claimRedisDatabase>>;
let url: string;
beforeAll(async () => {
  s = await seededSandbox('sidekiq-sandbox-key-2b7d90');
  claim = await claimRedisDatabase();
  url = `${REDIS_URL}/${claim.db}`;
}, 120_000);
afterAll(async () => {
  await claim?.release();
  await s?.stop();
});

describe("the sandbox's Sidekiq database", () => {
  it('holds the BullMQ dead set as Register-shaped Sidekiq entries, and a retry set; seeding again replaces them', async () => {
    const message = await seedSidekiqSandbox({ url: REDIS_URL, prefix: s.prefix }, url, { now: new Date('2026-12-01T10:00:00Z') });
    expect(message).toBe(`The sandbox's Sidekiq database (${url}) holds 12 dead and 2 retrying Register-shaped jobs (QUEUE_BACKEND=sidekiq REDIS_URL=${url} to look at them).`);
    await seedSidekiqSandbox({ url: REDIS_URL, prefix: s.prefix }, url);
    const redis = new Redis(url);
    const store = new SidekiqJobStore(redis, { url });
    try {
      expect([await redis.zcard('dead'), await redis.zcard('retry')]).toEqual([12, 2]);
      const sidekiq = await triageDeadSet(store, { db: s.t.db });
      const bullmq = await triageDeadSet(new BullmqJobStore(s.bull, { ownsQueues: false }), { db: s.t.db });
      const view = (r: (typeof sidekiq.records)[number]) => [r.slug, r.jobName, r.kind, r.status, r.errorCode, r.errorClass, r.runbook, r.bulkSafe, r.failedAt].join(' ');
      expect(sidekiq.records.map(view).sort()).toEqual(bullmq.records.map(view).sort());
      expect(sidekiq.records.every((r) => r.shape === 'activejob' && r.state === 'dead' && !r.removedByCleanup)).toBe(true);
      for (const raw of await redis.zrange('dead', 0, -1)) {
        const job = decodeSidekiqJob(raw);
        expect(job).toMatchObject({ sidekiqClass: 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', queue: 'dqt', jid: expect.stringMatching(/^[0-9a-f]{24}$/) });
        expect(job.retry).toBe(job.jobClass === 'Dqt::RecommendForAwardJob' || job.jobClass === 'Dqt::RetrieveTrnJob' ? 10 : 0);
        if (job.errorMessage!.startsWith('status: ')) expect(job.http!.headersText).toMatch(/^\{"date"=>\["[^"]+ GMT"\], "content-type"=>\["application\/problem\+json; charset=utf-8"\]\}$/);
      }
      const retrying = await triageDeadSet(store, { states: ['retry'], db: s.t.db });
      expect(retrying.records.map((r) => [r.jobName, r.traineeId, r.kind, r.state, r.attempts])).toEqual([
        ['Dqt::RecommendForAwardJob', 4, 'server-error', 'retry', 3],
        ['Dqt::RecommendForAwardJob', 11, 'server-error', 'retry', 3],
      ]);
    } finally {
      redis.disconnect();
    }
  });

  it('leaves alone a database holding Sidekiq data the sandbox did not write', async () => {
    const other = await claimRedisDatabase();
    const redis = new Redis(`${REDIS_URL}/${other.db}`);
    try {
      await redis.zadd('dead', 1, '{"jid":"someone else"}');
      expect(await seedSidekiqSandbox({ url: REDIS_URL, prefix: s.prefix }, `${REDIS_URL}/${other.db}`)).toMatch(/was left alone: it holds Sidekiq data the sandbox did not write/);
      expect(await redis.zrange('dead', 0, -1)).toEqual(['{"jid":"someone else"}']);
    } finally {
      redis.disconnect();
      await other.release();
    }
  });
});
