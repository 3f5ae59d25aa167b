import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareWithDqt,
  investigateAlreadyHasQts,
  investigateFailedUpdateAndAward,
  investigateNoIncompleteItt,
  investigateNoQtsRecord,
  investigateOrganisationNotFound,
  investigateRetrieveTrnTimeout,
  investigateServerError,
  investigateTeacherNotFound,
  investigateUpdateMissingTrn,
  messageText,
} from '../../../lib/investigations/index.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { seededSandbox, type SeededSandbox } from './setup.js';

/**
 * Each investigation on its seeded scenario: the real database (seeded), the real DQT sandbox server, and a dead
 * set the seed hook filled by running each scenario's job against that sandbox. Read-only: nothing is committed.
 */
const API_KEY = 'diagnoses-test-key-7f3e21';
let s: SeededSandbox;
beforeAll(async () => {
  s = await seededSandbox(API_KEY);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});
const slug = (name: string) => scenario(name).slug;
const kinds = (actions: { kind: string }[] | undefined) => actions?.map((a) => a.kind);

describe('compareWithDqt', () => {
  it('shows every field side by side and flags only what differs (DOB mismatch)', async () => {
    const c = await compareWithDqt(s.t.db, s.ctx.dqt, slug('dqt-teacher-not-found-dob-mismatch'));
    expect(c.lookup).toBe('retrieve');
    expect(c.dqtStatus).toBe('found');
    expect(c.rows.map((r) => r.field)).toEqual(['TRN', 'first name', 'middle names', 'last name', 'date of birth', 'state / ITT result', 'QTS date', 'provider UKPRN', 'programme type', 'ITT row active']);
    expect(c.differences.map((d) => [d.field, d.register, d.dqt])).toEqual([['date of birth', '1995-03-14', '1995-03-04']]);
  });

  it('uses findTeacher for a trainee without a TRN, and flags the TRN Register never received', async () => {
    const c = await compareWithDqt(s.t.db, s.ctx.dqt, slug('dqt-update-missing-trn-known-to-dqt'));
    expect(c.lookup).toBe('find');
    expect(c.found?.trn).toBe('3012209');
    expect(c.differences.find((d) => d.field === 'TRN')).toMatchObject({ register: null, dqt: '3012209', match: false });
  });

  it('reports a teacher DQT does not have as not-found, without throwing', async () => {
    const c = await compareWithDqt(s.t.db, s.ctx.dqt, slug('dqt-update-missing-trn-unknown-to-dqt'));
    expect(c).toMatchObject({ lookup: 'find', dqtStatus: 'not-found', dqtError: 'No teachers found in DQT for trainee 210', rows: [] });
  });

  it('refuses a slug that is not one, saying what a slug is', async () => {
    await expect(compareWithDqt(s.t.db, s.ctx.dqt, 'https://register/trainees/abc')).rejects.toThrow(/not a trainee slug.*looks like a URL/);
  });
});

