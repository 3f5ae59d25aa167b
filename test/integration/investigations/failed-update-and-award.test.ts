import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitInvestigation, investigateFailedUpdateAndAward, investigateServerError } from '../../../lib/investigations/index.js';
import { startJobWorkers, type JobWorkers } from '../../../lib/jobs/worker.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { REDIS_URL, sandboxAdmin, seededSandbox, type SeededSandbox } from './setup.js';

/**
 * Playbook: "make sure to re-run the update job first". The plan retries the update, waits for it to succeed, and
 * only then retries the award; with a worker running the real processors against the DQT sandbox.
 */
let s: SeededSandbox;
let workers: JobWorkers;
beforeAll(async () => {
  s = await seededSandbox('award-test-key-5b20e4');
  workers = startJobWorkers({ redis: { url: REDIS_URL, prefix: s.prefix }, db: s.t.db, dqt: s.ctx.dqt, queues: s.bull, queueNames: ['dqt'], concurrency: 2 });
}, 120_000);
afterAll(async () => {
  await workers?.close();
  await s?.stop();
});
const slug = scenario('dqt-failed-update-and-award').slug;
const job = async (id: string) => (await Job.fromId(s.bull.queues.dqt, id))!;

describe('failed update and award of one trainee', () => {
  it('when the update fails again, the award is not retried', async () => {
    // The update reaches DQT only while the trainee is trn_received (as when it first failed); DQT fails it once more.
    await s.t.db.updateTable('trainees').set({ state: 2 }).where('id', '=', 211).execute();
    await sandboxAdmin(s.sandbox, '/_sandbox/faults', { path: '/v2/teachers/update/3012211', method: 'PATCH', kind: '500', count: 1 });
    try {
      const inv = await investigateFailedUpdateAndAward(s.ctx, { slug });
      const [update, award] = inv.jobPlan!.actions as { jobId: string }[];
      const awardBefore = await job(award!.jobId);
      const { jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'DQT outage: rerun update then award' });
      expect(jobReceipt!.results.map((r) => r.status)).toEqual(['done', 'skipped']);
      expect(jobReceipt!.results[1]!.message).toMatch(/^Not retried: the update #\S+ it depends on has not succeeded \(failed again\)/);
      expect(await (await job(update!.jobId)).getState()).toBe('failed');
      const awardAfter = await job(award!.jobId);
      expect(await awardAfter.getState()).toBe('failed');
      expect(awardAfter.processedOn).toBe(awardBefore.processedOn);
      expect(awardAfter.attemptsMade).toBe(awardBefore.attemptsMade);
    } finally {
      await s.t.db.updateTable('trainees').set({ state: 3 }).where('id', '=', 211).execute();
    }
  });

  it('retries the update first and the award only after the update succeeded; the trainee ends awarded', async () => {
    const inv = await investigateFailedUpdateAndAward(s.ctx, { slug });
    const [update, award] = inv.jobPlan!.actions as { jobId: string; jobName: string }[];
    expect([update!.jobName, award!.jobName]).toEqual(['Dqt::UpdateTraineeJob', 'Dqt::RecommendForAwardJob']);
    const { jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'DQT outage: rerun update then award' });
    expect(jobReceipt!.results.map((r) => r.status)).toEqual(['done', 'done']);

    const deadline = Date.now() + 120_000;
    while ((await (await job(award!.jobId)).getState()) !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const u = await job(update!.jobId);
    const a = await job(award!.jobId);
    expect(await u.getState()).toBe('completed');
    expect(await a.getState()).toBe('completed');
    // The award started only after the update had finished.
    expect(a.processedOn!).toBeGreaterThanOrEqual(u.finishedOn!);
    expect(a.returnvalue).toBe('awarded on 2025-06-18');
    const trainee = await s.t.db.selectFrom('trainees').select(['state', 'awarded_at']).where('id', '=', 211).executeTakeFirstOrThrow();
    expect(trainee).toEqual({ state: 6, awarded_at: '2025-06-18T00:00:00.000000Z' });
  });
});

describe('a 500 that dies again after its rerun', () => {
  it('is no longer called passing: the next investigation says to speak with DQT now', async () => {
    const slug500 = scenario('dqt-server-error-500').slug;
    await sandboxAdmin(s.sandbox, '/_sandbox/faults', { path: '/v2/teachers/update/3012201', method: 'PATCH', kind: '500', count: 1 });
    const first = await investigateServerError(s.ctx, { slug: slug500 });
    expect(first.message!.when).toBe('if the rerun fails again');
    const { jobId } = first.jobPlan!.actions[0] as { jobId: string };
    await commitInvestigation(s.ctx, first, { auditComment: 'DQT 500, rerun per playbook' });
    const deadline = Date.now() + 120_000;
    while ((await (await job(jobId)).getState()) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await (await job(jobId)).getState()).toBe('failed');

    const again = await investigateServerError(s.ctx, { slug: slug500 });
    expect(again.diagnosis).toMatch(/died with a DQT server error \(500\) again after being rerun/);
    expect(again.message!.when).toBeNull();
    expect(again.facts.find((f) => f.fact === 'Already rerun')!.value).toMatch(/by Ivy Investigator \("DQT 500, rerun per playbook"\), and it died again$/);
  });
});
