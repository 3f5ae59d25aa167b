import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues } from '../../../lib/jobs/queues.js';
import { scanSortedSet } from '../../../lib/queues/bullmq/scan.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { scanTriage } from '../../../lib/triage/triage.js';
import { testRedisPrefix } from '../../helpers/db.js';

const connection = () => new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });

describe('scanning a dead set on the real Redis', () => {
  const prefix = testRedisPrefix();
  const redis = connection();
  const queue = new Queue('dqt', { connection: connection(), prefix });
  let worker: Worker;

  beforeAll(async () => {
    worker = new Worker(
      'dqt',
      async (job) => {
        throw new Error(job.data.message);
      },
      { connection: connection(), prefix, concurrency: 20 },
    );
    const jobs = Array.from({ length: 450 }, (_, i) => ({
      name: i % 2 ? 'Dqt::UpdateTraineeJob' : 'Dqt::RecommendForAwardJob',
      data: {
        arguments: [{ _aj_globalid: `gid://register/Trainee/${i + 1}` }],
        message: i % 3 ? 'status: 500, body: ' : 'status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}',
      },
      opts: { attempts: 1 },
    }));
    await queue.addBulk(jobs);
    const deadline = Date.now() + 120_000; // the worker fails them late on a busy machine
    while ((await queue.getFailedCount()) < 450 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await queue.getFailedCount()).toBe(450);
  });

  afterAll(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it('reads every failed job once, in small batches, with progress', async () => {
    const seen: string[] = [];
    const progress: number[] = [];
    for await (const batch of scanSortedSet(redis, 'failed', { prefix, queue: 'dqt', fields: ['name', 'failedReason'], batchSize: 40, onProgress: (d) => progress.push(d) })) {
      for (const job of batch) seen.push(job.id);
    }
    expect(seen.length).toBe(450);
    expect(new Set(seen).size).toBe(450);
    expect(progress.at(-1)).toBe(450);
    expect(progress.length).toBeGreaterThan(10);
  });

  it('classifies each job and finds its trainee', async () => {
    const kinds = new Map<string, number>();
    let withTrainee = 0;
    const store = new BullmqJobStore(new JobQueues({ url: 'redis://127.0.0.1:6379', prefix }, redis), { ownsQueues: false });
    for await (const batch of scanTriage(store, { queues: ['dqt'], batchSize: 100 })) {
      for (const r of batch) {
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
        if (r.traineeId) withTrainee++;
        expect(r.attempts).toBe(1);
        expect(r.failedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      }
    }
    expect(Object.fromEntries(kinds)).toEqual({ 'no-qts-record': 150, 'server-error': 300 });
    expect(withTrainee).toBe(450);
  });

  it('neither crashes nor double counts while workers keep adding and failing jobs', async () => {
    let adding = true;
    const adder = (async () => {
      let n = 0;
      while (adding) {
        await queue.add('Dqt::UpdateTraineeJob', { arguments: [{ _aj_globalid: `gid://register/Trainee/${9000 + n}` }], message: 'status: 500, body: ' }, { attempts: 1 });
        n++;
        await new Promise((r) => setTimeout(r, 2));
      }
      return n;
    })();
    const seen = new Set<string>();
    let duplicates = 0;
    for await (const batch of scanSortedSet(redis, 'failed', { prefix, queue: 'dqt', fields: ['name'], batchSize: 25 })) {
      for (const job of batch) {
        if (seen.has(job.id)) duplicates++;
        seen.add(job.id);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    adding = false;
    const added = await adder;
    expect(added).toBeGreaterThan(0);
    expect(duplicates).toBe(0);
    // A snapshot as of the start: every job that had failed before the scan began is there.
    expect(seen.size).toBeGreaterThanOrEqual(450);
  });
});
