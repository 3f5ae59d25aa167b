import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import { readSidekiqEntry } from '../../../lib/queues/sidekiq/payload.js';
import { claimRedisDatabase } from '../../helpers/sidekiq.js';
import { REDIS_URL } from '../investigations/setup.js';

/**
 * What the retry and kill scripts leave in Redis, byte for byte, on a database of this file's own with a Sidekiq
 * heartbeat polling `dqt` (no worker takes the jobs, so the pushed payload can be read back).
 */
const RAW =
  '{"retry":0,"queue":"dqt","wrapped":"Dqt::UpdateTraineeJob","args":[{"job_class":"Dqt::UpdateTraineeJob","job_id":"c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f","provider_job_id":null,"queue_name":"dqt","priority":null,"arguments":[{"_aj_globalid":"gid://register-trainee-teachers/Trainee/98765","retry_count":7}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2024-08-01T10:15:30.497113000Z","scheduled_at":null}],"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","jid":"a1b2c3d4e5f60718293a4b5c","created_at":1722507330.498,"enqueued_at":1722507330.4993,"error_message":"status: 400, body: {\\"title\\":\\"Prénom invalide – Zoë Łukasz 日本\\"}, headers: {\\"date\\"=>[\\"Thu, 01 Aug 2024 10:15:31 GMT\\"]}","error_class":"Dqt::Client::HttpError","failed_at":1722507331.2871,"retry_count":0}';
const SCORE = '1722507331.2919';
let claim: Awaited<ReturnType<typeof claimRedisDatabase>>;
let redis: Redis;
let store: SidekiqJobStore;

beforeAll(async () => {
  claim = await claimRedisDatabase();
  const url = `${REDIS_URL}/${claim.db}`;
  redis = new Redis(url);
  store = new SidekiqJobStore(new Redis(url), { url, deadSet: { maxJobs: 3, timeoutSeconds: 15_552_000 } });
  await redis.multi().sadd('processes', 'test:1:a').hset('test:1:a', 'info', JSON.stringify({ queues: ['dqt'] }), 'beat', String(Date.now() / 1000), 'busy', '0', 'quiet', 'false').exec();
});
afterAll(async () => {
  await store?.close();
  redis?.disconnect();
  await claim?.release();
});

const located = async (set: 'dead' | 'retry') => {
  const flat = await redis.zrange(set, 0, -1, 'WITHSCORES');
  return readSidekiqEntry(flat[0]!, set, flat[1]!).entry;
};

