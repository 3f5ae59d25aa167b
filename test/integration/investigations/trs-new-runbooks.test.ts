import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitInvestigationIfRequested, investigateEytsHolder, investigateTrnRequestRejected, investigateTrsRouteRejected, messageText } from '../../../lib/investigations/index.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { trsScenarioPersons } from '../../../lib/sandbox/seed/trs.js';
import { TRS_ROUTE_TYPES } from '../../../lib/trs/codes.js';
import { diff, snapshot } from '../plan/snapshot.js';
import { trsSeededSandbox, type TrsSeededSandbox } from './trs-setup.js';

/**
 * The three runbooks the playbook never had, on a TRS-era Register (schema 2026-08): the TRS sandbox seeded with the
 * scenario persons and requests, and Register's Sidekiq dead set holding each scenario job's death.
 */
const API_KEY = 'trs-new-runbooks-key-3b9d42';
let s: TrsSeededSandbox;
beforeAll(async () => {
  s = await trsSeededSandbox(API_KEY);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});
const slug = (name: string) => scenario(name).slug;
const kinds = (actions: { kind: string }[] | undefined) => actions?.map((a) => a.kind);

describe('trn-request-rejected-10062 (scenario trs-trn-request-rejected)', () => {
  it('finds the rejected request, asks TRS why, and plans nothing without reregister', async () => {
    const inv = await investigateTrnRequestRejected(s.ctx, { slug: slug('trs-trn-request-rejected') });
    expect(inv.kind).toBe('trn-request-rejected');
    expect(inv.requestOnTrs).toBe('rejected-or-dormant');
    expect(inv.deadJobs.map((j) => [j.jobName, j.status, j.errorCode])).toEqual([['Trs::RetrieveTrnJob', 400, 10062]]);
    expect(inv.diagnosis).toMatch(/^TRS rejected the TRN request [0-9a-f-]{36} \(or left it dormant\): it answers 400\/10062/);
    expect(inv.plan).toBeNull();
    expect(inv.jobPlan).toBeNull();
    expect(inv.planNote).toBe('Nothing planned until TRS has said why: set `reregister = true` to plan a new TRN request.');
    expect(messageText(inv.message!)).toContain('Why was the request rejected?');
  });

  it('with reregister plans the old trs_trn_requests row deleted, the dead poll deleted and a new RegisterForTrn, and commit=false writes nothing', async () => {
    const before = await snapshot(s.t.db);
    const dead = await s.deadSet();
    const inv = await investigateTrnRequestRejected(s.ctx, { slug: slug('trs-trn-request-rejected'), reregister: true });
    expect(inv.plan!.changes.map((c) => [c.kind, c.table])).toEqual([['delete', 'trs_trn_requests']]);
    expect(kinds(inv.jobPlan?.actions)).toEqual(['delete', 'register-for-trn']);
    expect(inv.jobPlan!.actions[1]).toMatchObject({ jobClass: 'Trs::RegisterForTrnJob', queue: 'trs', traineeId: 412 });
    expect(await commitInvestigationIfRequested(s.ctx, inv, { commit: false, auditComment: '' })).toBeNull();
    expect(diff(before, await snapshot(s.t.db))).toEqual([]);
    expect(await s.deadSet()).toEqual(dead);
  });
});

describe('eyts-holder-10057 (scenario trs-eyts-holder)', () => {
  it('sees EYTS on TRS, no personal difference, and plans the dead update deleted', async () => {
    const inv = await investigateEytsHolder(s.ctx, { slug: slug('trs-eyts-holder') });
    expect(inv.kind).toBe('eyts-holder');
    expect(inv.deadJobs.map((j) => [j.jobName, j.status, j.errorCode])).toEqual([['Trs::UpdateTraineeJob', 400, 10057]]);
    expect(inv.personalDifferences).toEqual([]);
    expect(inv.diagnosis).toBe('TRS refuses personal-data updates for TRN 3012413 because the person holds EYTS (from 2025-07-01); Register and TRS already agree on the personal details, so nothing was lost.');
    expect(kinds(inv.jobPlan?.actions)).toEqual(['delete']);
    expect(inv.message).toBeNull();
  });
});

describe('trs-route-rejected (scenario trs-route-type-change)', () => {
  it("names the route type change and plans nothing until one side is put right", async () => {
    const inv = await investigateTrsRouteRejected(s.ctx, { slug: slug('trs-route-type-change') });
    expect(inv.kind).toBe('trs-route-rejected');
    expect(inv.errorCodes).toEqual([10054]);
    expect(inv.deadJobs.map((j) => j.jobName)).toEqual(['Trs::UpdateProfessionalStatusJob']);
    expect(inv.diagnosis).toMatch(/^TRS refuses to change the route type \(10054\): TRS holds the trainee's route as .+, while Register now sends early_years_postgrad/);
    expect(inv.jobPlan).toBeNull();
    expect(inv.message!.to).toBe('TRS');
  });
});

describe('after one side is put right', () => {
  it('trs-route-rejected: once TRS holds the route with the early-years type Register sends, the retry is planned', async () => {
    const bryn = trsScenarioPersons().find((p) => p.trn === '3012414')!;
    const routes = (bryn.routes ?? []).map((r) => ({ ...r, routeToProfessionalStatusTypeId: TRS_ROUTE_TYPES.early_years_postgrad }));
    const res = await fetch(`${s.sandbox.url}/_sandbox/persons`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...bryn, routes }) });
    expect(res.status).toBe(200);
    const inv = await investigateTrsRouteRejected(s.ctx, { slug: slug('trs-route-type-change') });
    expect(inv.diagnosis).toMatch(/^TRS now holds the trainee's route with the type Register sends \(.+\): the route type change that TRS refused \(10054\) is resolved/);
    expect(inv.jobPlan!.actions.map((a) => [a.kind, a.queue, 'jobName' in a ? a.jobName : null])).toEqual([['retry', 'trs', 'Trs::UpdateProfessionalStatusJob']]);
    expect(inv.message).toBeNull();
  });

  it('eyts-holder: when Register and TRS hold different dates of birth, TRS is asked to correct its record', async () => {
    await s.t.db.updateTable('trainees').set({ date_of_birth: '1990-03-04' }).where('id', '=', 413).execute();
    const inv = await investigateEytsHolder(s.ctx, { slug: slug('trs-eyts-holder') });
    expect(inv.personalDifferences).toEqual(['date of birth']);
    expect(inv.diagnosis).toBe("TRS refuses personal-data updates for TRN 3012413 because the person holds EYTS (from 2025-07-01), and Register and TRS hold different values for date of birth: the change can only be made by TRS.");
    expect(inv.planNote).toBe('Delete the job only once the message to TRS is sent: the differences must be put right by TRS.');
    expect(messageText(inv.message!)).toContain('- date of birth: Register 1990-03-04, TRS 1990-03-03');
  });
});
