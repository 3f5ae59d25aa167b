import { describe, expect, it } from 'vitest';
import { checkoutDefaults, checkoutIdentity, loadConfig } from '../../../lib/config/env.js';

describe('choosing the job queue backend', () => {
  it('QUEUE_BACKEND is sidekiq or bullmq, unset = detect; REDIS_URL may name a database; REDIS_PREFIX stays BullMQ\'s', () => {
    // BullMQ's prefix defaults to this checkout's own (bull:<id>), so two checkouts' sandboxes never share keys.
    expect(loadConfig({}).redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: `bull:${checkoutIdentity().id}`, backend: null });
    expect(loadConfig({ QUEUE_BACKEND: 'sidekiq', REDIS_URL: 'redis://queue.example:6380/3', DATABASE_URL: 'postgres://u@db/register', REDIS_PREFIX: 'bull' }).redis).toEqual({ url: 'redis://queue.example:6380/3', prefix: 'bull', backend: 'sidekiq' });
    expect(() => loadConfig({ QUEUE_BACKEND: 'resque' })).toThrow('QUEUE_BACKEND: expected "sidekiq" (Register\'s Sidekiq) or "bullmq"');
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/queues' })).toThrow('REDIS_URL: expected the path to be a database number, as in redis://127.0.0.1:6379/3, or nothing');
  });

  it("the sandbox's Sidekiq-shaped sets: a database of REDIS_URL's server (by default this checkout's own) or a URL; QUEUE_BACKEND=sidekiq alone reads them", () => {
    // The database number is this checkout's own (1–15), so two checkouts' sandboxes never share one.
    expect(loadConfig({}).sandbox.sidekiqRedisUrl).toBe(`redis://127.0.0.1:6379/${checkoutDefaults(checkoutIdentity()).redisDb}`);
    expect(loadConfig({ SUPPORT_SANDBOX_SIDEKIQ_REDIS: '7', REDIS_URL: 'redis://127.0.0.1:6390' }).sandbox.sidekiqRedisUrl).toBe('redis://127.0.0.1:6390/7');
    expect(loadConfig({ SUPPORT_SANDBOX_SIDEKIQ_REDIS: 'redis://127.0.0.1:6391/2' }).sandbox.sidekiqRedisUrl).toBe('redis://127.0.0.1:6391/2');
    expect(loadConfig({ QUEUE_BACKEND: 'sidekiq' }).redis.url).toBe(`redis://127.0.0.1:6379/${checkoutDefaults(checkoutIdentity()).redisDb}`);
    // Against a real database the sandbox's sets are never read by default.
    expect(loadConfig({ QUEUE_BACKEND: 'sidekiq', DATABASE_URL: 'postgres://u@db/register' }).redis.url).toBe('redis://127.0.0.1:6379');
    expect(() => loadConfig({ SUPPORT_SANDBOX_SIDEKIQ_REDIS: 'db one' })).toThrow('SUPPORT_SANDBOX_SIDEKIQ_REDIS: expected a Redis database number such as 1, or a redis:// URL');
  });
});
