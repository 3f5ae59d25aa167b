import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitInvestigation, commitInvestigationIfRequested, investigateAlreadyHasQts } from '../../../lib/investigations/index.js';
import { readLedger } from '../../../lib/queues/actions.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { seededSandbox, type SeededSandbox } from './setup.js';

/**
 * Playbook "Teacher already has QTS/EYTS date": the failed update is deleted only after the comparison with DQT shows
 * no differences. Real database, real DQT sandbox, real Redis dead set.
 */
let s: SeededSandbox;
beforeAll(async () => {
  s = await seededSandbox('qts-test-key-19c7aa');
}, 120_000);
afterAll(async () => {
  await s?.stop();
});
const slug = scenario('dqt-already-has-qts').slug;
const deadUpdate = async () => {
  const failed = await s.bull.queues.dqt.getFailed();
  return failed.find((j) => j.name === 'Dqt::UpdateTraineeJob' && JSON.stringify(j.data).includes('gid://register-trainee-teachers/Trainee/207"'));
};

describe('already-has-qts deletes the failed update only when Register and DQT agree', () => {
  it('with a difference (Register still trn_received, DQT awarded) the deletion is not planned and a commit does nothing', async () => {
    const job = await deadUpdate();
    expect(job).toBeDefined();
    const inv = await investigateAlreadyHasQts(s.ctx, { slug });
    expect(inv.comparison!.differences.length).toBeGreaterThan(0);
    expect(inv.jobPlan).toBeNull();
    expect(inv.facts).toContainEqual({ fact: 'Deletion planned', value: false });
    expect(await commitInvestigationIfRequested(s.ctx, inv, { commit: true, auditComment: 'race with the award' })).toBeNull();
    expect(await (await Job.fromId(s.bull.queues.dqt, job!.id!))!.getState()).toBe('failed');
  });

  it('with a difference in the personal details only (names), the deletion is still not planned', async () => {
    await s.t.db.updateTable('trainees').set({ state: 6, awarded_at: new Date('2025-06-18T00:00:00Z'), last_name: 'Moss-Hart' }).where('id', '=', 207).execute();
    try {
      const inv = await investigateAlreadyHasQts(s.ctx, { slug });
      expect(inv.comparison!.differences.map((d) => [d.field, d.register, d.dqt])).toEqual([['last name', 'Moss-Hart', 'Moss']]);
      expect(inv.jobPlan).toBeNull();
      expect(inv.message!.body).toContain('- last name: Register Moss-Hart, DQT Moss');
    } finally {
      await s.t.db.updateTable('trainees').set({ last_name: 'Moss' }).where('id', '=', 207).execute();
    }
  });

  it('once Register shows the award DQT holds (no differences) it plans the deletion, and the commit deletes exactly that job', async () => {
    // What Register holds after its award job succeeded: awarded on DQT's QTS date.
    await s.t.db.updateTable('trainees').set({ state: 6, awarded_at: new Date('2025-06-18T00:00:00Z') }).where('id', '=', 207).execute();
    const job = (await deadUpdate())!;
    const inv = await investigateAlreadyHasQts(s.ctx, { slug });
    expect(inv.comparison!.differences).toEqual([]);
    expect(inv.diagnosis).toMatch(/^A race: DQT recorded the award \(QTS 2025-06-18\) before the update arrived/);
    expect(inv.jobPlan!.actions).toEqual([
      { kind: 'delete', queue: 'dqt', jobId: job.id, jobName: 'Dqt::UpdateTraineeJob', traineeId: 207, expectedError: job.failedReason, location: { backend: 'bullmq', queue: 'dqt', jobId: job.id } },
    ]);
    const failedBefore = await s.bull.queues.dqt.getFailedCount();

    await expect(commitInvestigation(s.ctx, inv, { auditComment: '  ' })).rejects.toThrow('Enter an audit comment');
    expect(await Job.fromId(s.bull.queues.dqt, job.id!)).toBeDefined();

    const { jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'Race with the award: Register and DQT agree' });
    expect(jobReceipt!.results.map((r) => r.status)).toEqual(['done']);
    expect(await Job.fromId(s.bull.queues.dqt, job.id!)).toBeUndefined();
    expect(await s.bull.queues.dqt.getFailedCount()).toBe(failedBefore - 1);
    const [ledger] = await readLedger(s.ctx.jobs, 1);
    expect(ledger).toMatchObject({ planId: inv.jobPlan!.id, operator: 'Ivy Investigator', comment: 'Race with the award: Register and DQT agree' });
    // Nothing in Register's data was touched by the deletion.
    expect(await s.t.db.selectFrom('audits').select('id').where('auditable_id', '=', 207).where('comment', '=', 'Race with the award: Register and DQT agree').execute()).toEqual([]);
  });
});
