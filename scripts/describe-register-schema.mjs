#!/usr/bin/env node
// Reads a Rails `db/schema.rb` of Register and prints the toolkit's own description of that schema (JSON): tables,
// columns with their PostgreSQL types, nulls and defaults, indexes, foreign keys, enums and extensions, in the
// format `lib/db/versions/description.ts` defines. Used once per Register version we support:
//
//   git -C <register checkout> show <commit>:db/schema.rb > /tmp/schema.rb
//   node scripts/describe-register-schema.mjs /tmp/schema.rb --version 2026-08 --label "TRS era" \
//     --commit <full sha> --date 2026-08-22 > lib/db/versions/register-2026-08.json
//
// It understands the subset of schema.rb that Register's schema uses and stops, naming the line, on anything else,
// so a new Register version cannot be described wrongly without anyone noticing.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args[0];
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!file || !flag('version') || !flag('commit')) {
  console.error('usage: describe-register-schema.mjs <schema.rb> --version YYYY-MM --label TEXT --commit SHA --date YYYY-MM-DD');
  process.exit(2);
}

const lines = readFileSync(file, 'utf8').split('\n');
const fail = (n, why) => {
  console.error(`line ${n + 1}: ${why}\n  ${lines[n]}`);
  process.exit(1);
};

/** Rails column type → what PostgreSQL's format_type() prints for it. */
function pgType(railsType, options, n) {
  switch (railsType) {
    case 'string': return 'character varying';
    case 'text': return 'text';
    case 'integer': return 'integer';
    case 'bigint': return 'bigint';
    case 'boolean': return 'boolean';
    case 'date': return 'date';
    case 'datetime': return options.precision === 'nil' ? 'timestamp without time zone' : `timestamp(${options.precision ?? 6}) without time zone`;
    case 'json': return 'json';
    case 'jsonb': return 'jsonb';
    case 'uuid': return 'uuid';
    case 'citext': return 'citext';
    case 'tsvector': return 'tsvector';
    case 'float': return 'double precision';
    case 'decimal': return options.precision ? `numeric(${options.precision},${options.scale ?? 0})` : 'numeric';
    case 'binary': return 'bytea';
    case 'enum': return unquote(options.enum_type ?? fail(n, 'enum column without enum_type'));
    default: return fail(n, `unknown column type ${railsType}`);
  }
}

const unquote = (s) => (s.startsWith('"') ? JSON.parse(s) : s);

