import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues } from '../../../lib/jobs/queues.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { deadJobsCsv, triageDeadSet } from '../../../lib/triage/report.js';
import { clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';

/**
 * Register's dead-jobs CSV keeps one row per trainee: of several dead jobs, the most recently *enqueued* one
 * (register-facts 5, "Building the list"), whatever the order they failed in.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testRedisPrefix();
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
let t: TestDatabase;

/** A dead job in BullMQ's layout: `timestamp` is when it was enqueued, `finishedOn` when it died. */
async function deadJob(id: string, traineeId: number, enqueuedAt: string, failedAt: string, message: string): Promise<void> {
  await redis.hset(`${prefix}:dqt:${id}`, {
    name: 'Dqt::UpdateTraineeJob',
    data: JSON.stringify({ job_class: 'Dqt::UpdateTraineeJob', arguments: [{ _aj_globalid: `gid://register/Trainee/${traineeId}` }] }),
    opts: JSON.stringify({ attempts: 5 }),
    timestamp: String(Date.parse(enqueuedAt)),
    finishedOn: String(Date.parse(failedAt)),
    failedReason: message,
    atm: '5',
  });
  await redis.zadd(`${prefix}:dqt:failed`, Date.parse(failedAt), id);
}

/** RFC 4180 rows (quoted fields with doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split(/\r?\n/)) {
    const fields: string[] = [];
    for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
    rows.push(fields);
  }
  return rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
  await redis.connect();
  // Trainee 1: job 11 enqueued last but died first; job 12 enqueued first, retried for days, died last.
  await deadJob('11', 1, '2026-11-20T09:00:00Z', '2026-11-20T10:00:00Z', 'status: 500, body: enqueued last');
  await deadJob('12', 1, '2026-11-10T09:00:00Z', '2026-11-25T10:00:00Z', 'status: 500, body: enqueued first');
  // Trainee 2: one job only.
  await deadJob('21', 2, '2026-11-15T09:00:00Z', '2026-11-15T10:00:00Z', 'status: 500, body: only job');
}, 60_000);

afterAll(async () => {
  await clearRedisPrefix(redis, prefix);
  redis.disconnect();
  await t?.drop();
});

describe("Register's dead-jobs CSV", () => {
  it('keeps, for a trainee with several dead jobs, the most recently enqueued one, not the latest failure', async () => {
    const store = new BullmqJobStore(new JobQueues({ url: REDIS_URL, prefix }, redis), { ownsQueues: false });
    const report = await triageDeadSet(store, { queues: ['dqt'], db: t.db });
    const rows = parseCsv(await deadJobsCsv(t.db, report.records));
    const header = rows[0]!;
    const byTrainee = new Map(rows.slice(1).map((row) => [row[header.indexOf('register_id')], row]));
    expect([...byTrainee.keys()]).toEqual(['1', '2']);
    expect(byTrainee.get('1')![header.indexOf('job_id')]).toBe('11');
    expect(byTrainee.get('1')![header.indexOf('error_message')]).toBe('enqueued last');
    expect(byTrainee.get('2')![header.indexOf('job_id')]).toBe('21');
    expect(report.records.find((r) => r.jobId === '11')?.enqueuedAt).toBe('2026-11-20T09:00:00.000Z');
  });
});
