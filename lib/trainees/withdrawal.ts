import type { RegisterDb } from '../db/connect.js';
import type { Trainee, TraineeWithdrawal } from '../db/schema.js';

/**
 * Register's `Trainee#current_withdrawal`: the trainee's last kept (not discarded) `trainee_withdrawals` row, or
 * undefined.
 *
 * @example
 * const withdrawal = await currentWithdrawal(db, trainee.id);
 */
export async function currentWithdrawal(db: RegisterDb, traineeId: number): Promise<TraineeWithdrawal | undefined> {
  return db.selectFrom('trainee_withdrawals').selectAll().where('trainee_id', '=', traineeId).where('discarded_at', 'is', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The ids of a trainee's kept withdrawals, oldest first: the set that decides which one is current. */
export async function keptWithdrawalIds(db: RegisterDb, traineeId: number): Promise<number[]> {
  const rows = await db.selectFrom('trainee_withdrawals').select('id').where('trainee_id', '=', traineeId).where('discarded_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Every withdrawal row of a trainee, discarded ones too, oldest first (for the investigation table). */
export async function withdrawalsOf(db: RegisterDb, trainee: Pick<Trainee, 'id'>): Promise<TraineeWithdrawal[]> {
  return db.selectFrom('trainee_withdrawals').selectAll().where('trainee_id', '=', trainee.id).orderBy('id').execute();
}
