/** Helpers the benchmarks share (the leading underscore keeps this file out of the harness's list). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type RegisterDb } from '../lib/db/connect.js';
import { migrate } from '../lib/db/migrate.js';
import { markSandboxDatabase } from '../lib/db/identity.js';

/** The real PostgreSQL the benchmarks create their databases on. */
export const ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A whole-number flag, `--name N` or `--name=N` (underscores allowed: 1_000_000), or `fallback`. */
export function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  const raw = eq ? eq.split('=')[1] : i >= 0 ? args[i + 1] : undefined;
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} expects a positive whole number, got "${raw}"`);
  return value;
}

/**
 * A fresh migrated database for one benchmark run, marked as a sandbox (commits with the sandbox configuration go
 * only to a marked database); `drop()` removes it.
 *
 * @example
 * const bench = await benchDatabase('commit'); try { … bench.db … } finally { await bench.drop(); }
 */
export async function benchDatabase(label: string): Promise<{ db: RegisterDb; drop(): Promise<void> }> {
  const name = `rs_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = connect(ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), { max: 2, applicationName: `bench-${label}` });
  // The DQT era's schema, as the README's figures were measured (the benchmarks touch tables both eras share).
  await migrate(db, { version: '2024-08' });
  await markSandboxDatabase(db);
  return {
    db,
    async drop() {
      await db.destroy();
      const drop = new pg.Client({ connectionString: ADMIN_URL });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}