describe('each investigation on its seeded scenario', () => {
  it('500: rerun the dead update, message for DQT if it fails again', async () => {
    const inv = await investigateServerError(s.ctx, { slug: slug('dqt-server-error-500') });
    expect(inv.diagnosis).toMatch(/^Dqt::UpdateTraineeJob #\S+ died with a DQT server error \(500\)/);
    expect(inv.jobPlan?.actions).toEqual([expect.objectContaining({ kind: 'retry', jobName: 'Dqt::UpdateTraineeJob', traineeId: 201, expectedError: 'status: 500, body: ' })]);
    expect(inv.plan).toBeNull();
    expect(inv.message).toMatchObject({ to: 'DQT', when: 'if the rerun fails again' });
  });

  it('404 with another date of birth on DQT: a DOB mismatch, with both dates in the message', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-dob-mismatch') });
    expect(inv.cause).toBe('dob-mismatch');
    expect(inv.diagnosis).toBe('Date of birth mismatch: Register holds 1995-03-14, DQT holds 1995-03-04 for TRN 3012202, so DQT cannot match the trainee.');
    expect(inv.plan).toBeNull();
    expect(inv.jobPlan).toBeNull();
    expect(messageText(inv.message!)).toContain('- date of birth: Register 1995-03-14, DQT 1995-03-04');
  });

  it('404 with an inactive TRN: says inactive, not a DOB mismatch, and asks DQT about the TRN', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-inactive') });
    expect(inv.cause).toBe('inactive-trn');
    expect(inv.diagnosis).toMatch(/^DQT has no active teacher with TRN 3012203: the TRN is inactive/);
    expect(inv.message!.body).toContain('GET /v2/teachers/3012203 finds no active teacher with this TRN');
    expect(inv.plan).toBeNull();
  });

  it('404 with an agreed date of birth: plans the change on Register and the rerun; a bad date is refused', async () => {
    const inv = await investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-dob-mismatch'), dateOfBirth: '1995-03-04' });
    expect(inv.plan?.changes).toEqual([{ kind: 'update', table: 'trainees', id: 202, expected: { date_of_birth: '1995-03-14' }, values: { date_of_birth: '1995-03-04' }, label: 'Callum Doyle' }]);
    expect(kinds(inv.jobPlan?.actions)).toEqual(['retry']);
    await expect(investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-dob-mismatch'), dateOfBirth: '04/03/1995' })).rejects.toThrow('dateOfBirth "04/03/1995" is not a date: give it as YYYY-MM-DD');
  });

  it('10006: a state mismatch, checked with support then the provider; nothing planned', async () => {
    const inv = await investigateNoQtsRecord(s.ctx, { slug: slug('dqt-no-qts-record') });
    expect(inv.diagnosis).toMatch(/^State mismatch/);
    expect(inv.diagnosis).toContain('recommended_for_award');
    expect(inv.plan).toBeNull();
    expect(inv.jobPlan).toBeNull();
    expect(inv.message).toMatchObject({ to: 'the provider (Lakeside SCITT, UKPRN 10099001)', when: 'after checking support for existing comms about the trainee' });
  });

  it('10005 with DQT\'s ITT record under another provider: not a stuck award, ask the provider, nothing planned', async () => {
    const inv = await investigateNoIncompleteItt(s.ctx, { slug: slug('dqt-no-incomplete-itt') });
    expect(inv.cause).toBe('details-differ');
    expect(inv.diagnosis).toContain('provider UKPRN (Register 10099001, DQT 10099002)');
    expect(inv.plan).toBeNull();
    expect(inv.message!.body).toContain('- provider UKPRN: Register 10099001, DQT 10099002');
  });

  it('Organisation not found: the degree institution\'s UKPRN from the reference data, in a message to DQT', async () => {
    const inv = await investigateOrganisationNotFound(s.ctx, { slug: slug('dqt-organisation-not-found') });
    expect(inv.ukprnSent).toBe('10003863');
    expect(inv.institutions).toEqual([expect.objectContaining({ institutionUuid: 'da70f34a-2887-e711-80d8-005056ac45bb', referenceName: 'Leeds Trinity University', ukprn: '10003863', sent: true })]);
    expect(inv.diagnosis).toBe("DQT does not know UKPRN 10003863, the UKPRN of the trainee's degree institution Leeds Trinity University in the DfE reference data.");
    expect(inv.message).toMatchObject({ to: 'DQT', subject: 'Please add degree institution Leeds Trinity University (UKPRN 10003863)' });
    expect(inv.message!.body).toContain('- Reference data id (institution_uuid): da70f34a-2887-e711-80d8-005056ac45bb');
    expect(kinds(inv.jobPlan?.actions)).toEqual(['retry']);
  });

  it('already has QTS, with Register still trn_received: differences, so the failed update is NOT planned for deletion', async () => {
    const inv = await investigateAlreadyHasQts(s.ctx, { slug: slug('dqt-already-has-qts') });
    expect(inv.comparison!.differences.map((d) => d.field)).toEqual(['state / ITT result', 'QTS date']);
    expect(inv.jobPlan).toBeNull();
    expect(inv.planNote).toMatch(/^Deletion refused: the comparison shows 2 difference\(s\)/);
    expect(inv.message!.body).toContain('- QTS date: Register (none), DQT 2025-06-18');
  });

  it('RetrieveTrn timeout: DQT holds the request as a potential duplicate; poll again until today + 4 days', async () => {
    const now = new Date('2026-11-30T11:00:00Z');
    const inv = await investigateRetrieveTrnTimeout(s.ctx, { slug: slug('dqt-retrieve-trn-timeout'), now });
    expect(inv.diagnosis).toMatch(/^DQT is holding the TRN request for review: it matches an existing teacher \(a potential duplicate\)/);
    expect(inv.jobPlan?.actions).toEqual([{ kind: 'restart-polling', traineeId: 208, trnRequestId: 201, timeoutAfter: '2026-12-04T00:00:00.000Z', jobClass: 'Dqt::RetrieveTrnJob', queue: 'dqt' }]);
    expect(inv.message!.body).toContain('Status on DQT: Pending, potential duplicate');
    const later = await investigateRetrieveTrnTimeout(s.ctx, { slug: slug('dqt-retrieve-trn-timeout'), timeoutAfter: '2026-12-20', now });
    expect(later.jobPlan?.actions[0]).toMatchObject({ timeoutAfter: '2026-12-20T00:00:00.000Z' });
    await expect(investigateRetrieveTrnTimeout(s.ctx, { slug: slug('dqt-retrieve-trn-timeout'), timeoutAfter: '2026-11-01', now })).rejects.toThrow('timeoutAfter 2026-11-01 is not in the future');
  });

  it('TraineeUpdateMissingTrn, known to DQT: poll again (no re-registration)', async () => {
    const inv = await investigateUpdateMissingTrn(s.ctx, { slug: slug('dqt-update-missing-trn-known-to-dqt') });
    expect(inv.cause).toBe('known-to-dqt');
    expect(kinds(inv.jobPlan?.actions)).toEqual(['restart-polling']);
    expect(inv.jobPlan!.actions[0]).toMatchObject({ traineeId: 209, trnRequestId: 202 });
  });

  it('TraineeUpdateMissingTrn, unknown to DQT: re-register (deferred, so its own polling runs from now)', async () => {
    const inv = await investigateUpdateMissingTrn(s.ctx, { slug: slug('dqt-update-missing-trn-unknown-to-dqt') });
    expect(inv.cause).toBe('unknown-to-dqt');
    expect(inv.jobPlan?.actions).toEqual([{ kind: 'register-for-trn', traineeId: 210, jobClass: 'Dqt::RegisterForTrnJob', queue: 'dqt' }]);
  });

  it('TraineeUpdateMissingTrn, unknown to DQT, submitted for TRN more than 4 days ago and not deferred: re-register AND poll with a new timeout', async () => {
    await s.t.db.updateTable('trainees').set({ state: 1 }).where('id', '=', 210).execute();
    try {
      const inv = await investigateUpdateMissingTrn(s.ctx, { slug: slug('dqt-update-missing-trn-unknown-to-dqt'), now: new Date('2026-11-30T11:00:00Z') });
      expect(inv.jobPlan?.actions).toEqual([
        { kind: 'register-for-trn', traineeId: 210, jobClass: 'Dqt::RegisterForTrnJob', queue: 'dqt' },
        { kind: 'restart-polling', traineeId: 210, trnRequestId: 203, timeoutAfter: '2026-12-04T00:00:00.000Z', jobClass: 'Dqt::RetrieveTrnJob', queue: 'dqt' },
      ]);
    } finally {
      await s.t.db.updateTable('trainees').set({ state: 5 }).where('id', '=', 210).execute();
    }
  });

  it('failed update and award: retries the update first, the award after it', async () => {
    const inv = await investigateFailedUpdateAndAward(s.ctx, { slug: slug('dqt-failed-update-and-award') });
    const actions = inv.jobPlan!.actions as { kind: string; jobName: string; jobId: string; after?: { jobId: string } }[];
    expect(actions.map((a) => a.jobName)).toEqual(['Dqt::UpdateTraineeJob', 'Dqt::RecommendForAwardJob']);
    expect(actions[1]!.after).toEqual({ queue: 'dqt', jobId: actions[0]!.jobId });
  });

  it('no secret in any investigation', async () => {
    const all = await Promise.all([
      investigateServerError(s.ctx, { slug: slug('dqt-server-error-500') }),
      investigateTeacherNotFound(s.ctx, { slug: slug('dqt-teacher-not-found-inactive') }),
      investigateRetrieveTrnTimeout(s.ctx, { slug: slug('dqt-retrieve-trn-timeout') }),
    ]);
    expect(JSON.stringify(all)).not.toContain(API_KEY);
  });
});
