import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultProjectRoot, type Config } from '../config/env.js';
import { connect, ping } from '../db/connect.js';

/** Whether a PostgreSQL answers at `url` within `timeoutMs`. */
export async function databaseAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const db = connect(url, { max: 1, connectionTimeoutMillis: timeoutMs });
  try {
    await ping(db);
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy().catch(() => {});
  }
}

/**
 * Makes sure the embedded sandbox is running when the configuration points at it: if nothing answers on the
 * sandbox port, starts `support sandbox` in the background (logging to `<dataDir>/sandbox.log`) and waits until the
 * database answers. Does nothing for an external `DATABASE_URL`.
 *
 * @example
 * await ensureSandbox(loadConfig()); // then connect(config.database.url)
 */
export async function ensureSandbox(config: Config, options: { timeoutMs?: number } = {}): Promise<{ started: boolean; logFile?: string }> {
  if (config.database.kind !== 'sandbox') return { started: false };
  if (await databaseAnswers(config.database.url)) return { started: false };
  mkdirSync(config.sandbox.dataDir, { recursive: true });
  const logFile = join(config.sandbox.dataDir, 'sandbox.log');
  const out = openSync(logFile, 'a');
  const bin = resolve(defaultProjectRoot(), 'bin', 'support.js');
  const child = spawn(process.execPath, [bin, 'sandbox', '--quiet'], { detached: true, stdio: ['ignore', out, out], env: process.env });
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  while (Date.now() < deadline) {
    if (exited !== null) break;
    if (await databaseAnswers(config.database.url, 1_000)) return { started: true, logFile };
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n') : '';
  throw new Error(`The embedded sandbox did not start${exited !== null ? ` (it exited with code ${exited})` : ' in time'}. Its log (${logFile}) ends:\n${tail}`);
}
