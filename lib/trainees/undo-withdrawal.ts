import type { RegisterDb } from '../db/connect.js';
import { traineeState, type TraineeState } from '../db/enums.js';
import { planBuilder } from '../plan/builder.js';
import type { FixResult } from '../plan/fix.js';
import { addDqtUpdate } from './dqt-update.js';
import { fullName, traineeForFix, traineeSummary } from './lookup.js';
import { currentWithdrawal, keptWithdrawalIds, withdrawalRow, withdrawalsOf } from './withdrawal.js';
import { registerFeatures } from '../db/versions/detect.js';

export interface UndoWithdrawalInput {
  slug: string;
  /** The support ticket; written on the second line of the audit comment, as Register's undo does. */
  ticket?: string;
}

const WITHDRAWN = traineeState.toDb('withdrawn');

/**
 * The state Register's undo withdrawal goes back to (register-facts 2): take the trainee's `update` audits in
 * version order, drop those whose new state is withdrawn, and read the new state of the last one left; if there is
 * none, or it did not change the state, trn_received. This is not always the state just before the withdrawal
 * (a later edit of another field makes it trn_received), which is what Register does.
 */
export async function stateBeforeWithdrawal(db: RegisterDb, traineeId: number): Promise<{ state: TraineeState; auditId: number | null; reason: string }> {
  const audits = await db
    .selectFrom('audits')
    .select(['id', 'version', 'audited_changes'])
    .where('auditable_type', '=', 'Trainee')
    .where('auditable_id', '=', traineeId)
    .where('action', '=', 'update')
    .orderBy('version')
    .orderBy('id')
    .execute();
  const newState = (changes: unknown): number | undefined => {
    const state = (changes as Record<string, unknown> | null)?.state;
    return Array.isArray(state) && typeof state[1] === 'number' ? state[1] : undefined;
  };
  const kept = audits.filter((a) => newState(a.audited_changes) !== WITHDRAWN);
  const last = kept[kept.length - 1];
  if (!last) return { state: 'trn_received', auditId: null, reason: 'no update audit other than the withdrawal: trn_received, as Register' };
  const state = newState(last.audited_changes);
  if (state === undefined) return { state: 'trn_received', auditId: last.id, reason: `the last update audit that is not the withdrawal (id ${last.id}, version ${last.version}) did not change the state: trn_received, as Register` };
  return { state: traineeState.fromDb(state), auditId: last.id, reason: `from the last update audit that is not the withdrawal (id ${last.id}, version ${last.version})` };
}

/**
 * Register's "Undo withdrawal" (register-facts 2; the playbook's "Unwithdrawing a withdrawn trainee"), as a plan, as
 * this Register's own code does it:
 *
 * - since 2025 (withdrawal records): the current withdrawal is discarded (a `TraineeWithdrawal` audit) and the
 *   trainee goes back to the state `stateBeforeWithdrawal` finds; the reasons stay on the discarded withdrawal;
 * - DQT era (withdrawal on the trainee): the reasons are deleted as `trainee.withdrawal_reasons.clear` deletes them
 *   (straight from the join table: Register writes no audit for them, the toolkit's change log records them) and
 *   one trainee update empties `withdraw_date` and both details and sets the state back.
 *
 * The audit comment is the comment and the ticket on two lines. Register then enqueues the update of the teacher
 * record; so does this plan when the job queue is available.
 *
 * @example
 * const fix = await undoWithdrawal(db, { slug, ticket: 'https://…/tickets/1234' });
 */
