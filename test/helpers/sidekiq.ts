import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';

/**
 * A real Sidekiq (Debian's ruby-sidekiq 6.4.1 with ruby-activejob 6.1) running the test app `test/sidekiq/app.rb` on a
 * Redis database of the test's own, so the toolkit is tested against genuine Sidekiq entries and genuine workers.
 *
 * @example
 * const sk = await startRealSidekiq({ queues: ['dqt', 'trs', 'default'] });
 * await sk.behave('Dqt::UpdateTraineeJob/Trainee/201', { raise: 'Dqt::Client::HttpError', status: 500, body: '' });
 * await sk.enqueue([{ job: 'Dqt::UpdateTraineeJob', args: [{ gid: 'Trainee/201' }] }]);
 * await sk.waitFor('the job to die', async () => (await sk.redis.zcard('dead')) === 1);
 * await sk.stop();
 */
export interface RealSidekiq {
  db: number;
  url: string;
  /** A connection to the test's database. */
  redis: Redis;
  /** Enqueues with ActiveJob's perform_later (test/sidekiq/enqueue.rb). */
  enqueue(jobs: { job: string; args?: unknown[] }[]): Promise<{ job_id: string; jid: string }[]>;
  /** How a job fails (see test/sidekiq/app.rb); null makes it succeed. */
  behave(field: string, spec: Record<string, unknown> | null): Promise<void>;
  /** What the jobs performed, in order. */
  performed(): Promise<Performed[]>;
  /** Restarts Sidekiq polling other queues (the database is kept). */
  restart(queues: string[]): Promise<void>;
  /** Runs a Ruby script of test/sidekiq with this database; returns its stdout. */
  ruby(script: string, stdin?: string): Promise<string>;
  /** Sidekiq's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface Performed {
  job_class: string;
  job_id: string;
  jid: string;
  queue: string;
  executions: number;
  arguments: unknown[];
}

const APP_DIR = resolve(__dirname, '..', 'sidekiq');
const ADMIN_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Waits for a real event, polling every 50 ms, up to a generous bound; throws naming what did not happen.
 *
 * @example
 * await waitFor('the retry set to hold 2 jobs', async () => (await redis.zcard('retry')) === 2);
 */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A Redis database number no one else uses: claimed with a key in database 0 (`register-support:test-db:<n>`, expiring
 * after an hour) and checked empty. Returns the number and a release function that empties it.
 */
export async function claimRedisDatabase(): Promise<{ db: number; release(): Promise<void> }> {
  const admin = new Redis(ADMIN_URL, { maxRetriesPerRequest: 1 });
  try {
    const token = randomBytes(6).toString('hex');
    const candidates = Array.from({ length: 12 }, (_, i) => i + 4).sort(() => Math.random() - 0.5);
    for (const db of candidates) {
      const lock = `register-support:test-db:${db}`;
      if ((await admin.set(lock, token, 'EX', 3600, 'NX')) !== 'OK') continue;
      const probe = new Redis(`${ADMIN_URL}/${db}`, { maxRetriesPerRequest: 1 });
      const size = await probe.dbsize();
      if (size !== 0) {
        probe.disconnect();
        await admin.del(lock);
        continue;
      }
      return {
        db,
        async release() {
          await probe.flushdb();
          probe.disconnect();
          const a = new Redis(ADMIN_URL, { maxRetriesPerRequest: 1 });
          if ((await a.get(lock)) === token) await a.del(lock);
          a.disconnect();
        },
      };
    }
    throw new Error('No free Redis database among 4–15: every one is claimed or holds keys.');
  } finally {
    admin.disconnect();
  }
}

export async function startRealSidekiq(options: { queues: string[]; concurrency?: number; deadMaxJobs?: number }): Promise<RealSidekiq> {
  const claim = await claimRedisDatabase();
  const url = `${ADMIN_URL}/${claim.db}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const logDir = mkdtempSync(join(tmpdir(), 'rs-sidekiq-'));
  const logPath = join(logDir, 'sidekiq.log');
  let child: ChildProcess | null = null;
  const env = { ...process.env, REDIS_URL: url, SIDEKIQ_DEAD_MAX_JOBS: String(options.deadMaxJobs ?? 100_000) };

  const start = async (queues: string[]) => {
    const out = openSync(logPath, 'a');
    const args = ['-r', join(APP_DIR, 'app.rb'), '-c', String(options.concurrency ?? 5), '-t', '5', ...queues.flatMap((q) => ['-q', q])];
    child = spawn('sidekiq', args, { env, stdio: ['ignore', out, out] });
    closeSync(out);
    const pid = child.pid;
    let exited: number | null = null;
    child.once('exit', (code) => (exited = code ?? -1));
    // Ready when its heartbeat hash names its pid and queues.
    await waitFor(
      `Sidekiq (pid ${pid}) to register its heartbeat`,
      async () => {
        if (exited !== null) throw new Error(`Sidekiq exited with code ${exited}:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
        for (const identity of await redis.smembers('processes')) {
          const info = await redis.hget(identity, 'info');
          if (info && (JSON.parse(info) as { pid: number }).pid === pid) return true;
        }
        return false;
      },
      60_000,
    );
  };

  const stopChild = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((done) => c.once('exit', () => done()));
    c.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((done) => (timer = setTimeout(done, 30_000)))]).finally(() => clearTimeout(timer));
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exited;
    }
  };

  const ruby = (script: string, stdin = '') =>
    new Promise<string>((done, fail) => {
      const p = spawn('ruby', [join(APP_DIR, script)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => (code === 0 ? done(stdout) : fail(new Error(`ruby ${script} exited ${code}: ${stderr.split('\n').filter((l) => !l.includes('deprecated') && !l.includes('Redis#')).join('\n')}`))));
      p.stdin.end(stdin);
    });

  try {
    await start(options.queues);
  } catch (error) {
    await stopChild();
    await claim.release();
    redis.disconnect();
    throw error;
  }
  return {
    db: claim.db,
    url,
    redis,
    async enqueue(jobs) {
      const out = await ruby('enqueue.rb', JSON.stringify(jobs));
      return out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { job_id: string; jid: string });
    },
    async behave(field, spec) {
      if (spec === null) await redis.hdel('test:behaviour', field);
      else await redis.hset('test:behaviour', field, JSON.stringify(spec));
    },
    async performed() {
      return (await redis.lrange('test:performed', 0, -1)).map((l) => JSON.parse(l) as Performed);
    },
    async restart(queues) {
      await stopChild();
      // The old heartbeat would still say it polls its queues for up to a minute: Sidekiq removes it on a clean stop.
      await start(queues);
    },
    ruby,
    log: () => readFileSync(logPath, 'utf8').split('\n').filter((l) => !l.includes('deprecated') && !l.includes('redis.brpop') && !l.includes('Redis#sadd')).slice(-60).join('\n'),
    async stop() {
      await stopChild();
      await claim.release();
      redis.disconnect();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
