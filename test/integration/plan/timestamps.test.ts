import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { commitPlan, planBuilder, previewPlan, revertCommittedPlan, revertPlan, PlanRefusedError, type Plan } from '../../../lib/plan/index.js';
import { incorrectlyAwarded } from '../../../lib/trainees/index.js';
import { createTestDatabase, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';

/**
 * PostgreSQL keeps microseconds. A Plan reads, compares, hashes, shows, writes and reverts timestamps to the
 * microsecond; audits keep Rails' three digits.
 */
const config = { operator: 'Tess Timestamp', writesAllowed: true, database: TEST_SANDBOX };
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
});
afterAll(() => t?.drop());

/** A column as PostgreSQL itself prints it (no driver in between). */
async function asText(table: string, column: string, id: number): Promise<string | null> {
  const { rows } = await sql<{ v: string | null }>`SELECT ${sql.ref(column)}::text AS v FROM ${sql.table(table)} WHERE id = ${id}`.execute(t.db);
  return rows[0]?.v ?? null;
}

/** Sets trainee 104 (awarded in error) back to its award, with microseconds. */
async function awardWithMicroseconds(): Promise<void> {
  await sql`UPDATE trainees SET state = 6, outcome_date = '2025-06-18', recommended_for_award_at = '2025-06-20 10:00:00.123456', awarded_at = '2025-06-25 10:00:00.654321' WHERE id = 104`.execute(t.db);
}

const slug104 = async () => (await t.db.selectFrom('trainees').select('slug').where('id', '=', 104).executeTakeFirstOrThrow()).slug;

