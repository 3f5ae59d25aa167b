import { courseEducationPhase, sex, studyMode, traineeState, trainingRoute, trnRequestState } from '../../db/enums.js';
import { TRS_ROUTE_TYPES } from '../../trs/codes.js';
import type { TrsSandboxPersonInput, TrsTrnRequestStatus } from '../../trs/sandbox/records.js';
import { SEED_TIME, stableSlug, stableUuid, timestampDaysAgo, type SeedRows } from './builders.js';
import { traineeHistory } from './audits.js';
import { PROVIDERS } from './base.js';
import type { Scenario, ScenarioSet } from './scenario.js';

/**
 * One seeded trainee per playbook error as Register meets it today, talking to TRS (ids 401–499 of each table), the
 * TRS sandbox's matching persons and TRN requests, and the job each scenario runs once after seeding so that the `trs`
 * queue's dead set holds that error with Register's exact text (`lib/jobs/seed-trs-dead-set.ts`). Seeded only into a
 * Register that talks to TRS (`api: 'trs'`).
 *
 * @example
 * scenario('trs-organisation-not-found').slug
 */
const slug = (name: string) => stableSlug(`scenario:${name}`);
const LAKESIDE = PROVIDERS.lakeside;

/** A provider TRS does not know as a training provider (its UKPRN gives 10048). */
export const UNKNOWN_TO_TRS_PROVIDER = { id: 401, name: 'Brook Hill Training Partnership', code: '4BH', ukprn: '10099041', accreditation_id: '5141' } as const;

