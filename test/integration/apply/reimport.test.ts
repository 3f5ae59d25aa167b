import { changeLogOf } from '../../../lib/plan/change-log.js';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestDatabase, testRedisPrefix, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { commitApplyReimport, planApplyReimport } from '../../../lib/apply/reimport.js';
import { openJobQueues } from '../../../lib/jobs/queues.js';

let t: TestDatabase | undefined;
const prefix = testRedisPrefix();
const redis = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix };
const config = { operator: 'Test Operator', writesAllowed: true, database: TEST_SANDBOX, redis };

beforeEach(async () => {
  await t?.drop();
  t = await createTestDatabase();
  await seed(t.db);
});
afterAll(async () => {
  await t?.drop();
  const r = new Redis(redis.url);
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
});

const applyIdsOnRegister = async () => (await t!.db.selectFrom('apply_applications').select('apply_id').orderBy('apply_id').execute()).map((r) => r.apply_id);

describe('Apply re-import on the seeded apply-stuck-non-importable-hei scenario', () => {
  it('finds the three stuck applications, the apply_id list and the statement for Apply', async () => {
    const fix = await planApplyReimport(t!.db, { accreditedBodyCode: '2n2 ', recruitmentCycleYear: 2024 });
    expect(fix.input).toEqual({ accreditedBodyCode: '2N2', recruitmentCycleYear: 2024, state: 'non_importable_hei' });
    expect(fix.applyIds).toEqual([9100, 9101, 9102]);
    expect(fix.applyStatement).toBe('ApplicationChoice.where(id: [9100, 9101, 9102]).touch_all');
    expect(fix.registerStatement).toBe('ApplyApplication.where(accredited_body_code: "2N2", recruitment_cycle_year: 2024, state: :non_importable_hei).pluck(:apply_id)');
    expect(fix.rows.map((r) => [r.apply_id, r.state, r.training_provider_type])).toEqual([
      [9100, 'non_importable_hei', 'university'],
      [9101, 'non_importable_hei', 'university'],
      [9102, 'non_importable_hei', 'university'],
    ]);
    expect(fix.plan.changes.map((c) => [c.kind, c.table, (c as { id: number }).id])).toEqual([
      ['delete', 'apply_applications', 301],
      ['delete', 'apply_applications', 302],
      ['delete', 'apply_applications', 303],
    ]);
    expect(fix.provider?.name).toBe('Fenland Teacher Training Partnership');
  });

  it('explains changed_since with the last SUCCESSFUL sync of the year (the later failed one is ignored)', async () => {
    const fix = await planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 });
    expect(fix.lastSuccessfulSync).toMatchObject({ id: 301, responseCode: 200 });
    expect(fix.lastSuccessfulSync!.createdAt).toBe('2024-08-30T01:00:00.000000Z');
    expect(fix.changedSinceExplanation).toContain('changed since 2024-08-30T01:00:00Z');
    expect(fix.changedSinceExplanation).toContain('1 unsuccessful sync since then is ignored');
    const other = await planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2025 });
    expect(other.lastSuccessfulSync).toBeNull();
    expect(other.changedSinceExplanation).toContain('the next import is a full import (changed_since left out)');
    expect(other.plan.changes).toEqual([]);
  });

  it('refuses bad input with what is expected', async () => {
    await expect(planApplyReimport(t!.db, { accreditedBodyCode: 'Fenland', recruitmentCycleYear: 2024 })).rejects.toThrow('is not a provider code: expected three letters or digits, e.g. 2N2.');
    await expect(planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 24 })).rejects.toThrow('expected a year such as 2024');
    await expect(planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024, state: 'imported' })).rejects.toThrow('state imported cannot be re-imported this way');
    await expect(planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024, state: 'hei' })).rejects.toThrow('Unknown apply application state "hei"');
  });

  it('commit deletes only those rows (recorded in the change log: Register does not audit ApplyApplication), then enqueues the import and then the create job', async () => {
    const fix = await planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 });
    const result = await commitApplyReimport(t!.db, fix, { commit: true, auditComment: 'Publish provider_type fixed (ticket 77)', config });
    expect(result.receipt!.rowsChanged).toBe(3);
    expect(await applyIdsOnRegister()).toEqual([9200]);
    expect(await t!.db.selectFrom('audits').selectAll().where('request_uuid', '=', fix.plan.id).execute()).toEqual([]);
    const log = await changeLogOf(t!.db, fix.plan.id);
    expect(log.map((e) => [e.table, e.recordId, e.action, e.comment, e.auditId])).toEqual([
      ['apply_applications', 301, 'destroy', 'Publish provider_type fixed (ticket 77)', null],
      ['apply_applications', 302, 'destroy', 'Publish provider_type fixed (ticket 77)', null],
      ['apply_applications', 303, 'destroy', 'Publish provider_type fixed (ticket 77)', null],
    ]);
    expect(log[0]!.before).toMatchObject({ apply_id: 9100, state: 1, accredited_body_code: '2N2' });

    expect(result.jobs.map((j) => [j.job, j.status])).toEqual([
      ['import_applications_from_apply', 'enqueued'],
      ['create_trainees_from_apply', 'enqueued'],
    ]);
    const queues = openJobQueues(redis);
    try {
      const jobs = [...(await queues.queues.default.getJobs(['waiting', 'delayed']))].sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id));
      expect(jobs.map((j) => j.name)).toEqual(['import_applications_from_apply', 'create_trainees_from_apply']);
      expect(jobs[0]!.data).toEqual({ job_class: 'RecruitsApi::ImportApplicationsJob', arguments: [{ from_date: null, recruitment_cycle_years: [2024] }] });
      expect(await jobs[1]!.isDelayed()).toBe(true);
      expect(jobs[1]!.opts.delay).toBe(15 * 60_000);
    } finally {
      await queues.close();
    }

    // Committing the same plan again deletes and enqueues nothing.
    const again = await commitApplyReimport(t!.db, fix, { commit: true, auditComment: 'again', config });
    expect(again.receipt!.alreadyCommitted).toBe(true);
    expect(again.jobs).toEqual([]);
  });

  it('refuses, writing nothing, when a row changed since the preview', async () => {
    const fix = await planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 });
    await t!.db.updateTable('apply_applications').set({ state: 3 }).where('apply_id', '=', 9101).execute();
    await expect(commitApplyReimport(t!.db, fix, { commit: true, auditComment: 'x', config })).rejects.toThrow(/apply_applications id 302 .*state expected/);
    expect(await applyIdsOnRegister()).toEqual([9100, 9101, 9102, 9200]);
  });

  it('refuses to plan when a trainee was created from one of the applications', async () => {
    await t!.db.updateTable('trainees').set({ apply_application_id: 302 }).where('id', '=', 301).execute();
    await expect(planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 })).rejects.toThrow('Trainee 301 was created from one of these applications');
  });

  it('preview only: commit = false deletes and enqueues nothing', async () => {
    const fix = await planApplyReimport(t!.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 });
    const result = await commitApplyReimport(t!.db, fix, { commit: false, auditComment: '', config });
    expect(result).toEqual({ receipt: null, jobs: [] });
    expect(await applyIdsOnRegister()).toEqual([9100, 9101, 9102, 9200]);
  });
});