export async function undoWithdrawal(db: RegisterDb, input: UndoWithdrawalInput): Promise<FixResult> {
  const trainee = await traineeForFix(db, input.slug, { states: ['withdrawn'], fix: 'undo a withdrawal' });
  const previous = await stateBeforeWithdrawal(db, trainee.id);
  const history = await withdrawalsOf(db, trainee);
  const withdrawal = await currentWithdrawal(db, trainee);
  const notes: FixResult['notes'] = [{ tone: 'info', message: `The trainee goes back to ${previous.state}: ${previous.reason}.` }];
  const builder = planBuilder(`Undo the withdrawal of ${trainee.slug}: back to ${previous.state}`, { ticket: input.ticket });
  const { withdrawals } = await registerFeatures(db);
  let reasonRows: Record<string, unknown>[] = [];

  if (withdrawals === 'trainee-columns') {
    const reasons = await db
      .selectFrom('trainee_withdrawal_reasons as r')
      .innerJoin('withdrawal_reasons as w', 'w.id', 'r.withdrawal_reason_id')
      .select(['r.id', 'r.trainee_id', 'r.withdrawal_reason_id', 'r.created_at', 'r.updated_at', 'w.name as reason'])
      .where('r.trainee_id', '=', trainee.id)
      .orderBy('r.id')
      .execute();
    for (const { reason, ...row } of reasons) builder.delete('trainee_withdrawal_reasons', row.id, row, { label: reason, audit: 'none' });
    builder.update(
      'trainees',
      trainee.id,
      { state: trainee.state, withdraw_date: trainee.withdraw_date, withdraw_reasons_details: trainee.withdraw_reasons_details, withdraw_reasons_dfe_details: trainee.withdraw_reasons_dfe_details },
      { state: traineeState.toDb(previous.state), withdraw_date: null, withdraw_reasons_details: null, withdraw_reasons_dfe_details: null },
      fullName(trainee),
    );
    // The undo deletes the trainee's reasons: a reason added since the preview (its foreign key waits for the locked trainee) refuses the commit.
    builder.expectSet('trainee_withdrawal_reasons', { trainee_id: trainee.id }, reasons.map((r) => r.id), {
      label: `withdrawal reasons of trainee ${trainee.id} (${fullName(trainee)})`,
      lock: { table: 'trainees', ids: [trainee.id] },
    });
    reasonRows = reasons.map((r) => ({ id: r.id, reason: r.reason }));
    if (reasons.length) notes.push({ tone: 'info', message: `The ${reasons.length} withdrawal reason(s) are deleted as Register's undo deletes them (straight from the join table, so Register writes no audit for them); the toolkit's change log keeps them, so the plan can be reverted.` });
  } else {
    builder.update('trainees', trainee.id, { state: trainee.state }, { state: traineeState.toDb(previous.state) }, fullName(trainee));
    if (withdrawal?.id != null) builder.discard('trainee_withdrawals', withdrawal.id, { trainee_id: trainee.id, date: withdrawal.date }, `withdrawal of ${withdrawal.date ?? 'no date'}`);
    else notes.push({ tone: 'warn', message: 'The trainee has no current withdrawal row (no kept trainee_withdrawals): only the state is changed.' });
    // Which withdrawal is current depends on the kept ones: one added since the preview would be the current one.
    builder.expectSet('trainee_withdrawals', { trainee_id: trainee.id, discarded_at: null }, await keptWithdrawalIds(db, trainee.id), {
      label: `kept withdrawals of trainee ${trainee.id} (${fullName(trainee)})`,
      lock: { table: 'trainees', ids: [trainee.id] },
    });
    reasonRows = (withdrawal?.reasons ?? []).map((reason) => ({ reason, kept: 'on the discarded withdrawal, as Register keeps them' }));
  }
  addDqtUpdate(builder, notes, trainee, previous.state);

  return {
    plan: builder.build(),
    findings: [
      { caption: 'Trainee', rows: [traineeSummary(trainee)] },
      { caption: withdrawals === 'trainee-columns' ? "The withdrawal (DQT era: kept on the trainee, emptied by the undo)" : 'Withdrawals (the current one is discarded by the undo)', rows: history.map((w) => withdrawalRow(w, withdrawal)) },
      { caption: withdrawals === 'trainee-columns' ? 'Withdrawal reasons (deleted by the undo)' : 'Withdrawal reasons (kept on the discarded withdrawal)', rows: reasonRows },
    ],
    notes,
  };
}