const common = {
  sex: sex.toDb('female'),
  training_route: trainingRoute.toDb('provider_led_postgrad'),
  provider_id: LAKESIDE.id,
  trainee_start_date: '2025-09-01',
  itt_start_date: '2025-09-01',
  itt_end_date: '2026-07-17',
  submitted_for_trn_at: new Date('2025-09-08T10:00:00Z'),
  course_uuid: stableUuid('course-trs-scenarios'),
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

interface TrsScenarioTrainee {
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

const EARLY_YEARS = {
  training_route: trainingRoute.toDb('early_years_postgrad'),
  course_education_phase: courseEducationPhase.toDb('early_years'),
  course_subject_one: 'early years teaching',
  course_min_age: 0,
  course_max_age: 5,
};

const TRAINEES: TrsScenarioTrainee[] = [
  { id: 401, name: 'trs-server-error-500', runbook: 'dqt-errors/server-error-500', state: 'trn_received', trn: '3012401', dob: '1994-02-12', first: 'Alys', last: 'Bevan',
    description: 'The personal-data update (Trs::UpdateTraineeJob) died with a 500 from TRS (a passing TRS fault); running it again succeeds.' },
  { id: 402, name: 'trs-person-not-found', runbook: 'dqt-errors/teacher-not-found-404', state: 'trn_received', trn: '3012402', dob: '1995-03-15', first: 'Cai', last: 'Dunn',
    description: 'The personal-data update died with 404/10001 "Person not found": TRS has no person with the TRN Register holds (a TRN typed wrong on Register).' },
  { id: 403, name: 'trs-person-deactivated', runbook: 'dqt-errors/teacher-not-found-404', state: 'trn_received', trn: '3012403', dob: '1992-07-31', first: 'Efa', last: 'Ford',
    description: "The professional-status update died with 404/10001: the trainee's TRS record is deactivated (GET shows 10058)." },
  { id: 404, name: 'trs-route-failed-on-trs', runbook: 'dqt-errors/no-qts-record-10006', state: 'trn_received', trn: '3012404', dob: '1990-12-02', first: 'Gwil', last: 'Hale',
    description: "The professional-status update died with 400/10055: TRS holds this trainee's route as Failed, Register has the trainee in training (the states disagree, as 10006 meant on DQT)." },
  { id: 405, name: 'trs-awarded-on-trs', runbook: 'dqt-errors/no-incomplete-itt-10005', state: 'recommended_for_award', trn: '3012405', dob: '1997-05-23', first: 'Ioan', last: 'Jones',
    extra: { outcome_date: '2026-06-18', recommended_for_award_at: new Date('2026-06-20T10:00:00Z') },
    description: 'Recommended for award on Register, and TRS already holds QTS from 2026-06-18 on this route, but the professional-status job died with 500s during a TRS outage, so Register never awarded.' },
  { id: 406, name: 'trs-organisation-not-found', runbook: 'dqt-errors/organisation-not-found', state: 'trn_received', trn: '3012406', dob: '1993-09-10', first: 'Llio', last: 'Morgan',
    extra: { provider_id: UNKNOWN_TO_TRS_PROVIDER.id },
    description: `The professional-status update died with 400/10048 "Invalid training provider UKPRN": TRS does not know ${UNKNOWN_TO_TRS_PROVIDER.name} (UKPRN ${UNKNOWN_TO_TRS_PROVIDER.ukprn}).` },
  { id: 407, name: 'trs-already-has-qts', runbook: 'dqt-errors/already-has-qts', state: 'trn_received', trn: '3012407', dob: '1991-01-18', first: 'Non', last: 'Owen',
    extra: { outcome_date: '2026-06-18' },
    description: 'TRS holds QTS from 2026-06-18 on this route while Register still has the trainee in training: Register now ignores TRS\'s "already awarded" (10052) and "has QTS" (10042) answers, so no job dies; compare the two.' },
  { id: 408, name: 'trs-retrieve-trn-timeout', runbook: 'dqt-errors/retrieve-trn-timeout', state: 'submitted_for_trn', trn: null, dob: '1996-06-07', first: 'Pryderi', last: 'Rees',
    extra: { submitted_for_trn_at: timestampDaysAgo(6) },
    description: 'TRN polling timed out after 4 days: TRS holds the TRN request as pending (a potential duplicate) for review.' },
  { id: 409, name: 'trs-update-missing-trn-known-to-trs', runbook: 'dqt-errors/update-missing-trn', state: 'deferred', trn: null, dob: '1998-08-09', first: 'Sian', last: 'Thomas',
    extra: { submitted_for_trn_at: timestampDaysAgo(12), defer_date: '2026-01-15' },
    description: 'The professional-status update died with ProfessionalStatusUpdateMissingTrn: TRS completed the TRN request (TRN 3012409) but polling stopped before Register received it.' },
  { id: 410, name: 'trs-update-missing-trn-unknown-to-trs', runbook: 'dqt-errors/update-missing-trn', state: 'deferred', trn: null, dob: '1989-10-11', first: 'Tegan', last: 'Vaughan',
    extra: { submitted_for_trn_at: timestampDaysAgo(12), defer_date: '2026-01-15' },
    description: 'The professional-status update died with ProfessionalStatusUpdateMissingTrn: the TRN request failed (500), so TRS has no request for the trainee.' },
  { id: 411, name: 'trs-failed-update-and-award', runbook: 'dqt-errors/failed-update-and-award', state: 'recommended_for_award', trn: '3012411', dob: '1994-04-05', first: 'Wyn', last: 'Williams',
    extra: { outcome_date: '2026-06-18', recommended_for_award_at: new Date('2026-06-20T10:00:00Z') },
    description: 'Both the personal-data update (while trn_received) and the professional-status job (the award) died with 500s during a TRS outage; run the update first, then the professional status.' },
  { id: 412, name: 'trs-trn-request-rejected', runbook: 'dqt-errors/trn-request-rejected-10062', state: 'submitted_for_trn', trn: null, dob: '1995-11-20', first: 'Yestin', last: 'Ap Rhys',
    extra: { submitted_for_trn_at: timestampDaysAgo(2) },
    description: 'TRN polling died with 400/10062 "Unsupported TRN request status": TRS rejected the TRN request (a playbook section Register never had).' },
  { id: 413, name: 'trs-eyts-holder', runbook: 'dqt-errors/eyts-holder-10057', state: 'trn_received', trn: '3012413', dob: '1990-03-03', first: 'Angharad', last: 'Bowen',
    extra: { ...EARLY_YEARS },
    description: 'The personal-data update died with 400/10057: the person already holds EYTS, and TRS refuses personal-data changes to EYTS holders (Register does not ignore this one).' },
  { id: 414, name: 'trs-route-type-change', runbook: 'dqt-errors/trs-route-rejected', state: 'trn_received', trn: '3012414', dob: '1993-06-06', first: 'Bryn', last: 'Cole',
    extra: { ...EARLY_YEARS },
    description: 'The professional-status update died with 400/10054 "Unable to change route type": the route changed from a QTS route to an early-years one on Register after TRS recorded it.' },
];

/** Register's TRN request ids for the scenarios that have one. */
export const TRS_TRN_REQUEST_IDS = {
  408: stableUuid('trs-trn-request-408'),
  409: stableUuid('trs-trn-request-409'),
  410: stableUuid('trs-trn-request-410'),
  412: stableUuid('trs-trn-request-412'),
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
      email: `${t.first}.${t.last}@example.com`.toLowerCase().replace(/ /g, ''),
      first_names: t.first,
      last_name: t.last,
      ...(t.extra ?? {}),
    });
    const updates: { changes: Record<string, [unknown, unknown]>; at: Date; username?: string }[] = [{ changes: { state: [0, 1] }, at: new Date('2025-09-08T10:00:00Z') }];
    if (t.trn) updates.push({ changes: { state: [1, 2], trn: [null, t.trn] }, at: new Date('2025-09-09T10:00:00Z'), username: 'TRS job' });
    if (t.state === 'recommended_for_award') updates.push({ changes: { state: [2, 3], outcome_date: [null, '2026-06-18'] }, at: new Date('2026-06-20T10:00:00Z') });
    if (t.state === 'deferred') updates.push({ changes: { state: [1, 5], defer_date: [null, '2026-01-15'] }, at: new Date('2026-01-15T10:00:00Z') });
    audits.push(
      ...traineeHistory({
        firstAuditId: t.id * 10,
        traineeId: t.id,
        providerId: Number(t.extra?.provider_id ?? LAKESIDE.id),
        createdAt: SEED_TIME,
        created: { slug: slug(t.name), state: 0, training_route: Number(t.extra?.training_route ?? common.training_route), first_names: t.first, last_name: t.last },
        updates,
      }),
    );
  }
  const request = (id: number, traineeId: number, requestId: string, state: 'requested' | 'failed', response: unknown, days: number) => ({
    id,
    trainee_id: traineeId,
    request_id: requestId,
    state: trnRequestState.toDb(state),
    response: JSON.stringify(response),
    created_at: timestampDaysAgo(days),
    updated_at: timestampDaysAgo(days),
  });
  return {
    providers: [{ ...UNKNOWN_TO_TRS_PROVIDER, created_at: SEED_TIME, updated_at: SEED_TIME }],
    trainees,
    audits,
    // The canonical name; the seed writes them to trs_trn_requests on a TRS-era Register.
    dqt_trn_requests: [
      request(401, 408, TRS_TRN_REQUEST_IDS[408], 'requested', { requestId: TRS_TRN_REQUEST_IDS[408], status: 'Pending', trn: null, potentialDuplicate: true, accessYourTeachingQualificationsLink: null }, 6),
      request(402, 409, TRS_TRN_REQUEST_IDS[409], 'requested', { requestId: TRS_TRN_REQUEST_IDS[409], status: 'Pending', trn: null, potentialDuplicate: true, accessYourTeachingQualificationsLink: null }, 12),
      request(403, 410, TRS_TRN_REQUEST_IDS[410], 'failed', { error: 'status: 500, body: , headers: {}' }, 12),
      request(404, 412, TRS_TRN_REQUEST_IDS[412], 'requested', { requestId: TRS_TRN_REQUEST_IDS[412], status: 'Pending', trn: null, potentialDuplicate: true, accessYourTeachingQualificationsLink: null }, 2),
    ],
  };
}

