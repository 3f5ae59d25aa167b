import { sql, type Kysely } from 'kysely';
import { OWN_SCHEMA } from '../db/own-schema.js';
import { dbJsonValue } from './values.js';

/**
 * The toolkit's change log: one row per record a committed plan changed, in the toolkit's own schema
 * (`register_support.change_log`), written in the same transaction as the change. It holds who, why, when, and the
 * values before and after, for every table, including those Register does not audit (partners, schools, Apply
 * applications, TRN requests), and links to the `audits` row written when Register does audit the model.
 * `revertCommittedPlan` rebuilds an undo from it.
 */
export interface ChangeLogEntry {
  planId: string;
  planHash: string;
  planTitle: string;
  operator: string;
  comment: string;
  committedAt: string;
  table: string;
  recordId: number;
  action: 'create' | 'update' | 'destroy';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The `audits` row written for the change, or null when Register does not audit it. */
  auditId: number | null;
}

const TABLE = `${OWN_SCHEMA}.change_log`;

/** Creates the change log when it does not exist yet (once per database; concurrent first commits wait for each other). */
export async function ensureChangeLog(trx: Kysely<any>): Promise<void> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass(${TABLE})::text AS t`.execute(trx);
  if (exists.rows[0]?.t) return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${TABLE}, 0))`.execute(trx);
  await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${OWN_SCHEMA}`).execute(trx);
  await sql.raw(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
      id bigserial PRIMARY KEY,
      plan_id uuid NOT NULL,
      plan_hash text NOT NULL,
      plan_title text NOT NULL,
      operator text NOT NULL,
      comment text NOT NULL,
      committed_at timestamp(6) without time zone NOT NULL,
      table_name text NOT NULL,
      record_id bigint NOT NULL,
      action text NOT NULL CHECK (action IN ('create', 'update', 'destroy')),
      before json,
      after json,
      audit_id bigint
    )`,
  ).execute(trx);
  await sql.raw(`CREATE INDEX IF NOT EXISTS change_log_plan_id ON ${TABLE} (plan_id)`).execute(trx);
  await sql.raw(`CREATE INDEX IF NOT EXISTS change_log_record ON ${TABLE} (table_name, record_id)`).execute(trx);
}

/** Writes the entries (one statement per 5,000; `json`, not `jsonb`: written once, read rarely, and a third of the cost). */
export async function writeChangeLog(trx: Kysely<any>, entries: ChangeLogEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 5_000) {
    const chunk = entries.slice(i, i + 5_000).map((e) => ({
      plan_id: e.planId,
      plan_hash: e.planHash,
      plan_title: e.planTitle,
      operator: e.operator,
      comment: e.comment,
      committed_at: e.committedAt,
      table_name: e.table,
      record_id: e.recordId,
      action: e.action,
      before: e.before === null ? null : jsonOf(e.before),
      after: e.after === null ? null : jsonOf(e.after),
      audit_id: e.auditId,
    }));
    await sql`INSERT INTO register_support.change_log (plan_id, plan_hash, plan_title, operator, comment, committed_at, table_name, record_id, action, before, after, audit_id)
      SELECT plan_id, plan_hash, plan_title, operator, comment, committed_at, table_name, record_id, action, before, after, audit_id
      FROM json_to_recordset(${JSON.stringify(chunk)}::json) AS x(plan_id uuid, plan_hash text, plan_title text, operator text, comment text, committed_at timestamp(6), table_name text, record_id bigint, action text, before json, after json, audit_id bigint)`.execute(trx);
  }
}

const jsonOf = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([c, v]) => [c, dbJsonValue(v)]));

/**
 * The change log of one plan, in the order it was written, or an empty list (also when no plan was ever committed to
 * this database through the toolkit).
 *
 * @example
 * const entries = await changeLogOf(db, receipt.planId);
 */
export async function changeLogOf(db: Kysely<any>, planId: string): Promise<ChangeLogEntry[]> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass(${TABLE})::text AS t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  if (!/^[0-9a-f-]{36}$/i.test(planId)) return [];
  const rows = await sql<{
    plan_id: string; plan_hash: string; plan_title: string; operator: string; comment: string; committed_at: string; table_name: string; record_id: string; action: ChangeLogEntry['action'];
    before: Record<string, unknown> | null; after: Record<string, unknown> | null; audit_id: string | null;
  }>`SELECT plan_id::text, plan_hash, plan_title, operator, comment, to_char(committed_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS committed_at, table_name, record_id::text, action, before, after, audit_id::text
     FROM register_support.change_log WHERE plan_id = ${planId}::uuid ORDER BY id`.execute(db);
  return rows.rows.map((r) => ({
    planId: r.plan_id,
    planHash: r.plan_hash,
    planTitle: r.plan_title,
    operator: r.operator,
    comment: r.comment,
    committedAt: r.committed_at,
    table: r.table_name,
    recordId: Number(r.record_id),
    action: r.action,
    before: r.before,
    after: r.after,
    auditId: r.audit_id === null ? null : Number(r.audit_id),
  }));
}
