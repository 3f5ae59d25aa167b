import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
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
 * toolkit, psql and notebooks connect to it like to any PostgreSQL. The data lives in `dataDir` and
 * survives restarts; the first start migrates and seeds it.
 *
 * @example
 * const sandbox = await startSandboxDatabase({ dataDir: '.sandbox', port: 55432 });
 * // … connect(sandbox.url) …
 * await sandbox.stop();
 */
export async function startSandboxDatabase(options: { dataDir: string; port: number; host?: string; seed?: boolean }): Promise<SandboxDatabase> {
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { citext } = require('@electric-sql/pglite/contrib/citext') as { citext: import('@electric-sql/pglite').Extension };
  const { PGLiteSocketServer } = require('@electric-sql/pglite-socket') as typeof import('@electric-sql/pglite-socket');
  const pgdata = join(options.dataDir, 'pgdata');
  mkdirSync(options.dataDir, { recursive: true });
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const created = !existsSync(join(pgdata, 'PG_VERSION'));
  const pglite = await PGlite.create(pgdata, { extensions: { citext } });
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
    await migrate(db);
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
