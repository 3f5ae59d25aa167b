import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegisterSchema, migrate, registerFeatures, registerVersion, REGISTER_VERSION_NAMES } from '../../../lib/db/index.js';
import { listScenarios, seed, TABLE_ORDER } from '../../../lib/sandbox/seed/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

/** A fingerprint of every seeded table's whole content. */
async function fingerprint(t: TestDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const { columns } = await registerFeatures(t.db);
  for (const table of TABLE_ORDER.filter((x) => columns.has(x))) {
    const r = await sql<{ n: number; md5: string | null }>`SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY id)) AS md5 FROM ${sql.table(table)} t`.execute(t.db);
    out[table] = `${r.rows[0]!.n}:${r.rows[0]!.md5}`;
  }
  return out;
}

describe.each(REGISTER_VERSION_NAMES)('migrate and seed Register %s on the real PostgreSQL', (version) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ version });
  });
  afterAll(() => t.drop());

  it('seeds trainees in every state and on every route, and every scenario', async () => {
    await seed(t.db);
    const states = await t.db.selectFrom('trainees').select('state').distinct().orderBy('state').execute();
    expect(states.map((s) => s.state)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const routes = await t.db.selectFrom('trainees').select('training_route').distinct().orderBy('training_route').execute();
    // teacher_degree_apprenticeship (14) came after the DQT era.
    expect(routes.map((r) => r.training_route)).toEqual(version === '2024-08' ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);
    // A Register is seeded with its own era's scenarios (DQT or TRS) and the ones common to both.
    const { api } = await registerFeatures(t.db);
    for (const s of listScenarios(api).filter((s) => s.slug)) {
      const found = await t.db.selectFrom('trainees').select('id').where('slug', '=', s.slug!).executeTakeFirst();
      expect(found, `scenario ${s.name}`).toBeDefined();
    }
  });

  it('changes nothing when run again, and puts changed rows back', async () => {
    const before = await fingerprint(t);
    expect(await migrate(t.db)).toEqual({ version, built: false });
    await seed(t.db);
    expect(await fingerprint(t)).toEqual(before);
    await t.db.updateTable('trainees').set({ state: 6, trn: '9999999' }).where('id', '=', 101).execute();
    await t.db.deleteFrom('placements').where('trainee_id', '=', 101).execute();
    await seed(t.db);
    expect(await fingerprint(t)).toEqual(before);
  });

  it('gives new rows ids clear of the seed ranges', async () => {
    const row = await t.db
      .insertInto('schools')
      .values({ urn: '999999', name: 'New School', created_at: new Date(), updated_at: new Date(), ...(version === '2024-08' ? { lead_school: false } : {}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(row.id).toBeGreaterThanOrEqual(1000);
  });

  it('refuses a database whose trainees are real data, writing nothing', async () => {
    const other = await createTestDatabase({ version });
    try {
      await other.db.insertInto('providers').values({ id: 1, name: 'Real provider', created_at: new Date(), updated_at: new Date() }).execute();
      await other.db.insertInto('trainees').values({ id: 1, slug: 'RealTraineeSlug123456789', provider_id: 1, created_at: new Date(), updated_at: new Date() }).execute();
      await expect(seed(other.db)).rejects.toThrow(/already has 1 trainee\(s\) with ids the seed uses \(e\.g\. id 1, slug RealTraineeSlug123456789\)/);
      const count = await other.db.selectFrom('trainees').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
      expect(await other.db.selectFrom('schools').selectAll().execute()).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it('refuses to seed a database the toolkit did not build (Register itself), writing nothing', async () => {
    const other = await createTestDatabase({ migrate: false });
    try {
      await buildRegisterSchema(other.db, registerVersion(version));
      await expect(seed(other.db)).rejects.toThrow(/^This database was not built by the toolkit \(support db migrate\): it may be Register itself\. The seed writes nothing\./);
      expect(await other.db.selectFrom('trainees').selectAll().execute()).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it('refuses to build another version over a built database', async () => {
    const other = version === '2024-08' ? '2026-08' : '2024-08';
    await expect(migrate(t.db, { version: other })).rejects.toThrow(`This database was built as Register ${version}; ${other} was asked for. Nothing was changed.`);
  });

  it('refuses to migrate a database that already holds Register tables', async () => {
    const other = await createTestDatabase({ migrate: false });
    try {
      await sql`CREATE TABLE trainees (id bigserial primary key)`.execute(other.db);
      await expect(migrate(other.db)).rejects.toThrow(/looks like Register itself\. Nothing was changed/);
      const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`.execute(other.db);
      expect(tables.rows[0]!.n).toBe(1);
    } finally {
      await other.drop();
    }
  });
});
