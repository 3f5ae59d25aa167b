import { sql, type Kysely, type Transaction } from 'kysely';
import type { RegisterDatabase } from '../db/schema.js';
import type { AppliedChange, Receipt } from './types.js';

/**
 * The exact record of a committed plan, kept in the toolkit's own schema (`register_support.plan_commits`) in the same
 * transaction as the change: what each change wrote, before and after, with every value as the database held it
 * (timestamps to the microsecond, created_at of deleted rows). Audits keep what Register's audited gem keeps (times
 * to the millisecond, no created_at), so `revertCommittedPlan` reads this record to undo a plan exactly.
 *
 * The table is created on first use. Where the toolkit may not create it (no CREATE right on the database), the commit
 * goes on without it and `revertCommittedPlan` falls back to the audits.
 *
 * @example
 * const record = await readCommitRecord(db, planId); // null when the plan was committed without one
 * if (record) showPlan(revertPlan(record));
 */
export type CommitRecord = Pick<Receipt, 'planId' | 'hash' | 'title' | 'operator' | 'committedAt' | 'applied'>;

const TABLE = 'register_support.plan_commits';
const CREATE = `
  CREATE SCHEMA IF NOT EXISTS register_support;
  CREATE TABLE IF NOT EXISTS ${TABLE} (
    plan_id text PRIMARY KEY,
    hash text NOT NULL,
    title text NOT NULL,
    operator text NOT NULL,
    committed_at timestamp NOT NULL,
    applied json NOT NULL
  );
  COMMENT ON TABLE ${TABLE} IS 'register-support: what each committed plan wrote, exactly, for revertCommittedPlan'`;

/**
 * Writes the record inside the commit's transaction (as `json`, kept as written: a third of `jsonb`'s cost for a plan
 * of 10,000 changes). Returns false (the commit goes on) when the table cannot be created. */
export async function storeCommitRecord(trx: Transaction<RegisterDatabase>, record: CommitRecord): Promise<boolean> {
  const insert = () =>
    sql`INSERT INTO register_support.plan_commits (plan_id, hash, title, operator, committed_at, applied)
        VALUES (${record.planId}, ${record.hash}, ${record.title}, ${record.operator}, ${record.committedAt}, ${JSON.stringify(record.applied)}::json)
        ON CONFLICT (plan_id) DO NOTHING`.execute(trx);
  const exists = (await sql<{ ok: boolean }>`SELECT to_regclass(${TABLE}) IS NOT NULL AS ok`.execute(trx)).rows[0]?.ok;
  // A savepoint each try: a failed statement must not abort the commit's transaction.
  for (const create of exists ? [false, false] : [true, false]) {
    await sql`SAVEPOINT register_support_record`.execute(trx);
    try {
      if (create) await sql.raw(CREATE).execute(trx);
      await insert();
      await sql`RELEASE SAVEPOINT register_support_record`.execute(trx);
      return true;
    } catch {
      // Another commit created the table at the same moment (try again), or no right to create it (give up).
      await sql`ROLLBACK TO SAVEPOINT register_support_record`.execute(trx);
    }
  }
  return false;
}

/** The record of a committed plan, or null when there is none (no table, or the plan was committed without one). */
export async function readCommitRecord(db: Kysely<RegisterDatabase>, planId: string): Promise<CommitRecord | null> {
  const exists = (await sql<{ ok: boolean }>`SELECT to_regclass(${TABLE}) IS NOT NULL AS ok`.execute(db)).rows[0]?.ok;
  if (!exists) return null;
  const { rows } = await sql<{ plan_id: string; hash: string; title: string; operator: string; committed_at: string; applied: AppliedChange[] }>`
    SELECT plan_id, hash, title, operator, committed_at, applied FROM register_support.plan_commits WHERE plan_id = ${planId}`.execute(db);
  const row = rows[0];
  return row ? { planId: row.plan_id, hash: row.hash, title: row.title, operator: row.operator, committedAt: row.committed_at, applied: row.applied } : null;
}
