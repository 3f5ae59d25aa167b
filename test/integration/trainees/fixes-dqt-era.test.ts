import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario, seed } from '../../../lib/sandbox/seed/index.js';
import { commitPlan, revertCommittedPlan, type FixResult } from '../../../lib/plan/index.js';
import { changeTrainingRoute, changeWithdrawalDate, currentWithdrawal, undoWithdrawal } from '../../../lib/trainees/index.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { diff, snapshot } from '../plan/snapshot.js';
import { commitFix, updatedAt } from './commit-fix.js';

/**
 * The data fixes on Register as the playbook knew it (2024-08, the DQT era): the withdrawal lives on the trainee
 * (`withdraw_date`, details) and its reasons hang on the trainee; the audits are what that Register wrote.
 */
const redis = { url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: testRedisPrefix() };
const config = { operator: 'Ada Support', writesAllowed: true, database: TEST_SANDBOX, redis };
let t: TestDatabase;
let dqtQueue: Queue;

beforeAll(async () => {
  t = await createTestDatabase({ version: '2024-08' });
  await seed(t.db);
  dqtQueue = new Queue('dqt', { connection: { url: redis.url }, prefix: redis.prefix });
});
afterAll(async () => {
  await dqtQueue?.obliterate({ force: true }).catch(() => undefined);
  await dqtQueue?.close();
  await t?.drop();
});

const run = (build: () => Promise<FixResult>, auditComment?: string) => commitFix(t.db, config, build, auditComment);
const slugOf = (name: string) => scenario(name).slug!;
const auditsOf = (planId: string) => t.db.selectFrom('audits').selectAll().where('request_uuid', '=', planId).orderBy('id').execute();

describe('the seeded withdrawals, as the DQT era kept them', () => {
  it("keeps the current withdrawal on the trainee: date at midnight UTC, reasons by trainee", async () => {
    const owen = await t.db.selectFrom('trainees').selectAll().where('id', '=', 102).executeTakeFirstOrThrow();
    expect(owen.withdraw_date).toBe('2025-03-30T00:00:00.000000Z');
    expect(await currentWithdrawal(t.db, owen)).toMatchObject({ storage: 'trainee-columns', id: null, date: '2025-03-30', reasons: ['got_a_job'] });
    expect(await t.db.selectFrom('trainee_withdrawal_reasons').select(['id', 'trainee_id']).where('trainee_id', '=', 103).orderBy('id').execute()).toEqual([
      { id: 102, trainee_id: 103 },
      { id: 103, trainee_id: 103 },
    ]);
  });
});

describe('change-withdrawal-date (DQT era)', () => {
  it("changes the trainee's withdraw_date, audited as a Trainee change associated with its provider", async () => {
    const { fix, receipt, changes } = await run(() => changeWithdrawalDate(t.db, { slug: slugOf('withdrawal-date'), date: '2025-03-03' }));
    expect(changes.map((c) => [c.table, c.id, c.kind])).toEqual([['trainees', 102, 'update']]);
    expect(updatedAt(changes[0], receipt)).toEqual({ withdraw_date: ['2025-03-30T00:00:00.000000Z', '2025-03-03T00:00:00.000000Z'] });
    const audits = await auditsOf(fix.plan.id);
    expect(audits.map((a) => [a.auditable_type, a.auditable_id, a.action, a.version, a.associated_type, a.associated_id, a.comment])).toEqual([
      ['Trainee', 102, 'update', 5, 'Provider', 1, 'Support ticket 1234'],
    ]);
    expect(audits[0]!.audited_changes).toEqual({ withdraw_date: ['2025-03-30T00:00:00.000Z', '2025-03-03T00:00:00.000Z'] });
  });
});

describe('undo-withdrawal (DQT era)', () => {
  it("empties the trainee's withdrawal and deletes the reasons as Register did: one Trainee audit, no audits for the reasons, the change log keeps them; revert puts all back", async () => {
    const { fix, receipt, changes } = await run(() => undoWithdrawal(t.db, { slug: slugOf('withdrawn-in-error'), ticket: 'https://support.example/tickets/1234' }), 'Withdrawn in error');
    expect(changes.map((c) => [c.table, c.id, c.kind])).toEqual([
      ['trainees', 103, 'update'],
      ['trainee_withdrawal_reasons', 102, 'delete'],
      ['trainee_withdrawal_reasons', 103, 'delete'],
    ]);
    expect(updatedAt(changes[0], receipt)).toEqual({ state: [4, 2], withdraw_date: ['2025-02-14T00:00:00.000000Z', null] });
    const audits = await auditsOf(fix.plan.id);
    expect(audits.map((a) => [a.auditable_type, a.auditable_id, a.action, a.associated_type, a.associated_id, a.comment])).toEqual([
      ['Trainee', 103, 'update', 'Provider', 2, 'Withdrawn in error\nhttps://support.example/tickets/1234'],
    ]);
    expect(audits[0]!.audited_changes).toEqual({ state: [4, 2], withdraw_date: ['2025-02-14T00:00:00.000Z', null] });
    expect(await waitingJobs()).toEqual([['Dqt::UpdateTraineeJob', 103]]);
    await dqtQueue.drain();

    const undo = await revertCommittedPlan(t.db, fix.plan.id);
    const before = await snapshot(t.db);
    await commitPlan(t.db, undo, { auditComment: 'Undo was wrong after all', config });
    const reverted = diff(before, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    expect(reverted.map((c) => [c.table, c.id, c.kind])).toEqual([
      ['trainees', 103, 'update'],
      ['trainee_withdrawal_reasons', 102, 'insert'],
      ['trainee_withdrawal_reasons', 103, 'insert'],
    ]);
    const zara = await t.db.selectFrom('trainees').select(['state', 'withdraw_date']).where('id', '=', 103).executeTakeFirstOrThrow();
    expect([zara.state, zara.withdraw_date]).toEqual([4, '2025-02-14T00:00:00.000000Z']);
  });
});

describe('change-training-route (DQT era)', () => {
  it('refuses a route this Register does not know yet', async () => {
    await expect(changeTrainingRoute(t.db, { slug: slugOf('route-change'), route: 'teacher_degree_apprenticeship' })).rejects.toThrow(
      /^Training route "teacher_degree_apprenticeship" does not exist in this Register \(DQT era \(2024-08\), migration 20240719095753\)/,
    );
  });
});

/** Jobs waiting on Register's dqt queue (this file's Redis prefix), as name and trainee id. */
async function waitingJobs(): Promise<[string, number | null][]> {
  const { traineeIdOf } = await import('../../../lib/jobs/data.js');
  return (await dqtQueue.getJobs(['waiting', 'delayed'])).map((j) => [j.name, traineeIdOf(j.data)]);
}
