import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { RegisterDb } from './connect.js';
import * as m001 from './migrations/001_register_schema.js';

const MIGRATIONS: { name: string; up: string }[] = [m001];

class StaticMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      MIGRATIONS.map((m) => [
        m.name,
        {
          up: async (db) => {
            await sql.raw(m.up).execute(db);
          },
        } satisfies Migration,
      ]),
    );
  }
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Creates Register's tables (for the sandbox, tests and benchmarks). Safe to run again: applied
 * migrations are recorded in `kysely_migration` and skipped.
 *
 * @example
 * const { applied } = await migrate(db); // ['001_register_schema'] the first time, [] after
 */
export async function migrate(db: RegisterDb): Promise<MigrateResult> {
  const existing = await sql<{ register: string | null; ours: string | null }>`
    SELECT to_regclass('trainees')::text AS register, to_regclass('kysely_migration')::text AS ours`.execute(db);
  if (existing.rows[0]?.register && !existing.rows[0]?.ours) {
    throw new Error('This database already has a trainees table that the toolkit did not create: it looks like Register itself. Nothing was changed. Migrations are only for the sandbox and test databases.');
  }
  const migrator = new Migrator({ db, provider: new StaticMigrations() });
  const before = (await migrator.getMigrations()).filter((m) => m.executedAt).length;
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName), alreadyApplied: before };
}
