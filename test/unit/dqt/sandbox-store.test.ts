import { beforeEach, describe, expect, it } from 'vitest';
import { DqtSandboxStore } from '../../../lib/dqt/sandbox/store.js';
import type { SandboxTeacherInput } from '../../../lib/dqt/sandbox/records.js';

const ukprn = '10099001';
const itt = (over: Record<string, unknown> = {}) => ({ programmeStartDate: '2024-09-02', programmeEndDate: '2025-07-18', programmeType: 'ProviderLedPostgrad', result: 'InTraining', provider: { ukprn }, active: true, ...over });
const teacher = (over: Partial<SandboxTeacherInput> = {}): SandboxTeacherInput => ({
  trn: '2100001', firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-01-01', emailAddress: 'ada@example.com', initialTeacherTraining: [itt()], ...over,
});
const q = { birthdate: '1990-01-01' };
const pass = { ittProviderUkprn: ukprn, outcome: 'Pass', assessmentDate: '2025-06-18' };
const update = (over: Record<string, unknown> = {}) => ({ initialTeacherTraining: { providerUkprn: ukprn, programmeType: 'ProviderLedPostgrad', ...over } });
let store: DqtSandboxStore;

beforeEach(() => {
  store = new DqtSandboxStore({ teachers: [], trnRequests: [], knownOrganisations: [ukprn, '10099002'], unknownOrganisations: [] });
});

