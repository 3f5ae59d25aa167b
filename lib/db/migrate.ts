import { sql } from 'kysely';
import type { RegisterDb } from './connect.js';
import { builtFrom, markBuilt } from './own-schema.js';
import { buildRegisterSchema } from './versions/build.js';
import { DEFAULT_REGISTER_VERSION, registerVersion, type RegisterVersionName } from './versions/description.js';

export interface MigrateResult {
  /** The Register version the database holds. */
  version: RegisterVersionName;
  /** True when this call built it; false when it was already built. */
  built: boolean;
}

/**
 * Builds Register's database at one version (default: `DEFAULT_REGISTER_VERSION`) in an empty database, for the
 * sandbox, tests and benchmarks, and marks it as built by the toolkit. Safe to run again: a database the toolkit
 * built is left as it is (asking for another version is refused, naming both). Refuses any other database that
 * holds tables (Register itself): nothing is changed.
 *
 * @example
 * const { version, built } = await migrate(db, { version: '2026-08' });
 */
export async function migrate(db: RegisterDb, options: { version?: string } = {}): Promise<MigrateResult> {
  const wanted = registerVersion(options.version ?? DEFAULT_REGISTER_VERSION).version;
  const existing = await builtFrom(db);
  if (existing) {
    if (existing !== wanted && options.version) {
      throw new Error(`This database was built as Register ${existing}; ${wanted} was asked for. Nothing was changed. Use an empty database (or the sandbox of that version) for ${wanted}.`);
    }
    return { version: registerVersion(existing).version, built: false };
  }
  const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`.execute(db);
  if ((tables.rows[0]?.n ?? 0) > 0) {
    const trainees = await sql<{ t: string | null }>`SELECT to_regclass('public.trainees')::text AS t`.execute(db);
    throw new Error(
      trainees.rows[0]?.t
        ? 'This database already has a trainees table that the toolkit did not create: it looks like Register itself. Nothing was changed. Building Register\'s schema is only for the sandbox and test databases.'
        : 'This database already has tables in its public schema that the toolkit did not create. Nothing was changed. Build Register\'s schema in an empty database.',
    );
  }
  await buildRegisterSchema(db, registerVersion(wanted));
  await markBuilt(db, wanted);
  return { version: wanted, built: true };
}
