import type { RegisterDb } from '../db/connect.js';
import type { TableName } from '../db/schema.js';
import { tableOfModel } from './audit.js';
import { changeLogOf } from './change-log.js';
import { PlanBuilder } from './builder.js';
import type { DiscardableTable, Plan, Receipt, RowValues } from './types.js';
import { isTimestampLike, railsTimestampJson } from '../db/timestamp.js';
import { sql } from 'kysely';

/**
 * The inverse of a committed plan, built from its receipt: every update put back (expecting the values the commit
 * wrote), discarded rows kept again, inserted rows deleted, deleted rows inserted again with their old id and
 * values; in reverse order. It is a plan like any other: preview it, then commit it with an audit comment. Jobs the
 * original plan enqueued are not undone (the preview says what to tell DQT by hand).
 *
 * @example
 * const undo = revertPlan(receipt);
 * showPlan(undo);
 * await commitPlan(db, undo, { auditComment: 'Reverting: wrong trainee (ticket 1234)' });
 */
export function revertPlan(receipt: Pick<Receipt, 'planId' | 'hash' | 'title' | 'applied'> & { alreadyCommitted?: boolean }): Plan {
  if (receipt.alreadyCommitted || receipt.applied.length === 0) {
    throw new Error(`Nothing to revert: this receipt (plan ${receipt.planId}) is from a commit that changed nothing. Revert using the receipt of the commit that wrote the changes.`);
  }
  const builder = new PlanBuilder(`Revert: ${receipt.title}`, { ticket: `reverts plan ${receipt.planId} (hash ${receipt.hash})` });
  for (const applied of [...receipt.applied].reverse()) {
    const table = applied.table as TableName;
    if (applied.kind === 'update') {
      builder.update(table, applied.id, applied.after as RowValues<typeof table>, applied.before as RowValues<typeof table>);
    } else if (applied.kind === 'discard') {
      builder.update(table as DiscardableTable, applied.id, applied.after as RowValues<DiscardableTable>, { discarded_at: null } as RowValues<DiscardableTable>);
    } else if (applied.kind === 'insert') {
      builder.delete(table, applied.id, applied.after as RowValues<typeof table>);
    } else {
      builder.insert(table, applied.before as RowValues<typeof table>, { id: applied.id });
    }
  }
  return builder.build();
}

/**
 * The inverse of a plan committed earlier, rebuilt from the toolkit's change log (`register_support.change_log`)
 * when the receipt is gone (a new session, the next day): updates put back, created rows deleted, destroyed rows
 * inserted again with their id and every value they had. Plans committed before the change log existed are rebuilt
 * from their audits (`request_uuid` = the plan id). Preview it and commit it like any plan; if a row changed since,
 * the commit is refused.
 *
 * @example
 * const undo = await revertCommittedPlan(db, '5f0c…-plan-id');   // the id shown in the receipt
 * showPlan(undo);
 */
export async function revertCommittedPlan(db: RegisterDb, planId: string): Promise<Plan> {
  const entries = await changeLogOf(db, planId);
  const builder = new PlanBuilder(`Revert: ${entries[0]?.planTitle ?? `plan ${planId}`}`, { ticket: `reverts plan ${planId}` });
  if (entries.length) {
    for (const e of [...entries].reverse()) {
      const table = e.table as TableName;
      if (e.action === 'update') builder.update(table, e.recordId, (e.after ?? {}) as RowValues<typeof table>, (e.before ?? {}) as RowValues<typeof table>);
      else if (e.action === 'create') builder.delete(table, e.recordId, (e.after ?? {}) as RowValues<typeof table>);
      else builder.insert(table, (e.before ?? {}) as RowValues<typeof table>, { id: e.recordId });
    }
    return builder.build();
  }
  const audits = await db
    .selectFrom('audits')
    .select(['id', 'auditable_type', 'auditable_id', 'action', 'audited_changes', 'comment'])
    .where('request_uuid', '=', planId)
    .orderBy('id')
    .execute();
  if (audits.length === 0) throw new Error(`No plan with id ${planId} was committed to this database (nothing in the change log, no audits with that request_uuid). Copy the plan id from the receipt.`);
  for (const audit of [...audits].reverse()) {
    const table = tableOfModel(audit.auditable_type ?? '');
    if (!table || audit.auditable_id === null) throw new Error(`Audit ${audit.id} is for ${audit.auditable_type ?? 'nothing'}, which this toolkit cannot revert.`);
    const changes = (audit.audited_changes ?? {}) as Record<string, unknown>;
    if (audit.action === 'update') {
      const pairs = Object.entries(changes) as [string, [unknown, unknown]][];
      const expected = await exactWhereAudited(db, table, audit.auditable_id, Object.fromEntries(pairs.map(([c, v]) => [c, v[1]])));
      builder.update(table, audit.auditable_id, expected as RowValues<typeof table>, Object.fromEntries(pairs.map(([c, v]) => [c, v[0]])) as RowValues<typeof table>);
    } else if (audit.action === 'create') {
      builder.delete(table, audit.auditable_id, changes as RowValues<typeof table>);
    } else {
      builder.insert(table, changes as RowValues<typeof table>, { id: audit.auditable_id });
    }
  }
  return builder.build();
}

/**
 * The values an update audit says a row was given, with each timestamp (kept to the millisecond in the audit) replaced
 * by the row's own value when that is the same to the millisecond: the commit wrote every digit, the audit kept three.
 */
async function exactWhereAudited(db: RegisterDb, table: TableName, id: number, audited: Record<string, unknown>): Promise<Record<string, unknown>> {
  const times = Object.keys(audited).filter((c) => isTimestampLike(audited[c]));
  if (!times.length) return audited;
  const { rows } = await sql<Record<string, unknown>>`SELECT ${sql.join(times.map((c) => sql.ref(c)))} FROM ${sql.table(table)} WHERE id = ${id}`.execute(db);
  const row = rows[0];
  if (!row) return audited;
  return Object.fromEntries(
    Object.entries(audited).map(([c, v]) => [c, times.includes(c) && isTimestampLike(row[c]) && railsTimestampJson(row[c] as string) === railsTimestampJson(v as string) ? row[c] : v]),
  );
}
