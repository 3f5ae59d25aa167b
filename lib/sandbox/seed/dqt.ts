import { courseEducationPhase, degreeLocale, sex, studyMode, traineeState, trainingRoute, trnRequestState } from '../../db/enums.js';
import type { SandboxTeacherInput } from '../../dqt/sandbox/records.js';
import { SEED_TIME, stableSlug, stableUuid, timestampDaysAgo, type SeedRows } from './builders.js';
import { traineeHistory } from './audits.js';
import { PROVIDERS } from './base.js';
import type { Scenario, ScenarioSet } from './scenario.js';

/**
 * One seeded trainee per DQT error of the playbook (ids 201–299 of each table), the DQT sandbox's matching
 * teacher records and TRN requests, and the job each scenario runs once after seeding so that the `dqt`
 * queue's dead set holds that error (`lib/jobs/seed-dead-set.ts`, a seed hook).
 *
 * @example
 * scenario('dqt-organisation-not-found').slug
 */
const slug = (name: string) => stableSlug(`scenario:${name}`);
const LAKESIDE = PROVIDERS.lakeside;

/** Degree institution whose UKPRN DQT has not added yet (Leeds Trinity University, 10003863 in the reference data). */
export const UNKNOWN_TO_DQT_INSTITUTION = { id: 'da70f34a-2887-e711-80d8-005056ac45bb', name: 'Leeds Trinity University', ukprn: '10003863' } as const;

const common = {
  sex: sex.toDb('female'),
  training_route: trainingRoute.toDb('provider_led_postgrad'),
  provider_id: LAKESIDE.id,
  trainee_start_date: '2024-09-02',
  itt_start_date: '2024-09-02',
  itt_end_date: '2025-07-18',
  submitted_for_trn_at: new Date('2024-09-10T10:00:00Z'),
  course_uuid: stableUuid('course-dqt-scenarios'),
  course_education_phase: courseEducationPhase.toDb('secondary'),
  course_subject_one: 'mathematics',
  course_min_age: 11,
  course_max_age: 16,
  study_mode: studyMode.toDb('full_time'),
  record_source: 'manual',
  progress: JSON.stringify({ personal_details: true, contact_details: true, degrees: true, course_details: true, funding: true, placements: true }),
  created_at: SEED_TIME,
  updated_at: SEED_TIME,
};

interface DqtScenarioTrainee {
  id: number;
  name: string;
  runbook: string;
  description: string;
  state: (typeof traineeState.names)[number];
  trn: string | null;
  dob: string;
  first: string;
  last: string;
  extra?: Record<string, unknown>;
}

