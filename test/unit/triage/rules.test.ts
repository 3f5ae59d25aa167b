import { describe, expect, it } from 'vitest';
import { classifyFailure, errorClassFromStack, normaliseMessage, PLAYBOOK_RULES } from '../../../lib/triage/rules.js';
import { deepDig, jobSubject, jobSubjectFromText } from '../../../lib/queues/globalid.js';
import { applyUpdateBeforeAward, type TriageRecord } from '../../../lib/triage/triage.js';

const validation = (key: string, message: string) =>
  `status: 400, body: {"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"${key}":["${message}"]}}`;

describe('classifying dead jobs by the playbook', () => {
  it.each([
    ['status: 500, body: ', 'server-error', 500, null],
    ['status: 502, body: <html>Bad gateway</html>, headers: {"server"=>"x"}', 'server-error', 502, null],
    ['status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}', 'teacher-not-found', 404, 10001],
    ['status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}', 'no-qts-record', 400, 10006],
    ['status: 400, body: {"title":"Teacher has no incomplete ITT record","status":400,"errorCode":10005}', 'no-incomplete-itt', 400, 10005],
    [validation('qualification.providerUkprn', 'Organisation not found'), 'organisation-not-found', 400, null],
    [validation('initialTeacherTraining.providerUkprn', 'Organisation not found'), 'organisation-not-found', 400, null],
    [validation('initialTeacherTraining.programmeType', 'Teacher already has QTS/EYTS date'), 'already-has-qts', 400, null],
    [validation('initialTeacherTraining.providerUkprn', 'Teacher has no incomplete ITT record'), 'no-incomplete-itt', 400, null],
    ['status: 429, body: {"title":"API calls quota exceeded"}', 'rate-limited', 429, null],
    ['status: 401, body: ', 'unauthorised', 401, null],
    ['status: 403, body: ', 'unauthorised', 403, null],
    [validation('firstName', "'First Name' must not be empty."), 'validation', 400, null],
  ])('%s → %s', (message, kind, status, errorCode) => {
    const c = classifyFailure(message);
    expect(c.kind).toBe(kind);
    expect(c.status).toBe(status);
    expect(c.errorCode).toBe(errorCode);
    expect(c.errorClass).toBe('Dqt::Client::HttpError');
  });

  it('recognises the timeout and missing-TRN errors by their exact texts', () => {
    expect(classifyFailure('Dqt::RetrieveTrnJob for Trainee id: 142508 has timed out after 4 days').kind).toBe('retrieve-trn-timeout');
    const missing = classifyFailure('Cannot update trainee on DQT without a trn (id: 142508)');
    expect(missing).toMatchObject({ kind: 'update-missing-trn', errorClass: 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn' });
  });

  it('keeps unknown errors with their raw text and class from the stack', () => {
    const c = classifyFailure('connect ECONNREFUSED 10.0.0.1:443', 'Error');
    expect(c).toMatchObject({ kind: 'unknown', errorClass: 'Error', detail: 'connect ECONNREFUSED 10.0.0.1:443', fingerprint: 'Error: connect ECONNREFUSED <n>.<n>.<n>.<n>:<n>' });
    expect(PLAYBOOK_RULES.unknown.bulkSafe).toBe(false);
  });

  it('allows bulk action only for server errors and timeouts', () => {
    expect(Object.values(PLAYBOOK_RULES).filter((r) => r.bulkSafe).map((r) => r.kind)).toEqual(['server-error', 'retrieve-trn-timeout']);
  });

  it('groups errors by a fingerprint without ids and dates', () => {
    expect(classifyFailure(validation('qualification.providerUkprn', 'Organisation not found')).fingerprint).toBe('status 400 qualification.providerUkprn');
    expect(normaliseMessage('Job 123 failed at 2024-03-03T10:00:00Z for 5f0c0b4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f')).toBe('Job <n> failed at <date> for <uuid>');
  });

  it('reads the error class from a stack trace', () => {
    expect(errorClassFromStack(JSON.stringify(['Dqt::TraineeUpdate::TraineeUpdateMissingTrn: Cannot update\n    at x']))).toBe('Dqt::TraineeUpdate::TraineeUpdateMissingTrn');
    expect(errorClassFromStack(null)).toBeNull();
  });
});

describe('finding the trainee of a job', () => {
  it("ports deep_dig: a top-level value, a nested hash value, a value inside an array, nil when missing", () => {
    expect(deepDig({ _aj_globalid: 'a' }, '_aj_globalid')).toBe('a');
    expect(deepDig({ x: { y: { _aj_globalid: 'b' } } }, '_aj_globalid')).toBe('b');
    expect(deepDig({ arguments: [1, { _aj_globalid: 'c' }] }, '_aj_globalid')).toBe('c');
    expect(deepDig({ a: 1 }, '_aj_globalid')).toBeUndefined();
  });

  it("takes the Trainee GlobalID, not a RetrieveTrnJob's TrnRequest (Register's bug)", () => {
    const data = { arguments: [{ _aj_globalid: 'gid://register/Dqt::TrnRequest/77' }, { _aj_globalid: 'gid://register/Trainee/5' }] };
    expect(deepDig(data.arguments, '_aj_globalid')).toBe('gid://register/Trainee/5'); // deep_dig's order: last sibling first
    expect(jobSubject({ arguments: [{ _aj_globalid: 'gid://register/Dqt::TrnRequest/77' }] })).toEqual({ traineeId: null, trnRequestId: 77 });
    expect(jobSubject(data)).toEqual({ traineeId: 5, trnRequestId: 77 });
    expect(jobSubjectFromText(JSON.stringify(data))).toEqual({ traineeId: 5, trnRequestId: 77 });
    expect(jobSubjectFromText('{"arguments":[{"trainee":{"_aj_globalid":"gid://register-trainee-teachers/Trainee/9"}}]}')).toEqual({ traineeId: 9, trnRequestId: null });
  });
});

describe('update before award', () => {
  const record = (jobName: string, traineeId: number): TriageRecord => ({
    queue: 'dqt', jobId: `${jobName}-${traineeId}`, jobName, traineeId, slug: null, failedAt: null, attempts: 1, status: 500, errorCode: null,
    errorClass: 'Dqt::Client::HttpError', explanation: '', action: 'Retry the job.', bulkSafe: true, runbook: 'dqt-errors/server-error-500',
    kind: 'server-error', fingerprint: 'status 500', error: '', message: 'status: 500, body: ', trnRequestId: null,
  });

  it('marks a trainee with both a failed update and a failed award: update first, never in bulk', () => {
    const [update, award, other] = applyUpdateBeforeAward([record('Dqt::UpdateTraineeJob', 1), record('Dqt::RecommendForAwardJob', 1), record('Dqt::UpdateTraineeJob', 2)]);
    expect(update).toMatchObject({ runbook: 'dqt-errors/failed-update-and-award', bulkSafe: false });
    expect(update!.action).toMatch(/^Retry this update first/);
    expect(award).toMatchObject({ runbook: 'dqt-errors/failed-update-and-award', bulkSafe: false, action: 'Retry only after the failed update of this trainee has succeeded.' });
    expect(other).toMatchObject({ runbook: 'dqt-errors/server-error-500', bulkSafe: true });
  });
});
