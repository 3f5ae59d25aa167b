import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeUrl, loadConfig, type Config } from '../config/env.js';
import { connect, ping } from '../db/connect.js';
import { detectRegister, UnsupportedRegisterError } from '../db/versions/detect.js';
import type { RegisterFeatures } from '../db/versions/features.js';
import { ensureSandbox } from '../sandbox/ensure.js';
import { redactSecrets } from '../notebook/redact.js';
import { JUPYTER_INSTALL_HINT } from '../runner/jupyter.js';
import { kernelCheck } from '../runner/kernel.js';

const run = promisify(execFile);

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export type Check = (config: Config) => Promise<CheckResult>;

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms))]);

export const checkDatabase: Check = async (config) => {
  const where = config.database.kind === 'sandbox' ? `embedded sandbox (${describeUrl(config.database.url)})` : describeUrl(config.database.url);
  try {
    const { started } = await ensureSandbox(config);
    const db = connect(config.database.url, { max: 1, connectionTimeoutMillis: 3_000 });
    try {
      await ping(db);
      let register: RegisterFeatures;
      try {
        register = await detectRegister(db);
      } catch (error) {
        if (!(error instanceof UnsupportedRegisterError)) throw error;
        return { name: 'database', ok: false, detail: `${where} answers, but ${error.message}`, fix: config.database.kind === 'sandbox' ? 'delete the sandbox data (.sandbox/) and start it again' : 'point DATABASE_URL at a supported Register database' };
      }
      const writes = config.writesAllowed ? 'writes allowed' : 'read-only (SUPPORT_ALLOW_WRITES is not true)';
      return { name: 'database', ok: true, detail: `${where}: Register ${register.label}; ${writes}${started ? '; sandbox started in the background' : ''}` };
    } finally {
      await db.destroy();
    }
  } catch (error) {
    return {
      name: 'database',
      ok: false,
      detail: `${where}: ${redactSecrets((error as Error).message)}`,
      fix: config.database.kind === 'sandbox' ? 'run `support sandbox` in a terminal and read its error' : 'check DATABASE_URL, the network and the credentials',
    };
  }
};

export const checkRedis: Check = async (config) => {
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await withTimeout(redis.connect(), 3_000, 'Redis');
    const pong = await withTimeout(redis.ping(), 2_000, 'Redis');
    return { name: 'redis', ok: pong === 'PONG', detail: `${describeUrl(config.redis.url)}: ${pong}, key prefix "${config.redis.prefix}"` };
  } catch (error) {
    return { name: 'redis', ok: false, detail: `${describeUrl(config.redis.url)}: ${redactSecrets((error as Error).message)}`, fix: 'start Redis (redis-server) or set REDIS_URL' };
  } finally {
    redis.disconnect();
  }
};

export const checkDqt: Check = async (config) => {
  const { request } = await import('undici');
  const label = `${config.dqt.kind === 'sandbox' ? 'DQT sandbox ' : ''}${config.dqt.url}`;
  try {
    // A TRN that cannot exist: any answer but 401/403 shows the service is there and the key is accepted.
    const response = await request(`${config.dqt.url}/v2/teachers/0000000?includeInactive=true`, {
      headers: { authorization: `Bearer ${config.dqt.apiKey.reveal()}`, accept: 'application/json' },
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    await response.body.dump();
    if (response.statusCode === 401 || response.statusCode === 403) {
      return { name: 'dqt', ok: false, detail: `${label}: answered ${response.statusCode}: the API key was refused`, fix: 'check DQT_API_KEY (and that the key has the GetPerson role)' };
    }
    return { name: 'dqt', ok: response.statusCode < 500, detail: `${label}: answered ${response.statusCode}, key accepted` };
  } catch (error) {
    return {
      name: 'dqt',
      ok: false,
      detail: `${label}: ${redactSecrets((error as Error).message)}`,
      fix: config.dqt.kind === 'sandbox' ? 'start the sandbox (`support sandbox`), which runs the DQT sandbox' : 'check DQT_API_URL and the network',
    };
  }
};

export const checkJupyter: Check = async () => {
  try {
    const { stdout } = await run('/usr/bin/python3', ['-c', 'import nbclient, nbconvert, notebook; print(nbclient.__version__, nbconvert.__version__, notebook.__version__)'], { timeout: 20_000 });
    const [nbclient, nbconvert, notebook] = stdout.trim().split(' ');
    return { name: 'jupyter', ok: true, detail: `nbclient ${nbclient}, nbconvert ${nbconvert}, notebook ${notebook} (Debian's /usr/bin/python3)` };
  } catch {
    return {
      name: 'jupyter',
      ok: false,
      detail: 'Jupyter (nbclient, nbconvert, notebook) is not installed for /usr/bin/python3',
      fix: `${JUPYTER_INSTALL_HINT} (npm start does it when it can)`,
    };
  }
};

/** The job queues: which backend (Sidekiq or BullMQ, set or detected) and what it holds. */
export const checkQueues: Check = async (config) => {
  const { describeJobStore } = await import('../queues/describe.js');
  const { ok, text, fix } = await describeJobStore(config);
  return { name: 'queues', ok, detail: text, ...(fix ? { fix } : {}) };
};

/** The project's Jupyter kernel: installed, and running this checkout's tslab. */
export const checkKernel: Check = async () => kernelCheck();

/** The checks `support doctor` runs, in order. */
export const CHECKS: Check[] = [checkDatabase, checkRedis, checkQueues, checkDqt, checkJupyter, checkKernel];

/**
 * Runs every check and returns one result per check; never throws.
 *
 * @example
 * const results = await runChecks();
 * results.filter((r) => !r.ok).forEach((r) => console.log(r.name, r.fix));
 */
export async function runChecks(checks: Check[] = CHECKS, config?: Config): Promise<CheckResult[]> {
  let cfg: Config;
  try {
    cfg = config ?? loadConfig();
  } catch (error) {
    return [{ name: 'configuration', ok: false, detail: (error as Error).message, fix: 'correct the variables named above' }];
  }
  const results: CheckResult[] = [{ name: 'configuration', ok: true, detail: `valid; operator ${cfg.operator ?? 'not set (SUPPORT_OPERATOR is needed to commit)'}` }];
  for (const check of checks) {
    try {
      results.push(await check(cfg));
    } catch (error) {
      results.push({ name: check.name, ok: false, detail: redactSecrets((error as Error).message) });
    }
  }
  return results;
}