const TRAINEES: DqtScenarioTrainee[] = [
  { id: 201, name: 'dqt-server-error-500', runbook: 'dqt-errors/server-error-500', state: 'trn_received', trn: '3012201', dob: '1994-02-11', first: 'Aisha', last: 'Bello',
    description: 'The update job died with a 500 from DQT (a passing DQT fault); running it again succeeds.' },
  { id: 202, name: 'dqt-teacher-not-found-dob-mismatch', runbook: 'dqt-errors/teacher-not-found-404', state: 'trn_received', trn: '3012202', dob: '1995-03-14', first: 'Callum', last: 'Doyle',
    description: 'The update job died with 404/10001: DQT holds date of birth 1995-03-04, Register 1995-03-14.' },
  { id: 203, name: 'dqt-teacher-not-found-inactive', runbook: 'dqt-errors/teacher-not-found-404', state: 'trn_received', trn: '3012203', dob: '1992-07-30', first: 'Erin', last: 'Falk',
    description: "The update job died with 404/10001: the trainee's TRN is inactive (deactivated) on DQT." },
  { id: 204, name: 'dqt-no-qts-record', runbook: 'dqt-errors/no-qts-record-10006', state: 'recommended_for_award', trn: '3012204', dob: '1990-12-01', first: 'Gus', last: 'Hart',
    extra: { outcome_date: '2025-06-18', recommended_for_award_at: new Date('2025-06-20T10:00:00Z') },
    description: "The award job died with 400/10006: DQT's ITT record is still in training but its QTS registration holds no teacher status (cleared on DQT, as when a trainee is withdrawn there), while Register recommended the trainee for award." },
  { id: 205, name: 'dqt-no-incomplete-itt', runbook: 'dqt-errors/no-incomplete-itt-10005', state: 'recommended_for_award', trn: '3012205', dob: '1997-05-22', first: 'Ivy', last: 'Jensen',
    extra: { outcome_date: '2025-06-18', recommended_for_award_at: new Date('2025-06-20T10:00:00Z') },
    description: "The award job died with 400/10005: DQT's ITT record is under another provider (University of Northbridge), so none matches Lakeside SCITT." },
  { id: 206, name: 'dqt-organisation-not-found', runbook: 'dqt-errors/organisation-not-found', state: 'trn_received', trn: '3012206', dob: '1993-09-09', first: 'Kofi', last: 'Lund',
    description: `The update job died with qualification.providerUkprn "Organisation not found": DQT has not added ${UNKNOWN_TO_DQT_INSTITUTION.name} (UKPRN ${UNKNOWN_TO_DQT_INSTITUTION.ukprn}).` },
  { id: 207, name: 'dqt-already-has-qts', runbook: 'dqt-errors/already-has-qts', state: 'trn_received', trn: '3012207', dob: '1991-01-17', first: 'Lena', last: 'Moss',
    extra: { outcome_date: '2025-06-18' },
    description: 'The update job died with "Teacher already has QTS/EYTS date": the award reached DQT (QTS 2025-06-18) before the update.' },
  { id: 208, name: 'dqt-retrieve-trn-timeout', runbook: 'dqt-errors/retrieve-trn-timeout', state: 'submitted_for_trn', trn: null, dob: '1996-06-06', first: 'Nadia', last: 'Okoro',
    extra: { submitted_for_trn_at: timestampDaysAgo(6) },
    description: 'TRN polling timed out after 4 days: DQT holds the TRN request as pending (a potential duplicate of TRN 3012298) for its QTS unit to review.' },
  { id: 209, name: 'dqt-update-missing-trn-known-to-dqt', runbook: 'dqt-errors/update-missing-trn', state: 'deferred', trn: null, dob: '1998-08-08', first: 'Omar', last: 'Price',
    extra: { submitted_for_trn_at: timestampDaysAgo(12), defer_date: '2025-01-15' },
    description: 'The update job died with TraineeUpdateMissingTrn: DQT completed the TRN request (TRN 3012209) but polling stopped before Register received it.' },
  { id: 210, name: 'dqt-update-missing-trn-unknown-to-dqt', runbook: 'dqt-errors/update-missing-trn', state: 'deferred', trn: null, dob: '1989-10-10', first: 'Pia', last: 'Quinn',
    extra: { submitted_for_trn_at: timestampDaysAgo(12), defer_date: '2025-01-15' },
    description: 'The update job died with TraineeUpdateMissingTrn: the TRN request failed (500) so DQT has no record of the trainee.' },
  { id: 211, name: 'dqt-failed-update-and-award', runbook: 'dqt-errors/failed-update-and-award', state: 'recommended_for_award', trn: '3012211', dob: '1994-04-04', first: 'Rhys', last: 'Stone',
    extra: { outcome_date: '2025-06-18', recommended_for_award_at: new Date('2025-06-20T10:00:00Z') },
    description: 'Both an update job (while trn_received) and the award job died with 500s during a DQT outage; re-run the update first, then the award.' },
];

/** Register's TRN request ids for the scenarios that have one. */
export const DQT_TRN_REQUEST_IDS = {
  208: stableUuid('dqt-trn-request-208'),
  209: stableUuid('dqt-trn-request-209'),
  210: stableUuid('dqt-trn-request-210'),
} as const;

