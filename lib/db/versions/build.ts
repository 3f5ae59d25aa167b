import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ColumnDescription, ForeignKeyDescription, IndexDescription, RegisterSchemaDescription, TableDescription } from './description.js';

/** A PostgreSQL identifier, quoted. Names come from the description, which the project wrote itself. */
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Rails' name for a foreign key: `fk_rails_` and the first 10 hex digits of SHA-256 of `<table>_<column>_fk`, so a
 * database built here names its constraints as Register's does.
 */
export function railsForeignKeyName(fk: Pick<ForeignKeyDescription, 'table' | 'column'>): string {
  return `fk_rails_${createHash('sha256').update(`${fk.table}_${fk.column}_fk`).digest('hex').slice(0, 10)}`;
}

function columnSql(table: TableDescription, column: ColumnDescription): string {
  const isSerialKey = table.primaryKey?.column === column.name && column.default?.startsWith('nextval(');
  if (isSerialKey) return `${q(column.name)} bigserial PRIMARY KEY`;
  const key = table.primaryKey?.column === column.name ? ' PRIMARY KEY' : '';
  const type = column.type.replace(/^([a-z_]+)(\[\])?$/, (all, base: string, array: string | undefined) => (KNOWN_TYPES.has(base) ? all : `${q(base)}${array ?? ''}`));
  return `${q(column.name)} ${type}${key}${column.nullable || key ? '' : ' NOT NULL'}${column.default !== undefined ? ` DEFAULT ${column.default}` : ''}`;
}

const KNOWN_TYPES = new Set(['bigint', 'integer', 'text', 'boolean', 'date', 'json', 'jsonb', 'uuid', 'citext', 'tsvector', 'bytea', 'numeric']);

function indexSql(table: string, index: IndexDescription): string {
  const target = index.columns ? index.columns.map(q).join(', ') : index.expression!;
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} ON ${q(table)}${index.using ? ` USING ${index.using}` : ''} (${target})${index.where ? ` WHERE ${index.where}` : ''}`;
}

/**
 * The SQL statements that create Register's database as the description gives it: extensions, enum types, the 72
 * tables with their columns, defaults, nulls and primary keys, indexes, exclusion constraints, foreign keys (named
 * as Rails names them), then Rails' own `schema_migrations` (holding the schema version) and `ar_internal_metadata`.
 *
 * @example
 * const statements = registerSchemaSql(registerVersion('2024-08'));
 */
export function registerSchemaSql(description: RegisterSchemaDescription, options: { environment?: string } = {}): string[] {
  const statements: string[] = [];
  for (const extension of description.extensions) statements.push(`CREATE EXTENSION IF NOT EXISTS ${q(extension)}`);
  for (const e of description.enums) statements.push(`CREATE TYPE ${q(e.name)} AS ENUM (${e.values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
  for (const table of description.tables) {
    statements.push(`CREATE TABLE ${q(table.name)} (\n  ${table.columns.map((c) => columnSql(table, c)).join(',\n  ')}\n)`);
  }
  for (const table of description.tables) {
    for (const index of table.indexes) statements.push(indexSql(table.name, index));
    for (const c of table.exclusionConstraints) statements.push(`ALTER TABLE ${q(table.name)} ADD CONSTRAINT ${q(c.name)} EXCLUDE USING ${c.using} (${c.expression})`);
  }
  for (const fk of description.foreignKeys) {
    statements.push(
      `ALTER TABLE ${q(fk.table)} ADD CONSTRAINT ${q(railsForeignKeyName(fk))} FOREIGN KEY (${q(fk.column)}) REFERENCES ${q(fk.references)} (${q(fk.referencedColumn)})${fk.onDelete ? ` ON DELETE ${fk.onDelete.toUpperCase().replace('_', ' ')}` : ''}`,
    );
  }
  statements.push('CREATE TABLE "schema_migrations" ("version" character varying PRIMARY KEY)');
  statements.push(`INSERT INTO "schema_migrations" ("version") VALUES ('${description.migration}')`);
  statements.push(
    'CREATE TABLE "ar_internal_metadata" ("key" character varying PRIMARY KEY, "value" character varying, "created_at" timestamp(6) without time zone NOT NULL, "updated_at" timestamp(6) without time zone NOT NULL)',
  );
  statements.push(
    `INSERT INTO "ar_internal_metadata" ("key", "value", "created_at", "updated_at") VALUES ('environment', '${(options.environment ?? 'development').replace(/'/g, "''")}', now(), now()), ('schema_sha1', '${createHash('sha1').update(JSON.stringify(description.tables)).digest('hex')}', now(), now())`,
  );
  return statements;
}

/**
 * Builds Register's database, as it is at one version, in an empty database (the sandbox, a test or a benchmark
 * database): one transaction, so a failure leaves nothing behind. Refuses a database that already has a `trainees`
 * table or `schema_migrations`, naming it: this is never for Register's own database.
 *
 * @example
 * await buildRegisterSchema(db, registerVersion('2026-08'));
 */
export async function buildRegisterSchema(db: Kysely<any>, description: RegisterSchemaDescription, options: { environment?: string } = {}): Promise<void> {
  const existing = await sql<{ trainees: string | null; migrations: string | null }>`
    SELECT to_regclass('public.trainees')::text AS trainees, to_regclass('public.schema_migrations')::text AS migrations`.execute(db);
  const found = existing.rows[0];
  if (found?.trainees || found?.migrations) {
    throw new Error(
      `This database already has ${found.trainees ? 'a trainees table' : 'a schema_migrations table'}: it is not empty, and may be Register itself. Nothing was changed. Register's schema is only built in an empty database (the sandbox, a test or benchmark database).`,
    );
  }
  await db.transaction().execute(async (trx) => {
    for (const statement of registerSchemaSql(description, options)) await sql.raw(statement).execute(trx);
  });
}
