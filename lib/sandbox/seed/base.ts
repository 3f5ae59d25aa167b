import { trainingRoute, traineeState, sex, studyMode, courseEducationPhase, isEarlyYearsRoute, WITHDRAWAL_REASONS, LEGACY_WITHDRAWAL_REASONS } from '../../db/enums.js';
import { SEED_TIME, stableSlug, stableUuid, type SeedRows } from './builders.js';
import { traineeHistory } from './audits.js';
import type { ScenarioSet } from './scenario.js';

/**
 * The sandbox's everyday data: providers, schools, lead partners, users, withdrawal reasons, and trainees
 * in every state and on every route. Ids 1–99 of each table belong to this file.
 */
export const PROVIDERS = {
  lakeside: { id: 1, name: 'Lakeside SCITT', code: '5LS', ukprn: '10099001', accreditation_id: '5101' },
  northbridge: { id: 2, name: 'University of Northbridge', code: '1NB', ukprn: '10099002', accreditation_id: '1101' },
  fenland: { id: 3, name: 'Fenland Teacher Training Partnership', code: '2N2', ukprn: '10099003', accreditation_id: '1102' },
  harbour: { id: 4, name: 'Harbour Teaching Alliance', code: '4HT', ukprn: '10099004', accreditation_id: '5104' },
  oldMill: { id: 5, name: 'Old Mill SCITT', code: '5OM', ukprn: '10099005', accreditation_id: '5105', accredited: false },
  teachFirst: { id: 6, name: 'Teach First', code: '1TF', ukprn: '10099006', accreditation_id: '1106' },
} as const;

const FIRST = ['Amara', 'Ben', 'Chloe', 'Dev', 'Ella', 'Femi', 'Grace', 'Harry', 'Isla', 'Jack', 'Kiran', 'Lily', 'Mo', 'Nia'];
const LAST = ['Adeyemi', 'Brown', 'Chen', 'Davies', 'Evans', 'Fletcher', 'Gupta', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Murphy', 'Novak'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function baseTrainees(): SeedRows {
  const trainees: NonNullable<SeedRows['trainees']> = [];
  const audits: NonNullable<SeedRows['audits']> = [];
  const providers = [PROVIDERS.lakeside, PROVIDERS.northbridge, PROVIDERS.fenland, PROVIDERS.teachFirst];
  const routes = trainingRoute.names.filter((r) => r !== 'teacher_degree_apprenticeship' || true);
  const count = Math.max(routes.length, traineeState.names.length) * 2; // 28: every route twice, every state four times
  for (let i = 0; i < count; i++) {
    const id = i + 1;
    const route = routes[i % routes.length]!;
    const state = traineeState.names[i % traineeState.names.length]!;
    const provider = route === 'hpitt_postgrad' ? PROVIDERS.teachFirst : providers[i % providers.length]!;
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 5) % LAST.length]!;
    const hasTrn = !['draft', 'submitted_for_trn'].includes(state);
    const earlyYears = isEarlyYearsRoute(route);
    trainees.push({
      id,
      slug: stableSlug(`base-trainee-${id}`),
      state: traineeState.toDb(state),
      training_route: trainingRoute.toDb(route),
      trn: hasTrn ? `30${pad(10000 + id, 5)}` : null,
      date_of_birth: `${1990 + (i % 10)}-${pad((i % 12) + 1, 2)}-${pad((i % 27) + 1, 2)}`,
      email: `${first}.${last}${id}@example.com`.toLowerCase(),
      first_names: first,
      middle_names: i % 3 === 0 ? 'Rose' : null,
      last_name: last,
      sex: sex.toDb(i % 2 === 0 ? 'female' : 'male'),
      submitted_for_trn_at: state === 'draft' ? null : new Date('2024-09-10T10:00:00Z'),
      recommended_for_award_at: ['recommended_for_award', 'awarded'].includes(state) ? new Date('2025-06-20T10:00:00Z') : null,
      awarded_at: state === 'awarded' ? new Date('2025-06-25T10:00:00Z') : null,
      outcome_date: ['recommended_for_award', 'awarded'].includes(state) ? '2025-06-18' : null,
      defer_date: state === 'deferred' ? '2025-01-15' : null,
      trainee_start_date: '2024-09-02',
      itt_start_date: '2024-09-02',
      itt_end_date: '2025-07-18',
      provider_id: provider.id,
      course_uuid: stableUuid(`course-${route}`),
      course_education_phase: courseEducationPhase.toDb(earlyYears ? 'early_years' : i % 2 ? 'secondary' : 'primary'),
      course_subject_one: earlyYears ? 'early years teaching' : i % 2 ? 'mathematics' : 'primary teaching',
      course_min_age: earlyYears ? 0 : i % 2 ? 11 : 5,
      course_max_age: earlyYears ? 5 : i % 2 ? 16 : 11,
      study_mode: studyMode.toDb(i % 4 === 0 ? 'part_time' : 'full_time'),
      progress: JSON.stringify({ personal_details: true, contact_details: true, degrees: true, course_details: true, funding: true, placements: true }),
      submission_ready: state === 'draft',
      record_source: i % 5 === 0 ? 'apply' : 'manual',
      created_at: SEED_TIME,
      updated_at: SEED_TIME,
    });
    audits.push(
      ...traineeHistory({
        firstAuditId: id * 10,
        traineeId: id,
        providerId: provider.id,
        createdAt: SEED_TIME,
        created: { slug: stableSlug(`base-trainee-${id}`), state: 0, training_route: trainingRoute.toDb(route), first_names: first, last_name: last },
        updates: state === 'draft' ? [] : [{ changes: { state: [0, traineeState.toDb(state)] }, at: new Date('2025-01-10T10:00:00Z') }],
      }),
    );
  }
  return { trainees, audits };
}

