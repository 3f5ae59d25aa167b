import type { RegisterDb } from '../db/connect.js';
import type { TrnRequest } from '../db/schema.js';
import { registerFeatures } from '../db/versions/detect.js';

/**
 * A trainee's TRN requests, oldest first, from `dqt_trn_requests` (DQT era) or `trs_trn_requests` (TRS era),
 * whichever this Register has.
 *
 * @example
 * const [latest] = (await trnRequestsOf(db, trainee.id)).slice(-1);
 */
export async function trnRequestsOf(db: RegisterDb, traineeId: number): Promise<TrnRequest[]> {
  const { trnRequests } = await registerFeatures(db);
  return db.selectFrom(trnRequests.table as 'dqt_trn_requests').selectAll().where('trainee_id', '=', traineeId).orderBy('id').execute();
}

/** The trainee's newest TRN request (Register's `has_one`), or undefined. */
export async function latestTrnRequest(db: RegisterDb, traineeId: number): Promise<TrnRequest | undefined> {
  return (await trnRequestsOf(db, traineeId)).pop();
}

/** One TRN request by id, or undefined. */
export async function trnRequestById(db: RegisterDb, id: number): Promise<TrnRequest | undefined> {
  const { trnRequests } = await registerFeatures(db);
  return db.selectFrom(trnRequests.table as 'dqt_trn_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The trainee of each TRN request id (a RetrieveTrnJob names its request, not the trainee). */
export async function traineesOfTrnRequests(db: RegisterDb, ids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!ids.length) return out;
  const { trnRequests } = await registerFeatures(db);
  const rows = await db.selectFrom(trnRequests.table as 'dqt_trn_requests').select(['id', 'trainee_id']).where('id', 'in', [...ids]).execute();
  for (const r of rows) out.set(r.id, r.trainee_id);
  return out;
}
