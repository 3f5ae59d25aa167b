import { sql, type Transaction } from 'kysely';
import { loadConfig, type Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import type { RegisterDatabase, TableName } from '../db/schema.js';
import { redactSecrets } from '../notebook/redact.js';
import { postCommitRunner } from './actions.js';
import { registerFeatures } from '../db/versions/detect.js';
import type { RegisterFeatures } from '../db/versions/features.js';
import { auditComment, auditPolicy, auditUsername, updateChanges, wholeRowChanges, type AuditPolicy } from './audit.js';
import { ensureChangeLog, writeChangeLog, type ChangeLogEntry } from './change-log.js';
import { isPlanRef } from './builder.js';
import { PlanRefusedError } from './errors.js';
import { checkCommitAllowed, checkWriteTarget, writeTarget } from './guard.js';
import { describeValue } from './format.js';
import { planHash } from './hash.js';
import type { ActionResult, AppliedChange, Plan, Receipt, RowChange } from './types.js';
import { dbJsonValue, isTimestampType, sameValue } from './values.js';
import { checkSetShape, lockSetParents, setDifferences } from './sets.js';
import { toTimestampText } from '../db/timestamp.js';

export interface CommitOptions {
  /** Why the change is made (required, not blank). Written to every audit's `comment`. */
  auditComment: string;
  /** Who is committing; defaults to the configuration's operator (`SUPPORT_OPERATOR`). */
  operator?: string | null;
  /** The configuration (operator, write switch, database); read from the environment when not given, and its database when it has none. */
  config?: Pick<Config, 'operator' | 'writesAllowed'> & Partial<Config>;
  /** Called after each statement inside the transaction (progress for big plans). An error thrown here rolls everything back. */
  onProgress?: (step: { statement: string; rows: number; done: number; total: number }) => void | Promise<void>;
  /** Run post-commit actions (default true). */
  runActions?: boolean;
  /** How long to wait for a row another transaction holds locked before refusing (default 10,000 ms). */
  lockTimeoutMs?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const ident = (name: string) => {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a column or table name.`);
  return sql.id(name);
};

type Trx = Transaction<RegisterDatabase>;
type AnyRow = Record<string, unknown> & { id: number };

/**
 * Commits a plan: one transaction that locks every row it changes (`SELECT … FOR UPDATE`, one per table), checks each
 * still holds the values the plan expects, applies the changes set-based, writes one audit per changed row in the
 * audited gem's format, commits, and only then runs the post-commit actions (enqueue a job).
 *
 * Refuses (throws `PlanRefusedError`, nothing written) on a blank comment, an unknown operator, writes not allowed,
 * a connection to another database than the configuration names (`checkWriteTarget`), or any row or set of rows that
 * changed since the plan was built. Committing the same plan again writes nothing and says so
 * (`receipt.alreadyCommitted`).
 *
 * @example
 * const receipt = await commitPlan(db, plan, { auditComment: 'Route corrected at the provider’s request (ticket 1234)' });
 * receipt.rowsChanged; receipt.auditIds;
 */
export async function commitPlan(db: RegisterDb, plan: Plan, options: CommitOptions): Promise<Receipt> {
  const config = options.config ?? loadConfig();
  const { comment, operator } = checkCommitAllowed({ auditComment: options.auditComment, operator: options.operator, config });
  checkPlanShape(plan);
  // Where the configuration says writes go: checked on the transaction's own connection, whatever `db` is.
  const target = await writeTarget(config.database ?? loadConfig().database);

  const hash = planHash(plan);
  const fullComment = auditComment(comment, plan.ticket);
  const committedAt = new Date();
  // Written to updated_at, discarded_at and created_at: the same text everywhere (see lib/db/timestamp.ts).
  const now = toTimestampText(committedAt);
  const username = auditUsername(operator);

  // Which Register this is decides which changes Register would audit (and with which association).
  const features = await registerFeatures(db);
  const policyOf = (change: RowChange): AuditPolicy | null => (change.audit === 'none' ? null : auditPolicy(features, change.table));

  const lockTimeoutMs = Math.max(1, Math.round(options.lockTimeoutMs ?? 10_000));
  const outcome = await db
    .transaction()
    .execute(async (trx) => {
      // Never wait for ever on a row Register (or another operator) holds: refuse instead.
      await sql.raw(`SET LOCAL lock_timeout = ${lockTimeoutMs}`).execute(trx);
      await checkWriteTarget(trx, target);
      // Two commits of the same plan at once: the second waits here, then finds the first one's audits.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${plan.id}, 0))`.execute(trx);
      await ensureChangeLog(trx);
      const previous = await sql<{ id: number; audit_id: number | null }>`
        SELECT id, audit_id FROM register_support.change_log WHERE plan_id = ${plan.id}::uuid ORDER BY id`.execute(trx);
      const previousAudits = await sql<{ id: number }>`SELECT id FROM audits WHERE request_uuid = ${plan.id} ORDER BY id`.execute(trx);
      if (previous.rows.length > 0 || previousAudits.rows.length > 0) return { status: 'already' as const, ids: previousAudits.rows.map((r) => Number(r.id)) };

      const total = plan.changes.length;
      let done = 0;
      const step = async (statement: string, rows: number) => {
        done += statement.startsWith('write') ? rows : 0;
        await options.onProgress?.({ statement, rows, done, total });
      };

      // Sets of rows the plan depends on: their parents locked first (no child can be added through a foreign key
      // to them until this transaction ends), then the rows to change, then each set read again.
      const sets = plan.sets ?? [];
      const goneParents = sets.length ? await lockSetParents(trx, sets) : [];
      const current = await lockRows(trx, plan.changes, policyOf);
      const setChanges = sets.length ? await setDifferences(trx, sets, plan.changes) : [];
      await step('lock and read rows', current.size);
      const problems: Problem[] = [...goneParents.map((text) => ({ text, missing: true })), ...driftProblems(plan.changes, current), ...setChanges.map((d) => ({ text: d.text }))];
      if (problems.length) {
        if (plan.changes.every((c) => c.kind !== 'insert') && !goneParents.length && setChanges.every((d) => d.inPlace) && alreadyInPlace(plan.changes, current)) return { status: 'in-place' as const };
        const what = setChanges.length || goneParents.length ? 'the data this plan depends on has changed' : problems.length === 1 ? 'a row has changed' : `${problems.length} rows have changed`;
        throw new PlanRefusedError(
          problems.some((p) => p.missing) ? 'missing-row' : 'drift',
          `Refused: ${what} since this plan was built, so nothing was written.\n` +
            problems.map((p) => `  - ${p.text}`).join('\n') +
            '\nRun the runbook again from the top to see the current data and a new preview.',
          problems.map((p) => p.text),
        );
      }
      await checkAbsent(trx, plan.changes);

      const catalogue = await columnCatalogue(trx, [...new Set(plan.changes.map((c) => c.table))]);
      const ids = await allocateInsertIds(trx, plan.changes);
      const resolve = (value: unknown): unknown => {
        if (!isPlanRef(value)) return value;
        const id = ids.refs.get(value.$ref);
        if (id === undefined) throw new Error(`Plan error: "${value.$ref}" refers to no row inserted by this plan.`);
        return id;
      };

      const applied: AppliedChange[] = [];
      const audits: Record<string, unknown>[] = [];
      // Which audit (by its place in `audits`) belongs to which applied change: the change log links them.
      const auditOfApplied = new Map<number, number>();
      const versions = await nextVersions(trx, plan.changes, ids.byIndex, policyOf);

      // Apply in plan order, one statement per run of changes of the same kind, table and columns.
      for (const batch of batches(plan.changes)) {
        const { kind, table } = batch[0]!.change;
        const policy = policyOf(batch[0]!.change);
        const types = catalogue.get(table) ?? new Map<string, string>();
        const typeOf = (column: string) => types.get(column);
        // Timestamps in the toolkit's text (a Date or zoned ISO text given in a plan), so the receipt and the
        // change log hold exactly what the database holds.
        const exact = (values: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(values).map(([c, v]) => [c, isTimestampType(typeOf(c)) && v != null ? dbJsonValue(v, typeOf(c)) : v]));
        const audit = (id: number, action: 'create' | 'update' | 'destroy', changes: Record<string, unknown>, row: Record<string, unknown>) => {
          if (!policy) return;
          const association = policy.associated;
          const associatedId = association ? row[association.column] : null;
          auditOfApplied.set(applied.length - 1, audits.length);
          audits.push({
            auditable_type: policy.model,
            auditable_id: id,
            associated_type: associatedId == null ? null : association!.type,
            associated_id: associatedId ?? null,
            user_id: null,
            user_type: null,
            username,
            action,
            audited_changes: changes,
            version: action === 'create' ? 1 : versions.next(table, id),
            comment: fullComment,
            remote_address: null,
            request_uuid: plan.id,
            created_at: committedAt.toISOString(),
          });
        };
        if (kind === 'update' || kind === 'discard') {
          const records = batch.map(({ change }) => {
            const row = current.get(key(change.table, (change as { id: number }).id))!;
            const values: Record<string, unknown> = change.kind === 'discard' ? { discarded_at: now } : exact({ ...((change as { values: object }).values) });
            return { change, row, values };
          });
          const columns = Object.keys(records[0]!.values);
          await populateUpdate(trx, table, types, columns, records.map((r) => ({ id: r.row.id, ...r.values, updated_at: now })));
          for (const r of records) {
            const before = Object.fromEntries(columns.map((c) => [c, r.row[c] ?? null]));
            applied.push({ kind, table, id: r.row.id, before, after: { ...r.values } });
            audit(r.row.id, 'update', updateChanges(before, r.values, typeOf), { ...r.row, ...r.values });
          }
          await step(`write ${kind} ${table}`, records.length);
        } else if (kind === 'insert') {
          const records = batch.map(({ change, index }) => {
            const values = exact(Object.fromEntries(Object.entries((change as { values: object }).values).map(([c, v]) => [c, resolve(v)])));
            return { id: ids.byIndex.get(index)!, values };
          });
          const columns = ['id', ...Object.keys(records[0]!.values), 'created_at', 'updated_at'].filter((c, i, all) => all.indexOf(c) === i);
          await populateInsert(trx, table, types, columns, records.map((r) => ({ created_at: now, updated_at: now, ...r.values, id: r.id })));
          for (const r of records) {
            applied.push({ kind, table, id: r.id, before: null, after: { ...r.values } });
            audit(r.id, 'create', wholeRowChanges(r.values, typeOf), r.values);
          }
          await step(`write insert ${table}`, records.length);
        } else {
          const records = batch.map(({ change }) => current.get(key(change.table, (change as { id: number }).id))!);
          await sql`DELETE FROM ${ident(table)} WHERE id = ANY(${records.map((r) => r.id)}::bigint[])`.execute(trx);
          for (const row of records) {
            const { id, ...before } = row;
            applied.push({ kind, table, id, before, after: null });
            audit(id, 'destroy', wholeRowChanges(before, typeOf), row);
          }
          await step(`write delete ${table}`, records.length);
        }
      }

      const auditIds = await insertAudits(trx, audits);
      await step('write audits', 0);
      // Every changed row, audited or not, in the toolkit's change log: exact values before and after (revert reads them).
      await writeChangeLog(
        trx,
        applied.map((a, i): ChangeLogEntry => {
          const auditIndex = auditOfApplied.get(i);
          return {
            planId: plan.id,
            planHash: hash,
            planTitle: plan.title,
            operator,
            comment: fullComment,
            committedAt: now,
            table: a.table,
            recordId: a.id,
            action: a.kind === 'insert' ? 'create' : a.kind === 'delete' ? 'destroy' : 'update',
            before: a.before,
            after: a.after,
            auditId: auditIndex === undefined ? null : auditIds[auditIndex]!,
          };
        }),
      );
      await step('write change log', 0);
      return { status: 'committed' as const, applied, auditIds: [...auditIds].sort((a, b) => a - b) };
    })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === '55P03') {
        throw new PlanRefusedError(
          'locked',
          `Refused: a row this plan changes stayed locked by another transaction for ${lockTimeoutMs / 1000} s (Register or another operator is changing it right now), so nothing was written. Wait a minute and run the commit cell again.`,
        );
      }
      throw error;
    });

  const base = { planId: plan.id, hash, title: plan.title, committedAt: committedAt.toISOString(), operator, comment: fullComment };
  if (outcome.status === 'already') {
    return { ...base, alreadyCommitted: true, note: `this plan was already committed (audits ${outcome.ids.join(', ')})`, rowsChanged: 0, counts: {}, auditIds: outcome.ids, applied: [], actions: [] };
  }
  if (outcome.status === 'in-place') {
    return { ...base, alreadyCommitted: true, note: 'every row already holds the values this plan would write (changed by someone else since it was built)', rowsChanged: 0, counts: {}, auditIds: [], applied: [], actions: [] };
  }
  const counts: Receipt['counts'] = {};
  for (const a of outcome.applied) {
    const perTable = (counts[a.table] ??= {});
    perTable[a.kind] = (perTable[a.kind] ?? 0) + 1;
  }
  const receipt: Receipt = { ...base, alreadyCommitted: false, rowsChanged: outcome.applied.length, counts, auditIds: outcome.auditIds, applied: outcome.applied, actions: [] };
  if (options.runActions !== false) receipt.actions = await runActions(db, plan, receipt, (options.config as Config | undefined) ?? null);
  return receipt;
}

