import { sql, type Kysely } from 'kysely';

/**
 * The toolkit's own schema in a PostgreSQL database: what it keeps for itself (the change log of committed plans,
 * the marker of a database it built) lives here, apart from Register's tables in `public`, and is named so.
 */
export const OWN_SCHEMA = 'register_support';

/**
 * Marks a database the toolkit built from its description of Register (the sandbox, a test or benchmark database),
 * with the Register version it was built from. Real Register databases never carry this mark.
 */
export async function markBuilt(db: Kysely<any>, version: string): Promise<void> {
  await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${OWN_SCHEMA}`).execute(db);
  await sql.raw(`CREATE TABLE IF NOT EXISTS ${OWN_SCHEMA}.built_database (version text NOT NULL, built_at timestamp(6) without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))`).execute(db);
  await sql`INSERT INTO register_support.built_database (version) VALUES (${version})`.execute(db);
}

/**
 * The Register version a database was built from by the toolkit, or null for any other database (Register's own).
 *
 * @example
 * await builtFrom(db) // '2024-08' for the sandbox, null for production
 */
export async function builtFrom(db: Kysely<any>): Promise<string | null> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass(${`${OWN_SCHEMA}.built_database`})::text AS t`.execute(db);
  if (!exists.rows[0]?.t) return null;
  const row = await sql<{ version: string }>`SELECT version FROM register_support.built_database ORDER BY built_at DESC LIMIT 1`.execute(db);
  return row.rows[0]?.version ?? null;
}
