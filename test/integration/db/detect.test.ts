import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegisterSchema, detectRegister, registerVersion, UnsupportedRegisterError } from '../../../lib/db/versions/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

/** Which Register a database is, told by its tables and columns; a database the toolkit cannot serve is refused, naming what is missing. */
const databases: TestDatabase[] = [];
async function database(build?: string): Promise<TestDatabase> {
  const t = await createTestDatabase({ migrate: false });
  databases.push(t);
  if (build) await buildRegisterSchema(t.db, registerVersion(build));
  return t;
}
afterAll(async () => {
  for (const t of databases) await t.drop();
});

describe('detectRegister', () => {
  it('knows the DQT era (2024-08) by its features', async () => {
    const t = await database('2024-08');
    const r = await detectRegister(t.db);
    expect(r).toMatchObject({
      version: '2024-08',
      exact: true,
      label: 'DQT era (2024-08), migration 20240719095753',
      migration: '20240719095753',
      api: 'dqt',
      withdrawals: 'trainee-columns',
      partners: { table: 'lead_partners', usersTable: 'lead_partner_users', column: 'lead_partner_id', schoolRecordType: 'lead_school', noun: 'lead partner' },
      trnRequests: { table: 'dqt_trn_requests', model: 'Dqt::TrnRequest' },
      slugSentColumn: 'slug_sent_to_dqt_at',
      schoolLeadFlag: true,
      dqtTeacherCache: true,
    });
    expect(r.routes).not.toContain('teacher_degree_apprenticeship');
  });

  it('knows today’s Register (2026-08, TRS era) by its features', async () => {
    const t = await database('2026-08');
    const r = await detectRegister(t.db);
    expect(r).toMatchObject({
      version: '2026-08',
      exact: true,
      label: 'TRS era (2026-08), migration 20260609164710',
      api: 'trs',
      withdrawals: 'withdrawal-records',
      partners: { table: 'training_partners', usersTable: 'training_partner_users', column: 'training_partner_id', schoolRecordType: 'school', noun: 'training partner', discardable: true },
      trnRequests: { table: 'trs_trn_requests', model: 'Trs::TrnRequest' },
      slugSentColumn: 'slug_sent_to_trs_at',
      schoolLeadFlag: false,
      dqtTeacherCache: false,
    });
    expect(r.routes).toContain('teacher_degree_apprenticeship');
    expect(r.trainingInitiatives).toContain('primary_mathematics_specialist');
  });

  it('serves a Register between the two by each feature, naming the nearest version (early 2025: withdrawal records, still lead partners and DQT)', async () => {
    const t = await database('2024-08');
    await sql`CREATE TYPE trigger_type AS ENUM ('provider', 'trainee')`.execute(t.db);
    await sql`CREATE TYPE future_interest_type AS ENUM ('yes', 'no', 'unknown')`.execute(t.db);
    await sql`CREATE TABLE trainee_withdrawals (id bigserial PRIMARY KEY, trainee_id bigint NOT NULL, date date, trigger trigger_type, future_interest future_interest_type, another_reason varchar, safeguarding_concern_reasons varchar, discarded_at timestamp(6), created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL)`.execute(t.db);
    await sql`ALTER TABLE trainee_withdrawal_reasons ADD COLUMN trainee_withdrawal_id bigint, ALTER COLUMN trainee_id DROP NOT NULL`.execute(t.db);
    await sql`INSERT INTO schema_migrations VALUES ('20241118160942')`.execute(t.db);
    const r = await detectRegister(t.db);
    expect(r).toMatchObject({ version: '2024-08', exact: false, withdrawals: 'withdrawal-records', partners: { table: 'lead_partners' }, api: 'dqt', migration: '20241118160942' });
    expect(r.label).toBe('DQT era (between 2024-08 and 2026-08, nearest 2024-08), migration 20241118160942');
  });

  it('refuses a database that is not Register, naming what it lacks', async () => {
    const t = await database();
    await sql`CREATE TABLE customers (id bigserial PRIMARY KEY)`.execute(t.db);
    const error = await detectRegister(t.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedRegisterError);
    expect((error as Error).message).toMatch(/^This database is not Register trainee teachers: it has no trainees, providers, audits, schema_migrations tables\. Check DATABASE_URL\./);
  });

  it('refuses a Register with a table or column the toolkit uses missing, naming each, before anything is read', async () => {
    const t = await database('2026-08');
    await sql`DROP TABLE trainee_withdrawal_reasons`.execute(t.db);
    await sql`ALTER TABLE trainees DROP COLUMN training_partner_not_applicable`.execute(t.db);
    const error = (await detectRegister(t.db).catch((e: unknown) => e)) as UnsupportedRegisterError;
    expect(error).toBeInstanceOf(UnsupportedRegisterError);
    expect(error.problems).toEqual([
      'no table trainee_withdrawal_reasons (every Register version has it)',
      "table trainees has no column training_partner_not_applicable (the trainee's training partner)",
    ]);
    expect(error.message).toContain('Nothing was read or written. Supported Register versions: 2024-08 (DQT era, migration 20240719095753), 2026-08 (TRS era, migration 20260609164710).');
  });
});
