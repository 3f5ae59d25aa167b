import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, markSandboxDatabase, migrate, type RegisterDb, type RegisterVersionName } from '../../lib/db/index.js';

/** The real PostgreSQL on this machine (trust auth). Override with TEST_PG_URL. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: RegisterDb;
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * The configuration's database for tests that commit to a `createTestDatabase()` database: the sandbox kind, which the
 * write guard accepts only on a database with the sandbox marker (every test database has it unless `sandbox: false`).
 */
export const TEST_SANDBOX = { kind: 'sandbox' as const, url: '(a test database marked as the sandbox)' };

/** The Register version a test database is built as unless the test asks for another. */
export const TEST_REGISTER_VERSION: RegisterVersionName = '2024-08';

/**
 * A fresh database of its own on the real PostgreSQL, for one test file, built as Register's database at `version`
 * (default: `TEST_REGISTER_VERSION`, the playbook's DQT era, whose scenarios most suites run; suites of today's Register ask for `2026-08`) and marked as a sandbox (`markSandboxDatabase`) unless `sandbox: false`.
 *
 * @example
 * let t: TestDatabase;
 * beforeAll(async () => { t = await createTestDatabase(); });
 * afterAll(() => t.drop());
 */
export async function createTestDatabase(options: { migrate?: boolean; version?: RegisterVersionName; sandbox?: boolean } = {}): Promise<TestDatabase> {
  const name = `rs_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = connect(url);
  if (options.migrate !== false) await migrate(db, { version: options.version ?? TEST_REGISTER_VERSION });
  if (options.sandbox !== false) await markSandboxDatabase(db);
  return {
    db,
    url,
    name,
    async drop() {
      await db.destroy();
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A Redis key prefix of its own for one test file (BullMQ's `prefix` option). */
export function testRedisPrefix(): string {
  return `rs-test-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a test's Redis prefix (SCAN in pages, then UNLINK): never FLUSHDB. */
export async function clearRedisPrefix(redis: { scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>; unlink(...keys: string[]): Promise<number> }, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}
