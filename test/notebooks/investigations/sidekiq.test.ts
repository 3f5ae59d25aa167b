import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDqtErrorMessage } from '../../../lib/dqt/error.js';
import { readLedger } from '../../../lib/queues/actions.js';
import { SidekiqJobStore } from '../../../lib/queues/sidekiq/store.js';
import { runNotebook } from '../../../lib/runner/index.js';
import { listScenarios, scenario } from '../../../lib/sandbox/seed/index.js';
import { PLAYBOOK_RULES } from '../../../lib/triage/rules.js';
import { testRedisPrefix } from '../../helpers/db.js';
import { startRealSidekiq, waitFor, type RealSidekiq } from '../../helpers/sidekiq.js';
import { diff, snapshot } from '../../integration/plan/snapshot.js';
import { REDIS_URL, seededSandbox, type SeededSandbox } from '../../integration/investigations/setup.js';
import { DIAGNOSIS, outputText } from './expected.js';

/**
 * The runbooks and `support triage` with QUEUE_BACKEND=sidekiq on a real Sidekiq's Redis (Debian's 6.4.1 running
 * test/sidekiq/app.rb): every DQT scenario's job fails there the way Register's did, with the playbook error the DQT
 * sandbox gives (the BullMQ seed's texts, here with Register's `, headers: {…}` tail), and Sidekiq itself kills it
 * (retry: 0 at once; retry: 10 through its API's Kill). `npm run build` first.
 */
const API_KEY = 'sidekiq-notebooks-key-7c21e4';
const BIN = resolve(__dirname, '../../../bin/support.js');
let s: SeededSandbox;
let sk: RealSidekiq;
let store: SidekiqJobStore;
let out: string;
let env: NodeJS.ProcessEnv;

const GID = /^gid:\/\/[^/]+\//;
function errorClassOf(message: string): string {
  if (message.startsWith('Cannot update trainee on DQT without a trn')) return 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn';
  if (/^Dqt::RetrieveTrnJob for Trainee id: \d+ has timed out/.test(message)) return 'Dqt::RetrieveTrnJob::Timeout';
  throw new Error(`no error class for "${message}"`);
}