function rows(): SeedRows {
  const trainees: NonNullable<SeedRows['trainees']> = [];
  const audits: NonNullable<SeedRows['audits']> = [];
  for (const t of TRAINEES) {
    trainees.push({
      ...common,
      id: t.id,
      slug: slug(t.name),
      state: traineeState.toDb(t.state),
      trn: t.trn,
      date_of_birth: t.dob,
      email: `${t.first}.${t.last}@example.com`.toLowerCase(),
      first_names: t.first,
      last_name: t.last,
      ...(t.extra ?? {}),
    });
    const updates: { changes: Record<string, [unknown, unknown]>; at: Date; username?: string }[] = [
      { changes: { state: [0, 1] }, at: new Date('2024-09-10T10:00:00Z') },
    ];
    if (t.trn) updates.push({ changes: { state: [1, 2], trn: [null, t.trn] }, at: new Date('2024-09-11T10:00:00Z'), username: 'DQT job' });
    if (t.state === 'recommended_for_award') updates.push({ changes: { state: [2, 3], outcome_date: [null, '2025-06-18'] }, at: new Date('2025-06-20T10:00:00Z') });
    if (t.state === 'deferred') updates.push({ changes: { state: [1, 5], defer_date: [null, '2025-01-15'] }, at: new Date('2025-01-15T10:00:00Z') });
    audits.push(
      ...traineeHistory({
        firstAuditId: t.id * 10,
        traineeId: t.id,
        providerId: LAKESIDE.id,
        createdAt: SEED_TIME,
        created: { slug: slug(t.name), state: 0, training_route: common.training_route, first_names: t.first, last_name: t.last },
        updates,
      }),
    );
  }
  const degree = (id: number, traineeId: number, institution: { id: string; name: string }) => ({
    id,
    trainee_id: traineeId,
    locale_code: degreeLocale.toDb('uk'),
    uk_degree: 'Bachelor of Science',
    subject: 'Mathematics',
    institution: institution.name,
    institution_uuid: institution.id,
    graduation_year: 2016,
    grade: 'Upper second-class honours (2:1)',
    slug: stableSlug(`degree-${id}`),
    created_at: SEED_TIME,
    updated_at: SEED_TIME,
  });
  return {
    trainees,
    audits,
    degrees: [
      degree(201, 201, { id: '4271f34a-2887-e711-80d8-005056ac45bb', name: 'University of Warwick' }),
      degree(206, 206, UNKNOWN_TO_DQT_INSTITUTION),
    ],
    dqt_trn_requests: [
      { id: 201, trainee_id: 208, request_id: DQT_TRN_REQUEST_IDS[208], state: trnRequestState.toDb('requested'),
        response: JSON.stringify({ requestId: DQT_TRN_REQUEST_IDS[208], status: 'Pending', trn: null, potentialDuplicate: true, qtsDate: null, slugId: slug('dqt-retrieve-trn-timeout') }),
        created_at: timestampDaysAgo(6), updated_at: timestampDaysAgo(6) },
      { id: 202, trainee_id: 209, request_id: DQT_TRN_REQUEST_IDS[209], state: trnRequestState.toDb('requested'),
        response: JSON.stringify({ requestId: DQT_TRN_REQUEST_IDS[209], status: 'Pending', trn: null, potentialDuplicate: true, qtsDate: null, slugId: slug('dqt-update-missing-trn-known-to-dqt') }),
        created_at: timestampDaysAgo(12), updated_at: timestampDaysAgo(12) },
      { id: 203, trainee_id: 210, request_id: DQT_TRN_REQUEST_IDS[210], state: trnRequestState.toDb('failed'),
        response: JSON.stringify({ error: 'status: 500, body: ' }), created_at: timestampDaysAgo(12), updated_at: timestampDaysAgo(12) },
    ],
  };
}

