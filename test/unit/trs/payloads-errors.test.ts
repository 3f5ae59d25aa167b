import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../../lib/config/env.js';
import { parseDqtErrorMessage } from '../../../lib/dqt/error.js';
import { TRS_ROUTE_TYPES, trsSubjectReference, trsTrainingStatus, trsValidForUpdate } from '../../../lib/trs/codes.js';
import { parseTrsErrorMessage, rubyHashInspect, TrsError, trsErrorTitle } from '../../../lib/trs/error.js';
import {
  RegisterWouldRaiseError,
  trsCountryReference,
  trsEstimatedEndDate,
  trsPersonalDataBody,
  trsProfessionalStatusBody,
  trsTrnRequestBody,
  type TrsTraineeInput,
} from '../../../lib/trs/payloads.js';
import {
  PersonUpdateError,
  PersonUpdateMissingTrn,
  ProfessionalStatusUpdateError,
  ProfessionalStatusUpdateMissingTrn,
  registerIgnoresTrsError,
  retrieveTrnTimeoutNotice,
  TraineeAttributeError,
} from '../../../lib/trs/register-errors.js';

const trainee = (overrides: Partial<TrsTraineeInput> = {}): TrsTraineeInput => ({
  firstNames: 'Ivy', middleNames: 'May', lastName: 'Jensen', dateOfBirth: '1997-05-22', email: 'ivy.jensen@example.com', sex: 'prefer_not_to_say',
  state: 'trn_received', trainingRoute: 'provider_led_undergrad', ittStartDate: null, traineeStartDate: '2024-01-31', ittEndDate: null,
  studyMode: 'full_time', courseSubjectOne: 'Physical education', courseSubjectTwo: 'biology', courseSubjectThree: null, courseMinAge: 11, courseMaxAge: 18,
  iqtsCountry: 'France', providerUkprn: '10099001', ittQualificationAim: 'BA (Hons)', outcomeDate: '2025-06-18',
  ...overrides,
});

