import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { RegisterDatabase, TableName } from '../db/schema.js';
import type { RowChange, RowSetCheck, SetMatch } from './types.js';

/**
 * Set checks at commit (see `RowSetCheck`): the parents are locked, then each set is read again and compared with the
 * ids the plan saw. Used by `commitPlan`; `describeSetCheck` gives the preview's line.
 *
 * @example
 * describeSetCheck({ label: 'placements of trainee 7', table: 'placements', where: [{ trainee_id: 7 }], ids: [3, 4], lock: [] })
 * // 'placements of trainee 7: exactly placements 3, 4'
 */
type Trx = Transaction<RegisterDatabase>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const ident = (name: string) => {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a column or table name.`);
  return sql.id(name);
};

/** A plan's sets must be well formed before anything is locked: names, ids, conditions. Throws naming the bad part. */
export function checkSetShape(sets: readonly RowSetCheck[]): void {
  for (const set of sets) {
    const where = `Plan error: the set "${set.label}"`;
    ident(set.table);
    if (!Array.isArray(set.ids) || set.ids.some((id) => !Number.isInteger(id) || id <= 0)) throw new Error(`${where} needs whole-number row ids.`);
    if (!Array.isArray(set.where) || set.where.length === 0) throw new Error(`${where} says no condition choosing its rows.`);
    for (const condition of set.where) {
      if (Object.keys(condition).length === 0) throw new Error(`${where} has an empty condition: it would match every row of ${set.table}.`);
      Object.keys(condition).forEach((c) => ident(c));
    }
    for (const lock of set.lock ?? []) {
      ident(lock.table);
      if (lock.ids.some((id) => !Number.isInteger(id) || id <= 0)) throw new Error(`${where} locks ${lock.table} with an id that is not a whole number.`);
    }
  }
}

/** Locks every set's parent rows (`FOR UPDATE`, one statement per table, ids in order). Returns the parents that are gone. */
export async function lockSetParents(trx: Trx, sets: readonly RowSetCheck[]): Promise<string[]> {
  const perTable = new Map<TableName, Set<number>>();
  for (const set of sets) for (const lock of set.lock ?? []) lock.ids.forEach((id) => (perTable.get(lock.table) ?? perTable.set(lock.table, new Set()).get(lock.table)!).add(id));
  const gone: string[] = [];
  for (const [table, ids] of perTable) {
    const wanted = [...ids].sort((a, b) => a - b);
    const { rows } = await sql<{ id: number }>`SELECT id FROM ${ident(table)} WHERE id = ANY(${wanted}::bigint[]) ORDER BY id FOR UPDATE`.execute(trx);
    const found = new Set(rows.map((r) => Number(r.id)));
    for (const id of wanted) if (!found.has(id)) gone.push(`${table} id ${id} no longer exists`);
  }
  return gone;
}

/** The whitespace `normalised` trims (spaces, tabs, line breaks), as the duplicates runbook compares e-mails. */
export const NORMALISED_TEXT_SQL = (column: RawBuilder<unknown>) => sql`NULLIF(lower(btrim(${column}, E' \\t\\n\\r\\f\\x0B')), '')`;

function conditionSql(column: string, match: SetMatch) {
  const c = ident(column);
  if (match === null) return sql`${c} IS NULL`;
  if (Array.isArray(match)) return sql`${c} = ANY(${match})`;
  if (typeof match === 'object') return sql`${NORMALISED_TEXT_SQL(c)} = ANY(${(match as { normalised: readonly string[] }).normalised}::text[])`;
  return sql`${c} = ${match}`;
}

/** The ids of the rows in the set now. */
export async function readSet(trx: Trx, set: RowSetCheck): Promise<number[]> {
  const alternatives = set.where.map((condition) => sql`(${sql.join(Object.entries(condition).map(([c, m]) => conditionSql(c, m as SetMatch)), sql` AND `)})`);
  const { rows } = await sql<{ id: number }>`SELECT id FROM ${ident(set.table)} WHERE ${sql.join(alternatives, sql` OR `)} ORDER BY id`.execute(trx);
  return rows.map((r) => Number(r.id));
}

export interface SetDifference {
  set: RowSetCheck;
  added: number[];
  gone: number[];
  /** True when the set is as it would be after this plan (the rows it deletes or discards are gone, nothing else moved). */
  inPlace: boolean;
  text: string;
}

/** Each set read again and compared with what the plan saw; only the sets that differ. */
export async function setDifferences(trx: Trx, sets: readonly RowSetCheck[], changes: readonly RowChange[]): Promise<SetDifference[]> {
  const out: SetDifference[] = [];
  for (const set of sets) {
    const now = await readSet(trx, set);
    const seen = new Set(set.ids);
    const found = new Set(now);
    const added = now.filter((id) => !seen.has(id));
    const gone = set.ids.filter((id) => !found.has(id));
    if (!added.length && !gone.length) continue;
    const removedByPlan = new Set(changes.filter((c) => c.table === set.table && (c.kind === 'delete' || c.kind === 'discard')).map((c) => (c as { id: number }).id));
    const inPlace = added.length === 0 && gone.every((id) => removedByPlan.has(id)) && set.ids.filter((id) => !removedByPlan.has(id)).every((id) => found.has(id));
    const parts = [added.length ? `${rowsText(set.table, added)} added` : '', gone.length ? `${rowsText(set.table, gone)} gone` : ''].filter(Boolean);
    out.push({ set, added, gone, inPlace, text: `${set.label}: ${parts.join(', ')} since the preview (it saw ${set.ids.length ? rowsText(set.table, set.ids) : `no ${set.table}`})` });
  }
  return out;
}

/** `placements ids 3, 4` (the first 20 of a long list, with the count). */
function rowsText(table: string, ids: readonly number[]): string {
  const list = ids.length > 20 ? `${ids.slice(0, 20).join(', ')} … (${ids.length} in all)` : ids.join(', ');
  return `${table} ${ids.length === 1 ? 'id' : 'ids'} ${list}`;
}

/** The preview's line for a set: what is checked again at commit. */
export function describeSetCheck(set: RowSetCheck): string {
  return `${set.label}: exactly ${set.ids.length ? rowsText(set.table, set.ids) : `no ${set.table}`}`;
}