describe('retry and kill, byte for byte', () => {
  it.each([
    ['by jid in one script', 'dqt'],
    ['by its exact bytes, read first', undefined],
  ] as const)('retry (%s) pushes the member with only retry_count − 1 and enqueued_at now changed, UTF-8 and nested keys untouched', async (_how, queue) => {
    await redis.del('queue:dqt', 'queues');
    await redis.zadd('dead', SCORE, RAW);
    const entry = await located('dead');
    const before = Date.now() / 1000;
    const [outcome] = await store.apply('retry', [{ location: entry.location!, expectedMessage: entry.message, queue }]);
    expect(outcome!.status).toBe('done');
    expect(await redis.zcard('dead')).toBe(0);
    expect(await redis.smembers('queues')).toEqual(['dqt']);
    const [pushed] = await redis.lrange('queue:dqt', 0, -1);
    const at = /"enqueued_at":(\d+\.\d+),"error_message"/.exec(pushed!)![1]!;
    expect(Number(at)).toBeGreaterThanOrEqual(Math.floor(before));
    expect(pushed).toBe(RAW.replace('"enqueued_at":1722507330.4993', `"enqueued_at":${at}`).replace(/"retry_count":0}$/, '"retry_count":-1}'));
  });

  it('a payload whose last retry_count and enqueued_at are nested (not as Sidekiq orders keys) is edited at the top level only', async () => {
    await redis.del('queue:dqt', 'queues');
    const odd =
      '{"queue":"dqt","retry_count":3,"enqueued_at":1722507330.5,"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"Dqt::UpdateTraineeJob","args":[{"job_class":"Dqt::UpdateTraineeJob","arguments":[]}],"jid":"fedcba9876543210fedcba98","error_message":"boom","extra":{"retry_count":9,"enqueued_at":7.5}}';
    await redis.zadd('dead', '1722507331.5', odd);
    const entry = await located('dead');
    const [outcome] = await store.apply('retry', [{ location: entry.location!, expectedMessage: entry.message, queue: 'dqt' }]);
    expect(outcome!.status).toBe('done');
    const [pushed] = await redis.lrange('queue:dqt', 0, -1);
    const at = /^\{"queue":"dqt","retry_count":2,"enqueued_at":(\d+\.\d{6}),/.exec(pushed!)![1]!;
    expect(pushed).toBe(odd.replace('"retry_count":3,"enqueued_at":1722507330.5', `"retry_count":2,"enqueued_at":${at}`));
    await redis.del('queue:dqt');
  });

  it('a scheduled job (no enqueued_at) is retried by its exact bytes: enqueued_at added at the end', async () => {
    await redis.del('queue:dqt', 'queues');
    const scheduled = '{"retry":true,"queue":"dqt","class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"Dqt::UpdateTraineeJob","args":[{"job_class":"Dqt::UpdateTraineeJob","arguments":[]}],"jid":"0123456789abcdef01234567","created_at":1.5}';
    await redis.zadd('schedule', '1900000000', scheduled);
    const flat = await redis.zrange('schedule', 0, -1, 'WITHSCORES');
    const entry = readSidekiqEntry(flat[0]!, 'scheduled', flat[1]!).entry;
    const [outcome] = await store.apply('retry', [{ location: entry.location!, expectedMessage: null, queue: 'dqt' }]);
    expect(outcome!.status).toBe('done');
    const [pushed] = await redis.lrange('queue:dqt', 0, -1);
    expect(pushed).toMatch(new RegExp(`^${scheduled.slice(0, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},"enqueued_at":\\d+\\.\\d{6}}$`));
    await redis.del('queue:dqt');
  });

  it('kill moves a retrying member to the dead set unchanged and trims the dead set to its cap and age', async () => {
    await redis.del('queue:dqt');
    // Three recent deaths (a death older than 180 days would be trimmed by age, as Sidekiq does).
    for (let i = 0; i < 3; i++) await redis.zadd('dead', (Date.now() / 1000 - 100 + i).toFixed(3), `{"jid":"old${i}"}`);
    await redis.zadd('retry', SCORE, RAW);
    const entry = await located('retry');
    const [outcome] = await store.apply('kill', [{ location: entry.location!, expectedMessage: entry.message }]);
    expect(outcome!.status).toBe('done');
    // A cap of 3 keeps 2, as Sidekiq's ZREMRANGEBYRANK dead 0 -cap does: the newest (the kill) and one old.
    expect(await redis.zrange('dead', 0, -1)).toEqual(['{"jid":"old2"}', RAW]);
    expect(await redis.zcard('retry')).toBe(0);
  });

  it('delete removes only that exact member; a second delete finds it gone', async () => {
    const entry = await located('dead').then(async () => {
      const flat = await redis.zrevrange('dead', 0, 0, 'WITHSCORES');
      return readSidekiqEntry(flat[0]!, 'dead', flat[1]!).entry;
    });
    const first = await store.apply('delete', [{ location: entry.location!, expectedMessage: entry.message }]);
    const second = await store.apply('delete', [{ location: entry.location!, expectedMessage: entry.message }]);
    expect([first[0]!.status, second[0]!.status]).toEqual(['done', 'vanished']);
    expect(await redis.zrange('dead', 0, -1)).toEqual(['{"jid":"old2"}']);
  });
});
