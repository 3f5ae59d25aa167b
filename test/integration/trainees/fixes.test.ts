import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario, seed, stableSlug } from '../../../lib/sandbox/seed/index.js';
import { commitIfRequested, commitPlan, revertCommittedPlan, revertPlan, previewPlan, type FixResult } from '../../../lib/plan/index.js';
import { changeTrainingRoute, changeWithdrawalDate, incorrectlyAwarded, previousTraineeForFormerProvider, undoWithdrawal, stateBeforeWithdrawal } from '../../../lib/trainees/index.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { diff, snapshot } from '../plan/snapshot.js';
import { commitFix, updatedAt } from './commit-fix.js';
import { toTimestampText } from '../../../lib/db/timestamp.js';

const redis = { url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: testRedisPrefix() };
const config = { operator: 'Ada Support', writesAllowed: true, database: TEST_SANDBOX, redis };
let t: TestDatabase;
let dqtQueue: Queue;

/** Register today (2026-08): withdrawal records, training partners. The DQT-era differences are in fixes-dqt-era.test.ts. */
beforeAll(async () => {
  t = await createTestDatabase({ version: '2026-08' });
  await seed(t.db);
  dqtQueue = new Queue('dqt', { connection: { url: redis.url }, prefix: redis.prefix });
});
afterAll(async () => {
  await dqtQueue?.obliterate({ force: true }).catch(() => undefined);
  await dqtQueue?.close();
  await t?.drop();
});

/** Jobs waiting on Register's dqt queue (this file's Redis prefix), as name and trainee GlobalID. */
const waitingJobs = async () => (await dqtQueue.getJobs(['waiting', 'delayed'])).map((j) => [j.name, (j.data as { arguments: unknown[] }).arguments[0]]);

const slugOf = (name: string) => scenario(name).slug!;
const auditsOf = (planId: string) => t.db.selectFrom('audits').selectAll().where('request_uuid', '=', planId).orderBy('id').execute();

const run = (build: () => Promise<FixResult>, auditComment?: string) => commitFix(t.db, config, build, auditComment);

