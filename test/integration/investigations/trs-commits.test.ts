import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitInvestigation, investigateEytsHolder, investigateNoIncompleteItt, investigateTrnRequestRejected } from '../../../lib/investigations/index.js';
import { PlanRefusedError } from '../../../lib/plan/errors.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { diff, snapshot } from '../plan/snapshot.js';
import { trsSeededSandbox, type TrsSeededSandbox } from './trs-setup.js';

/**
 * Committing what the TRS-era investigations plan, on Register 2026-08: Register rows and their audits, Register's
 * Sidekiq dead set, and the refusal that leaves everything as it was when the plan would push onto `trs` with no
 * Sidekiq polling it.
 */
let s: TrsSeededSandbox;
beforeAll(async () => {
  s = await trsSeededSandbox('trs-commits-test-key-91a2f0');
}, 120_000);
afterAll(async () => {
  await s?.stop();
});
const slug = (name: string) => scenario(name).slug;
const audits = (id: number) => s.t.db.selectFrom('audits').selectAll().where('auditable_type', '=', 'Trainee').where('auditable_id', '=', id).orderBy('id').execute();
/** The dead set as `<job class> <jid>` lines. */
const deadJids = async () =>
  (await s.deadSet()).map((raw) => {
    const job = JSON.parse(raw) as { jid: string; wrapped: string };
    return `${job.wrapped} ${job.jid}`;
  });

describe('stuck in recommended for award while TRS holds QTS (trs-awarded-on-trs)', () => {
  it('awards on Register only (one audit) and deletes the dead Trs::UpdateProfessionalStatusJob from the dead set', async () => {
    const inv = await investigateNoIncompleteItt(s.ctx, { slug: slug('trs-awarded-on-trs') });
    expect(inv.plan!.changes).toEqual([
      { kind: 'update', table: 'trainees', id: 405, expected: { state: 3, awarded_at: null }, values: { state: 6, awarded_at: '2026-06-18T00:00:00.000000Z' }, label: 'Ioan Jones' },
    ]);
    const before = (await audits(405)).length;
    const deadBefore = await deadJids();
    const { receipt, jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'Stuck in recommended for award; TRS holds QTS' });
    expect(receipt!.rowsChanged).toBe(1);
    const added = (await audits(405)).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: 'update', comment: 'Stuck in recommended for award; TRS holds QTS', username: 'Ivy Investigator via support notebook' });
    expect(added[0]!.audited_changes).toMatchObject({ state: [3, 6] });
    expect(jobReceipt!.results.map((r) => r.status)).toEqual(['done']);
    expect(await deadJids()).toHaveLength(deadBefore.length - 1);
    expect((await deadJids()).filter((j) => j.startsWith('Trs::UpdateProfessionalStatusJob'))).toHaveLength(deadBefore.filter((j) => j.startsWith('Trs::UpdateProfessionalStatusJob')).length - 1);
  });
});

describe('EYTS holder (trs-eyts-holder)', () => {
  it('deletes the dead personal-data update that can never succeed, and nothing else', async () => {
    const inv = await investigateEytsHolder(s.ctx, { slug: slug('trs-eyts-holder') });
    const rows = await snapshot(s.t.db);
    const deadBefore = await deadJids();
    const { receipt, jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'EYTS holder: TRS refuses PII updates, details agree' });
    expect(receipt).toBeNull();
    expect(jobReceipt!.results.map((r) => [r.action.kind, r.status])).toEqual([['delete', 'done']]);
    expect(diff(rows, await snapshot(s.t.db))).toEqual([]);
    const after = await deadJids();
    expect(deadBefore.filter((j) => !after.includes(j))).toHaveLength(1);
    expect(deadBefore.filter((j) => !after.includes(j))[0]).toMatch(/^Trs::UpdateTraineeJob /);
  });
});

describe('TRN request rejected (trs-trn-request-rejected) with reregister', () => {
  it('is refused before anything is written when no Sidekiq process polls trs: the old request row stays', async () => {
    const inv = await investigateTrnRequestRejected(s.ctx, { slug: slug('trs-trn-request-rejected'), reregister: true });
    const rows = await snapshot(s.t.db);
    const dead = await s.deadSet();
    const refused = await commitInvestigation(s.ctx, inv, { auditComment: 'TRS says: register again' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlanRefusedError);
    expect((refused as Error).message).toMatch(/^Refused: the queue changed since this plan was built, so nothing was written and no job was touched\.\n {2}- no running Sidekiq process polls queue "trs"/);
    expect(diff(rows, await snapshot(s.t.db))).toEqual([]);
    expect(await s.t.db.selectFrom('trs_trn_requests').select('id').where('trainee_id', '=', 412).execute()).toHaveLength(1);
    expect(await s.deadSet()).toEqual(dead);
  });
});
