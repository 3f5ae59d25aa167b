import { sql, type Kysely } from 'kysely';
import { connect } from './connect.js';

/**
 * Which database a connection really reaches, as the server reports it, and whether it is the toolkit's sandbox.
 * The sandbox's database carries a marker in the toolkit's own schema (`register_support.sandbox`), written when the
 * sandbox starts; nothing else writes it. The write guard compares identities, never labels or URLs.
 *
 * @example
 * const id = await databaseIdentity(db);
 * id.sandbox           // true only on a database marked as the sandbox
 * describeIdentity(id) // 'database "postgres" on 127.0.0.1:55432 (the sandbox)'
 */
export interface DatabaseIdentity {
  /** `current_database()`. */
  database: string;
  /** `inet_server_addr()`: the server's address for this connection; null over a Unix socket or in PGlite. */
  address: string | null;
  /** `inet_server_port()`. */
  port: number | null;
  /** `pg_control_system().system_identifier`: unique per cluster; null where the role may not read it. */
  systemIdentifier: string | null;
  /** Whether the database carries the sandbox marker. */
  sandbox: boolean;
}

export const SANDBOX_MARKER = 'register-support sandbox';

type Executor = Kysely<any>;

/** The identity of the database `db` (a pool, or a transaction: then of the very connection that will write). */
export async function databaseIdentity(db: Executor): Promise<DatabaseIdentity> {
  const { rows } = await sql<{ database: string; address: string | null; port: number | null; marked: boolean; can_read_id: boolean }>`
    SELECT current_database() AS database, host(inet_server_addr()) AS address, inet_server_port() AS port,
           to_regclass('register_support.sandbox') IS NOT NULL AS marked,
           has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') AS can_read_id`.execute(db);
  const row = rows[0]!;
  let sandbox = false;
  if (row.marked) {
    const marker = await sql<{ ok: boolean }>`SELECT EXISTS (SELECT 1 FROM register_support.sandbox WHERE marker = ${SANDBOX_MARKER}) AS ok`.execute(db);
    sandbox = marker.rows[0]?.ok === true;
  }
  let systemIdentifier: string | null = null;
  if (row.can_read_id) {
    const id = await sql<{ id: string | null }>`SELECT system_identifier::text AS id FROM pg_control_system()`.execute(db);
    systemIdentifier = id.rows[0]?.id ?? null;
  }
  return { database: row.database, address: row.address, port: row.port === null ? null : Number(row.port), systemIdentifier, sandbox };
}

/** The identity of the database a URL names: a connection of its own, closed again. */
export async function databaseIdentityAt(url: string): Promise<DatabaseIdentity> {
  const db = connect(url, { max: 1, applicationName: 'register-support identity check' });
  try {
    return await databaseIdentity(db);
  } finally {
    await db.destroy().catch(() => {});
  }
}

/** Whether two identities are the same database: same name, and the same cluster (system identifier, else address and port). */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.database !== b.database) return false;
  if (a.systemIdentifier && b.systemIdentifier) return a.systemIdentifier === b.systemIdentifier;
  return a.address === b.address && a.port === b.port;
}

/** `database "register" on 10.0.0.5:5432 (system 7312…)` for messages. */
export function describeIdentity(id: DatabaseIdentity): string {
  const where = id.address ? `${id.address}:${id.port ?? '?'}` : id.port ? `a local socket, port ${id.port}` : 'a local server';
  return `database "${id.database}" on ${where}${id.systemIdentifier ? ` (system ${id.systemIdentifier})` : ''}${id.sandbox ? ' (the sandbox)' : ''}`;
}

/**
 * Marks a database as the toolkit's sandbox (idempotent). Only the embedded sandbox, when it starts, and test helpers
 * building sandbox-like databases call this: with the sandbox configuration, commits go only to a marked database.
 */
export async function markSandboxDatabase(db: Executor): Promise<void> {
  await sql.raw(`
    CREATE SCHEMA IF NOT EXISTS register_support;
    CREATE TABLE IF NOT EXISTS register_support.sandbox (
      marker text PRIMARY KEY CHECK (marker = '${SANDBOX_MARKER}'),
      created_at timestamp NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE register_support.sandbox IS 'register-support: this database is the toolkit''s sandbox (commits with the sandbox configuration go only here)';
    INSERT INTO register_support.sandbox (marker) VALUES ('${SANDBOX_MARKER}') ON CONFLICT DO NOTHING`).execute(db);
}
