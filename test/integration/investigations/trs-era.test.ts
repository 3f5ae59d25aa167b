import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitInvestigation,
  commitInvestigationIfRequested,
  investigateAlreadyHasQts,
  investigateFailedUpdateAndAward,
  investigateNoIncompleteItt,
  investigateNoQtsRecord,
  investigateOrganisationNotFound,
  investigateServerError,
  investigateRetrieveTrnTimeout,
  investigateTeacherNotFound,
  investigateUpdateMissingTrn,
  messageText,
  type Investigation,
} from '../../../lib/investigations/index.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { diff, snapshot } from '../plan/snapshot.js';
import { trsSeededSandbox, type TrsSeededSandbox } from './trs-setup.js';

/**
 * The playbook's runbooks on a TRS-era Register (schema 2026-08): each investigation on its TRS scenario, with the TRS
 * sandbox and Register's Sidekiq dead set holding each scenario job's death. Nothing is committed: commit=false writes
 * nothing and touches no job.
 */
const API_KEY = 'trs-era-investigations-key-5c0e19';
let s: TrsSeededSandbox;
beforeAll(async () => {
  s = await trsSeededSandbox(API_KEY);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});
const slug = (name: string) => scenario(name).slug;
const kinds = (actions: { kind: string }[] | undefined) => actions?.map((a) => a.kind);
const deadOf = (inv: Investigation) => inv.deadJobs.map((j) => [j.jobName, j.kind, j.status, j.errorCode]);

/** commit=false writes no row and touches no job. */
async function previewOnly(inv: Investigation): Promise<void> {
  const before = await snapshot(s.t.db);
  const dead = await s.deadSet();
  expect(await commitInvestigationIfRequested(s.ctx, inv, { commit: false, auditComment: 'should not be used' })).toBeNull();
  expect(diff(before, await snapshot(s.t.db))).toEqual([]);
  expect(await s.deadSet()).toEqual(dead);
}

describe('the era is detected, never a parameter', () => {
  it('every investigation names TRS and compares with TRS, not DQT', async () => {
    const inv = await investigateServerError(s.ctx, { slug: slug('trs-server-error-500') });
    expect(inv.comparison).toBeNull();
    expect(inv.trsComparison?.trsStatus).toBe('found');
    expect(inv.facts[0]).toEqual({ fact: 'Register talks to', value: 'TRS (Register 2026-08: trs_trn_requests, queue trs, Trs:: jobs)' });
  });
});

describe('server-error-500 (trs-server-error-500)', () => {
  it('plans the rerun of the dead Trs::UpdateTraineeJob; the message is for TRS', async () => {
    const inv = await investigateServerError(s.ctx, { slug: slug('trs-server-error-500') });
    expect(deadOf(inv)).toEqual([['Trs::UpdateTraineeJob', 'server-error', 500, null]]);
    expect(inv.diagnosis).toMatch(/^Trs::UpdateTraineeJob #\w+ died with a TRS server error \(5xx\): a passing fault on TRS's side/);
    expect(kinds(inv.jobPlan?.actions)).toEqual(['retry']);
    expect(inv.jobPlan!.actions[0]).toMatchObject({ queue: 'trs', jobName: 'Trs::UpdateTraineeJob', traineeId: 401 });
    expect(inv.message).toMatchObject({ to: 'TRS', when: 'if the rerun fails again' });
    await previewOnly(inv);
  });
});

describe('failed-update-and-award (trs-failed-update-and-award)', () => {
  it('retries the personal-data update first and the professional status after it', async () => {
    const inv = await investigateFailedUpdateAndAward(s.ctx, { slug: slug('trs-failed-update-and-award') });
    expect(inv.deadJobs.map((j) => j.jobName)).toEqual(['Trs::UpdateTraineeJob', 'Trs::UpdateProfessionalStatusJob']);
    expect(inv.diagnosis).toMatch(/^Both the personal-data update #\w+ \(server-error\) and the professional status #\w+ \(server-error\) died: the update must run first/);
    const [update, award] = inv.jobPlan!.actions as { kind: string; jobId: string; after?: { jobId: string } }[];
    expect(update).toMatchObject({ kind: 'retry', jobName: 'Trs::UpdateTraineeJob' });
    expect(award).toMatchObject({ kind: 'retry', jobName: 'Trs::UpdateProfessionalStatusJob', after: { queue: 'trs', jobId: update!.jobId } });
    await previewOnly(inv);
  });
});

describe('teacher-not-found-404 (trs-person-not-found, trs-person-deactivated)', () => {
  it('a TRN no TRS person has: unknown-trn, nothing planned, the message asks TRS', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('trs-person-not-found') });
    expect(inv.cause).toBe('unknown-trn');
    expect(deadOf(inv)).toEqual([['Trs::UpdateTraineeJob', 'teacher-not-found', 404, 10001]]);
    expect(inv.diagnosis).toBe('TRS has no person with TRN 3012402 (10001): the TRN on Register is not one TRS knows (typed wrong, or never TRS\'s).');
    expect(inv.jobPlan).toBeNull();
    expect(messageText(inv.message!)).toContain('GET /v3/persons/3012402 finds no person.');
    await previewOnly(inv);
  });

  it('a deactivated record: inactive-trn', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('trs-person-deactivated') });
    expect(inv.cause).toBe('inactive-trn');
    expect(deadOf(inv)).toEqual([['Trs::UpdateProfessionalStatusJob', 'teacher-not-found', 404, 10001]]);
    expect(inv.diagnosis).toMatch(/^TRS's record for TRN 3012403 is not active \(deactivated, 10058\)/);
    expect(inv.jobPlan).toBeNull();
  });
});

