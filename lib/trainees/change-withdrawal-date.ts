import type { RegisterDb } from '../db/connect.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import { parseDate, todayInUk } from './dates.js';
import { fullName, traineeForFix, traineeSummary } from './lookup.js';
import { currentWithdrawal, keptWithdrawalIds, withdrawalRow, withdrawalsOf } from './withdrawal.js';

export interface ChangeWithdrawalDateInput {
  slug: string;
  /** The correct withdrawal date, `YYYY-MM-DD`. */
  date: string;
}

/**
 * Playbook "Changing the withdrawal date for a withdrawn trainee": `trainee.current_withdrawal.update!(date: …)`,
 * as a plan, wherever this Register keeps the withdrawal: the current (last kept) `trainee_withdrawals` row (since
 * 2025; audited as a `TraineeWithdrawal`), or in the DQT era the trainee's own `withdraw_date` (midnight UTC, as
 * Register stored the date; audited as a `Trainee` change). Refuses a trainee that is not withdrawn, a date that does
 * not exist, a date in the future, and a date before the trainee started.
 *
 * @example
 * const fix = await changeWithdrawalDate(db, { slug, date: '2025-03-03' });
 */
export async function changeWithdrawalDate(db: RegisterDb, input: ChangeWithdrawalDateInput): Promise<FixResult> {
  const date = parseDate(input.date, 'The withdrawal date');
  const trainee = await traineeForFix(db, input.slug, { states: ['withdrawn'], fix: 'change the withdrawal date' });
  const today = todayInUk();
  if (date > today) throw new FixInputError(`The withdrawal date ${date} is in the future (today is ${today}): a withdrawal date must be today or earlier.`);
  const start = trainee.trainee_start_date ?? trainee.itt_start_date;
  if (start && date < start) {
    throw new FixInputError(`The withdrawal date ${date} is before the trainee started (${trainee.trainee_start_date ? 'trainee_start_date' : 'itt_start_date'} ${start}): a trainee cannot withdraw before starting.`);
  }
  const history = await withdrawalsOf(db, trainee);
  const withdrawal = await currentWithdrawal(db, trainee);
  if (!withdrawal) {
    throw new FixInputError(
      `Trainee ${trainee.slug} is withdrawn but has no current withdrawal (${history.length ? 'every trainee_withdrawals row is discarded' : 'no withdrawal date recorded'}), so there is no date to change. Look at the withdrawals table below and the trainee's timeline.`,
    );
  }
  const builder = planBuilder(`Change the withdrawal date of ${trainee.slug} from ${withdrawal.date ?? 'none'} to ${date}`);
  if (withdrawal.id !== null) {
    builder.update('trainee_withdrawals', withdrawal.id, { date: withdrawal.date, trainee_id: trainee.id, discarded_at: null }, { date }, fullName(trainee));
    // Which withdrawal is current depends on the kept ones: a withdrawal added since the preview would be the current one.
    builder.expectSet('trainee_withdrawals', { trainee_id: trainee.id, discarded_at: null }, await keptWithdrawalIds(db, trainee.id), {
      label: `kept withdrawals of trainee ${trainee.id} (${fullName(trainee)})`,
      lock: { table: 'trainees', ids: [trainee.id] },
    });
  } else {
    builder.update('trainees', trainee.id, { withdraw_date: trainee.withdraw_date, state: trainee.state }, { withdraw_date: `${date}T00:00:00.000000Z` }, fullName(trainee));
  }
  return {
    plan: builder.build(),
    findings: [
      { caption: 'Trainee', rows: [traineeSummary(trainee)] },
      {
        caption: withdrawal.id !== null ? 'Withdrawals (the current one is the last kept row)' : "The withdrawal (DQT era: kept on the trainee's own withdraw_date)",
        rows: history.map((w) => withdrawalRow(w, withdrawal)),
      },
    ],
    notes: [{ tone: 'info', message: 'DQT is not sent withdrawal dates (the withdrawal call carries no date), so nothing needs doing in DQT.' }],
  };
}