const scenarios: Scenario[] = TRAINEES.map((t) => ({ name: t.name, slug: slug(t.name), runbook: t.runbook, description: t.description }));

export const trs: ScenarioSet = { api: 'trs', scenarios, rows: rows() };

// ------------------------------------------------------------------ TRS sandbox side

const byId = (id: number) => TRAINEES.find((t) => t.id === id)!;
const QTS_ROUTE = TRS_ROUTE_TYPES.provider_led_postgrad;

function person(t: TrsScenarioTrainee, overrides: Partial<TrsSandboxPersonInput> = {}): TrsSandboxPersonInput {
  return {
    trn: t.trn!,
    firstName: t.first,
    lastName: t.last,
    dateOfBirth: t.dob,
    emailAddress: `${t.first}.${t.last}@example.com`.toLowerCase().replace(/ /g, ''),
    gender: 'Female',
    ...overrides,
  };
}
const route = (t: TrsScenarioTrainee, status: 'InTraining' | 'Holds' | 'Failed', extra: Record<string, unknown> = {}) => ({
  reference: slug(t.name),
  routeToProfessionalStatusTypeId: QTS_ROUTE,
  status,
  trainingStartDate: '2025-09-01',
  trainingEndDate: '2026-07-17',
  trainingProviderUkprn: LAKESIDE.ukprn,
  ...extra,
});

