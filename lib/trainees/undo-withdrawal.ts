import type { RegisterDb } from '../db/connect.js';
import { traineeState, type TraineeState } from '../db/enums.js';
import { planBuilder } from '../plan/builder.js';
import type { FixResult } from '../plan/fix.js';
import { addDqtUpdate } from './dqt-update.js';
import { fullName, traineeForFix, traineeSummary } from './lookup.js';
import { currentWithdrawal, keptWithdrawalIds, withdrawalsOf } from './withdrawal.js';

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
 * Register's "Undo withdrawal" (register-facts 2; the playbook's "Unwithdrawing a withdrawn trainee"), as a plan:
 * the trainee goes back to the state `stateBeforeWithdrawal` finds, the current withdrawal is discarded, its reasons
 * are deleted, and the audit comment is the comment and the ticket on two lines. Register then enqueues
 * `Dqt::UpdateTraineeJob`; so does this plan when the job queue is available.
 *
 * @example
 * const fix = await undoWithdrawal(db, { slug, ticket: 'https://…/tickets/1234' });
 */
export async function undoWithdrawal(db: RegisterDb, input: UndoWithdrawalInput): Promise<FixResult> {
  const trainee = await traineeForFix(db, input.slug, { states: ['withdrawn'], fix: 'undo a withdrawal' });
  const previous = await stateBeforeWithdrawal(db, trainee.id);
  const withdrawal = await currentWithdrawal(db, trainee.id);
  const reasons = await db
    .selectFrom('trainee_withdrawal_reasons as r')
    .innerJoin('withdrawal_reasons as w', 'w.id', 'r.withdrawal_reason_id')
    .selectAll('r')
    .select('w.name as reason')
    .where((eb) =>
      eb.or([
        ...(withdrawal ? [eb('r.trainee_withdrawal_id', '=', withdrawal.id)] : []),
        eb.and([eb('r.trainee_id', '=', trainee.id), eb('r.trainee_withdrawal_id', 'is', null)]),
      ]),
    )
    .orderBy('r.id')
    .execute();
  const notes: FixResult['notes'] = [{ tone: 'info', message: `The trainee goes back to ${previous.state}: ${previous.reason}.` }];

  const builder = planBuilder(`Undo the withdrawal of ${trainee.slug}: back to ${previous.state}`, { ticket: input.ticket });
  builder.update('trainees', trainee.id, { state: trainee.state }, { state: traineeState.toDb(previous.state) }, fullName(trainee));
  if (withdrawal) builder.discard('trainee_withdrawals', withdrawal.id, { trainee_id: trainee.id, date: withdrawal.date }, `withdrawal of ${withdrawal.date ?? 'no date'}`);
  else notes.push({ tone: 'warn', message: 'The trainee has no current withdrawal row (no kept trainee_withdrawals): only the state is changed.' });
  for (const { reason, ...row } of reasons) builder.delete('trainee_withdrawal_reasons', row.id, row, reason);
  // The undo depends on which withdrawal is current and on its reasons: a withdrawal or a reason added since the
  // preview (its foreign keys to the locked trainee and withdrawal wait for the commit) refuses the commit.
  const parents = [{ table: 'trainees' as const, ids: [trainee.id] }, ...(withdrawal ? [{ table: 'trainee_withdrawals' as const, ids: [withdrawal.id] }] : [])];
  builder.expectSet('trainee_withdrawals', { trainee_id: trainee.id, discarded_at: null }, await keptWithdrawalIds(db, trainee.id), {
    label: `kept withdrawals of trainee ${trainee.id} (${fullName(trainee)})`,
    lock: parents,
  });
  builder.expectSet(
    'trainee_withdrawal_reasons',
    [...(withdrawal ? [{ trainee_withdrawal_id: withdrawal.id }] : []), { trainee_id: trainee.id, trainee_withdrawal_id: null }],
    reasons.map((r) => r.id),
    { label: `withdrawal reasons of trainee ${trainee.id} (${fullName(trainee)})`, lock: parents },
  );
  addDqtUpdate(builder, notes, trainee, previous.state);

  return {
    plan: builder.build(),
    findings: [
      { caption: 'Trainee', rows: [traineeSummary(trainee)] },
      { caption: 'Withdrawals', rows: await withdrawalsOf(db, trainee) },
      { caption: 'Withdrawal reasons (deleted by the undo)', rows: reasons.map((r) => ({ id: r.id, reason: r.reason, trainee_withdrawal_id: r.trainee_withdrawal_id })) },
    ],
    notes,
  };
}