/** Runs a committed plan's post-commit actions; a failure is reported in the receipt, never undoes the commit. */
async function runActions(db: RegisterDb, plan: Plan, receipt: Receipt, config: Config | null): Promise<ActionResult[]> {
  const inserted = new Map<string, number>();
  plan.changes.forEach((c, i) => {
    if (c.kind === 'insert' && c.ref) {
      const applied = receipt.applied.filter((a) => a.kind === 'insert')[plan.changes.slice(0, i).filter((x) => x.kind === 'insert').length];
      if (applied) inserted.set(c.ref, applied.id);
    }
  });
  const results: ActionResult[] = [];
  for (const action of plan.actions) {
    const runner = postCommitRunner(action.kind);
    if (!runner) {
      results.push({ action, status: 'unavailable', message: `${action.job} was not enqueued: the job queue is not available in this toolkit yet. ${action.description} by hand.` });
      continue;
    }
    try {
      const traineeId = isPlanRef(action.traineeId) ? inserted.get(action.traineeId.$ref) : action.traineeId;
      if (traineeId === undefined) throw new Error(`no row inserted as "${(action.traineeId as { $ref: string }).$ref}"`);
      results.push({ action, status: 'done', message: await runner({ ...action, traineeId }, { db, config }) });
    } catch (error) {
      results.push({ action, status: 'failed', message: redactSecrets(`${action.job} could not be enqueued: ${(error as Error).message}. The data change is committed; ${action.description.charAt(0).toLowerCase()}${action.description.slice(1)} by hand.`) });
    }
  }
  return results;
}