describe("Register's TRS payloads (app/lib/trs/params/*.rb at HEAD)", () => {
  it('TRN request: Register\'s keys in order, every sex but male and female sent as Other', () => {
    expect(JSON.stringify(trsTrnRequestBody(trainee(), 'req-1'))).toBe(
      '{"requestId":"req-1","person":{"firstName":"Ivy","middleName":"May","lastName":"Jensen","dateOfBirth":"1997-05-22","emailAddresses":["ivy.jensen@example.com"],"nationalInsuranceNumber":null,"gender":"Other"},"identityVerified":false,"oneLoginUserSubject":null}',
    );
  });

  it('personal data: nulls kept, e-mail as a list', () => {
    expect(trsPersonalDataBody(trainee({ middleNames: null, sex: 'male' }))).toEqual({
      firstName: 'Ivy', middleName: null, lastName: 'Jensen', dateOfBirth: '1997-05-22', emailAddresses: ['ivy.jensen@example.com'], gender: 'Male',
    });
  });

  it('professional status: nulls dropped, end date estimated (34 months full-time undergrad, end of a short month), Register\'s subject codes', () => {
    expect(JSON.stringify(trsProfessionalStatusBody(trainee()))).toBe(
      '{"routeToProfessionalStatusTypeId":"53a7fbda-25fd-4482-9881-5cf65053888d","status":"InTraining","trainingStartDate":"2024-01-31","trainingEndDate":"2026-11-30","trainingSubjectReferences":["999002","100346"],"trainingAgeSpecialism":{"type":"Range","from":11,"to":18},"trainingCountryReference":"GB","trainingProviderUkprn":"10099001","degreeTypeId":"dbb7c27b-8a27-4a94-908d-4b4404acebd5"}',
    );
    const awarded = trsProfessionalStatusBody(trainee({ state: 'awarded', ittStartDate: '2023-09-01', ittEndDate: '2024-07-01', courseSubjectOne: null, courseMinAge: null }));
    expect(awarded).toMatchObject({ status: 'Holds', holdsFrom: '2025-06-18', trainingStartDate: '2023-09-01', trainingEndDate: '2024-07-01', trainingSubjectReferences: [] });
    expect('trainingAgeSpecialism' in awarded).toBe(false);
  });

  it('statuses by state and route, updates refused for withdrawn and awarded', () => {
    expect(trsTrainingStatus('trn_received', 'assessment_only')).toBe('UnderAssessment');
    expect(trsTrainingStatus('submitted_for_trn', 'early_years_assessment_only')).toBe('InTraining');
    expect(trsTrainingStatus('recommended_for_award', 'iqts')).toBe('Holds');
    expect(trsTrainingStatus('draft', 'iqts')).toBeNull();
    expect([trsValidForUpdate('withdrawn'), trsValidForUpdate('awarded'), trsValidForUpdate('deferred')]).toEqual([false, false, true]);
    expect(TRS_ROUTE_TYPES.teacher_degree_apprenticeship).toBe('5D4C01C1-0841-4306-B49C-48AD6499FDC0');
    expect([trsSubjectReference('Citizenship'), trsSubjectReference('citizenship'), trsSubjectReference('science')]).toEqual(['999001', null, null]);
  });

  it('country: GB off the iqts route; territories, Cyprus as XC, unknown names as null', () => {
    expect(trsCountryReference({ trainingRoute: 'provider_led_postgrad', iqtsCountry: 'France' })).toBe('GB');
    expect(trsCountryReference({ trainingRoute: 'iqts', iqtsCountry: null })).toBe('GB');
    expect(trsCountryReference({ trainingRoute: 'iqts', iqtsCountry: 'France' })).toBe('FR');
    expect(trsCountryReference({ trainingRoute: 'iqts', iqtsCountry: 'Dubai' })).toBe('AE');
    expect(trsCountryReference({ trainingRoute: 'iqts', iqtsCountry: 'Cyprus' })).toBe('XC');
    expect(trsCountryReference({ trainingRoute: 'iqts', iqtsCountry: 'Atlantis' })).toBeNull();
  });

  it('throws where Register\'s Ruby raises, naming the field', () => {
    expect(() => trsTrnRequestBody(trainee({ sex: null }), 'r')).toThrow(RegisterWouldRaiseError);
    expect(() => trsPersonalDataBody(trainee({ dateOfBirth: null }))).toThrow('date_of_birth is nil');
    expect(() => trsEstimatedEndDate({ traineeStartDate: null, ittStartDate: null, trainingRoute: 'iqts', studyMode: null })).toThrow('no itt_end_date and no start date');
    expect(trsEstimatedEndDate({ traineeStartDate: '2024-09-01', ittStartDate: null, trainingRoute: 'opt_in_undergrad', studyMode: 'full_time' })).toBe('2026-07-01');
  });
});