/** TRS's records for the scenario trainees (what makes each error happen). */
export function trsScenarioPersons(): TrsSandboxPersonInput[] {
  return [
    person(byId(401)),
    // 402: no person has TRN 3012402.
    person(byId(403), { status: 'Deactivated' }),
    person(byId(404), { routes: [route(byId(404), 'Failed')] }),
    person(byId(405), { qtsDate: '2026-06-18', routes: [route(byId(405), 'Holds', { holdsFrom: '2026-06-18' })] }),
    person(byId(406)),
    person(byId(407), { qtsDate: '2026-06-18', routes: [route(byId(407), 'Holds', { holdsFrom: '2026-06-18' })] }),
    // The existing person that makes 408's request a potential duplicate.
    { trn: '3012498', firstName: 'Pryderi', lastName: 'Rees', dateOfBirth: '1996-06-07', qtsDate: '2020-07-01' },
    { ...person(byId(409)), trn: '3012409' },
    person(byId(411)),
    person(byId(413), { eytsDate: '2025-07-01' }),
    person(byId(414), { routes: [route(byId(414), 'InTraining')] }),
  ];
}

/** TRS's TRN requests for the scenarios: 408 pending, 409 completed, 412 rejected; 410's failed, so TRS has none. */
export function trsScenarioTrnRequests(): { requestId: string; status: TrsTrnRequestStatus; trn: string | null; potentialDuplicate: boolean; person: Record<string, unknown> }[] {
  const body = (t: TrsScenarioTrainee) => ({ firstName: t.first, lastName: t.last, dateOfBirth: t.dob, emailAddresses: [`${t.first}.${t.last}@example.com`.toLowerCase()], gender: 'Female' });
  return [
    { requestId: TRS_TRN_REQUEST_IDS[408], status: 'Pending', trn: null, potentialDuplicate: true, person: body(byId(408)) },
    { requestId: TRS_TRN_REQUEST_IDS[409], status: 'Completed', trn: '3012409', potentialDuplicate: false, person: body(byId(409)) },
    { requestId: TRS_TRN_REQUEST_IDS[412], status: 'Rejected', trn: null, potentialDuplicate: true, person: body(byId(412)) },
  ];
}

/**
 * The job each TRS scenario runs once after seeding, and what it must die with. `faults` are injected into the TRS
 * sandbox first; `runWhileState` runs the job with the trainee briefly in that state and puts the seeded one back.
 */