function checkPlanShape(plan: Plan): void {
  if (!plan || typeof plan.id !== 'string' || !Array.isArray(plan.changes)) throw new Error('This is not a plan: build one with planBuilder(...).build() or a fix function.');
  checkSetShape(plan.sets ?? []);
  const seen = new Set<string>();
  for (const change of plan.changes) {
    ident(change.table);
    if (change.kind !== 'insert') {
      if (!Number.isInteger(change.id) || change.id <= 0) throw new Error(`Plan error: ${change.kind} of ${change.table} needs a row id, got ${String(change.id)}.`);
      const k = key(change.table, change.id);
      if (seen.has(k)) throw new Error(`Plan error: ${change.table} id ${change.id} is changed twice in one plan; merge the changes.`);
      seen.add(k);
    }
    const columns = Object.keys(change.kind === 'insert' || change.kind === 'update' ? change.values : change.expected);
    columns.forEach((c) => ident(c));
    if (change.kind === 'update' && columns.length === 0) throw new Error(`Plan error: update of ${change.table} id ${change.id} changes no column.`);
  }
}

const key = (table: string, id: number) => `${table}#${id}`;

/** One `SELECT … FOR UPDATE` per table, with `id = ANY($1)`, reading the columns the plan needs. */
async function lockRows(trx: Trx, changes: RowChange[], policyOf: (change: RowChange) => AuditPolicy | null): Promise<Map<string, AnyRow>> {
  const perTable = new Map<TableName, { ids: number[]; columns: Set<string>; all: boolean }>();
  for (const change of changes) {
    if (change.kind === 'insert') continue;
    const entry = perTable.get(change.table) ?? { ids: [], columns: new Set<string>(['id']), all: false };
    entry.ids.push(change.id);
    Object.keys(change.expected).forEach((c) => entry.columns.add(c));
    if (change.kind === 'update') Object.keys(change.values).forEach((c) => entry.columns.add(c));
    if (change.kind === 'discard') entry.columns.add('discarded_at');
    if (change.kind === 'delete') entry.all = true;
    const association = policyOf(change)?.associated;
    if (association) entry.columns.add(association.column);
    perTable.set(change.table, entry);
  }
  const rows = new Map<string, AnyRow>();
  for (const [table, entry] of perTable) {
    const columns = entry.all ? sql`*` : sql.join([...entry.columns].map(ident));
    const result = await sql<AnyRow>`SELECT ${columns} FROM ${ident(table)} WHERE id = ANY(${entry.ids}::bigint[]) ORDER BY id FOR UPDATE`.execute(trx);
    for (const row of result.rows) rows.set(key(table, Number(row.id)), row);
  }
  return rows;
}

