import type { RegisterDb } from '../db/connect.js';
import type { Trainee } from '../db/schema.js';
import { registerFeatures } from '../db/versions/detect.js';
import type { WithdrawalStorage } from '../db/versions/features.js';
import { timestampToDate, type TimestampText } from '../db/timestamp.js';

/**
 * A trainee's withdrawal, wherever this Register keeps it: a `trainee_withdrawals` row (since 2025), or the
 * trainee's own `withdraw_date` and details (DQT era, one withdrawal at a time).
 */
export interface Withdrawal {
  /** Where it lives: `withdrawal-records` (a `trainee_withdrawals` row, `id`) or `trainee-columns` (`id` null). */
  storage: WithdrawalStorage;
  id: number | null;
  traineeId: number;
  /** The withdrawal date, `YYYY-MM-DD`. */
  date: string | null;
  /** Records only: who asked (provider or trainee) and whether the trainee may come back. */
  trigger: string | null;
  futureInterest: string | null;
  /** Records: `another_reason`; trainee columns: `withdraw_reasons_details`. */
  details: string | null;
  /** Trainee columns only: `withdraw_reasons_dfe_details`. */
  dfeDetails: string | null;
  discardedAt: TimestampText | null;
  createdAt: TimestampText | null;
  /** The reasons, by name. */
  reasons: string[];
}

/** The date part of a timestamp column in UTC (Register stored the withdrawal date at midnight UTC). */
const datePart = (value: Date | string | null): string | null => (value === null ? null : timestampToDate(value).toISOString().slice(0, 10));

async function reasonsOf(db: RegisterDb, by: { withdrawalId: number } | { traineeId: number }): Promise<string[]> {
  let query = db
    .selectFrom('trainee_withdrawal_reasons as r')
    .innerJoin('withdrawal_reasons as w', 'w.id', 'r.withdrawal_reason_id')
    .select('w.name');
  query = 'withdrawalId' in by ? query.where('r.trainee_withdrawal_id', '=', by.withdrawalId) : query.where('r.trainee_id', '=', by.traineeId);
  return (await query.orderBy('w.name').execute()).map((r) => r.name);
}

/**
 * Every withdrawal of a trainee, oldest first: all its `trainee_withdrawals` rows (discarded ones too), or in the DQT
 * era the one held on the trainee (when it has a withdrawal date).
 *
 * @example
 * const history = await withdrawalsOf(db, trainee);
 */
export async function withdrawalsOf(db: RegisterDb, trainee: Pick<Trainee, 'id'> & Partial<Pick<Trainee, 'withdraw_date' | 'withdraw_reasons_details' | 'withdraw_reasons_dfe_details'>>): Promise<Withdrawal[]> {
  const { withdrawals } = await registerFeatures(db);
  if (withdrawals === 'trainee-columns') {
    const row =
      'withdraw_date' in trainee && trainee.withdraw_date !== undefined
        ? trainee
        : await db.selectFrom('trainees').select(['id', 'withdraw_date', 'withdraw_reasons_details', 'withdraw_reasons_dfe_details']).where('id', '=', trainee.id).executeTakeFirstOrThrow();
    if (!row.withdraw_date) return [];
    return [
      {
        storage: withdrawals,
        id: null,
        traineeId: trainee.id,
        date: datePart(row.withdraw_date),
        trigger: null,
        futureInterest: null,
        details: row.withdraw_reasons_details ?? null,
        dfeDetails: row.withdraw_reasons_dfe_details ?? null,
        discardedAt: null,
        createdAt: null,
        reasons: await reasonsOf(db, { traineeId: trainee.id }),
      },
    ];
  }
  const rows = await db.selectFrom('trainee_withdrawals').selectAll().where('trainee_id', '=', trainee.id).orderBy('id').execute();
  return Promise.all(
    rows.map(async (w) => ({
      storage: withdrawals,
      id: w.id,
      traineeId: w.trainee_id,
      date: w.date,
      trigger: w.trigger,
      futureInterest: w.future_interest,
      details: w.another_reason,
      dfeDetails: null,
      discardedAt: w.discarded_at,
      createdAt: w.created_at,
      reasons: await reasonsOf(db, { withdrawalId: w.id }),
    })),
  );
}

/** The ids of a trainee's kept `trainee_withdrawals` rows, oldest first: the set that decides which one is current. */
export async function keptWithdrawalIds(db: RegisterDb, traineeId: number): Promise<number[]> {
  const rows = await db.selectFrom('trainee_withdrawals').select('id').where('trainee_id', '=', traineeId).where('discarded_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/**
 * Register's `Trainee#current_withdrawal`: the last kept (not discarded) `trainee_withdrawals` row, or in the DQT era
 * the withdrawal held on the trainee; undefined when there is none.
 *
 * @example
 * const withdrawal = await currentWithdrawal(db, trainee);
 */
export async function currentWithdrawal(db: RegisterDb, trainee: Parameters<typeof withdrawalsOf>[1]): Promise<Withdrawal | undefined> {
  const all = await withdrawalsOf(db, trainee);
  return all.filter((w) => !w.discardedAt).pop();
}

/** A withdrawal as one table row for the runbooks. */
export function withdrawalRow(w: Withdrawal, current?: Withdrawal): Record<string, unknown> {
  return {
    ...(w.storage === 'withdrawal-records' ? { id: w.id } : { kept_on: 'the trainee (withdraw_date)' }),
    date: w.date,
    ...(w.storage === 'withdrawal-records' ? { trigger: w.trigger, future_interest: w.futureInterest, another_reason: w.details } : { withdraw_reasons_details: w.details, withdraw_reasons_dfe_details: w.dfeDetails }),
    reasons: w.reasons.join(', ') || null,
    ...(w.storage === 'withdrawal-records' ? { discarded_at: w.discardedAt } : {}),
    ...(current !== undefined ? { current: w === current } : {}),
  };
}