export interface TrsScenarioRun {
  scenario: string;
  traineeId: number;
  job: 'Trs::UpdateTraineeJob' | 'Trs::UpdateProfessionalStatusJob' | 'Trs::RetrieveTrnJob';
  faults?: { path: string; method: string; kind: '500'; count: number }[];
  runWhileState?: (typeof traineeState.names)[number];
  /** For a RetrieveTrnJob: poll with a timeout this many days after submission (4: Register's; 30: not timed out yet). */
  timeoutDays?: number;
  /** The start of the dead job's error message. */
  expectedError: string;
}

const routePath = (id: number) => `/v3/persons/${byId(id).trn}/routes-to-professional-statuses/${slug(byId(id).name)}`;

export const TRS_SCENARIO_RUNS: TrsScenarioRun[] = [
  { scenario: 'trs-server-error-500', traineeId: 401, job: 'Trs::UpdateTraineeJob', faults: [{ path: '/v3/persons/3012401', method: 'PUT', kind: '500', count: 1 }], expectedError: 'Error updating personal data: status: 500, body: ' },
  { scenario: 'trs-person-not-found', traineeId: 402, job: 'Trs::UpdateTraineeJob', expectedError: 'Error updating personal data: status: 404, body: {' },
  { scenario: 'trs-person-deactivated', traineeId: 403, job: 'Trs::UpdateProfessionalStatusJob', expectedError: 'Error updating professional status: status: 404, body: {' },
  { scenario: 'trs-route-failed-on-trs', traineeId: 404, job: 'Trs::UpdateProfessionalStatusJob', expectedError: 'Error updating professional status: status: 400, body: {' },
  { scenario: 'trs-awarded-on-trs', traineeId: 405, job: 'Trs::UpdateProfessionalStatusJob', faults: [{ path: routePath(405), method: 'PUT', kind: '500', count: 30 }], expectedError: 'Error updating professional status: status: 500, body: ' },
  { scenario: 'trs-organisation-not-found', traineeId: 406, job: 'Trs::UpdateProfessionalStatusJob', expectedError: 'Error updating professional status: status: 400, body: {' },
  { scenario: 'trs-retrieve-trn-timeout', traineeId: 408, job: 'Trs::RetrieveTrnJob', timeoutDays: 4, expectedError: `Trs::RetrieveTrnJob for Trainee with slug: ${slug('trs-retrieve-trn-timeout')} has timed out after 4 days.` },
  { scenario: 'trs-update-missing-trn-known-to-trs', traineeId: 409, job: 'Trs::UpdateProfessionalStatusJob', expectedError: 'Cannot update professional status on TRS without a TRN' },
  { scenario: 'trs-update-missing-trn-unknown-to-trs', traineeId: 410, job: 'Trs::UpdateProfessionalStatusJob', expectedError: 'Cannot update professional status on TRS without a TRN' },
  { scenario: 'trs-failed-update-and-award', traineeId: 411, job: 'Trs::UpdateTraineeJob', runWhileState: 'trn_received', faults: [{ path: '/v3/persons/3012411', method: 'PUT', kind: '500', count: 1 }], expectedError: 'Error updating personal data: status: 500, body: ' },
  { scenario: 'trs-failed-update-and-award', traineeId: 411, job: 'Trs::UpdateProfessionalStatusJob', faults: [{ path: routePath(411), method: 'PUT', kind: '500', count: 30 }], expectedError: 'Error updating professional status: status: 500, body: ' },
  { scenario: 'trs-trn-request-rejected', traineeId: 412, job: 'Trs::RetrieveTrnJob', timeoutDays: 30, expectedError: 'status: 400, body: {' },
  { scenario: 'trs-eyts-holder', traineeId: 413, job: 'Trs::UpdateTraineeJob', expectedError: 'Error updating personal data: status: 400, body: {' },
  { scenario: 'trs-route-type-change', traineeId: 414, job: 'Trs::UpdateProfessionalStatusJob', expectedError: 'Error updating professional status: status: 400, body: {' },
];
