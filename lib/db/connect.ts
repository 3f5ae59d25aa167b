import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { RegisterDatabase } from './schema.js';
import { timestampFromPostgres } from './timestamp.js';

// Register's ids are bigint and its `date` columns are calendar dates. Read ids and counts as numbers
// (they fit easily) and dates as 'YYYY-MM-DD' strings, so a date never shifts with the time zone.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// Rails writes `timestamp without time zone` in UTC. PostgreSQL keeps microseconds, a JS Date only milliseconds: read
// timestamps as ISO text with all six fraction digits (`2025-06-25T10:00:00.654321Z`, see timestamp.ts), so what is
// read is exactly what is compared and written back.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, timestampFromPostgres);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, timestampFromPostgres);

export type RegisterDb = Kysely<RegisterDatabase>;

export interface ConnectOptions {
  /** Pool size; the embedded sandbox serialises transactions anyway. */
  max?: number;
  /** Milliseconds to wait for a connection before failing with a clear message. */
  connectionTimeoutMillis?: number;
  /** Label shown in PostgreSQL's `application_name`. */
  applicationName?: string;
}

/**
 * Opens Register's database.
 *
 * @example
 * const db = connect(loadConfig().database.url);
 * const n = await db.selectFrom('trainees').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
 * await db.destroy();
 */
export function connect(url: string, options: ConnectOptions = {}): RegisterDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    application_name: options.applicationName ?? 'register-support',
    // Sessions run in UTC so `now()` matches what Rails writes.
    options: '-c TimeZone=UTC',
  });
  // A connection dropping (the server restarted, the network went) must not crash a notebook kernel: the query in
  // flight fails with its own error, and an idle client is simply replaced.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<RegisterDatabase>({ dialect: new PostgresDialect({ pool }) });
}

/** Fails fast, with the reason, when the database cannot be reached. */
export async function ping(db: RegisterDb): Promise<void> {
  await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
}