/** Splits `a: 1, b: "x, y", c: -> { "now()" }` into { a: '1', b: '"x, y"', c: '-> { "now()" }' }. */
function parseOptions(text) {
  const out = {};
  let i = 0;
  while (i < text.length) {
    const m = /^\s*,?\s*([a-z_]+):\s*/.exec(text.slice(i));
    if (!m) break;
    i += m[0].length;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const ch = text[j];
      if (inString) {
        if (ch === '\\') j++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[' || ch === '(') depth++;
      else if (ch === '}' || ch === ']' || ch === ')') depth--;
      else if (ch === ',' && depth === 0) break;
    }
    out[m[1]] = text.slice(i, j).trim();
    i = j;
  }
  return out;
}

/** A Rails default as the SQL expression PostgreSQL keeps (column_default), given the column's type. */
function sqlDefault(value, type, n) {
  if (value === undefined) return undefined;
  const lambda = /^->\s*\{\s*"(.*)"\s*\}$/.exec(value);
  if (lambda) return lambda[1];
  if (value === 'true' || value === 'false') return value;
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  if (value === '{}') return type === 'json' ? "'{}'::json" : "'{}'::jsonb";
  if (value === '[]') return type === 'json' ? "'[]'::json" : "'[]'::jsonb";
  if (value.startsWith('"')) return `'${JSON.parse(value).replace(/'/g, "''")}'::${type}`;
  return fail(n, `unknown default ${value}`);
}

const list = (text) => JSON.parse(text.replace(/'/g, '"'));

const description = {
  version: flag('version'),
  label: flag('label') ?? flag('version'),
  commit: flag('commit'),
  committedOn: flag('date') ?? null,
  migration: null,
  extensions: [],
  enums: [],
  tables: [],
  foreignKeys: [],
};

let table = null;
for (let n = 0; n < lines.length; n++) {
  const line = lines[n].trim();
  if (!line || line.startsWith('#')) continue;
  let m;
  if ((m = /^ActiveRecord::Schema\[[\d.]+\]\.define\(version: ([\d_]+)\) do$/.exec(line))) {
    description.migration = m[1].replace(/_/g, '');
  } else if ((m = /^enable_extension "(?:pg_catalog\.)?([a-z_]+)"$/.exec(line))) {
    if (m[1] !== 'plpgsql') description.extensions.push(m[1]);
  } else if ((m = /^create_enum "([a-z_]+)", (\[.*\])$/.exec(line))) {
    description.enums.push({ name: m[1], values: list(m[2]) });
  } else if ((m = /^create_table "([a-z_]+)"(.*) do \|t\|$/.exec(line))) {
    const options = parseOptions(m[2]);
    const primaryKey = options.id === 'false' ? null : { column: options.primary_key ? unquote(options.primary_key) : 'id', type: options.id === ':string' ? 'character varying' : 'bigint' };
    table = { name: m[1], primaryKey, columns: [], indexes: [], exclusionConstraints: [] };
    if (primaryKey) table.columns.push({ name: primaryKey.column, type: primaryKey.type, nullable: false, ...(primaryKey.type === 'bigint' ? { default: `nextval('${m[1]}_id_seq'::regclass)` } : {}) });
    description.tables.push(table);
  } else if (line === 'end') {
    table = null;
  } else if (table && (m = /^t\.index (\[[^\]]*\]|"(?:[^"\\]|\\.)*"), (.*)$/.exec(line))) {
    const options = parseOptions(m[2]);
    const index = { name: unquote(options.name), ...(m[1].startsWith('[') ? { columns: list(m[1]) } : { expression: JSON.parse(m[1]) }) };
    if (options.unique === 'true') index.unique = true;
    if (options.using) index.using = options.using.replace(/^:/, '');
    if (options.where) index.where = JSON.parse(options.where);
    for (const key of Object.keys(options)) if (!['name', 'unique', 'using', 'where'].includes(key)) fail(n, `unknown index option ${key}`);
    table.indexes.push(index);
  } else if (table && (m = /^t\.exclusion_constraint "((?:[^"\\]|\\.)*)", (.*)$/.exec(line))) {
    const options = parseOptions(m[2]);
    table.exclusionConstraints.push({ name: unquote(options.name), using: options.using.replace(/^:/, ''), expression: JSON.parse(`"${m[1]}"`) });
  } else if (table && (m = /^t\.([a-z_]+) "([a-z0-9_]+)"(.*)$/.exec(line))) {
    const options = parseOptions(m[3]);
    for (const key of Object.keys(options)) if (!['null', 'default', 'precision', 'scale', 'enum_type', 'array'].includes(key)) fail(n, `unknown column option ${key}`);
    const type = pgType(m[1], options, n);
    const column = { name: m[2], type: options.array === 'true' ? `${type}[]` : type, nullable: options.null !== 'false' };
    const def = sqlDefault(options.default, type, n);
    if (def !== undefined) column.default = def;
    table.columns.push(column);
  } else if ((m = /^add_foreign_key "([a-z_]+)", "([a-z_]+)"(.*)$/.exec(line))) {
    const options = parseOptions(m[3]);
    for (const key of Object.keys(options)) if (!['column', 'primary_key', 'on_delete'].includes(key)) fail(n, `unknown foreign key option ${key}`);
    const fk = { table: m[1], column: options.column ? unquote(options.column) : `${singular(m[2])}_id`, references: m[2], referencedColumn: options.primary_key ? unquote(options.primary_key) : 'id' };
    if (options.on_delete) fk.onDelete = options.on_delete.replace(/^:/, '');
    description.foreignKeys.push(fk);
  } else if (line === 'end' || line.startsWith('create_table') || line.startsWith('t.')) {
    fail(n, 'not understood');
  } else {
    fail(n, 'not understood');
  }
}

// Foreign keys must name real columns (the default column comes from a singular table name).
for (const fk of description.foreignKeys) {
  const from = description.tables.find((t) => t.name === fk.table);
  if (!from?.columns.some((c) => c.name === fk.column)) {
    console.error(`foreign key ${fk.table} → ${fk.references}: no column ${fk.column} in ${fk.table}`);
    process.exit(1);
  }
}

function singular(name) {
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('sses')) return name.slice(0, -2);
  if (name.endsWith('s')) return name.slice(0, -1);
  return name;
}

// One line per column, index and foreign key: readable, and diffs between versions stay small.
const out = [];
out.push('{');
for (const key of ['version', 'label', 'commit', 'committedOn', 'migration']) out.push(`  ${JSON.stringify(key)}: ${JSON.stringify(description[key])},`);
out.push(`  "extensions": ${JSON.stringify(description.extensions)},`);
out.push(`  "enums": [${description.enums.map((e) => `\n    ${JSON.stringify(e)}`).join(',')}${description.enums.length ? '\n  ' : ''}],`);
out.push('  "tables": [');
description.tables.forEach((t, ti) => {
  out.push('    {');
  out.push(`      "name": ${JSON.stringify(t.name)},`);
  out.push(`      "primaryKey": ${JSON.stringify(t.primaryKey)},`);
  out.push(`      "columns": [\n${t.columns.map((c) => `        ${JSON.stringify(c)}`).join(',\n')}\n      ],`);
  out.push(`      "indexes": [${t.indexes.map((i) => `\n        ${JSON.stringify(i)}`).join(',')}${t.indexes.length ? '\n      ' : ''}],`);
  out.push(`      "exclusionConstraints": ${JSON.stringify(t.exclusionConstraints)}`);
  out.push(`    }${ti < description.tables.length - 1 ? ',' : ''}`);
});
out.push('  ],');
out.push(`  "foreignKeys": [${description.foreignKeys.map((f) => `\n    ${JSON.stringify(f)}`).join(',')}\n  ]`);
out.push('}');
console.log(out.join('\n'));