interface Problem {
  text: string;
  missing?: boolean;
}

function labelOf(change: RowChange): string {
  return `${change.table} id ${(change as { id?: number }).id ?? '(new)'}${change.label ? ` (${change.label})` : ''}`;
}

function driftProblems(changes: RowChange[], current: Map<string, AnyRow>): Problem[] {
  const problems: Problem[] = [];
  for (const change of changes) {
    if (change.kind === 'insert') continue;
    const row = current.get(key(change.table, change.id));
    if (!row) {
      problems.push({ text: `${labelOf(change)}: the row no longer exists`, missing: true });
      continue;
    }
    const fields = Object.entries(change.expected as Record<string, unknown>).filter(([c, v]) => !sameValue(row[c], v));
    if (fields.length) {
      problems.push({
        text: `${labelOf(change)}: ${fields.map(([c, v]) => `${c} expected ${describeValue(change.table, c, v)}, found ${describeValue(change.table, c, row[c])}`).join('; ')}`,
      });
    }
  }
  return problems;
}

/** True when every row already holds what the plan would write (applied before by other means): nothing to do. */
function alreadyInPlace(changes: RowChange[], current: Map<string, AnyRow>): boolean {
  return changes.every((change) => {
    if (change.kind === 'insert') return false;
    const row = current.get(key(change.table, change.id));
    if (change.kind === 'delete') return !row;
    if (!row) return false;
    if (change.kind === 'discard') return row.discarded_at != null;
    return Object.entries(change.values as Record<string, unknown>).every(([c, v]) => sameValue(row[c], v));
  });
}