const scenarios: Scenario[] = TRAINEES.map((t) => ({ name: t.name, slug: slug(t.name), runbook: t.runbook, description: t.description }));

export const dqt: ScenarioSet = { api: 'dqt', scenarios, rows: rows() };

// ------------------------------------------------------------------ DQT sandbox side

const itt = (overrides: Partial<NonNullable<SandboxTeacherInput['initialTeacherTraining']>[number]> = {}) => ({
  programmeStartDate: '2024-09-02',
  programmeEndDate: '2025-07-18',
  programmeType: 'ProviderLedPostgrad',
  result: 'InTraining',
  provider: { ukprn: LAKESIDE.ukprn },
  husId: null,
  active: true,
  slugId: null as string | null,
  ...overrides,
});

function teacher(t: DqtScenarioTrainee, overrides: Partial<SandboxTeacherInput> = {}): SandboxTeacherInput {
  return {
    trn: t.trn ?? '',
    firstName: t.first,
    middleName: null,
    lastName: t.last,
    dateOfBirth: t.dob,
    emailAddress: `${t.first}.${t.last}@example.com`.toLowerCase(),
    slugId: slug(t.name),
    active: true,
    allowPIIUpdates: false,
    initialTeacherTraining: [itt({ slugId: slug(t.name) })],
    ...overrides,
  };
}
const byId = (id: number) => TRAINEES.find((t) => t.id === id)!;

/** DQT's records for the scenario trainees (what makes each error happen). */
export function dqtScenarioTeachers(): SandboxTeacherInput[] {
  return [
    teacher(byId(201)),
    // Created before Register sent slugs: matched by TRN + date of birth only, and DQT's DOB differs.
    teacher(byId(202), { dateOfBirth: '1995-03-04', slugId: null, initialTeacherTraining: [itt()] }),
    teacher(byId(203), { active: false }),
    // The QTS registration's teacher status cleared on DQT (withdrawn there) while the ITT row stayed in training and
    // Register went on to recommend for award. (A row DQT itself marked Withdrawn gives 10005, not 10006: DQT checks
    // the row before the QTS record.)
    teacher(byId(204), { initialTeacherTraining: [itt({ slugId: slug('dqt-no-qts-record') })], qtsRegistrations: [{ status: null }] }),
    teacher(byId(205), { slugId: null, initialTeacherTraining: [itt({ provider: { ukprn: PROVIDERS.northbridge.ukprn } })] }),
    teacher(byId(206)),
    teacher(byId(207), { qtsDate: '2025-06-18', initialTeacherTraining: [itt({ slugId: slug('dqt-already-has-qts'), result: 'Pass' })] }),
    // The existing teacher that makes 208's request a potential duplicate.
    { trn: '3012298', firstName: 'Nadia', lastName: 'Okoro', dateOfBirth: '1996-06-06', active: true, initialTeacherTraining: [itt({ result: 'Pass', provider: { ukprn: PROVIDERS.northbridge.ukprn } })], qtsDate: '2019-07-01' },
    { ...teacher(byId(209)), trn: '3012209' },
    teacher(byId(211)),
  ];
}

/** DQT's TRN requests for the scenarios: 208 pending, 209 completed; 210's failed, so DQT has none. */
export function dqtScenarioTrnRequests(): { requestId: string; trn: string | null; slugId: string | null; body: Record<string, unknown> }[] {
  const body = (t: DqtScenarioTrainee) => ({
    firstName: t.first,
    lastName: t.last,
    birthDate: t.dob,
    emailAddress: `${t.first}.${t.last}@example.com`.toLowerCase(),
    genderCode: 'Female',
    slugid: slug(t.name),
    initialTeacherTraining: { providerUkprn: LAKESIDE.ukprn, programmeStartDate: '2024-09-02', programmeEndDate: '2025-07-18', programmeType: 'ProviderLedPostgrad' },
  });
  return [
    { requestId: DQT_TRN_REQUEST_IDS[208], trn: null, slugId: slug('dqt-retrieve-trn-timeout'), body: body(byId(208)) },
    { requestId: DQT_TRN_REQUEST_IDS[209], trn: '3012209', slugId: slug('dqt-update-missing-trn-known-to-dqt'), body: body(byId(209)) },
  ];
}

