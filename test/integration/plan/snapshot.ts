import { sql } from 'kysely';
import type { RegisterDb } from '../../../lib/db/connect.js';
import { TABLE_ORDER } from '../../../lib/sandbox/seed/index.js';
import { normalValue } from '../../../lib/plan/values.js';
import { registerFeatures } from '../../../lib/db/versions/detect.js';

export type Snapshot = Map<string, Map<number, Record<string, unknown>>>;

/** Every row of every Register table the toolkit knows that this database has, by table and id. */
export async function snapshot(db: RegisterDb): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const { columns } = await registerFeatures(db);
  for (const table of TABLE_ORDER.filter((t) => columns.has(t))) {
    const rows = await sql<Record<string, unknown> & { id: number }>`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(db);
    out.set(table, new Map(rows.rows.map((r) => [Number(r.id), r])));
  }
  return out;
}

export interface RowDiff {
  table: string;
  id: number;
  kind: 'insert' | 'update' | 'delete';
  /** For updates: changed columns with [before, after] (normal forms: timestamps as ISO text). */
  changes?: Record<string, [unknown, unknown]>;
  row?: Record<string, unknown>;
}

/** What changed between two snapshots, table by table (audits included). */
export function diff(before: Snapshot, after: Snapshot): RowDiff[] {
  const out: RowDiff[] = [];
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Map();
    for (const [id, row] of rows) {
      const prev = old.get(id);
      if (!prev) {
        out.push({ table, id, kind: 'insert', row });
        continue;
      }
      const changes: Record<string, [unknown, unknown]> = {};
      for (const column of Object.keys(row)) {
        if (normalValue(prev[column]) !== normalValue(row[column])) changes[column] = [normalValue(prev[column]), normalValue(row[column])];
      }
      if (Object.keys(changes).length) out.push({ table, id, kind: 'update', changes });
    }
    for (const [id, row] of old) if (!rows.has(id)) out.push({ table, id, kind: 'delete', row });
  }
  return out;
}
