import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJobQueues } from '../../../lib/jobs/queues.js';
import { TRS_SCENARIO_RUNS } from '../../../lib/sandbox/seed/trs.js';
import { testRedisPrefix } from '../../helpers/db.js';
import { processTag } from '../../helpers/processes.js';
import { claimRedisDatabase } from '../../helpers/sidekiq.js';
import { freePort } from '../../notebooks/suite.js';
import { assertBuilt, cleanEnv, ROOT, support } from '../runner/cli.js';

/**
 * `support sandbox --schema 2026-08`: today's Register starts, seeds, runs the TRS scenarios' jobs into the `trs`
 * dead set (and not the DQT ones), writes the Sidekiq-shaped copy, and `support triage --no-db` lists the Trs:: jobs
 * from either.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let dataDir: string;
let env: NodeJS.ProcessEnv;
let child: ChildProcess | null = null;
let output = '';
let claim: Awaited<ReturnType<typeof claimRedisDatabase>>;
const prefix = testRedisPrefix();
const tag = processTag();

beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'rs-sandbox-trs-'));
  claim = await claimRedisDatabase();
  env = cleanEnv({
    SUPPORT_SANDBOX_DIR: dataDir,
    SUPPORT_SANDBOX_PORT: String(await freePort()),
    SUPPORT_DQT_SANDBOX_PORT: String(await freePort()),
    SUPPORT_TRS_SANDBOX_PORT: String(await freePort()),
    SUPPORT_SANDBOX_SIDEKIQ_REDIS: String(claim.db),
    SUPPORT_SANDBOX_SCHEMA: undefined,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    TRS_API_URL: undefined,
    TRS_API_KEY: undefined,
    QUEUE_BACKEND: undefined,
    ...tag.env,
  });
  child = spawn(process.execPath, [join(ROOT, 'bin', 'support.js'), 'sandbox', '--schema', '2026-08'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 240_000;
  while (!output.includes('Ctrl-C stops it.')) {
    if (child.exitCode !== null) throw new Error(`support sandbox exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`support sandbox did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 300_000);

afterAll(async () => {
  const c = child;
  if (c && c.exitCode === null) {
    const exited = new Promise<void>((done) => c.once('exit', () => done()));
    c.kill('SIGINT');
    await exited;
  }
  const queues = openJobQueues({ url: REDIS_URL, prefix });
  for (const q of Object.values(queues.queues)) await q.obliterate({ force: true }).catch(() => undefined);
  await queues.close();
  await claim?.release();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('support sandbox --schema 2026-08', () => {
  it("starts today's Register with the TRS sandbox, and its seed fills the trs dead set and the Sidekiq-shaped copy", () => {
    expect(output).toMatch(/Register 2026-08 \(TRS era\)/);
    expect(output).toMatch(/TRS sandbox on http:\/\/127\.0\.0\.1:\d+ /);
    expect(output).toMatch(/dqt-dead-set: DQT scenario jobs not run: this Register \(TRS era \(2026-08\)[^\n]*\) talks to TRS/);
    expect(output).toContain(`trs-dead-set: ${TRS_SCENARIO_RUNS.length} TRS scenario jobs are in the trs dead set.`);
    expect(output).toContain(`sidekiq-sandbox: The sandbox's Sidekiq database (${REDIS_URL}/${claim.db}) holds ${TRS_SCENARIO_RUNS.length} dead and 2 retrying Register-shaped jobs`);
  });

  it('support triage --no-db lists the Trs:: dead jobs, from BullMQ and from the Sidekiq-shaped copy', async () => {
    const jobsOf = (stdout: string) => (JSON.parse(stdout) as { queue: string; jobName: string; errorClass: string | null }[]).map((r) => `${r.queue} ${r.jobName} ${r.errorClass}`).sort();
    const expected = TRS_SCENARIO_RUNS.map((run) => run.job);
    const bullmq = await support(['triage', '--no-db', '--json'], env);
    expect(bullmq.code, bullmq.stderr).toBe(0);
    const fromBullmq = jobsOf(bullmq.stdout);
    expect(fromBullmq.map((j) => j.split(' ')[1]).sort()).toEqual([...expected].sort());
    expect(fromBullmq.every((j) => j.startsWith('trs Trs::'))).toBe(true);
    const sidekiq = await support(['triage', '--no-db', '--json'], { ...env, QUEUE_BACKEND: 'sidekiq', REDIS_URL: `${REDIS_URL}/${claim.db}` });
    expect(sidekiq.code, sidekiq.stderr).toBe(0);
    // The same jobs; the Sidekiq copy stores Register's error_class (BullMQ's triage infers some classes from the text: lib/triage's rules).
    expect(jobsOf(sidekiq.stdout).map((j) => j.split(' ').slice(0, 2).join(' '))).toEqual(fromBullmq.map((j) => j.split(' ').slice(0, 2).join(' ')));
    expect(jobsOf(sidekiq.stdout)).toContain('trs Trs::RetrieveTrnJob Trs::Client::HttpError');
    expect(jobsOf(sidekiq.stdout).filter((j) => j.includes('Dqt::'))).toEqual([]);
  }, 120_000);
});
