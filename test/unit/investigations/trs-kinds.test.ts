import { describe, expect, it } from 'vitest';
import { classifyTrsFailure } from '../../../lib/investigations/trs-kinds.js';
import { PersonUpdateError, PersonUpdateMissingTrn, ProfessionalStatusUpdateError, ProfessionalStatusUpdateMissingTrn, retrieveTrnTimeoutNotice } from '../../../lib/trs/register-errors.js';
import { trsHttpErrorMessage } from '../../../lib/trs/error.js';

/** Register's TRS-era dead-job texts (built with Register's own error classes) and the runbook each belongs to. */
const problem = (status: number, errorCode: number, title: string) => JSON.stringify({ title, status, errorCode });
const http = (status: number, body: string) => trsHttpErrorMessage(status, body, { 'content-type': ['application/problem+json'] });

describe('classifyTrsFailure', () => {
  it.each([
    ['a 500 on the personal-data PUT', new PersonUpdateError(http(500, '')).message, 'server-error', 'personalData', 500, null],
    ['10001 on the personal-data PUT', new PersonUpdateError(http(404, problem(404, 10001, 'Person not found.'))).message, 'teacher-not-found', 'personalData', 404, 10001],
    ['10057 (EYTS holder)', new PersonUpdateError(http(400, problem(400, 10057, 'Updates to PII data is not permitted. Person has EYTS.'))).message, 'eyts-holder', 'personalData', 400, 10057],
    ['10048 (training provider UKPRN)', new ProfessionalStatusUpdateError(http(400, problem(400, 10048, 'Invalid training provider UKPRN.'))).message, 'organisation-not-found', 'route', 400, 10048],
    ['10054 (route type change)', new ProfessionalStatusUpdateError(http(400, problem(400, 10054, 'Unable to change route type.'))).message, 'trs-route-rejected', 'route', 400, 10054],
    ['10045 (subject)', new ProfessionalStatusUpdateError(http(400, problem(400, 10045, 'Invalid training subject reference.'))).message, 'trs-route-rejected', 'route', 400, 10045],
    ['10055 (cannot change a Failed route)', new ProfessionalStatusUpdateError(http(400, problem(400, 10055, 'Unable to change fail professional status status.'))).message, 'no-qts-record', 'route', 400, 10055],
    ['10052 (already awarded, when not ignored)', new ProfessionalStatusUpdateError(http(400, problem(400, 10052, 'Route to professional status already awarded.'))).message, 'already-has-qts', 'route', 400, 10052],
    ['a 429', new ProfessionalStatusUpdateError(http(429, '')).message, 'rate-limited', 'route', 429, null],
    ['a 401', new PersonUpdateError(http(401, '')).message, 'unauthorised', 'personalData', 401, null],
  ])('%s', (_what, message, kind, call, status, errorCode) => {
    const c = classifyTrsFailure(message);
    expect([c.kind, c.call, c.http?.status ?? null, c.http?.errorCode ?? null]).toEqual([kind, call, status, errorCode]);
  });

  it('TRN polling refused with 10062 is a rejected TRN request (the bare HttpError of Trs::RetrieveTrnJob)', () => {
    const c = classifyTrsFailure(http(400, problem(400, 10062, 'Unsupported TRN request status.')), 'Trs::RetrieveTrnJob');
    expect([c.kind, c.call, c.http?.errorCode]).toEqual(['trn-request-rejected', 'trnRequest', 10062]);
  });

  it('TRN polling refused with 10031 (TRS never had the request) belongs to update-missing-trn, as the triage says', () => {
    const c = classifyTrsFailure(http(404, problem(404, 10031, 'TRN request does not exist.')), 'Trs::RetrieveTrnJob');
    expect([c.kind, c.call, c.http?.errorCode]).toEqual(['update-missing-trn', 'trnRequest', 10031]);
  });

  it('the polling timeout notice and the missing-TRN errors', () => {
    expect(classifyTrsFailure(retrieveTrnTimeoutNotice('x3KqWk9aPzR2', 4).message)).toEqual({ kind: 'retrieve-trn-timeout', call: 'trnRequest', http: null });
    expect(classifyTrsFailure(new ProfessionalStatusUpdateMissingTrn({ slug: 'x3KqWk9aPzR2', id: 42 }).message)).toEqual({ kind: 'update-missing-trn', call: 'route', http: null });
    expect(classifyTrsFailure(new PersonUpdateMissingTrn({ slug: 'x3KqWk9aPzR2', id: 42 }).message)).toEqual({ kind: 'update-missing-trn', call: 'personalData', http: null });
  });

  it('anything else is unknown', () => {
    expect(classifyTrsFailure("Error while trying to deserialize arguments: Couldn't find Trainee with 'id'=9").kind).toBe('unknown');
    expect(classifyTrsFailure(null).kind).toBe('unknown');
  });
});