describe('the DQT sandbox rules (dqt-api.md section 8)', () => {
  it('F: 10004 with two matching ITT rows, 10007 with two QTS registrations, unhandled 500 for outcomes outside the handler', () => {
    store.putTeacher(teacher({ initialTeacherTraining: [itt(), itt({ programmeStartDate: '2023-09-01' })] }));
    expect(store.setIttOutcome('2100001', q, pass)).toEqual({ status: 400, body: { title: 'Teacher has multiple incomplete ITT records', status: 400, errorCode: 10004 } });
    store.putTeacher(teacher({ qtsRegistrations: [{ status: '211' }, { status: '211' }] }));
    expect(store.setIttOutcome('2100001', q, pass).body).toMatchObject({ errorCode: 10007 });
    expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'InTraining' })).toEqual({ status: 500 });
    expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Pass' }).body).toMatchObject({ errors: { assessmentDate: ['Assessment date must be specified when outcome is Pass.'] } });
    expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Withdrawn', assessmentDate: '2025-01-01' }).body).toMatchObject({
      errors: { assessmentDate: ['Assessment date cannot be specified unless outcome is Pass.'] },
    });
    expect(store.setIttOutcome('2100001', {}, pass).body).toMatchObject({ errors: { birthDate: ['Birthdate is required.'] } });
  });

  it('F: early-years Pass sets the EYTS date and status 221; the response key is still qtsDate', () => {
    store.putTeacher(teacher({ initialTeacherTraining: [itt({ programmeType: 'EYITTGraduateEntry' })] }));
    expect(store.setIttOutcome('2100001', q, pass)).toEqual({ status: 200, body: { trn: '2100001', qtsDate: '2025-06-18' } });
    const person = store.persons[0]!;
    expect([person.qtsDate, person.eytsDate, person.earlyYearsStatus]).toEqual([null, '2025-06-18', { value: '221', name: 'Early Years Teacher Status' }]);
  });

  it('F: Fail is final: repeat is a no-op, anything else is 10005', () => {
    store.putTeacher(teacher());
    expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Fail' }).status).toBe(200);
    expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Fail' }).status).toBe(200);
    expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Withdrawn' }).body).toMatchObject({ errorCode: 10005 });
    expect(store.setIttOutcome('2100001', q, pass).body).toMatchObject({ errorCode: 10005 });
  });

  describe("F: the order of DQT's checks (SetIttOutcomeHandler and DataverseAdapter.SetIttResultForTeacher at 601a1786b)", () => {
    const withdraw = { ittProviderUkprn: ukprn, outcome: 'Withdrawn' };
    /** The errorCode DQT answers, or the HTTP status when there is none. */
    const code = (trn = '2100001', body: Record<string, unknown> = pass) => {
      const response = store.setIttOutcome(trn, q, body);
      return (response.body as { errorCode?: number } | undefined)?.errorCode ?? response.status;
    };

    it('an unknown provider UKPRN is 10005 before any ITT row is looked at', () => {
      store.putTeacher(teacher());
      store.setOrganisation(ukprn, false);
      expect(store.setIttOutcome('2100001', q, pass)).toEqual({ status: 400, body: { title: 'Teacher has no incomplete ITT record', status: 400, errorCode: 10005 } });
    });

    it('two matching ITT rows (10004) come before a missing QTS registration (10006)', () => {
      store.putTeacher(teacher({ initialTeacherTraining: [itt(), itt({ programmeStartDate: '2023-09-01' })], qtsRegistrations: [{ status: null }] }));
      expect(code()).toBe(10004);
    });

    it('Pass on a Withdrawn row is 10005, whatever the QTS registration: the row is checked before the QTS record', () => {
      store.putTeacher(teacher({ initialTeacherTraining: [itt({ result: 'Withdrawn' })], qtsRegistrations: [{ status: null }] }));
      expect(code()).toBe(10005);
      store.putTeacher(teacher({ initialTeacherTraining: [itt({ result: 'Withdrawn' })], qtsRegistrations: [{ status: '211' }] }));
      expect(code()).toBe(10005);
    });

    it('a Withdrawn or Fail row is checked before the QTS date: Pass with another date is 10005, not 10003', () => {
      store.putTeacher(teacher({ qtsDate: '2024-01-01', initialTeacherTraining: [itt({ result: 'Withdrawn' })] }));
      expect(code()).toBe(10005);
      store.putTeacher(teacher({ qtsDate: '2024-01-01', initialTeacherTraining: [itt({ result: 'Fail' })] }));
      expect(code()).toBe(10005);
    });

    it('repeating the outcome of a Withdrawn or Fail row succeeds before the QTS record is looked for', () => {
      store.putTeacher(teacher({ initialTeacherTraining: [itt({ result: 'Withdrawn' })], qtsRegistrations: [{ status: null }] }));
      expect(store.setIttOutcome('2100001', q, withdraw)).toEqual({ status: 200, body: { trn: '2100001', qtsDate: null } });
      store.putTeacher(teacher({ initialTeacherTraining: [itt({ result: 'Fail' })], qtsRegistrations: [] }));
      expect(store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Fail' })).toEqual({ status: 200, body: { trn: '2100001', qtsDate: null } });
    });

    it('every outcome needs exactly one QTS registration: Withdrawn or Deferred on an in-training row with none is 10006', () => {
      store.putTeacher(teacher({ qtsRegistrations: [{ status: null }] }));
      expect(code('2100001', withdraw)).toBe(10006);
      expect(code('2100001', { ittProviderUkprn: ukprn, outcome: 'Deferred' })).toBe(10006);
      expect(code()).toBe(10006);
      expect(store.persons[0]!.initialTeacherTraining[0]!.result).toBe('InTraining');
    });

    it('a registration in the trainee status of another programme is no QTS record (211 for a provider-led route, 212 for assessment only)', () => {
      store.putTeacher(teacher({ qtsRegistrations: [{ status: '212' }] }));
      expect(code()).toBe(10006);
      store.putTeacher(teacher({ initialTeacherTraining: [itt({ programmeType: 'AssessmentOnlyRoute', result: 'UnderAssessment' })], qtsRegistrations: [{ status: '211' }] }));
      expect(code()).toBe(10006);
    });

    it('the QTS registration is chosen (10007) before the QTS date is compared (10003)', () => {
      store.putTeacher(teacher({ qtsDate: '2024-01-01', initialTeacherTraining: [itt({ result: 'Pass' })], qtsRegistrations: [{ status: '71' }, { status: '211' }] }));
      expect(code()).toBe(10007);
      store.putTeacher(teacher({ qtsDate: '2024-01-01', initialTeacherTraining: [itt({ result: 'Pass' })], qtsRegistrations: [{ status: '71' }] }));
      expect(code()).toBe(10003);
      expect(store.setIttOutcome('2100001', q, { ...pass, assessmentDate: '2024-01-01' })).toEqual({ status: 200, body: { trn: '2100001', qtsDate: '2024-01-01' } });
    });

    it('a Pass row is neither Fail nor Withdrawn: DQT withdraws it, clearing the teacher status of its QTS registration', () => {
      store.putTeacher(teacher({ qtsDate: '2025-06-18', initialTeacherTraining: [itt({ result: 'Pass' })], qtsRegistrations: [{ status: '71' }] }));
      expect(store.setIttOutcome('2100001', q, withdraw)).toEqual({ status: 200, body: { trn: '2100001', qtsDate: null } });
      expect(store.persons[0]!.initialTeacherTraining[0]!.result).toBe('Withdrawn');
      expect(store.persons[0]!.qtsRegistrations).toEqual([{ status: null }]);
    });
  });

  it('E: outcome rules, programme type changes, failed results, several incomplete records, a HUSID of another teacher', () => {
    store.putTeacher(teacher());
    expect(store.updateTeacher('2100001', q, update({ outcome: 'Withdrawn' })).body).toMatchObject({ errors: { outcome: ['Outcome can only be set to Deferred, InTraining or UnderAssessment.'] } });
    expect(store.updateTeacher('2100001', q, update({ outcome: 'UnderAssessment' })).body).toMatchObject({
      errors: { outcome: ['UnderAssessment outcome only permitted for AssessmentOnlyRoute ProgrammeType.'] },
    });
    expect(store.updateTeacher('2100001', q, update({ programmeType: 'AssessmentOnlyRoute', outcome: 'InTraining' })).body).toMatchObject({
      errors: { outcome: ['InTraining outcome not permitted for AssessmentOnlyRoute ProgrammeType.'] },
    });
    expect(store.updateTeacher('2100001', q, update({ programmeType: 'EYITTGraduateEntry' })).body).toMatchObject({ errors: { 'initialTeacherTraining.programmeType': ['ProgrammeType cannot be changed'] } });
    store.putTeacher(teacher({ trn: '2100002', husId: 'H1' }));
    expect(store.updateTeacher('2100001', q, { ...update(), husid: 'H1' }).body).toMatchObject({ errors: { 'husId.husId': ['Husid registered for an existing teacher'] } });
    store.setIttOutcome('2100001', q, { ittProviderUkprn: ukprn, outcome: 'Fail' });
    expect(store.updateTeacher('2100001', q, update({ outcome: 'InTraining' })).body).toMatchObject({ errors: { 'initialTeacherTraining.outcome': ['Unable to change Failed Result.'] } });
    store.putTeacher(teacher({ initialTeacherTraining: [itt(), itt({ provider: { ukprn: '10099002' } })] }));
    expect(store.updateTeacher('2100001', q, update()).body).toMatchObject({ errors: { initialTeacherTraining: ['Teacher has multiple incomplete ITT records'] } });
  });

  it('E: applies the update; personal details only when the record allows PII updates', () => {
    store.putTeacher(teacher());
    const body = { ...update({ programmeEndDate: '2025-08-01', ageRangeFrom: 5, ageRangeTo: 11 }), firstName: 'Augusta Ada', lastName: 'King', dateOfBirth: '1990-01-01' };
    expect(store.updateTeacher('2100001', q, body)).toEqual({ status: 204 });
    expect(store.persons[0]).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    expect(store.persons[0]!.initialTeacherTraining[0]).toMatchObject({ programmeEndDate: '2025-08-01', ageRangeFrom: 5, ageRangeTo: 11 });
    store.putTeacher(teacher({ allowPIIUpdates: true }));
    store.updateTeacher('2100001', q, body);
    expect(store.persons[0]).toMatchObject({ firstName: 'Augusta', middleName: 'Ada', lastName: 'King' });
  });

  it('B: ITT provider UKPRN counts as an identifier; inactive persons are never found', () => {
    store.putTeacher(teacher());
    expect((store.findTeachers({ lastname: 'Lovelace', firstname: 'ada', dateofbirth: '1990-01-01', ittproviderukprn: ukprn }).body as { results: unknown[] }).results).toHaveLength(1);
    store.putTeacher(teacher({ active: false }));
    expect((store.findTeachers({ lastname: 'Lovelace', firstname: 'Ada', dateofbirth: '1990-01-01', emailaddress: 'ada@example.com' }).body as { results: unknown[] }).results).toEqual([]);
  });

  it('C: a pending request can be released onto an existing TRN; reset brings back the seed', () => {
    store.putTeacher(teacher());
    const body = { firstName: 'Ada', lastName: 'Lovelace', birthDate: '1990-01-01', genderCode: 'Female', initialTeacherTraining: itt({ providerUkprn: ukprn }) };
    expect(store.putTrnRequest('r1', body).body).toMatchObject({ status: 'Pending', potentialDuplicate: true });
    expect(store.releaseTrnRequest('r1', '2100001').body).toMatchObject({ status: 'Completed', trn: '2100001' });
    expect(store.releaseTrnRequest('r1').status).toBe(409);
    store.reset();
    expect(store.persons).toEqual([]);
    expect(store.getTrnRequest('r1').status).toBe(404);
  });

  it('an admin teacher record with a bad field is refused, naming it', () => {
    expect(() => store.putTeacher({ trn: '12', dateOfBirth: '01/01/1990' })).toThrow('trn: expected a 7-digit TRN; dateOfBirth: expected a date "yyyy-MM-dd"');
  });
});
