import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, DEFAULT_REGISTER_VERSION, migrate, type RegisterDb, type RegisterVersionName } from '../../lib/db/index.js';

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
 * A fresh database of its own on the real PostgreSQL, for one test file, built as Register's database at `version`
 * (default: the default sandbox version).
 *
 * @example
 * let t: TestDatabase;
 * beforeAll(async () => { t = await createTestDatabase(); });
 * afterAll(() => t.drop());
 */
export async function createTestDatabase(options: { migrate?: boolean; version?: RegisterVersionName } = {}): Promise<TestDatabase> {
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
  if (options.migrate !== false) await migrate(db, { version: options.version ?? DEFAULT_REGISTER_VERSION });
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