describe('organisation-not-found (trs-organisation-not-found)', () => {
  it("names the provider's UKPRN TRS does not know (10048) and plans the rerun for after TRS adds it", async () => {
    const inv = await investigateOrganisationNotFound(s.ctx, { slug: slug('trs-organisation-not-found') });
    expect(deadOf(inv)).toEqual([['Trs::UpdateProfessionalStatusJob', 'organisation-not-found', 400, 10048]]);
    expect(inv.ukprnSent).toBe('10099041');
    expect(inv.diagnosis).toBe('TRS does not know UKPRN 10099041 (Brook Hill Training Partnership) as a training provider, so it refuses the trainee\'s route (10048).');
    expect(kinds(inv.jobPlan?.actions)).toEqual(['retry']);
    expect(inv.planNote).toBe('Commit only after TRS confirms it knows UKPRN 10099041: until then the rerun dies the same way.');
    expect(inv.message!.subject).toBe('Training provider UKPRN 10099041 unknown to TRS (10048)');
    await previewOnly(inv);
  });
});

describe('no-qts-record-10006 (trs-route-failed-on-trs)', () => {
  it('the state mismatch: Register in training, TRS holds the route as Failed (10055)', async () => {
    const inv = await investigateNoQtsRecord(s.ctx, { slug: slug('trs-route-failed-on-trs') });
    expect(deadOf(inv)).toEqual([['Trs::UpdateProfessionalStatusJob', 'no-qts-record', 400, 10055]]);
    expect(inv.diagnosis).toMatch(/^State mismatch: Register has the trainee trn_received \(it sends InTraining\) but TRS holds route .+ Failed, and TRS will not change a Failed route back \(10055\)\.$/);
    expect(inv.plan).toBeNull();
    expect(inv.jobPlan).toBeNull();
    expect(inv.message!.to).toMatch(/^the provider \(/);
  });
});

describe('no-incomplete-itt-10005 (trs-awarded-on-trs)', () => {
  it('stuck in recommended for award while TRS holds QTS: plans the award on Register and the dead job deleted; commit=false writes nothing', async () => {
    const inv = await investigateNoIncompleteItt(s.ctx, { slug: slug('trs-awarded-on-trs') });
    expect(inv.cause).toBe('stuck-in-recommended-for-award');
    expect(deadOf(inv)).toEqual([['Trs::UpdateProfessionalStatusJob', 'server-error', 500, null]]);
    expect(inv.diagnosis).toBe("Stuck in recommended for award: TRS already holds QTS from 2026-06-18 on this trainee's route and everything else matches, so only Register is behind.");
    expect(inv.plan!.changes.map((c) => [c.kind, c.table, c.id])).toEqual([['update', 'trainees', 405]]);
    expect(kinds(inv.jobPlan?.actions)).toEqual(['delete']);
    await previewOnly(inv);
  });
});

describe('already-has-qts (trs-already-has-qts)', () => {
  it('no job died (Register ignores 10052/10042), but Register and TRS differ on the award: nothing planned', async () => {
    const inv = await investigateAlreadyHasQts(s.ctx, { slug: slug('trs-already-has-qts') });
    expect(inv.deadJobs).toEqual([]);
    expect(inv.diagnosis).toMatch(/^Register and TRS differ \(.*QTS date.*\): TRS holds QTS from 2026-06-18 while Register has the trainee trn_received/);
    expect(inv.jobPlan).toBeNull();
    expect(inv.message!.to).toBe('TRS');
    await previewOnly(inv);
  });
});

describe('retrieve-trn-timeout (trs-retrieve-trn-timeout)', () => {
  it('TRS holds the request as a potential duplicate: asks TRS, plans Trs::RetrieveTrnJob on trs until today + 4 days', async () => {
    const now = new Date();
    const inv = await investigateRetrieveTrnTimeout(s.ctx, { slug: slug('trs-retrieve-trn-timeout'), now });
    expect(deadOf(inv)).toEqual([['Trs::RetrieveTrnJob', 'retrieve-trn-timeout', null, null]]);
    expect(inv.trnRequest?.trs).toMatchObject({ status: 'Pending', trn: null, potentialDuplicate: true });
    expect(inv.diagnosis).toBe('TRS is holding the TRN request for review: it matches an existing person (a potential duplicate), so no TRN is given until a TRS user resolves it.');
    expect(inv.jobPlan!.actions).toEqual([
      { kind: 'restart-polling', traineeId: 408, trnRequestId: inv.trnRequest!.id, timeoutAfter: expect.stringMatching(/T00:00:00.000Z$/), jobClass: 'Trs::RetrieveTrnJob', queue: 'trs' },
    ]);
    expect(inv.message!.to).toBe('TRS');
    await previewOnly(inv);
  });
});

describe('update-missing-trn (trs-update-missing-trn-known-to-trs, trs-update-missing-trn-unknown-to-trs)', () => {
  it('TRS completed the request: poll again with Trs::RetrieveTrnJob', async () => {
    const inv = await investigateUpdateMissingTrn(s.ctx, { slug: slug('trs-update-missing-trn-known-to-trs') });
    expect(inv.cause).toBe('known-to-trs');
    expect(deadOf(inv)).toEqual([['Trs::UpdateProfessionalStatusJob', 'update-missing-trn', null, null]]);
    expect(inv.diagnosis).toBe("TRS knows the trainee's TRN request (Completed with TRN 3012409), but Register never received the TRN: the polling stopped.");
    expect(inv.jobPlan!.actions.map((a) => [a.kind, 'jobClass' in a ? a.jobClass : null, a.queue])).toEqual([['restart-polling', 'Trs::RetrieveTrnJob', 'trs']]);
    await previewOnly(inv);
  });

  it('TRS never had the request (10031): register again with Trs::RegisterForTrnJob', async () => {
    const inv = await investigateUpdateMissingTrn(s.ctx, { slug: slug('trs-update-missing-trn-unknown-to-trs') });
    expect(inv.cause).toBe('unknown-to-trs');
    expect(inv.trnRequest?.trsErrorCode).toBe(10031);
    expect(inv.diagnosis).toMatch(/^TRS does not know the trainee's TRN request \(request [0-9a-f-]{36} unknown to TRS, stored as failed on Register\)/);
    expect(inv.jobPlan!.actions).toEqual([{ kind: 'register-for-trn', traineeId: 410, jobClass: 'Trs::RegisterForTrnJob', queue: 'trs' }]);
    expect(inv.planNote).toBe('The trainee is deferred: registering resets submitted_for_trn_at to now, so its polling runs for 4 days from now.');
    await previewOnly(inv);
  });
});

describe('committing a TRS-era job plan', () => {
  it("is refused, nothing done, when no Sidekiq process polls queue trs (the retry would wait for ever)", async () => {
    const inv = await investigateServerError(s.ctx, { slug: slug('trs-server-error-500') });
    const dead = await s.deadSet();
    await expect(commitInvestigation(s.ctx, inv, { auditComment: 'TRS 500, rerun per playbook' })).rejects.toThrow(
      'Refused: no running Sidekiq process polls queue "trs" (no Sidekiq process is running on this Redis): a job pushed there would wait for ever. Nothing was done.',
    );
    expect(await s.deadSet()).toEqual(dead);
  });
});
