import { sql } from 'kysely';
import type { RegisterDb } from '../../db/connect.js';
import type { TableName } from '../../db/schema.js';
import { registerFeatures } from '../../db/versions/detect.js';
import { builtFrom } from '../../db/own-schema.js';
import { rowsForVersion } from './version.js';
import { mergeSeeds, SEED_TIME, type SeedRows } from './builders.js';
import type { Scenario, ScenarioSet } from './scenario.js';
import { base } from './base.js';
import { dataFixes } from './data-fixes.js';
import { bulk } from './bulk.js';
import { dqt } from './dqt.js';
import { trs } from './trs.js';

export * from './builders.js';
export * from './scenario.js';
export { PROVIDERS } from './base.js';

/** Every scenario set. Ids: base 1–99, data fixes 101–199, DQT 201–299, bulk fixes 301–399, TRS 401–499. */
export const SCENARIO_SETS: ScenarioSet[] = [base, dataFixes, dqt, bulk, trs];

/** The scenario sets a Register talking to `api` is seeded with (all of them when not given). */
export function scenarioSets(api?: 'dqt' | 'trs'): ScenarioSet[] {
  return SCENARIO_SETS.filter((s) => !api || !s.api || s.api === api);
}

/** Tables in the order rows can be inserted (parents first); a version has some of them. */
export const TABLE_ORDER: TableName[] = [
  'providers',
  'users',
  'provider_users',
  'schools',
  'lead_partners',
  'training_partners',
  'lead_partner_users',
  'training_partner_users',
  'apply_applications',
  'apply_application_sync_requests',
  'trainees',
  'withdrawal_reasons',
  'trainee_withdrawals',
  'trainee_withdrawal_reasons',
  'placements',
  'degrees',
  'dqt_trn_requests',
  'trs_trn_requests',
  'dqt_teachers',
  'dqt_teacher_trainings',
  'audits',
];

/** New rows written after seeding get ids from here on, clear of every seed range. */
const FIRST_FREE_ID = 1000;

/**
 * Every named scenario: what `support sandbox scenarios --json` prints.
 *
 * @example
 * scenario('route-change').slug // the seeded trainee's slug
 */
export function listScenarios(api?: 'dqt' | 'trs'): Scenario[] {
  return scenarioSets(api).flatMap((s) => s.scenarios);
}

export function scenario(name: string): Scenario {
  const found = listScenarios().find((s) => s.name === name);
  if (!found) throw new Error(`No sandbox scenario "${name}". Known scenarios: ${listScenarios().map((s) => s.name).join(', ')}.`);
  return found;
}

export interface SeedResult {
  /** Rows written per table. */
  rows: Partial<Record<TableName, number>>;
  scenarios: number;
}

/**
 * Seeds the sandbox data (base records plus every scenario) in one transaction, stored as the database's Register
 * version keeps it (`rowsForVersion`). Every row has a fixed id, so seeding again puts each seeded row back to its
 * seeded values and adds nothing: running it twice gives the same data. `reset: true` empties Register's tables
 * first.
 *
 * Only for databases the toolkit built (`support db migrate`): refuses, writing nothing, any other database, and
 * one where a seeded id is already taken by a different trainee.
 *
 * @example
 * await migrate(db); await seed(db);
 */
export async function seed(db: RegisterDb, options: { reset?: boolean } = {}): Promise<SeedResult> {
  if (!(await builtFrom(db))) {
    throw new Error('This database was not built by the toolkit (support db migrate): it may be Register itself. The seed writes nothing. Seed the sandbox or an empty database built with `support db migrate`.');
  }
  const features = await registerFeatures(db);
  const sets = scenarioSets(features.api);
  const all = rowsForVersion(mergeSeeds(...sets.map((s) => s.rows)), features);
  checkIds(all);
  const unknown = Object.keys(all).filter((t) => !features.columns.has(t));
  if (unknown.length) throw new Error(`Seed data error: rows for ${unknown.join(', ')}, which Register ${features.version} does not have.`);
  const counts: Partial<Record<TableName, number>> = {};
  const tables = TABLE_ORDER.filter((t) => features.columns.has(t));
  await db.transaction().execute(async (trx) => {
    if (options.reset) {
      await sql.raw(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`).execute(trx);
    } else {
      const slugs = new Map((all.trainees ?? []).map((t) => [t.id, t.slug]));
      const clashes = await trx
        .selectFrom('trainees')
        .select(['id', 'slug'])
        .where('id', 'in', [...slugs.keys()])
        .execute();
      const foreign = clashes.filter((row) => slugs.get(row.id) !== row.slug);
      if (foreign.length) {
        throw new Error(
          `This database already has ${foreign.length} trainee(s) with ids the seed uses (e.g. id ${foreign[0]!.id}, slug ${foreign[0]!.slug}). ` +
            'It looks like real data: the seed writes nothing. Seed an empty database or the sandbox.',
        );
      }
    }
    for (const table of tables) {
      const rows = (all as Record<string, Record<string, unknown>[]>)[table];
      if (!rows?.length) continue;
      // Every column of the table, so that reseeding also resets columns a seed row leaves out.
      const info = await sql<{ column_name: string; has_default: boolean }>`
        SELECT column_name, column_default IS NOT NULL AS has_default
        FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`.execute(trx);
      const columns = info.rows.map((c) => c.column_name);
      const hasDefault = new Set(info.rows.filter((c) => c.has_default).map((c) => c.column_name));
      const normalised = rows.map((r) =>
        Object.fromEntries(
          columns.map((c) => [c, r[c] !== undefined ? r[c] : c === 'created_at' || c === 'updated_at' ? SEED_TIME : hasDefault.has(c) ? sql`DEFAULT` : null]),
        ),
      );
      for (let i = 0; i < normalised.length; i += 500) {
        await trx
          .insertInto(table)
          .values(normalised.slice(i, i + 500) as never)
          .onConflict((oc) => oc.column('id').doUpdateSet(Object.fromEntries(columns.filter((c) => c !== 'id').map((c) => [c, sql.ref(`excluded.${c}`)])) as never))
          .execute();
      }
      counts[table] = rows.length;
      await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), GREATEST((SELECT coalesce(max(id), 0) FROM ${sql.table(table)}), ${FIRST_FREE_ID}))`.execute(trx);
    }
  });
  return { rows: counts, scenarios: sets.flatMap((s) => s.scenarios).length };
}

function checkIds(rows: SeedRows): void {
  for (const [table, list] of Object.entries(rows) as [string, { id: number }[]][]) {
    const seen = new Set<number>();
    for (const row of list) {
      if (seen.has(row.id)) throw new Error(`Seed data error: ${table} id ${row.id} is used twice.`);
      seen.add(row.id);
    }
  }
}