async function checkAbsent(trx: Trx, changes: RowChange[]): Promise<void> {
  for (const change of changes) {
    if (change.kind !== 'insert' || !change.absent || Object.keys(change.absent).length === 0) continue;
    const conditions = Object.entries(change.absent as Record<string, unknown>).map(([c, v]) => (v === null ? sql`${ident(c)} IS NULL` : sql`${ident(c)} = ${dbJsonValue(v) as string}`));
    const found = await sql<{ id: number }>`SELECT id FROM ${ident(change.table)} WHERE ${sql.join(conditions, sql` AND `)} LIMIT 1`.execute(trx);
    if (found.rows.length) {
      const what = Object.entries(change.absent as Record<string, unknown>).map(([c, v]) => `${c} ${describeValue(change.table, c, v)}`).join(', ');
      throw new PlanRefusedError(
        'already-exists',
        `Refused: ${change.table} already has a row with ${what} (id ${found.rows[0]!.id}), created since this plan was built. Nothing was written. Run the runbook again from the top.`,
      );
    }
  }
}

/** Ids for inserted rows, from each table's sequence (so later changes and the audits can use them). */
async function allocateInsertIds(trx: Trx, changes: RowChange[]): Promise<{ byIndex: Map<number, number>; refs: Map<string, number> }> {
  const byIndex = new Map<number, number>();
  const refs = new Map<string, number>();
  const wanted = new Map<TableName, number[]>();
  changes.forEach((change, index) => {
    if (change.kind !== 'insert') return;
    if (change.id !== undefined) byIndex.set(index, change.id);
    else wanted.set(change.table, [...(wanted.get(change.table) ?? []), index]);
  });
  for (const [table, indexes] of wanted) {
    const result = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence(${table}, 'id')) AS id FROM generate_series(1, ${indexes.length})`.execute(trx);
    result.rows.forEach((row, i) => byIndex.set(indexes[i]!, Number(row.id)));
  }
  changes.forEach((change, index) => {
    if (change.kind === 'insert' && change.ref) refs.set(change.ref, byIndex.get(index)!);
  });
  return { byIndex, refs };
}

/** `version` of each audit: the record's current highest version + 1, counting up within the plan. */
async function nextVersions(trx: Trx, changes: RowChange[], insertIds: Map<number, number>, policyOf: (change: RowChange) => AuditPolicy | null) {
  const perType = new Map<string, Set<number>>();
  const typeOf = new Map<TableName, string>();
  changes.forEach((change, index) => {
    const policy = policyOf(change);
    if (!policy) return;
    const id = change.kind === 'insert' ? insertIds.get(index)! : change.id;
    typeOf.set(change.table, policy.model);
    perType.set(policy.model, (perType.get(policy.model) ?? new Set()).add(id));
  });
  const max = new Map<string, number>();
  for (const [type, ids] of perType) {
    // One index look-up (auditable_index) per record rather than a scan of every audit of the type.
    const result = await sql<{ auditable_id: number; version: number | null }>`
      SELECT u.id AS auditable_id, (SELECT max(a.version) FROM audits a WHERE a.auditable_type = ${type} AND a.auditable_id = u.id) AS version
      FROM unnest(${[...ids]}::int[]) AS u(id)`.execute(trx);
    for (const row of result.rows) max.set(`${type}#${row.auditable_id}`, Number(row.version ?? 0));
  }
  return {
    next(table: TableName, id: number): number {
      const k = `${typeOf.get(table)}#${id}`;
      const v = (max.get(k) ?? 0) + 1;
      max.set(k, v);
      return v;
    },
  };
}

