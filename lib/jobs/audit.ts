import { sql, type Transaction } from 'kysely';
import type { RegisterDatabase, Trainee, TraineeUpdate } from '../db/schema.js';
import { isTimestampLike, railsTimestampJson, toTimestampText } from '../db/timestamp.js';

/**
 * Writes a trainee change made by a job together with its audit row, in one transaction, in the audited gem's
 * format (register-facts 1.10): `auditable_type` Trainee associated with its Provider, `action` update,
 * `audited_changes` `{column: [old, new]}` (enums as the stored integers), `version` one more than the last.
 * The audit's username says which job made the change; `request_uuid` is the BullMQ job id.
 *
 * @example
 * await db.transaction().execute((trx) => updateTraineeAudited(trx, trainee, { trn: '3012209' }, { username: JOB_AUDIT_USERNAME, requestUuid: job.id }));
 */
export const JOB_AUDIT_USERNAME = 'DQT job';

/** As Rails writes `audited_changes`: timestamps to the millisecond (the column keeps microseconds). */
const auditValue = (v: unknown): unknown => (isTimestampLike(v) ? railsTimestampJson(v) : v ?? null);
/** For "did it change": timestamps compared to the microsecond, as Rails' dirty tracking does. */
const exactValue = (v: unknown): unknown => (isTimestampLike(v) ? toTimestampText(v) : v ?? null);

/**
 * Applies `changes` to the trainee (locked with FOR UPDATE, so the "before" values are current) and writes one
 * audit row for the columns that really change. Returns the audited changes (empty when nothing changed).
 */
export async function updateTraineeAudited(
  trx: Transaction<RegisterDatabase>,
  traineeId: number,
  changes: TraineeUpdate,
  who: { username: string; requestUuid?: string | null; comment?: string | null },
): Promise<Record<string, [unknown, unknown]>> {
  const before = await trx.selectFrom('trainees').selectAll().where('id', '=', traineeId).forUpdate().executeTakeFirstOrThrow();
  const audited: Record<string, [unknown, unknown]> = {};
  for (const [column, value] of Object.entries(changes)) {
    const old = (before as Record<string, unknown>)[column];
    if (JSON.stringify(exactValue(old)) !== JSON.stringify(exactValue(value))) audited[column] = [auditValue(old), auditValue(value)];
  }
  if (!Object.keys(audited).length) return audited;
  await trx
    .updateTable('trainees')
    .set({ ...changes, updated_at: sql`now()` as never })
    .where('id', '=', traineeId)
    .execute();
  const last = await trx
    .selectFrom('audits')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('auditable_type', '=', 'Trainee')
    .where('auditable_id', '=', traineeId)
    .executeTakeFirst();
  await trx
    .insertInto('audits')
    .values({
      auditable_type: 'Trainee',
      auditable_id: traineeId,
      associated_type: 'Provider',
      associated_id: (before as Trainee).provider_id,
      user_id: null,
      user_type: null,
      username: who.username,
      action: 'update',
      audited_changes: JSON.stringify(audited),
      version: Number(last?.version ?? 0) + 1,
      comment: who.comment ?? null,
      remote_address: null,
      request_uuid: who.requestUuid ?? null,
      created_at: sql`now()` as never,
    })
    .execute();
  return audited;
}
