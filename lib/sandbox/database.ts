import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { DEFAULT_REGISTER_VERSION, registerVersion } from '../db/versions/description.js';
import { markSandboxDatabase } from '../db/identity.js';
import { seed } from './seed/index.js';

export interface SandboxDatabase {
  /** Connection URL for `pg`, Kysely, psql. */
  url: string;
  /** True when this start created the data directory (and so migrated and seeded it). */
  created: boolean;
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL (PGlite) and serves it over the wire protocol on 127.0.0.1, so the
 * toolkit, psql and notebooks connect to it like to any PostgreSQL. It is Register's database as it is at `version`
 * (default `DEFAULT_REGISTER_VERSION`), built from the toolkit's description of Register's schema. The data lives in
 * `dataDir` (one directory per version) and survives restarts; the first start builds and seeds it.
 *
 * @example
 * const sandbox = await startSandboxDatabase({ dataDir: '.sandbox', port: 55432 });
 * // … connect(sandbox.url) …
 * await sandbox.stop();
 */
export async function startSandboxDatabase(options: { dataDir: string; port: number; host?: string; seed?: boolean; version?: string }): Promise<SandboxDatabase> {
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const contrib = (name: string) => (require(`@electric-sql/pglite/contrib/${name}`) as Record<string, import('@electric-sql/pglite').Extension>)[name]!;
  const { PGLiteSocketServer } = require('@electric-sql/pglite-socket') as typeof import('@electric-sql/pglite-socket');
  // One data directory per Register version, so switching versions keeps each one's data.
  const version = registerVersion(options.version ?? DEFAULT_REGISTER_VERSION).version;
  const pgdata = join(options.dataDir, `pgdata-${version}`);
  mkdirSync(options.dataDir, { recursive: true });
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const created = !existsSync(join(pgdata, 'PG_VERSION'));
  // The extensions Register's schema enables.
  const pglite = await PGlite.create(pgdata, { extensions: { citext: contrib('citext'), btree_gist: contrib('btree_gist'), pg_trgm: contrib('pg_trgm'), pgcrypto: contrib('pgcrypto') } });
  const host = options.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({ db: pglite, port: options.port, host, maxConnections: 64 });
  try {
    await server.start();
  } catch (error) {
    await pglite.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`Port ${options.port} on ${host} is taken: is a sandbox already running? (set SUPPORT_SANDBOX_PORT to use another port)`);
    throw error;
  }
  const url = `postgres://postgres@${host}:${options.port}/postgres`;
  const db = connect(url, { max: 1 });
  try {
    await migrate(db, { version });
    // Every start (older data dirs too): with the sandbox configuration, commits go only to a database with this marker.
    await markSandboxDatabase(db);
    if (created && options.seed !== false) await seed(db);
  } finally {
    await db.destroy();
  }
  return {
    url,
    created,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}
