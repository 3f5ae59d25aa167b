import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { commitRemoveDuplicates, planRemoveDuplicates } from '../../../lib/dedupe/remove-duplicates.js';
import { PlanRefusedError } from '../../../lib/plan/errors.js';
import { commitPlan } from '../../../lib/plan/commit.js';
import { revertPlan } from '../../../lib/plan/revert.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let t: TestDatabase | undefined;
const config = { operator: 'Test Operator', writesAllowed: true, database: TEST_SANDBOX };

beforeEach(async () => {
  await t?.drop();
  t = await createTestDatabase();
  await seed(t.db);
});
afterAll(() => t?.drop());

const kept = async (ids: number[]) =>
  (await t!.db.selectFrom('trainees').select(['id', 'discarded_at']).where('id', 'in', ids).orderBy('id').execute()).map((r) => [r.id, r.discarded_at === null]);

describe('remove duplicates on the seeded duplicates-by-email scenario', () => {
  it('the default sample CSV of the runbook is found and plans 302 and 303', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    expect(fix.csv.source).toMatch(/notebooks\/data-fixes\/duplicates-example\.csv$/);
    expect(fix.plan.changes.map((c) => [c.kind, c.table, (c as { id: number }).id])).toEqual([
      ['discard', 'trainees', 302],
      ['discard', 'trainees', 303],
    ]);
  });

  it("the scenario's parameters plan the same thing", async () => {
    const s = scenario('duplicates-by-email');
    expect(s.slug).toBeNull();
    const fix = await planRemoveDuplicates(t!.db, { csvPath: String(s.parameters!.csvPath) });
    expect(fix.result.duplicates.map((d) => d.id)).toEqual([302, 303]);
  });

  it('skipBadLines: the bad lines are left out and listed in the notes; without it the file is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rs-dedupe-'));
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'trainee_id,email\r\n301,sam.taylor@example.com\r\nabc,x@example.com\r\n');
    await expect(planRemoveDuplicates(t!.db, { csvPath: file })).rejects.toThrow(`${file} has a problem:\n  - line 3: trainee_id "abc" is not a trainee id`);
    const fix = await planRemoveDuplicates(t!.db, { csvPath: file, skipBadLines: true });
    expect(fix.result.duplicates.map((d) => d.id)).toEqual([302, 303]);
    expect(fix.notes.map((n) => n.message).join('\n')).toContain('line 3: trainee_id "abc" is not a trainee id');
  });

  it('preview only: commit = false writes nothing', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    expect(await commitRemoveDuplicates(t!.db, fix, { commit: false, auditComment: 'x', config })).toBeNull();
    expect(await kept([301, 302, 303])).toEqual([[301, true], [302, true], [303, true]]);
  });

  it('commit sets discarded_at on the duplicates only, with one audit each; again changes nothing', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv', ticket: 'https://support.example/1234' });
    const receipt = await commitRemoveDuplicates(t!.db, fix, { commit: true, auditComment: 'Duplicates reported by the provider', config });
    expect(receipt!.rowsChanged).toBe(2);
    expect(await kept([301, 302, 303, 304, 305])).toEqual([[301, true], [302, false], [303, false], [304, true], [305, true]]);
    const audits = await t!.db.selectFrom('audits').selectAll().where('request_uuid', '=', fix.plan.id).orderBy('auditable_id').execute();
    expect(audits.map((a) => [a.auditable_type, a.auditable_id, a.action, a.associated_type, a.associated_id, a.username, a.comment])).toEqual([
      ['Trainee', 302, 'update', 'Provider', 1, 'Test Operator via support notebook', 'Duplicates reported by the provider\nhttps://support.example/1234'],
      ['Trainee', 303, 'update', 'Provider', 1, 'Test Operator via support notebook', 'Duplicates reported by the provider\nhttps://support.example/1234'],
    ]);
    const changes = audits[0]!.audited_changes as Record<string, [unknown, unknown]>;
    expect(Object.keys(changes)).toEqual(['discarded_at']);
    expect(changes.discarded_at![0]).toBeNull();
    expect(typeof changes.discarded_at![1]).toBe('string');

    const again = await commitRemoveDuplicates(t!.db, fix, { commit: true, auditComment: 'Duplicates reported by the provider', config });
    expect(again!.alreadyCommitted).toBe(true);
    expect(await t!.db.selectFrom('audits').select('id').where('request_uuid', '=', fix.plan.id).execute()).toHaveLength(2);
    // a fresh plan from the same file now finds nothing to discard
    const fresh = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    expect(fresh.plan.changes).toEqual([]);
  });

  it('the commit can be reverted: the duplicates are kept again, with audits', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    const receipt = await commitRemoveDuplicates(t!.db, fix, { commit: true, auditComment: 'Duplicates', config });
    const undo = revertPlan(receipt!);
    await commitPlan(t!.db, undo, { auditComment: 'Wrong file', config });
    expect(await kept([301, 302, 303])).toEqual([[301, true], [302, true], [303, true]]);
    const audits = await t!.db.selectFrom('audits').select(['auditable_id', 'audited_changes']).where('request_uuid', '=', undo.id).orderBy('auditable_id').execute();
    expect(audits.map((a) => [a.auditable_id, (a.audited_changes as Record<string, unknown[]>).discarded_at![1]])).toEqual([
      [302, null],
      [303, null],
    ]);
  });

  it('refuses, writing nothing, when a duplicate changed since the preview', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    await t!.db.updateTable('trainees').set({ email: 'someone.else@example.com' }).where('id', '=', 303).execute();
    await expect(commitRemoveDuplicates(t!.db, fix, { commit: true, auditComment: 'x', config })).rejects.toThrow(/trainees id 303 .*email expected/);
    expect(await kept([302, 303])).toEqual([[302, true], [303, true]]);
    expect(await t!.db.selectFrom('audits').select('id').where('request_uuid', '=', fix.plan.id).execute()).toEqual([]);
  });

  it('refuses when the listed trainee was discarded since the preview', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    await t!.db.updateTable('trainees').set({ discarded_at: new Date() }).where('id', '=', 301).execute();
    const error = await commitRemoveDuplicates(t!.db, fix, { commit: true, auditComment: 'x', config }).catch((e) => e);
    expect(error).toBeInstanceOf(PlanRefusedError);
    expect(error.message).toContain('listed trainee 301 has been discarded since the preview');
    expect(await kept([302, 303])).toEqual([[302, true], [303, true]]);
  });

  it('refuses a blank audit comment', async () => {
    const fix = await planRemoveDuplicates(t!.db, { csvPath: 'duplicates-example.csv' });
    await expect(commitRemoveDuplicates(t!.db, fix, { commit: true, auditComment: '  ', config })).rejects.toThrow('Enter an audit comment');
    expect(await kept([302])).toEqual([[302, true]]);
  });
});