/**
 * The job each DQT scenario runs once after seeding, and what it must die with. `faults` are injected into the
 * DQT sandbox first; `runWhileState` runs the job with the trainee briefly in that state (the update job of
 * 211 ran before the trainee was recommended for award) and puts the seeded state back afterwards.
 */
export interface DqtScenarioRun {
  scenario: string;
  traineeId: number;
  job: 'Dqt::UpdateTraineeJob' | 'Dqt::RecommendForAwardJob' | 'Dqt::RetrieveTrnJob' | 'Dqt::WithdrawTraineeJob';
  faults?: { path: string; method: string; kind: '500'; count: number }[];
  runWhileState?: (typeof traineeState.names)[number];
  /** The start of the dead job's error message. */
  expectedError: string;
}

export const DQT_SCENARIO_RUNS: DqtScenarioRun[] = [
  { scenario: 'dqt-server-error-500', traineeId: 201, job: 'Dqt::UpdateTraineeJob', faults: [{ path: '/v2/teachers/update/3012201', method: 'PATCH', kind: '500', count: 1 }], expectedError: 'status: 500, body: ' },
  { scenario: 'dqt-teacher-not-found-dob-mismatch', traineeId: 202, job: 'Dqt::UpdateTraineeJob', expectedError: 'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}' },
  { scenario: 'dqt-teacher-not-found-inactive', traineeId: 203, job: 'Dqt::UpdateTraineeJob', expectedError: 'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}' },
  { scenario: 'dqt-no-qts-record', traineeId: 204, job: 'Dqt::RecommendForAwardJob', expectedError: 'status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}' },
  { scenario: 'dqt-no-incomplete-itt', traineeId: 205, job: 'Dqt::RecommendForAwardJob', expectedError: 'status: 400, body: {"title":"Teacher has no incomplete ITT record","status":400,"errorCode":10005}' },
  { scenario: 'dqt-organisation-not-found', traineeId: 206, job: 'Dqt::UpdateTraineeJob', expectedError: 'status: 400, body: {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"qualification.providerUkprn":["Organisation not found"]}' },
  { scenario: 'dqt-already-has-qts', traineeId: 207, job: 'Dqt::UpdateTraineeJob', expectedError: 'status: 400, body: {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"initialTeacherTraining.programmeType":["Teacher already has QTS/EYTS date"]}' },
  { scenario: 'dqt-retrieve-trn-timeout', traineeId: 208, job: 'Dqt::RetrieveTrnJob', expectedError: 'Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days' },
  { scenario: 'dqt-update-missing-trn-known-to-dqt', traineeId: 209, job: 'Dqt::UpdateTraineeJob', expectedError: 'Cannot update trainee on DQT without a trn (id: 209)' },
  { scenario: 'dqt-update-missing-trn-unknown-to-dqt', traineeId: 210, job: 'Dqt::UpdateTraineeJob', expectedError: 'Cannot update trainee on DQT without a trn (id: 210)' },
  { scenario: 'dqt-failed-update-and-award', traineeId: 211, job: 'Dqt::UpdateTraineeJob', runWhileState: 'trn_received', faults: [{ path: '/v2/teachers/update/3012211', method: 'PATCH', kind: '500', count: 1 }], expectedError: 'status: 500, body: ' },
  { scenario: 'dqt-failed-update-and-award', traineeId: 211, job: 'Dqt::RecommendForAwardJob', faults: [{ path: '/v2/teachers/3012211/itt-outcome', method: 'PUT', kind: '500', count: 11 }], expectedError: 'status: 500, body: ' },
];