export const base: ScenarioSet = {
  scenarios: [],
  rows: {
    providers: Object.values(PROVIDERS).map((p) => ({ ...p, created_at: SEED_TIME, updated_at: SEED_TIME })),
    users: [
      { id: 1, first_name: 'Priya', last_name: 'Lakeside', email: 'priya@lakeside.example.com' },
      { id: 2, first_name: 'Tom', last_name: 'Northbridge', email: 'tom@northbridge.example.com' },
      { id: 3, first_name: 'Hana', last_name: 'Harbour', email: 'hana@harbour.example.com' },
      { id: 4, first_name: 'Leo', last_name: 'Harbour', email: 'leo@harbour.example.com' },
      { id: 5, first_name: 'Olu', last_name: 'Mill', email: 'olu@oldmill.example.com' },
      { id: 6, first_name: 'Rae', last_name: 'Riverside', email: 'rae@riverside.example.com' },
      { id: 7, first_name: 'Sam', last_name: 'Support', email: 'sam.support@example.gov.uk', system_admin: true },
    ].map((u) => ({ ...u, created_at: SEED_TIME, updated_at: SEED_TIME })),
    provider_users: [
      { id: 1, provider_id: 1, user_id: 1 },
      { id: 2, provider_id: 2, user_id: 2 },
      { id: 3, provider_id: 4, user_id: 3 },
      { id: 4, provider_id: 4, user_id: 4 },
      { id: 5, provider_id: 5, user_id: 5 },
    ].map((r) => ({ ...r, created_at: SEED_TIME, updated_at: SEED_TIME })),
    schools: [
      { id: 1, urn: '100001', name: 'Meadow Lane Primary School', postcode: 'AB1 2CD', town: 'Northbridge', lead_school: true },
      { id: 2, urn: '100002', name: 'Castle Hill Academy', postcode: 'AB2 3CD', town: 'Northbridge', lead_school: true },
      { id: 3, urn: '100003', name: 'St Anne’s Church of England School', postcode: 'AB3 4CD', town: 'Fenland', lead_school: false },
      { id: 4, urn: '100004', name: 'Riverside Primary School', postcode: 'AB4 5CD', town: 'Harbourside', lead_school: false },
      { id: 5, urn: '100005', name: 'Old Quay Infant School', postcode: 'AB5 6CD', town: 'Harbourside', lead_school: false, close_date: '2023-08-31' },
    ].map((s) => ({ ...s, created_at: SEED_TIME, updated_at: SEED_TIME })),
    lead_partners: [
      { id: 1, urn: '100001', record_type: 'lead_school', name: 'Meadow Lane Primary School', school_id: 1, ukprn: null, provider_id: null },
      { id: 2, urn: '100002', record_type: 'lead_school', name: 'Castle Hill Academy', school_id: 2, ukprn: null, provider_id: null },
      { id: 3, urn: null, record_type: 'scitt', name: 'Old Mill SCITT', school_id: null, ukprn: '10099005', provider_id: 5 },
    ].map((p) => ({ ...p, created_at: SEED_TIME, updated_at: SEED_TIME })),
    lead_partner_users: [{ id: 1, lead_partner_id: 3, user_id: 5, created_at: SEED_TIME, updated_at: SEED_TIME }],
    withdrawal_reasons: [...WITHDRAWAL_REASONS, ...LEGACY_WITHDRAWAL_REASONS].map((name, i) => ({ id: i + 1, name, created_at: SEED_TIME, updated_at: SEED_TIME })),
    ...baseTrainees(),
  },
};

/** The id of a withdrawal reason by name, as seeded. */
export function withdrawalReasonId(name: (typeof WITHDRAWAL_REASONS)[number] | (typeof LEGACY_WITHDRAWAL_REASONS)[number]): number {
  return [...WITHDRAWAL_REASONS, ...LEGACY_WITHDRAWAL_REASONS].indexOf(name) + 1;
}
