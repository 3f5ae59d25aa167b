import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { buildRegisterSchema, readLiveSchema, registerVersions, railsForeignKeyName, type LiveSchema } from '../../../lib/db/versions/index.js';

describe.each(registerVersions().map((v) => [v.version, v] as const))("Register's schema at %s, built on PostgreSQL", (_name, description) => {
  let t: TestDatabase;
  let live: LiveSchema;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
    await buildRegisterSchema(t.db, description);
    live = await readLiveSchema(t.db);
  });
  afterAll(() => t?.drop());

  it('has every table of the description, and Rails\' own two, and nothing else', () => {
    expect(description.tables).toHaveLength(72);
    expect([...live.tables.keys()].sort()).toEqual([...description.tables.map((x) => x.name), 'ar_internal_metadata', 'schema_migrations'].sort());
  });

  it('has every column with its type, null and default as described', () => {
    for (const table of description.tables) expect(live.tables.get(table.name), table.name).toEqual(table.columns);
  });

  it('has every index, exclusion constraint and foreign key (named as Rails names them), the enums and the extensions', () => {
    const indexNames = description.tables.flatMap((x) => [...x.indexes.map((i) => i.name), ...x.exclusionConstraints.map((c) => c.name)]);
    for (const name of indexNames) expect(live.indexes.has(name), name).toBe(true);
    expect(live.foreignKeys.map((f) => `${f.name} ${f.table}.${f.column} → ${f.references}.${f.referencedColumn}`).sort()).toEqual(
      description.foreignKeys.map((f) => `${railsForeignKeyName(f)} ${f.table}.${f.column} → ${f.references}.${f.referencedColumn}`).sort(),
    );
    expect(Object.fromEntries(live.enums)).toEqual(Object.fromEntries(description.enums.map((e) => [e.name, e.values])));
    expect(live.extensions).toEqual([...description.extensions].sort());
    expect(live.migration).toBe(description.migration);
  });

  it('refuses to build again on a database that is not empty, changing nothing', async () => {
    await expect(buildRegisterSchema(t.db, description)).rejects.toThrow(/not empty/);
  });
});