function* batches(changes: RowChange[]): Generator<{ change: RowChange; index: number }[]> {
  let run: { change: RowChange; index: number }[] = [];
  let runKey = '';
  const BATCH = 20_000;
  for (const [index, change] of changes.entries()) {
    const columns = change.kind === 'update' ? Object.keys(change.values).sort().join(',') : change.kind === 'insert' ? Object.keys(change.values).sort().join(',') : '';
    const k = `${change.kind}|${change.table}|${columns}`;
    if (run.length && (k !== runKey || run.length >= BATCH)) {
      yield run;
      run = [];
    }
    runKey = k;
    run.push({ change, index });
  }
  if (run.length) yield run;
}

const asJson = (types: Map<string, string>, rows: Record<string, unknown>[]) =>
  JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, dbJsonValue(v, types.get(c))]))));

/** Table → column name → SQL type (`format_type`), from the catalogue: to type the `unnest` arrays and to know timestamps. */
async function columnCatalogue(trx: Trx, tables: string[]): Promise<Map<string, Map<string, string>>> {
  const result = await sql<{ table: string; name: string; type: string }>`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE a.attrelid = ANY(${tables}::regclass[]) AND a.attnum > 0 AND NOT a.attisdropped`.execute(trx);
  const out = new Map<string, Map<string, string>>();
  for (const r of result.rows) (out.get(r.table) ?? out.set(r.table, new Map()).get(r.table)!).set(r.name, r.type);
  return out;
}

