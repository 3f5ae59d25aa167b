import { describe, expect, it } from 'vitest';
import { validationProblem } from '../../../lib/dqt/sandbox/store.js';
import { TrsError } from '../../../lib/trs/error.js';
import {
  PersonUpdateError,
  PersonUpdateMissingTrn,
  ProfessionalStatusUpdateError,
  ProfessionalStatusUpdateMissingTrn,
  retrieveTrnTimeoutNotice,
  TraineeAttributeError,
} from '../../../lib/trs/register-errors.js';
import { apiError } from '../../../lib/trs/sandbox/store.js';
import { classifyFailure, ERROR_KINDS, eraOfJob, PLAYBOOK_RULES, ruleWording, type ErrorKind } from '../../../lib/triage/rules.js';
import { applyUpdateBeforeAward, type TriageRecord } from '../../../lib/triage/triage.js';

/**
 * Register's TRS-era dead-job texts, built the way Register builds them: the TRS sandbox's own ProblemDetails body
 * (`apiError`, what its server sends), Register's `Trs::Client::HttpError` message around it (status, body and the
 * response headers in Ruby 3.4's inspect form), and Register's wrapper classes around that.
 */
const HEADERS = { date: 'Thu, 03 Dec 2026 10:15:31 GMT', 'content-type': 'application/problem+json; charset=utf-8' };
const http = (status: number, body: string) => new TrsError(status, body, { headers: HEADERS }).message;
const trsBody = (code: number, status: number, detail: string | null, values: { trn?: string; mergedWithTrn?: string } = {}) => JSON.stringify(apiError(code, status, detail, values).body);
const route = (code: number, status = 400, detail: string | null = '') => new ProfessionalStatusUpdateError(http(status, trsBody(code, status, detail))).message;
const personal = (code: number, status = 400, detail: string | null = '') => new PersonUpdateError(http(status, trsBody(code, status, detail))).message;
const PS_ERROR = 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError';
const PD_ERROR = 'Trs::UpdatePersonalData::PersonUpdateError';

