import { sql, type Kysely } from 'kysely';
import type { ColumnDescription } from './description.js';

/** What a live database holds in its `public` schema, read from PostgreSQL's catalogue in three queries. */
export interface LiveSchema {
  /** Table name → its columns, in column order. */
  tables: Map<string, ColumnDescription[]>;
  /** Enum type name → its values, in order. */
  enums: Map<string, string[]>;
  /** Index name → table and definition (`pg_get_indexdef`). */
  indexes: Map<string, { table: string; definition: string }>;
  /** Foreign keys as `table.column → table.column`. */
  foreignKeys: { table: string; column: string; references: string; referencedColumn: string; name: string }[];
  extensions: string[];
  /** Rails' schema version (the newest row of `schema_migrations`), or null when there is no such table. */
  migration: string | null;
}

/**
 * Reads the schema of a live database: tables and columns (type as `format_type` prints it, nullable, default),
 * enum types, indexes, foreign keys, extensions and the newest `schema_migrations` version.
 *
 * @example
 * const live = await readLiveSchema(db);
 * live.tables.has('trainee_withdrawals');
 */
export async function readLiveSchema(db: Kysely<any>, options: { details?: boolean } = {}): Promise<LiveSchema> {
  const columns = await sql<{ table_name: string; name: string; type: string; nullable: boolean; default: string | null }>`
    SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
           pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`.execute(db);
  const tables = new Map<string, ColumnDescription[]>();
  for (const c of columns.rows) {
    const list = tables.get(c.table_name) ?? tables.set(c.table_name, []).get(c.table_name)!;
    list.push({ name: c.name, type: c.type, nullable: c.nullable, ...(c.default !== null ? { default: c.default } : {}) });
  }
  const enums = new Map<string, string[]>();
  const enumRows = await sql<{ name: string; value: string }>`
    SELECT t.typname AS name, e.enumlabel AS value FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
    JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`.execute(db);
  for (const e of enumRows.rows) (enums.get(e.name) ?? enums.set(e.name, []).get(e.name)!).push(e.value);

  const indexes = new Map<string, { table: string; definition: string }>();
  const foreignKeys: LiveSchema['foreignKeys'] = [];
  let extensions: string[] = [];
  if (options.details !== false) {
    const indexRows = await sql<{ name: string; table_name: string; definition: string }>`
      SELECT indexname AS name, tablename AS table_name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public'`.execute(db);
    for (const i of indexRows.rows) indexes.set(i.name, { table: i.table_name, definition: i.definition });
    const fkRows = await sql<{ name: string; table_name: string; column_name: string; references: string; referenced_column: string }>`
      SELECT con.conname AS name, src.relname AS table_name, sa.attname AS column_name, dst.relname AS references, da.attname AS referenced_column
      FROM pg_constraint con
      JOIN pg_class src ON src.oid = con.conrelid JOIN pg_namespace n ON n.oid = src.relnamespace AND n.nspname = 'public'
      JOIN pg_class dst ON dst.oid = con.confrelid
      JOIN pg_attribute sa ON sa.attrelid = con.conrelid AND sa.attnum = con.conkey[1]
      JOIN pg_attribute da ON da.attrelid = con.confrelid AND da.attnum = con.confkey[1]
      WHERE con.contype = 'f'`.execute(db);
    for (const f of fkRows.rows) foreignKeys.push({ table: f.table_name, column: f.column_name, references: f.references, referencedColumn: f.referenced_column, name: f.name });
    extensions = (await sql<{ name: string }>`SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname`.execute(db)).rows.map((r) => r.name);
  }
  let migration: string | null = null;
  if (tables.has('schema_migrations')) {
    const row = await sql<{ version: string | null }>`SELECT max(version) AS version FROM schema_migrations`.execute(db);
    migration = row.rows[0]?.version ?? null;
  }
  return { tables, enums, indexes, foreignKeys, extensions, migration };
}
