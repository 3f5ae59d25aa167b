import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkoutDefaults, checkoutIdentity, ConfigError, loadConfig, describeUrl } from '../../../lib/config/env.js';
import { redactSecrets } from '../../../lib/notebook/redact.js';

describe('configuration', () => {
  it('defaults to the embedded sandbox, where writes are allowed', () => {
    const config = loadConfig({}, '/project');
    const { port } = checkoutDefaults(checkoutIdentity('/project'));
    expect(config.database).toEqual({ kind: 'sandbox', url: `postgres://postgres@127.0.0.1:${port}/postgres` });
    expect(config.dqt.kind).toBe('sandbox');
    expect(config.writesAllowed).toBe(true);
    expect(config.operator).toBeNull();
    expect(config.sandbox.dataDir).toBe('/project/.sandbox');
  });

  it('gives each checkout its own sandbox ports, Redis prefix and Redis database, the same every time', () => {
    const a = loadConfig({}, '/work/wt/everyday');
    const b = loadConfig({}, '/work/main');
    expect(a.checkout).toEqual(checkoutIdentity('/work/wt/everyday'));
    expect(a.checkout.id).toMatch(/^everyday-[0-9a-f]{6}$/);
    expect(loadConfig({}, '/work/wt/everyday/')).toEqual(a);
    expect(a.sandbox.dqtPort).toBe(a.sandbox.port + 1);
    expect(a.sandbox.port).toBeGreaterThanOrEqual(55432);
    expect(a.sandbox.port).toBeLessThan(56432);
    expect(a.redis.prefix).toBe(`bull:${a.checkout.id}`);
    expect(a.sandbox.redisDb).toBeGreaterThanOrEqual(1);
    expect(a.sandbox.redisDb).toBeLessThanOrEqual(15);
    expect([b.sandbox.port, b.redis.prefix, b.sandbox.dataDir]).not.toEqual([a.sandbox.port, a.redis.prefix, a.sandbox.dataDir]);
    expect(b.sandbox.port).not.toBe(a.sandbox.port);
    // every derived value can be set by its variable
    const set = loadConfig({ SUPPORT_SANDBOX_PORT: '6000', SUPPORT_DQT_SANDBOX_PORT: '6001', REDIS_PREFIX: 'bull', SUPPORT_SANDBOX_SIDEKIQ_REDIS: '3' }, '/work/main');
    expect([set.sandbox.port, set.sandbox.dqtPort, set.redis.prefix, set.sandbox.redisDb, set.dqt.url]).toEqual([6000, 6001, 'bull', 3, 'http://127.0.0.1:6001']);
    expect(() => loadConfig({ SUPPORT_SANDBOX_SIDEKIQ_REDIS: 'sixteen' })).toThrow('SUPPORT_SANDBOX_SIDEKIQ_REDIS: expected a Redis database number such as 1, or a redis:// URL');
  });

  it('needs SUPPORT_ALLOW_WRITES=true to write to a real database', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.example/register' }).writesAllowed).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.example/register', SUPPORT_ALLOW_WRITES: 'true' }).writesAllowed).toBe(true);
  });

  it('names every bad variable and what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', REDIS_URL: 'nope', SUPPORT_ALLOW_WRITES: 'yes', SUPPORT_SANDBOX_PORT: '99999' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(message).toContain('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(message).toContain('SUPPORT_ALLOW_WRITES: expected exactly "true" or "false"');
    expect(message).toContain('SUPPORT_SANDBOX_PORT');
  });

  it('asks for the key when a real DQT URL is set', () => {
    expect(() => loadConfig({ DQT_API_URL: 'https://dqt.example' })).toThrow('DQT_API_KEY: expected the DQT API key, because DQT_API_URL is set');
  });

  it('never prints the DQT API key', () => {
    const config = loadConfig({ DQT_API_URL: 'https://dqt.example/', DQT_API_KEY: 'super-secret-key-123' });
    expect(config.dqt.url).toBe('https://dqt.example');
    expect(config.dqt.apiKey.reveal()).toBe('super-secret-key-123');
    const shown = `${JSON.stringify(config)} ${String(config.dqt.apiKey)} ${inspect(config, { depth: 5 })}`;
    expect(shown).not.toContain('super-secret-key-123');
  });

  it('masks secrets and bearer tokens in text, and passwords in URLs', () => {
    const env = { DQT_API_KEY: 'k-abcdef', DATABASE_URL: 'postgres://u:pa55word@h/db' };
    const secrets = ['k-abcdef', 'pa55word'];
    expect(redactSecrets('key k-abcdef, url postgres://u:pa55word@h/db, Authorization: Bearer zzzz9999', secrets)).toBe(
      'key [redacted], url postgres://u:[redacted]@h/db, Authorization: Bearer [redacted]',
    );
    expect(describeUrl(env.DATABASE_URL)).toBe('postgres://u:*****@h/db');
  });
});