describe("classifying Register's TRS-era dead jobs", () => {
  it('reads the exact texts: the wrapper prefix stripped, the HttpError read', () => {
    const message = route(10048, 400, "Training provider UKPRN: '10099041'");
    expect(message).toBe(
      'Error updating professional status: status: 400, body: {"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10099041\'","errorCode":10048}, headers: {"date" => ["Thu, 03 Dec 2026 10:15:31 GMT"], "content-type" => ["application/problem+json; charset=utf-8"]}',
    );
    const c = classifyFailure(message);
    expect(c).toMatchObject({
      kind: 'organisation-not-found',
      era: 'trs',
      status: 400,
      errorCode: 10048,
      errorClass: PS_ERROR,
      fingerprint: 'ProfessionalStatusUpdateError status 400 errorCode 10048',
      detail: '{"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10099041\'","errorCode":10048}',
    });
  });

  it.each<[string, string, ErrorKind, number, number | null, string]>([
    ['personal data, 500 with no body', new PersonUpdateError(http(500, '')).message, 'server-error', 500, null, PD_ERROR],
    ['professional status, 500 with no body', new ProfessionalStatusUpdateError(http(500, '')).message, 'server-error', 500, null, PS_ERROR],
    ['personal data, 404 10001', personal(10001, 404, "TRN: '3012402'"), 'teacher-not-found', 404, 10001, PD_ERROR],
    ['professional status, 404 10001', route(10001, 404, "TRN: '3012403'"), 'teacher-not-found', 404, 10001, PS_ERROR],
    ['10048 unknown training provider', route(10048, 400, "Training provider UKPRN: '10099041'"), 'organisation-not-found', 400, 10048, PS_ERROR],
    ['10052 already awarded', route(10052), 'already-has-qts', 400, 10052, PS_ERROR],
    ['10055 route Failed on TRS', route(10055), 'no-qts-record', 400, 10055, PS_ERROR],
    ['10056 route Withdrawn on TRS', route(10056), 'no-qts-record', 400, 10056, PS_ERROR],
    ['10057 EYTS holder', personal(10057), 'eyts-holder', 400, 10057, PD_ERROR],
    ['10043 route type', route(10043, 400, "Route type: '6987240e-966e-485f-b300-23b54937fb3a'"), 'trs-route-rejected', 400, 10043, PS_ERROR],
    ['10044 status', route(10044, 400, "Status: 'Holds'"), 'trs-route-rejected', 400, 10044, PS_ERROR],
    ['10045 subject', route(10045, 400, "Training subject reference: ''"), 'trs-route-rejected', 400, 10045, PS_ERROR],
    ['10046 age specialism', route(10046, 400, "Training age specialism: 'Range'"), 'trs-route-rejected', 400, 10046, PS_ERROR],
    ['10047 country', route(10047, 400, "Training country reference: 'XC'"), 'trs-route-rejected', 400, 10047, PS_ERROR],
    ['10049 degree type', route(10049, 400, "Degree type: '00000000-0000-0000-0000-000000000000'"), 'trs-route-rejected', 400, 10049, PS_ERROR],
    ['10051 updates not allowed', route(10051, 400, "Route type: 'ce61056e-e681-471e-af48-5ffbf2653500'"), 'trs-route-rejected', 400, 10051, PS_ERROR],
    ['10054 route type change', route(10054), 'trs-route-rejected', 400, 10054, PS_ERROR],
  ])('%s', (_, message, kind, status, errorCode, errorClass) => {
    const c = classifyFailure(message, null, { jobName: errorClass === PS_ERROR ? 'Trs::UpdateProfessionalStatusJob' : 'Trs::UpdateTraineeJob' });
    expect(c).toMatchObject({ kind, era: 'trs', status, errorCode, errorClass });
    expect(c.explanation).toBe(kind === 'trs-route-rejected' ? c.explanation : PLAYBOOK_RULES[kind].trs.explanation);
    expect(c.explanation).toMatch(/TRS/);
    // The job's class is not needed: the wrapper alone says TRS.
    expect(classifyFailure(message)).toMatchObject({ kind, era: 'trs', errorClass });
  });

  it("names the route code and TRS's title in a route rejection", () => {
    expect(classifyFailure(route(10054)).explanation).toBe(
      'TRS rejected the route Register sent with the professional status (400, 10054 "Unable to change route type"): a route type, subject, age range, country or degree type TRS does not accept, or a change of route TRS does not allow through its API.',
    );
    expect(classifyFailure(route(10045, 400, "Training subject reference: ''")).explanation).toMatch(/^TRS rejected the route Register sent with the professional status \(400, 10045 "Invalid training subject reference"\): /);
  });

  it('treats 10058 (deactivated) and 10059 (merged) as teacher-not-found, in TRS words whatever the job', () => {
    for (const [code, values] of [[10058, { trn: '3012403' }], [10059, { trn: '3012403', mergedWithTrn: '3012499' }]] as const) {
      const c = classifyFailure(http(404, trsBody(code, 404, null, values)));
      expect(c).toMatchObject({ kind: 'teacher-not-found', era: 'trs', status: 404, errorCode: code, errorClass: 'Trs::Client::HttpError' });
      expect(c.explanation).toBe(PLAYBOOK_RULES['teacher-not-found'].trs.explanation);
    }
  });

  it("explains the 10048 UKPRN as the training provider's, never a degree institution's", () => {
    const { explanation, action } = classifyFailure(route(10048, 400, "Training provider UKPRN: '10099041'"));
    expect(explanation).toContain("TRS does not know the training provider's UKPRN");
    expect(explanation).toContain("not a degree institution's");
    expect(action).toContain('ask TRS to add the training provider');
    expect(action).not.toMatch(/send it with the institution's details/);
    // The DQT-era wording stays the playbook's.
    expect(classifyFailure('status: 400, body: {"errors":{"initialTeacherTraining.providerUkprn":["Organisation not found"]}}').explanation).toBe("DQT does not know the UKPRN sent (usually the degree institution's).");
  });

  it("reads the error_message of a real dead Trs::UpdateProfessionalStatusJob (sidekiq-trs.md 3A, Ruby 3.4 headers)", () => {
    const message =
      'Error updating professional status: status: 400, body: {"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10012345\'","errorCode":10048}, headers: {"date" => ["Sun, 09 Aug 2026 19:29:21 GMT"], "content-type" => ["application/problem+json; charset=utf-8"]}';
    expect(classifyFailure(message, null, { jobName: 'Trs::UpdateProfessionalStatusJob' })).toMatchObject({ kind: 'organisation-not-found', era: 'trs', status: 400, errorCode: 10048, errorClass: PS_ERROR });
  });

  it("takes TRS's own codes as TRS's even without the job's class", () => {
    for (const [code, status, kind] of [[10062, 400, 'trn-request-rejected'], [10057, 400, 'eyts-holder'], [10031, 404, 'update-missing-trn'], [10054, 400, 'trs-route-rejected']] as const) {
      expect(classifyFailure(http(status, trsBody(code, status, null)))).toMatchObject({ kind, era: 'trs', errorCode: code, errorClass: 'Trs::Client::HttpError' });
    }
    // 10001 is both APIs' code: without a job it stays DQT's, as before.
    expect(classifyFailure(http(404, trsBody(10001, 404, "TRN: '3012402'")))).toMatchObject({ kind: 'teacher-not-found', era: 'dqt', errorClass: 'Dqt::Client::HttpError' });
  });

  it('classifies a rejected TRN request (10062) from Trs::RetrieveTrnJob as trn-request-rejected', () => {
    const message = http(400, trsBody(10062, 400, "TRN request ID: '2b1e0c8a-0000-4000-8000-000000000412'"));
    const c = classifyFailure(message, null, { jobName: 'Trs::RetrieveTrnJob' });
    expect(c).toMatchObject({ kind: 'trn-request-rejected', era: 'trs', status: 400, errorCode: 10062, errorClass: 'Trs::Client::HttpError', fingerprint: 'status 400 errorCode 10062' });
    expect(PLAYBOOK_RULES[c.kind]).toMatchObject({ runbook: 'dqt-errors/trn-request-rejected-10062', bulkSafe: false });
  });

  it('classifies an unknown TRN request (10031) as update-missing-trn with its own explanation', () => {
    const message = http(404, trsBody(10031, 404, "TRN request ID: '2b1e0c8a-0000-4000-8000-000000000410'"));
    const c = classifyFailure(message, null, { jobName: 'Trs::RetrieveTrnJob' });
    expect(c).toMatchObject({ kind: 'update-missing-trn', era: 'trs', status: 404, errorCode: 10031, errorClass: 'Trs::Client::HttpError' });
    expect(c.explanation).toMatch(/^TRS has no TRN request with the id Register polls \(404, 10031/);
    expect(c.explanation).not.toBe(PLAYBOOK_RULES['update-missing-trn'].trs.explanation);
    expect(c.action).toMatch(/register them again with a new TRN request/);
  });

  it('recognises the four-line missing-TRN messages of both update jobs', () => {
    const trainee = { id: 409, slug: 'x3KqLm9PzT2aB7cD' };
    const ps = new ProfessionalStatusUpdateMissingTrn(trainee).message;
    expect(ps).toBe('Cannot update professional status on TRS without a TRN\nslug: x3KqLm9PzT2aB7cD\nid: 409\nhttps://www.register-trainee-teachers.service.gov.uk/trainees/x3KqLm9PzT2aB7cD\n');
    expect(classifyFailure(ps)).toMatchObject({
      kind: 'update-missing-trn',
      era: 'trs',
      errorClass: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn',
      fingerprint: 'ProfessionalStatusUpdateMissingTrn',
      explanation: PLAYBOOK_RULES['update-missing-trn'].trs.explanation,
    });
    expect(classifyFailure(new PersonUpdateMissingTrn(trainee).message)).toMatchObject({
      kind: 'update-missing-trn',
      era: 'trs',
      errorClass: 'Trs::UpdatePersonalData::PersonUpdateMissingTrn',
      fingerprint: 'PersonUpdateMissingTrn',
    });
  });

  it('recognises the Trs::RetrieveTrnJob timeout text', () => {
    const { message } = retrieveTrnTimeoutNotice('x3KqLm9PzT2aB7cD');
    expect(message).toBe('Trs::RetrieveTrnJob for Trainee with slug: x3KqLm9PzT2aB7cD has timed out after 4 days.');
    const c = classifyFailure(message);
    expect(c).toMatchObject({ kind: 'retrieve-trn-timeout', era: 'trs', errorClass: 'Trs::RetrieveTrnJob::Timeout', fingerprint: 'timeout: Trs::RetrieveTrn' });
    expect(c.explanation).toMatch(/before TRS assigned one/);
    expect(classifyFailure(message, 'Trs::RetrieveTrnJob::Timeout').errorClass).toBe('Trs::RetrieveTrnJob::Timeout');
  });

  it("classifies TraineeAttributeError as submitted-for-trn-at-missing, in its job's era", () => {
    const message = new TraineeAttributeError(412).message;
    expect(message).toBe('Trainee#submitted_for_trn_at is nil - it should be timestamped (id: 412)');
    const trs = classifyFailure(message, null, { jobName: 'Trs::RetrieveTrnJob' });
    expect(trs).toMatchObject({ kind: 'submitted-for-trn-at-missing', era: 'trs', errorClass: 'Trs::RetrieveTrnJob::TraineeAttributeError', fingerprint: 'TraineeAttributeError: submitted_for_trn_at' });
    expect(trs.explanation).toMatch(/TRS's TRN request itself may be fine/);
    const dqt = classifyFailure(message, null, { jobName: 'Dqt::RetrieveTrnJob' });
    expect(dqt).toMatchObject({ kind: 'submitted-for-trn-at-missing', era: 'dqt', errorClass: 'Dqt::RetrieveTrnJob::TraineeAttributeError' });
    expect(dqt.explanation).toMatch(/DQT's TRN request itself may be fine/);
    expect(PLAYBOOK_RULES['submitted-for-trn-at-missing']).toMatchObject({ bulkSafe: false, runbook: 'dqt-errors/retrieve-trn-timeout' });
  });

  it("words a bare HttpError by its job's era", () => {
    const message = http(500, '');
    expect(classifyFailure(message, null, { jobName: 'Trs::RetrieveTrnJob' })).toMatchObject({ kind: 'server-error', era: 'trs', errorClass: 'Trs::Client::HttpError', explanation: 'A TRS server error: usually passing, the job succeeds when re-run.' });
    expect(classifyFailure(message, null, { jobName: 'Dqt::RetrieveTrnJob' })).toMatchObject({ kind: 'server-error', era: 'dqt', errorClass: 'Dqt::Client::HttpError', explanation: 'A DQT server error: usually passing, the job succeeds when re-run.' });
    expect(classifyFailure(message)).toMatchObject({ era: 'dqt', errorClass: 'Dqt::Client::HttpError' });
  });

  it("reads TRS's validation problems on the route PUT as validation, in TRS words", () => {
    const body = JSON.stringify(validationProblem({ HoldsFrom: ['Holds from date cannot be in the future.'] }).body);
    const c = classifyFailure(new ProfessionalStatusUpdateError(http(400, body)).message);
    expect(c).toMatchObject({ kind: 'validation', era: 'trs', status: 400, errorCode: null, errorClass: PS_ERROR, fingerprint: 'ProfessionalStatusUpdateError status 400 HoldsFrom' });
    expect(c.explanation).toBe('TRS rejected the payload with a validation error not covered by the playbook.');
  });
});

describe('the rules of both eras', () => {
  it('gives the new TRS kinds their runbooks, never bulk', () => {
    expect(PLAYBOOK_RULES['trn-request-rejected']).toMatchObject({ runbook: 'dqt-errors/trn-request-rejected-10062', bulkSafe: false });
    expect(PLAYBOOK_RULES['eyts-holder']).toMatchObject({ runbook: 'dqt-errors/eyts-holder-10057', bulkSafe: false });
    expect(PLAYBOOK_RULES['trs-route-rejected']).toMatchObject({ runbook: 'dqt-errors/trs-route-rejected', bulkSafe: false });
    for (const kind of ['trn-request-rejected', 'eyts-holder', 'trs-route-rejected'] as const) {
      expect(PLAYBOOK_RULES[kind].explanation.length).toBeGreaterThan(40);
      expect(PLAYBOOK_RULES[kind].action.length).toBeGreaterThan(40);
    }
  });

  it('names TRS in every TRS-era explanation, and DQT (never TRS) in the playbook kinds of the DQT era', () => {
    for (const kind of ERROR_KINDS) expect(`${kind}: ${ruleWording(kind, 'trs').explanation}`).toMatch(/TRS/);
    const playbook: ErrorKind[] = ['server-error', 'teacher-not-found', 'no-qts-record', 'no-incomplete-itt', 'organisation-not-found', 'already-has-qts', 'retrieve-trn-timeout', 'rate-limited', 'unauthorised', 'validation'];
    for (const kind of playbook) {
      expect(`${kind}: ${ruleWording(kind, 'dqt').explanation}`).toMatch(/DQT/);
      expect(`${kind}: ${ruleWording(kind, 'dqt').explanation}`).not.toMatch(/TRS/);
    }
  });

  it('tells the era of a job by its class', () => {
    expect(eraOfJob('Trs::UpdateProfessionalStatusJob')).toBe('trs');
    expect(eraOfJob('Dqt::RecommendForAwardJob')).toBe('dqt');
    expect(eraOfJob('RecruitsApi::ImportApplicationsJob')).toBeNull();
    expect(eraOfJob(null)).toBeNull();
  });
});

describe('update before award with TRS', () => {
  const record = (jobName: string, traineeId: number): TriageRecord => ({
    queue: jobName.startsWith('Trs::') ? 'trs' : 'dqt', jobId: `${jobName}-${traineeId}`, jobName, traineeId, slug: null, failedAt: null, attempts: 1, status: 500, errorCode: null,
    errorClass: 'Trs::Client::HttpError', explanation: '', action: 'Retry the job.', bulkSafe: true, runbook: 'dqt-errors/server-error-500',
    kind: 'server-error', era: 'trs', fingerprint: 'status 500', error: '', message: 'status: 500, body: ', trnRequestId: null,
    state: 'failed', firstFailedAt: null, enqueuedAt: null, nextRetryAt: null, removedByCleanup: false, shape: 'activejob', location: null,
  });

  it('holds Trs::UpdateProfessionalStatusJob back until Trs::UpdateTraineeJob of the same trainee has succeeded', () => {
    const [update, award, lone] = applyUpdateBeforeAward([record('Trs::UpdateTraineeJob', 411), record('Trs::UpdateProfessionalStatusJob', 411), record('Trs::UpdateProfessionalStatusJob', 405)]);
    expect(update).toMatchObject({ runbook: 'dqt-errors/failed-update-and-award', bulkSafe: false, action: 'Retry this update first (the trainee also has a failed award). Retry the job.' });
    expect(award).toMatchObject({ runbook: 'dqt-errors/failed-update-and-award', bulkSafe: false, action: 'Retry only after the failed update of this trainee has succeeded.' });
    expect(lone).toMatchObject({ runbook: 'dqt-errors/server-error-500', bulkSafe: true, action: 'Retry the job.' });
  });

  it("never pairs one era's update with the other era's award", () => {
    const [update, award] = applyUpdateBeforeAward([record('Dqt::UpdateTraineeJob', 7), record('Trs::UpdateProfessionalStatusJob', 7)]);
    expect(update).toMatchObject({ runbook: 'dqt-errors/server-error-500', bulkSafe: true });
    expect(award).toMatchObject({ runbook: 'dqt-errors/server-error-500', bulkSafe: true });
  });
});