describe('timestamps to the microsecond', () => {
  it('are read, previewed and written back exactly; audits keep three digits, as Rails writes them', async () => {
    await awardWithMicroseconds();
    const trainee = await t.db.selectFrom('trainees').selectAll().where('id', '=', 104).executeTakeFirstOrThrow();
    expect(trainee.awarded_at).toBe('2025-06-25T10:00:00.654321Z');

    const { plan } = await incorrectlyAwarded(t.db, { slug: await slug104() });
    const lines = previewPlan(plan).lines.map((l) => [l.field, l.before, l.after]);
    expect(lines).toContainEqual(['awarded_at', '2025-06-25T10:00:00.654321Z', 'null']);
    expect(lines).toContainEqual(['recommended_for_award_at', '2025-06-20T10:00:00.123456Z', 'null']);

    const receipt = await commitPlan(t.db, plan, { auditComment: 'awarded in error', config });
    expect(await asText('trainees', 'awarded_at', 104)).toBeNull();
    const audit = await t.db.selectFrom('audits').selectAll().where('request_uuid', '=', plan.id).executeTakeFirstOrThrow();
    expect(audit.audited_changes).toMatchObject({ awarded_at: ['2025-06-25T10:00:00.654Z', null], recommended_for_award_at: ['2025-06-20T10:00:00.123Z', null] });

    // The revert restores every digit.
    await commitPlan(t.db, revertPlan(receipt), { auditComment: 'revert', config });
    expect(await asText('trainees', 'awarded_at', 104)).toBe('2025-06-25 10:00:00.654321');
    expect(await asText('trainees', 'recommended_for_award_at', 104)).toBe('2025-06-20 10:00:00.123456');
  });

  it('revertCommittedPlan (from the database, without the receipt) restores every digit too', async () => {
    await awardWithMicroseconds();
    const { plan } = await incorrectlyAwarded(t.db, { slug: await slug104() });
    await commitPlan(t.db, plan, { auditComment: 'awarded in error', config });
    const undo = await revertCommittedPlan(t.db, plan.id);
    await commitPlan(t.db, undo, { auditComment: 'revert from the database', config });
    expect(await asText('trainees', 'awarded_at', 104)).toBe('2025-06-25 10:00:00.654321');
    expect(await asText('trainees', 'recommended_for_award_at', 104)).toBe('2025-06-20 10:00:00.123456');
  });

  it('without a change log entry (a plan committed before the change log), revertCommittedPlan falls back to the audits: not refused as drift, timestamps back to the millisecond', async () => {
    await awardWithMicroseconds();
    const trainee = await t.db.selectFrom('trainees').select(['awarded_at']).where('id', '=', 104).executeTakeFirstOrThrow();
    const plan = planBuilder('Award date').update('trainees', 104, { awarded_at: trainee.awarded_at }, { awarded_at: '2025-07-01T09:00:00.123456Z' }).build();
    await commitPlan(t.db, plan, { auditComment: 'award date', config });
    await sql`DELETE FROM register_support.change_log WHERE plan_id = ${plan.id}::uuid`.execute(t.db);
    const undo = await revertCommittedPlan(t.db, plan.id);
    expect(undo.changes[0]).toMatchObject({ expected: { awarded_at: '2025-07-01T09:00:00.123456Z' }, values: { awarded_at: '2025-06-25T10:00:00.654Z' } });
    await commitPlan(t.db, undo, { auditComment: 'revert from the audits', config });
    expect(await asText('trainees', 'awarded_at', 104)).toBe('2025-06-25 10:00:00.654');
  });

  it('a timestamp changed within the same millisecond after the preview is drift: refused, naming both values, nothing written', async () => {
    await awardWithMicroseconds();
    const { plan } = await incorrectlyAwarded(t.db, { slug: await slug104() });
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query("UPDATE trainees SET awarded_at = '2025-06-25 10:00:00.654999' WHERE id = 104");
    } finally {
      await other.end();
    }
    const error = await commitPlan(t.db, plan, { auditComment: 'x', config }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanRefusedError);
    expect((error as PlanRefusedError).reason).toBe('drift');
    expect((error as PlanRefusedError).details[0]).toContain('awarded_at expected 2025-06-25T10:00:00.654321Z, found 2025-06-25T10:00:00.654999Z');
    expect(await asText('trainees', 'state', 104)).toBe('6');
    expect(await t.db.selectFrom('audits').select('id').where('request_uuid', '=', plan.id).execute()).toEqual([]);
  });

  it('a plan saved as JSON and loaded again keeps its hash, compares exactly and reverts exactly', async () => {
    await awardWithMicroseconds();
    const { plan } = await incorrectlyAwarded(t.db, { slug: await slug104() });
    const loaded = JSON.parse(JSON.stringify(plan)) as Plan;
    expect(previewPlan(loaded).hash).toBe(previewPlan(plan).hash);
    const receipt = await commitPlan(t.db, loaded, { auditComment: 'from a saved plan', config });
    expect(receipt.rowsChanged).toBe(1);
    await commitPlan(t.db, JSON.parse(JSON.stringify(revertPlan(receipt))) as Plan, { auditComment: 'and back', config });
    expect(await asText('trainees', 'awarded_at', 104)).toBe('2025-06-25 10:00:00.654321');
  });

  it('a deleted row comes back with its created_at and updated_at to the microsecond', async () => {
    await sql`UPDATE placements SET created_at = '2024-09-20 08:15:30.000123', updated_at = '2024-10-01 12:00:00.999999' WHERE id = 102`.execute(t.db);
    const placement = await t.db.selectFrom('placements').selectAll().where('id', '=', 102).executeTakeFirstOrThrow();
    expect(placement.created_at).toBe('2024-09-20T08:15:30.000123Z');
    const receipt = await commitPlan(t.db, planBuilder('Delete a placement').delete('placements', 102, placement).build(), { auditComment: 'x', config });
    await commitPlan(t.db, revertPlan(receipt), { auditComment: 'put it back', config });
    expect(await asText('placements', 'created_at', 102)).toBe('2024-09-20 08:15:30.000123');
    expect(await asText('placements', 'updated_at', 102)).toBe('2024-10-01 12:00:00.999999');
  });
});
