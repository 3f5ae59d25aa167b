import register202408 from './register-2024-08.json';
import register202608 from './register-2026-08.json';

/**
 * The toolkit's own description of Register's database at one version: every table, column (PostgreSQL type as
 * `format_type` prints it, nullable, default as PostgreSQL keeps it), index, exclusion constraint, foreign key, enum
 * and extension, read from Register's `db/schema.rb` at the named commit (`scripts/describe-register-schema.mjs`).
 * The sandbox, the tests and the benchmarks build real databases from it (`buildRegisterSchema`), and the Kysely
 * types in `schema.ts` are checked against it.
 *
 * @example
 * const v = registerVersion('2026-08');
 * v.tables.find((t) => t.name === 'trs_trn_requests')?.columns.map((c) => c.name);
 */
export interface RegisterSchemaDescription {
  /** Short name used on the command line, e.g. `2024-08`. */
  version: RegisterVersionName;
  /** What it is to a support developer, e.g. "DQT era". */
  label: string;
  /** Register's commit the description was read from. */
  commit: string;
  committedOn: string | null;
  /** The schema version Rails records (the newest migration), e.g. `20240719095753`. */
  migration: string;
  extensions: string[];
  enums: { name: string; values: string[] }[];
  tables: TableDescription[];
  foreignKeys: ForeignKeyDescription[];
}

export interface TableDescription {
  name: string;
  primaryKey: { column: string; type: string } | null;
  columns: ColumnDescription[];
  indexes: IndexDescription[];
  exclusionConstraints: { name: string; using: string; expression: string }[];
}

export interface ColumnDescription {
  name: string;
  /** As PostgreSQL's `format_type` prints it: `character varying`, `timestamp(6) without time zone`, `trigger_type`… */
  type: string;
  nullable: boolean;
  /** The default as PostgreSQL keeps it (`column_default`), e.g. `false`, `'{}'::jsonb`, `CURRENT_TIMESTAMP`. */
  default?: string;
}

export interface IndexDescription {
  name: string;
  /** Indexed columns, or `expression` for an expression index. */
  columns?: string[];
  expression?: string;
  unique?: boolean;
  using?: string;
  where?: string;
}

export interface ForeignKeyDescription {
  table: string;
  column: string;
  references: string;
  referencedColumn: string;
  onDelete?: string;
}

/** The Register versions the toolkit supports, oldest first. */
export const REGISTER_VERSION_NAMES = ['2024-08', '2026-08'] as const;
export type RegisterVersionName = (typeof REGISTER_VERSION_NAMES)[number];
/**
 * The version the sandbox and `support db migrate` build unless told otherwise (`SUPPORT_SANDBOX_SCHEMA`, `--schema`):
 * today's Register, talking to TRS. The playbook's DQT era is `2024-08`.
 */
export const DEFAULT_REGISTER_VERSION: RegisterVersionName = '2026-08';

const VERSIONS: Record<RegisterVersionName, RegisterSchemaDescription> = {
  '2024-08': register202408 as RegisterSchemaDescription,
  '2026-08': register202608 as RegisterSchemaDescription,
};

/** Every supported version's description, oldest first. */
export function registerVersions(): RegisterSchemaDescription[] {
  return REGISTER_VERSION_NAMES.map((name) => VERSIONS[name]);
}

/** One version's description; throws naming the supported versions for any other name. */
export function registerVersion(name: string): RegisterSchemaDescription {
  const found = (VERSIONS as Record<string, RegisterSchemaDescription>)[name.trim()];
  if (!found) throw new Error(`Unknown Register schema version "${name}". Supported: ${REGISTER_VERSION_NAMES.map((v) => `${v} (${VERSIONS[v].label})`).join(', ')}.`);
  return found;
}

/** A table of a description, or undefined. */
export function describedTable(description: RegisterSchemaDescription, table: string): TableDescription | undefined {
  return description.tables.find((t) => t.name === table);
}