describe("Register's TRS-era errors (HEAD app/services/trs, app/jobs/trs)", () => {
  it('wrap the HttpError message, and the MissingTrn pair are four lines ending in a newline', () => {
    const http = 'status: 400, body: {"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10099077\'","errorCode":10048}, headers: {}';
    expect(new ProfessionalStatusUpdateError(http)).toMatchObject({ name: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', message: `Error updating professional status: ${http}` });
    expect(new PersonUpdateError(http).message).toBe(`Error updating personal data: ${http}`);
    expect(new ProfessionalStatusUpdateMissingTrn({ id: 42, slug: 'abc' }).message).toBe(
      'Cannot update professional status on TRS without a TRN\nslug: abc\nid: 42\nhttps://www.register-trainee-teachers.service.gov.uk/trainees/abc\n',
    );
    expect(new PersonUpdateMissingTrn({ id: 42, slug: 'abc' }, 'https://localhost:5000')).toMatchObject({
      name: 'Trs::UpdatePersonalData::PersonUpdateMissingTrn',
      message: 'Cannot update person personal data on TRS without a TRN\nslug: abc\nid: 42\nhttps://localhost:5000/trainees/abc\n',
    });
    expect(new TraineeAttributeError(7).message).toBe('Trainee#submitted_for_trn_at is nil - it should be timestamped (id: 7)');
    expect(retrieveTrnTimeoutNotice('abc')).toEqual({ title: 'Trs::RetrieveTrnJob timed out', message: 'Trs::RetrieveTrnJob for Trainee with slug: abc has timed out after 4 days.' });
  });

  it('Register ignores 10041/10042 on personal data and 10052 on the route, matched as TRS writes it (no space)', () => {
    expect(registerIgnoresTrsError('personalData', 'status: 400, body: {"title":"x","status":400,"detail":"","errorCode":10042}, headers: {}')).toBe(true);
    expect(registerIgnoresTrsError('personalData', 'status: 400, body: {"errorCode":10057}')).toBe(false);
    expect(registerIgnoresTrsError('route', 'status: 400, body: {"errorCode": 10052}')).toBe(false);
    expect(registerIgnoresTrsError('route', 'status: 400, body: {"errorCode":10052}')).toBe(true);
  });
});

describe('TrsError and its message', () => {
  it("is Register's HttpError text with Ruby 3.4's Hash#inspect of the response headers, and reads back", () => {
    const body = '{"title":"Person not found.","status":404,"detail":"TRN: \'1234567\'","errorCode":10001}';
    const e = new TrsError(404, body, { headers: { 'content-type': 'application/problem+json; charset=utf-8', 'x-ratelimit-remaining': ['999'] } });
    expect(e.name).toBe('Trs::Client::HttpError');
    expect(e.message).toBe(`status: 404, body: ${body}, headers: {"content-type" => ["application/problem+json; charset=utf-8"], "x-ratelimit-remaining" => ["999"]}`);
    expect([e.errorCode, e.title, e.detail]).toEqual([10001, 'Person not found.', "TRN: '1234567'"]);
    expect(parseTrsErrorMessage(e.message)).toEqual({ status: 404, errorCode: 10001, title: 'Person not found.', detail: "TRN: '1234567'", errors: {}, body });
    // DQT's reader takes the same text (both eras' dead jobs read alike).
    expect(parseDqtErrorMessage(e.message)).toMatchObject({ status: 404, errorCode: 10001, body });
    expect(rubyHashInspect({})).toBe('{}');
    expect(rubyHashInspect({ a: ['#{x}'] })).toBe('{"a" => ["\\#{x}"]}');
  });

  it('titles for every v3 code, values put in', () => {
    expect(trsErrorTitle(10059, { trn: '1111111', mergedWithTrn: '2222222' })).toBe('Record 1111111 has been merged with 2222222.');
    expect(trsErrorTitle(10062)).toBe('Unsupported TRN request status.');
    expect(trsErrorTitle(10002)).toBeNull();
  });
});

describe('TRS settings', () => {
  it('default to the TRS sandbox beside the DQT sandbox, version 20250627', () => {
    const config = loadConfig({}, '/p');
    // Per checkout: the port right after the checkout's DQT sandbox.
    expect({ kind: config.trs.kind, url: config.trs.url, version: config.trs.version, port: config.sandbox.trsPort }).toEqual({
      kind: 'sandbox', url: `http://127.0.0.1:${config.sandbox.dqtPort + 1}`, version: '20250627', port: config.sandbox.dqtPort + 1,
    });
    expect(loadConfig({ SUPPORT_DQT_SANDBOX_PORT: '41000' }).sandbox.trsPort).toBe(41001);
    expect(loadConfig({ SUPPORT_DQT_SANDBOX_PORT: '41000', SUPPORT_TRS_SANDBOX_PORT: '42000' }).trs.url).toBe('http://127.0.0.1:42000');
  });

  it('need the key with a real URL, check the version, and never show the key', () => {
    expect(() => loadConfig({ TRS_API_URL: 'https://trs.example' })).toThrow('TRS_API_KEY: expected the TRS API key, because TRS_API_URL is set');
    expect(() => loadConfig({ TRS_API_VERSION: '2025-06-27' })).toThrow('TRS_API_VERSION: expected a TRS API version: 8 digits such as 20250627');
    const env = { TRS_API_URL: 'https://trs.example/', TRS_API_KEY: 'trs-secret-key-8812', TRS_API_VERSION: '20250425' };
    const config = loadConfig(env);
    expect([config.trs.kind, config.trs.url, config.trs.version, config.trs.apiKey.reveal()]).toEqual(['external', 'https://trs.example', '20250425', 'trs-secret-key-8812']);
    expect(`${JSON.stringify(config)} ${inspect(config, { depth: 5 })}`).not.toContain('trs-secret-key-8812');
    expect(secretValues(env)).toContain('trs-secret-key-8812');
  });
});