/** A column of values as a PostgreSQL array parameter: timestamps as the toolkit's UTC text (every digit), jsonb as JSON text. */
function arrayOf(type: string, values: unknown[]): unknown[] {
  const json = type === 'jsonb' || type === 'json';
  return values.map((v) => (v === undefined || v === null ? null : json ? JSON.stringify(v) : dbJsonValue(v, type)));
}

/**
 * `UPDATE t SET c = v.c … FROM unnest($1::bigint[], $2::<type>[], …) AS v(id, c, …) WHERE t.id = v.id`: one statement
 * for the batch, one typed array per column. Array-typed columns fall back to `jsonb_populate_recordset`.
 */
async function populateUpdate(trx: Trx, table: string, types: Map<string, string>, columns: string[], rows: Record<string, unknown>[]): Promise<void> {
  const all = ['id', ...[...columns, 'updated_at'].filter((c, i, list) => list.indexOf(c) === i && c !== 'id')];
  const set = sql.join(all.slice(1).map((c) => sql`${ident(c)} = v.${ident(c)}`));
  const missing = all.filter((c) => !types.has(c));
  if (missing.length) throw new Error(`Plan error: table ${table} has no column ${missing.join(', ')}.`);
  if (all.some((c) => types.get(c)!.endsWith('[]'))) {
    await sql`UPDATE ${ident(table)} AS t SET ${set} FROM jsonb_populate_recordset(NULL::${ident(table)}, ${asJson(types, rows)}::jsonb) AS v WHERE t.id = v.id`.execute(trx);
    return;
  }
  const arrays = all.map((c) => sql`${arrayOf(types.get(c)!, rows.map((r) => r[c]))}::${sql.raw(`${types.get(c)!}[]`)}`);
  await sql`UPDATE ${ident(table)} AS t SET ${set} FROM unnest(${sql.join(arrays)}) AS v(${sql.join(all.map(ident))}) WHERE t.id = v.id`.execute(trx);
}

async function populateInsert(trx: Trx, table: string, types: Map<string, string>, columns: string[], rows: Record<string, unknown>[]): Promise<void> {
  const list = sql.join(columns.map(ident));
  await sql`INSERT INTO ${ident(table)} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${ident(table)}, ${asJson(types, rows)}::jsonb)`.execute(trx);
}

const AUDIT_COLUMNS: [string, string][] = [
  ['auditable_type', 'varchar'], ['auditable_id', 'int'], ['associated_type', 'varchar'], ['associated_id', 'int'], ['user_id', 'int'], ['user_type', 'varchar'],
  ['username', 'varchar'], ['action', 'varchar'], ['audited_changes', 'jsonb'], ['version', 'int'], ['comment', 'varchar'], ['remote_address', 'varchar'],
  ['request_uuid', 'varchar'], ['created_at', 'timestamp'],
];

/**
 * The audit rows as one multi-row insert per 20,000 (`unnest` of one typed array per column). Their ids are taken
 * from the audits sequence first, so the returned ids are in the order of `audits` (the change log links each).
 */
async function insertAudits(trx: Trx, audits: Record<string, unknown>[]): Promise<number[]> {
  if (audits.length === 0) return [];
  const allocated = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('audits', 'id')) AS id FROM generate_series(1, ${audits.length})`.execute(trx);
  const ids = allocated.rows.map((r) => Number(r.id));
  const columns = sql.join([sql`id`, ...AUDIT_COLUMNS.map(([c]) => ident(c))]);
  for (let i = 0; i < audits.length; i += 20_000) {
    const chunk = audits.slice(i, i + 20_000);
    const arrays = [sql`${ids.slice(i, i + 20_000)}::bigint[]`, ...AUDIT_COLUMNS.map(([c, type]) => sql`${arrayOf(type, chunk.map((a) => a[c]))}::${sql.raw(`${type}[]`)}`)];
    await sql`INSERT INTO audits (${columns}) SELECT * FROM unnest(${sql.join(arrays)})`.execute(trx);
  }
  return ids;
}
