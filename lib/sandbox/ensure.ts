import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, existsSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultProjectRoot, type Config } from '../config/env.js';
import { connect, ping } from '../db/connect.js';
import { runningSandbox, sandboxStateFile } from './process.js';

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

/** What `ensureSandbox` did: nothing (`started: false`), or started the sandbox in the background. */
export interface EnsuredSandbox {
  started: boolean;
  /** The sandbox process (when the sandbox is this checkout's). */
  pid?: number;
  logFile?: string;
}

/**
 * The sentence every command prints after starting the sandbox in the background: that it did, which process, and
 * how to stop it.
 */
export function backgroundSandboxNotice(result: EnsuredSandbox): string {
  return `Started the embedded sandbox in the background (process ${result.pid}, log ${result.logFile}). It keeps running for the next runs; stop it with: support sandbox stop`;
}

/**
 * The error for a sandbox port that answers but is not this checkout's sandbox (another checkout's, or another
 * program): says which port and what to do.
 */
function notOurs(config: Config): Error {
  return new Error(
    `127.0.0.1:${config.sandbox.port} answers, but not as this checkout's sandbox (${sandboxStateFile(config)} names no running sandbox there): ` +
      `another checkout's sandbox or another program has the port. Stop it, or give this checkout other ports with SUPPORT_SANDBOX_PORT and SUPPORT_DQT_SANDBOX_PORT.`,
  );
}

/**
 * Makes sure this checkout's embedded sandbox is running when the configuration points at it: if nothing answers
 * on the sandbox port, starts `support sandbox` in the background (logging to `<dataDir>/sandbox.log`) and waits
 * until the database answers; the caller says so with `backgroundSandboxNotice`. Refuses a port that answers
 * without being this checkout's sandbox. Does nothing for an external `DATABASE_URL`.
 *
 * @example
 * const ensured = await ensureSandbox(loadConfig()); // then connect(config.database.url)
 * if (ensured.started) console.log(backgroundSandboxNotice(ensured));
 */
export async function ensureSandbox(config: Config, options: { timeoutMs?: number } = {}): Promise<EnsuredSandbox> {
  if (config.database.kind !== 'sandbox') return { started: false };
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  // This checkout's sandbox, running or starting (its state file, not a connection attempt that a busy machine can
  // make fail): wait until it serves.
  const waitUntilServing = async (pid: number): Promise<boolean> => {
    while (Date.now() < deadline) {
      const state = runningSandbox(config);
      if (!state || state.pid !== pid) return false;
      if (state.ready && (await databaseAnswers(config.database.url, 5_000))) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  const running = runningSandbox(config);
  if (running) {
    if (await waitUntilServing(running.pid)) return { started: false, pid: running.pid };
    if (runningSandbox(config)) throw new Error(`This checkout's sandbox (process ${running.pid}) did not start serving within ${Math.round(timeoutMs / 1000)} s. Its log: ${join(config.sandbox.dataDir, 'sandbox.log')}`);
  } else if (await databaseAnswers(config.database.url)) {
    throw notOurs(config);
  }
  mkdirSync(config.sandbox.dataDir, { recursive: true });
  const logFile = join(config.sandbox.dataDir, 'sandbox.log');
  const out = openSync(logFile, 'a');
  const bin = resolve(defaultProjectRoot(), 'bin', 'support.js');
  const child = spawn(process.execPath, [bin, 'sandbox', '--quiet'], { detached: true, stdio: ['ignore', out, out], env: process.env });
  closeSync(out);
  child.unref();
  let exited: number | null = null;
  const gone = new Promise<void>((r) =>
    child.on('exit', (code) => {
      exited = code ?? 1;
      r();
    }),
  );
  // Ready when the sandbox has recorded itself as serving (database, services and first seed up) and answers.
  while (Date.now() < deadline && exited === null) {
    const state = runningSandbox(config);
    if (state && state.pid === child.pid && state.ready && (await databaseAnswers(config.database.url, 5_000))) return { started: true, pid: child.pid, logFile };
    if (state && state.pid !== child.pid) break; // another command of this checkout started it first
    await Promise.race([gone, new Promise((r) => setTimeout(r, 100))]);
  }
  const other = runningSandbox(config);
  if (other && other.pid !== child.pid) {
    if (exited === null) child.kill('SIGTERM');
    if (await waitUntilServing(other.pid)) return { started: false, pid: other.pid };
  }
  if (exited === null) child.kill('SIGTERM');
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n') : '';
  throw new Error(`The embedded sandbox did not start${exited !== null ? ` (it exited with code ${exited})` : ` within ${Math.round(timeoutMs / 1000)} s`}. Its log (${logFile}) ends:\n${tail}`);
}