beforeAll(async () => {
  s = await seededSandbox(API_KEY);
  sk = await startRealSidekiq({ queues: ['dqt', 'trs', 'default'] });
  store = new SidekiqJobStore(new Redis(sk.url, { maxRetriesPerRequest: null }), { url: sk.url });
  // The playbook's errors as the DQT sandbox gave them to the BullMQ seed: the same jobs now fail in the real Sidekiq.
  const seeded = await s.bull.queues.dqt.getFailed();
  const jobs: { job: string; args: unknown[] }[] = [];
  for (const job of seeded) {
    const args = (job.data as { arguments: unknown[] }).arguments;
    const record = (args[0] as { _aj_globalid: string })._aj_globalid.replace(GID, '');
    const http = parseDqtErrorMessage(job.failedReason!);
    await sk.behave(`${job.name}/${record}`, http ? { raise: 'Dqt::Client::HttpError', status: http.status, body: http.body } : { raise: errorClassOf(job.failedReason!), message: job.failedReason });
    jobs.push({ job: job.name, args: [{ gid: record }, ...(typeof args[1] === 'string' ? [{ time: args[1] }] : [])] });
  }
  expect(jobs).toHaveLength(12);
  await sk.enqueue(jobs);
  await waitFor('8 deaths and 4 retries', async () => (await sk.redis.zcard('dead')) === 8 && (await sk.redis.zcard('retry')) === 4, 60_000, () => sk.log());
  expect((await sk.ruby('kill_retries.rb')).trim()).toBe('4');
  expect(await sk.redis.zcard('dead')).toBe(12);
  out = mkdtempSync(join(tmpdir(), 'rs-nb-sidekiq-'));
  env = {
    ...process.env,
    DATABASE_URL: s.t.url,
    REDIS_URL: sk.url,
    QUEUE_BACKEND: 'sidekiq',
    DQT_API_KEY: API_KEY,
    SUPPORT_DQT_SANDBOX_PORT: String(s.sandbox.port),
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Nora Notebook',
  };
}, 180_000);
afterAll(async () => {
  await store?.close();
  await sk?.stop();
  await s?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

function support(args: string[], extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: s.t.url, DQT_API_KEY: API_KEY, ...extra } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
const deadSet = () => sk.redis.zrange('dead', 0, -1, 'WITHSCORES');

describe('support triage on what the real Sidekiq killed', () => {
  it('--json: one record per scenario job, classified by the playbook, with the times Sidekiq keeps', async () => {
    const res = await support(['triage', '--json'], { REDIS_URL: sk.url, QUEUE_BACKEND: 'sidekiq' });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const records = JSON.parse(res.stdout) as Record<string, unknown>[];
    expect(records).toHaveLength(12);
    const kinds = Object.fromEntries(listScenarios('dqt').filter((x) => x.runbook.startsWith('dqt-errors/')).map((x) => [x.name, records.filter((r) => r.slug === x.slug).map((r) => [r.jobName, r.runbook])]));
    expect(kinds['dqt-server-error-500']).toEqual([['Dqt::UpdateTraineeJob', PLAYBOOK_RULES['server-error'].runbook]]);
    expect(kinds['dqt-organisation-not-found']).toEqual([['Dqt::UpdateTraineeJob', 'dqt-errors/organisation-not-found']]);
    expect(kinds['dqt-retrieve-trn-timeout']).toEqual([['Dqt::RetrieveTrnJob', 'dqt-errors/retrieve-trn-timeout']]);
    expect(kinds['dqt-failed-update-and-award']!.map((k) => k[1])).toEqual(['dqt-errors/failed-update-and-award', 'dqt-errors/failed-update-and-award']);
    for (const r of records) {
      expect(r).toMatchObject({ queue: 'dqt', state: 'dead', shape: 'activejob', removedByCleanup: false, jobId: expect.stringMatching(/^[0-9a-f]{24}$/) });
      expect(r.firstFailedAt! <= r.failedAt!).toBe(true);
    }
    // Killed from the retry set after one failure: the death is later than the first (and only) failure.
    const award = records.find((r) => r.slug === scenario('dqt-no-qts-record').slug)!;
    expect(award).toMatchObject({ jobName: 'Dqt::RecommendForAwardJob', attempts: 1, errorClass: 'Dqt::Client::HttpError' });
    expect(award.failedAt! > award.firstFailedAt!).toBe(true);
  });

  it("Register's dead-jobs CSV comes out the same from Sidekiq and from BullMQ holding the same jobs", async () => {
    // The same dead jobs in BullMQ: same ids (the jids), names, ActiveJob data, error messages and enqueue times
    // (the CSV keeps each trainee's most recently enqueued dead job).
    const prefix = testRedisPrefix();
    const connection = () => new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('dqt', { connection: connection(), prefix });
    const messages = new Map<string, string>();
    const items = (await sk.redis.zrange('dead', 0, -1)).map((m) => JSON.parse(m) as { jid: string; wrapped: string; args: unknown[]; error_message: string; enqueued_at: number });
    for (const i of items) messages.set(i.jid, i.error_message);
    const worker = new Worker('dqt', async (job) => {
      throw new Error(messages.get(job.id!)!);
    }, { connection: connection(), prefix });
    try {
      await queue.addBulk(items.map((i) => ({ name: i.wrapped, data: i.args[0], opts: { jobId: i.jid, attempts: 1, timestamp: Math.round(i.enqueued_at * 1000) } })));
      await waitFor('the BullMQ copies to fail', async () => (await queue.getFailedCount()) === 12);
      const dir = mkdtempSync(join(tmpdir(), 'rs-csv-'));
      const fromSidekiq = await support(['triage', '--register-csv', join(dir, 'sidekiq.csv'), '--json'], { REDIS_URL: sk.url, QUEUE_BACKEND: 'sidekiq' });
      const fromBullmq = await support(['triage', '--register-csv', join(dir, 'bullmq.csv'), '--json'], { REDIS_URL, REDIS_PREFIX: prefix, QUEUE_BACKEND: 'bullmq' });
      expect([fromSidekiq.code, fromBullmq.code, fromSidekiq.stderr, fromBullmq.stderr]).toEqual([0, 0, '', '']);
      const a = readFileSync(join(dir, 'sidekiq.csv'), 'utf8');
      expect(a.trim().split('\n')).toHaveLength(12); // header + 11 trainees
      expect(a).toContain(`,"{'title':'Teacher has no QTS record','status':400,'errorCode':10006}",`);
      expect(readFileSync(join(dir, 'bullmq.csv'), 'utf8')).toBe(a);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

// The DQT era's scenarios (the suite's sandbox is Register 2024-08); the TRS era's have their own suite.
const scenarios = listScenarios('dqt').filter((x) => x.runbook.startsWith('dqt-errors/'));

describe('the runbooks on what the real Sidekiq killed', () => {
  it('triage-dead-jobs: tallies, the classified table, the bulk plan; nothing done with commit=false', { timeout: 180_000 }, async () => {
    const before = await deadSet();
    const result = await runNotebook({ notebook: 'notebooks/dqt-errors/triage-dead-jobs.ipynb', parameters: ['errorPrefix=status: 404'], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    const text = outputText(result.outputPath!);
    expect(text).toContain('12 dead job(s) of 11 unique trainee(s)');
    expect(text).toContain(`Read from Sidekiq at ${sk.url} (dead)`);
    expect(text).toContain(`Sidekiq (QUEUE_BACKEND) at ${sk.url}: 0 enqueued, 0 scheduled`);
    expect(text).toContain('2 dead job(s) have an error starting with "status: 404"');
    expect(text).toMatch(/Bulk: retry 1 server error\(s\), poll again for 1 timed-out TRN request\(s\)/);
    expect(await deadSet()).toEqual(before);
  });

  it.each(scenarios.map((x) => [x.name, x] as const))('%s: its runbook runs green, shows the diagnosis, writes nothing with commit=false', { timeout: 180_000 }, async (name, sc) => {
    const parameters = Object.entries({ slug: sc.slug, ...(sc.parameters ?? {}) }).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
    const rows = await snapshot(s.t.db);
    const before = await deadSet();
    const result = await runNotebook({ notebook: `notebooks/${sc.runbook}.ipynb`, parameters, outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    const text = outputText(result.outputPath!);
    expect(text).toContain(DIAGNOSIS[name]);
    expect(text).toContain('Preview only (commit = false)');
    expect(text).not.toContain(API_KEY);
    expect(diff(rows, await snapshot(s.t.db))).toEqual([]);
    expect(await deadSet()).toEqual(before);
  });

  it("ops/queues: the trainee's jobs in Sidekiq, the tally, the processes and the queues they poll", { timeout: 180_000 }, async () => {
    const sc = scenario('dqt-failed-update-and-award');
    const result = await runNotebook({ notebook: 'notebooks/ops/queues.ipynb', parameters: [`slug=${sc.slug}`], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    const text = outputText(result.outputPath!);
    expect(text).toContain(`Jobs of Rhys Stone (${sc.slug}, id 211) in every state (2 rows)`);
    expect(text).toContain('Sidekiq processes and the queues they poll');
    expect(text).toContain('dqt, trs, default');
    expect(text).toContain('Dead set by error');
  });

  it('a retry committed from the triage runbook is performed by the real Sidekiq, once, with its arguments', { timeout: 180_000 }, async () => {
    const [dead] = (await store.scan({ states: ['dead'] }).next()).value!.filter((e) => e.traineeId === 201);
    const poll = (await sk.redis.zrange('dead', 0, -1)).map((m) => JSON.parse(m) as { wrapped: string; args: [{ arguments: [{ _aj_globalid: string }] }] }).find((m) => m.wrapped === 'Dqt::RetrieveTrnJob')!;
    const trnRequest = poll.args[0].arguments[0]._aj_globalid.replace(GID, '');
    // DQT answers now: the rerun succeeds, and the new poll too.
    await sk.behave('Dqt::UpdateTraineeJob/Trainee/201', null);
    await sk.behave(`Dqt::RetrieveTrnJob/${trnRequest}`, null);
    const result = await runNotebook({ notebook: 'notebooks/dqt-errors/triage-dead-jobs.ipynb', parameters: ['commit=true', 'auditComment=DQT 500s passed: rerun per playbook', 'timeoutAfter=2099-01-31'], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    expect(outputText(result.outputPath!)).toContain('committed by Nora Notebook: 2 of 2 action(s) done');
    const runs = await waitFor('the rerun and the new poll to be performed', async () => {
      const all = await sk.performed();
      const rerun = all.filter((p) => p.jid === dead!.jobId);
      const polls = all.filter((p) => p.job_class === 'Dqt::RetrieveTrnJob');
      return rerun.length && polls.length ? { rerun, polls } : null;
    }, 60_000, () => sk.log());
    expect(runs.rerun).toEqual([expect.objectContaining({ job_class: 'Dqt::UpdateTraineeJob', arguments: [{ record: 'gid://register-trainee-teachers/Trainee/201' }] })]);
    expect(runs.polls).toEqual([expect.objectContaining({ queue: 'dqt', arguments: [{ record: `gid://register-trainee-teachers/${trnRequest}` }, { time: '2099-01-31T00:00:00.000Z', zone: 'Etc/UTC' }] })]);
    expect((await readLedger(store, 1))[0]).toMatchObject({ operator: 'Nora Notebook', comment: 'DQT 500s passed: rerun per playbook' });
    expect(await sk.redis.zcard('dead')).toBe(11);
  });
});