describe('change-training-route', () => {
  it('refuses bad input before planning', async () => {
    await expect(changeTrainingRoute(t.db, { slug: slugOf('route-change'), route: 'school_direct' })).rejects.toThrow(
      'Unknown training route "school_direct". Valid values: assessment_only, provider_led_postgrad, early_years_undergrad, school_direct_tuition_fee, school_direct_salaried, pg_teaching_apprenticeship, early_years_assessment_only, early_years_salaried, early_years_postgrad, provider_led_undergrad, opt_in_undergrad, hpitt_postgrad, iqts, teacher_degree_apprenticeship.',
    );
    await expect(changeTrainingRoute(t.db, { slug: 'AAAAAAAAAAAAAAAAAAAAAAAA', route: 'iqts' })).rejects.toThrow('No trainee with slug AAAAAAAAAAAAAAAAAAAAAAAA in this database.');
    await expect(changeTrainingRoute(t.db, { slug: 'https://x/trainees/abc', route: 'iqts' })).rejects.toThrow(/is not a trainee slug/);
  });

  it('empties every field RouteDataManager resets and deletes the placements, with audits', async () => {
    const { fix, receipt, changes } = await run(() => changeTrainingRoute(t.db, { slug: slugOf('route-change'), route: 'school_direct_salaried' }));
    const preview = previewPlan(fix.plan);
    expect(preview.lines.filter((l) => l.emptied).map((l) => l.field)).toEqual([
      'course_uuid', 'course_education_phase', 'course_subject_one', 'course_subject_two', 'course_subject_three', 'course_min_age', 'course_max_age', 'itt_start_date', 'itt_end_date', 'study_mode',
      'training_initiative', 'applying_for_bursary', 'applying_for_scholarship', 'applying_for_grant', 'bursary_tier', 'placement_detail',
    ].filter((f) => f !== 'course_subject_three')); // course_subject_three is already null: nothing to change
    expect(changes.map((c) => [c.table, c.id, c.kind])).toEqual([
      ['trainees', 101, 'update'],
      ['placements', 101, 'delete'],
      ['placements', 102, 'delete'],
    ]);
    const trainee = changes[0]!;
    expect(updatedAt(trainee, receipt)).toEqual({
      training_route: [1, 4],
      course_uuid: [expect.any(String), null],
      course_education_phase: [1, null],
      course_subject_one: ['mathematics', null],
      course_subject_two: ['physics', null],
      course_min_age: [11, null],
      course_max_age: [16, null],
      itt_start_date: ['2024-09-02', null],
      itt_end_date: ['2025-07-18', null],
      study_mode: [1, null],
      training_initiative: [4, null],
      applying_for_bursary: [true, null],
      applying_for_scholarship: [false, null],
      applying_for_grant: [false, null],
      bursary_tier: [1, null],
      placement_detail: [0, null],
    });
    const audits = await auditsOf(fix.plan.id);
    expect(audits.map((a) => [a.auditable_type, a.auditable_id, a.action, a.version, a.associated_type, a.associated_id, a.comment, a.username])).toEqual([
      ['Trainee', 101, 'update', 4, 'Provider', 1, 'Support ticket 1234', 'Ada Support via support notebook'],
      ['Placement', 101, 'destroy', 1, 'Trainee', 101, 'Support ticket 1234', 'Ada Support via support notebook'],
      ['Placement', 102, 'destroy', 1, 'Trainee', 101, 'Support ticket 1234', 'Ada Support via support notebook'],
    ]);
    expect(audits[0]!.audited_changes).toEqual(Object.fromEntries(Object.entries(updatedAt(trainee, receipt))));
    expect(audits[1]!.audited_changes).toEqual({ trainee_id: 101, school_id: 1, urn: '100001', name: 'Meadow Lane Primary School', postcode: null, address: null, slug: stableSlug('placement-101') });

    // Revert restores every field and the placements, audited.
    const beforeRevert = await snapshot(t.db);
    const undo = revertPlan(receipt);
    const reverted = await commitPlan(t.db, undo, { auditComment: 'Reverting the route change', config });
    const revertChanges = diff(beforeRevert, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    expect(revertChanges.map((c) => [c.table, c.id, c.kind])).toEqual([
      ['trainees', 101, 'update'],
      ['placements', 101, 'insert'],
      ['placements', 102, 'insert'],
    ]);
    const restoredTrainee = updatedAt(revertChanges[0], reverted);
    expect(restoredTrainee).toEqual(Object.fromEntries(Object.entries(updatedAt(trainee, receipt)).map(([k, [a, b]]) => [k, [b, a]])));
    expect((await auditsOf(undo.id)).map((a) => [a.auditable_type, a.action, a.version])).toEqual([
      ['Placement', 'create', 1],
      ['Placement', 'create', 1],
      ['Trainee', 'update', 5],
    ]);
  });

  it('warns before changing the route of an awarded trainee', async () => {
    // Base trainee 7: awarded on early_years_assessment_only.
    const fix = await changeTrainingRoute(t.db, { slug: stableSlug('base-trainee-7'), route: 'assessment_only' });
    expect(fix.notes.filter((n) => n.tone === 'warn').map((n) => n.message)).toContain(
      'The trainee is awarded: Register allows the route change, but DQT keeps the route of the recommended or awarded training. Check with support that the change is really wanted.',
    );
  });

  it('with updateDqt enqueues Dqt::UpdateTraineeJob after the commit', async () => {
    // Base trainee 3: trn_received on early_years_undergrad.
    const { receipt } = await run(() => changeTrainingRoute(t.db, { slug: stableSlug('base-trainee-3'), route: 'early_years_postgrad', updateDqt: true }));
    expect(receipt.actions.map((a) => a.status)).toEqual(['done']);
    expect(await waitingJobs()).toEqual([['Dqt::UpdateTraineeJob', { _aj_globalid: 'gid://register-trainee-teachers/Trainee/3' }]]);
    await dqtQueue.drain();
  });

  it('for a draft also clears the progress flags, and for an early-years route sets the early-years course', async () => {
    // Base trainee 1: a draft on assessment_only.
    const { receipt, changes } = await run(() => changeTrainingRoute(t.db, { slug: stableSlug('base-trainee-1'), route: 'early_years_undergrad' }));
    const fields = updatedAt(changes.find((c) => c.table === 'trainees'), receipt);
    expect(fields.training_route).toEqual([0, 2]);
    expect(fields.course_subject_one).toEqual(['primary teaching', 'early years teaching']);
    expect(fields.course_min_age).toEqual([5, 0]);
    expect(fields.course_max_age).toEqual([11, 5]);
    expect(fields.course_education_phase).toEqual([0, 2]);
    expect(fields.course_uuid?.[1]).toBeNull();
    expect(JSON.parse(fields.progress![1] as string)).toEqual({ personal_details: true, contact_details: true, degrees: true, course_details: false, funding: false, placements: false });
  });
});

describe('change-withdrawal-date', () => {
  const slug = () => slugOf('withdrawal-date');
  it('refuses impossible, future and too-early dates, and a trainee that is not withdrawn', async () => {
    await expect(changeWithdrawalDate(t.db, { slug: slug(), date: '2024-02-30' })).rejects.toThrow('The withdrawal date 2024-02-30 does not exist: February 2024 has 29 days.');
    await expect(changeWithdrawalDate(t.db, { slug: slug(), date: '3/3/2025' })).rejects.toThrow('The withdrawal date "3/3/2025" is not a date: expected YYYY-MM-DD, e.g. 2024-03-03.');
    await expect(changeWithdrawalDate(t.db, { slug: slug(), date: '2099-01-01' })).rejects.toThrow(/^The withdrawal date 2099-01-01 is in the future \(today is \d{4}-\d{2}-\d{2}\)/);
    await expect(changeWithdrawalDate(t.db, { slug: slug(), date: '2024-09-01' })).rejects.toThrow('The withdrawal date 2024-09-01 is before the trainee started (trainee_start_date 2024-09-02): a trainee cannot withdraw before starting.');
    await expect(changeWithdrawalDate(t.db, { slug: slugOf('timeline'), date: '2025-03-03' })).rejects.toThrow(/is trn_received; to change the withdrawal date the trainee must be withdrawn/);
  });

  it('changes the current withdrawal’s date, audited as a TraineeWithdrawal on its own (as Register audits it)', async () => {
    const { fix, receipt, changes } = await run(() => changeWithdrawalDate(t.db, { slug: slug(), date: '2025-03-03' }));
    expect(changes.map((c) => [c.table, c.id, c.kind])).toEqual([['trainee_withdrawals', 101, 'update']]);
    expect(updatedAt(changes[0], receipt)).toEqual({ date: ['2025-03-30', '2025-03-03'] });
    const [audit] = await auditsOf(fix.plan.id);
    expect(audit).toMatchObject({ auditable_type: 'TraineeWithdrawal', auditable_id: 101, associated_type: null, associated_id: null, action: 'update', version: 1, audited_changes: { date: ['2025-03-30', '2025-03-03'] }, comment: 'Support ticket 1234' });
  });
});

describe('undo-withdrawal', () => {
  const slug = () => slugOf('withdrawn-in-error');
  it('finds the previous state as Register does: the last update audit that is not the withdrawal, else trn_received', async () => {
    // Zara's last non-withdrawal update changed her e-mail, not her state: Register falls back to trn_received.
    expect(await stateBeforeWithdrawal(t.db, 103)).toMatchObject({ state: 'trn_received', auditId: 1035 });
    // Owen (102): the last non-withdrawal update set trn_received.
    expect(await stateBeforeWithdrawal(t.db, 102)).toMatchObject({ state: 'trn_received', auditId: 1022 });
    // No audits at all: trn_received.
    expect(await stateBeforeWithdrawal(t.db, 999999)).toMatchObject({ state: 'trn_received', auditId: null });
  });

  it('refuses a blank comment and a row changed after the preview, writing nothing', async () => {
    const before = await snapshot(t.db);
    const fix = await undoWithdrawal(t.db, { slug: slug(), ticket: 'https://support.example/tickets/1234' });
    await expect(commitIfRequested(t.db, fix.plan, { commit: true, auditComment: '', config })).rejects.toMatchObject({ reason: 'blank-comment' });
    await t.db.updateTable('trainee_withdrawals').set({ date: '2025-02-15' }).where('id', '=', 102).execute();
    try {
      await expect(commitPlan(t.db, fix.plan, { auditComment: 'Back in training', config })).rejects.toMatchObject({
        reason: 'drift',
        details: ['trainee_withdrawals id 102 (withdrawal of 2025-02-14): date expected 2025-02-14, found 2025-02-15'],
      });
      const after = diff(before, await snapshot(t.db));
      expect(after.map((c) => [c.table, c.id, c.kind])).toEqual([['trainee_withdrawals', 102, 'update']]); // only our own meddling
    } finally {
      await t.db.updateTable('trainee_withdrawals').set({ date: '2025-02-14' }).where('id', '=', 102).execute();
    }
  });

  it('puts the state back and discards the withdrawal, keeping its reasons (as Register today); the comment carries the ticket; the update job is enqueued after the commit', async () => {
    expect(await waitingJobs()).toEqual([]);
    const { fix, receipt, changes } = await run(() => undoWithdrawal(t.db, { slug: slug(), ticket: 'https://support.example/tickets/1234' }), 'Withdrawn in error');
    expect(changes.map((c) => [c.table, c.id, c.kind])).toEqual([
      ['trainees', 103, 'update'],
      ['trainee_withdrawals', 102, 'update'],
    ]);
    expect(updatedAt(changes[0], receipt)).toEqual({ state: [4, 2] });
    expect(updatedAt(changes[1], receipt)).toEqual({ discarded_at: [null, toTimestampText(receipt.committedAt)] });
    const audits = await auditsOf(fix.plan.id);
    expect(audits.map((a) => [a.auditable_type, a.auditable_id, a.action, a.version, a.associated_type, a.associated_id])).toEqual([
      ['Trainee', 103, 'update', 8, 'Provider', 2],
      ['TraineeWithdrawal', 102, 'update', 1, null, null],
    ]);
    expect(audits[0]!.audited_changes).toEqual({ state: [4, 2] });
    expect(audits.every((a) => a.comment === 'Withdrawn in error\nhttps://support.example/tickets/1234')).toBe(true);
    // Enqueued once on Register's dqt queue (not again by the second commit of the same plan), as Register's undo does.
    expect(await waitingJobs()).toEqual([['Dqt::UpdateTraineeJob', { _aj_globalid: 'gid://register-trainee-teachers/Trainee/103' }]]);
    expect(receipt.actions).toEqual([expect.objectContaining({ status: 'done', message: expect.stringMatching(/^Dqt::UpdateTraineeJob enqueued on queue dqt for trainee 103 \(job \d+\)\.$/) })]);
    await dqtQueue.drain();

    // The reasons stay, on the discarded withdrawal.
    expect((await t.db.selectFrom('trainee_withdrawal_reasons').select('id').where('trainee_withdrawal_id', '=', 102).orderBy('id').execute()).map((r) => r.id)).toEqual([102, 103]);
    // Next day, no receipt: the plan is reverted from the change log alone.
    const undo = await revertCommittedPlan(t.db, fix.plan.id);
    expect(undo.changes.map((c) => [c.kind, c.table, 'id' in c ? c.id : null])).toEqual([
      ['update', 'trainee_withdrawals', 102],
      ['update', 'trainees', 103],
    ]);
    const beforeRevert = await snapshot(t.db);
    await commitPlan(t.db, undo, { auditComment: 'Undo was wrong after all', config });
    const reverted = diff(beforeRevert, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    expect(reverted.map((c) => [c.table, c.id, c.kind, c.kind === 'update' ? Object.keys(c.changes!).sort() : null])).toEqual([
      ['trainees', 103, 'update', ['state', 'updated_at']],
      ['trainee_withdrawals', 102, 'update', ['discarded_at', 'updated_at']],
    ]);
    expect((await t.db.selectFrom('trainees').select('state').where('id', '=', 103).executeTakeFirstOrThrow()).state).toBe(4);
    expect((await t.db.selectFrom('trainee_withdrawals').select('discarded_at').where('id', '=', 102).executeTakeFirstOrThrow()).discarded_at).toBeNull();
    await expect(revertCommittedPlan(t.db, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/^No plan with id 00000000-0000-4000-8000-000000000000 was committed to this database/);
  });
});

describe('incorrectly-awarded', () => {
  it('refuses a trainee that is not awarded', async () => {
    await expect(incorrectlyAwarded(t.db, { slug: slugOf('timeline') })).rejects.toThrow(/is trn_received; to undo an award the trainee must be recommended_for_award or awarded/);
  });
  it('puts the trainee back to trn_received with the award fields emptied', async () => {
    const { fix, receipt, changes } = await run(() => incorrectlyAwarded(t.db, { slug: slugOf('awarded-in-error') }));
    expect(fix.notes.some((n) => n.tone === 'warn' && n.message.startsWith('DQT must be corrected too'))).toBe(true);
    expect(changes.map((c) => [c.table, c.id, c.kind])).toEqual([['trainees', 104, 'update']]);
    // The rows to the microsecond; the audit as Rails writes it, to the millisecond.
    expect(updatedAt(changes[0], receipt)).toEqual({
      state: [6, 2],
      recommended_for_award_at: ['2025-06-20T10:00:00.000000Z', null],
      awarded_at: ['2025-06-25T00:00:00.000000Z', null],
      outcome_date: ['2025-06-18', null],
    });
    const [audit] = await auditsOf(fix.plan.id);
    expect(audit).toMatchObject({ version: 6, audited_changes: { state: [6, 2], recommended_for_award_at: ['2025-06-20T10:00:00.000Z', null], awarded_at: ['2025-06-25T00:00:00.000Z', null], outcome_date: ['2025-06-18', null] } });
  });
});

describe('previous-trainee-for-former-provider', () => {
  const details = { firstNames: 'Robin', lastName: 'Ashby', dateOfBirth: '1994-05-17', email: 'robin.ashby@example.com', trainingRoute: 'provider_led_postgrad' };
  it('refuses partners the playbook does not cover and bad details', async () => {
    await expect(previousTraineeForFormerProvider(t.db, { ...details, leadPartnerId: 1 })).rejects.toThrow(/has no provider/);
    await expect(previousTraineeForFormerProvider(t.db, { ...details, leadPartnerId: 99 })).rejects.toThrow('No training partner with id 99 in this database.');
    await expect(previousTraineeForFormerProvider(t.db, { ...details, leadPartnerId: 3, dateOfBirth: '1994-02-29' })).rejects.toThrow('dateOfBirth 1994-02-29 does not exist: February 1994 has 28 days.');
    await expect(previousTraineeForFormerProvider(t.db, { ...details, leadPartnerId: 3, trainingRoute: '' })).rejects.toThrow(/^Unknown training route "". Valid values/);
  });
  it('creates a draft trainee for the former provider with a new slug', async () => {
    const { fix, changes } = await run(() => previousTraineeForFormerProvider(t.db, { ...details, leadPartnerId: 3 }));
    expect(changes).toHaveLength(1);
    const row = changes[0]!.row!;
    expect(changes[0]).toMatchObject({ table: 'trainees', kind: 'insert' });
    expect(row).toMatchObject({ state: 0, provider_id: 5, training_route: 1, first_names: 'Robin', last_name: 'Ashby', date_of_birth: '1994-05-17', email: 'robin.ashby@example.com', record_source: 'manual', discarded_at: null, trn: null });
    expect(row.slug).toMatch(/^[1-9A-HJ-NP-Za-km-z]{24}$/);
    const [audit] = await auditsOf(fix.plan.id);
    expect(audit).toMatchObject({ auditable_type: 'Trainee', auditable_id: changes[0]!.id, action: 'create', version: 1, associated_type: 'Provider', associated_id: 5 });
    expect(audit!.audited_changes).toMatchObject({ slug: row.slug, state: 0, provider_id: 5, first_names: 'Robin' });
  });
});
