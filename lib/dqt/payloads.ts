import { ROUTE_DETAILS, sex as sexEnum, traineeState, trainingRoute, degreeLocale } from '../db/enums.js';
import type { Degree, Provider, Trainee } from '../db/schema.js';
import { institutionUkprn } from './institutions.js';
import type { GenderCode } from './schemas.js';

/**
 * The request bodies Register sends to DQT, built from a trainee row exactly as `app/lib/dqt/params/*.rb` do
 * (register-facts 4.3): register for TRN (`trnRequestBody`), update (`updateBody`), award and withdraw
 * (`awardBody`, `withdrawalBody`).
 *
 * What this toolkit cannot know without Register's reference data is sent as null and said so here: HESA
 * course-subject codes for subjects outside `SUBJECT_CODES`, `ittQualificationAim`/`ittQualificationType`
 * (HESA metadata), `trainingCountryCode` (IQTS country), the degree's HECoS subject and `heQualificationType`.
 *
 * @example
 * const body = updateBody({ trainee, provider, degree, allowPiiUpdates: teacher.allowPIIUpdates });
 */
export interface PayloadSource {
  trainee: Trainee;
  provider: Pick<Provider, 'ukprn'>;
  /** The trainee's first degree (Register: `trainee.degrees.first`, ordered by graduation year), or null. */
  degree?: Degree | null;
}

/** `genderCode` from `trainees.sex`. */
export function genderCode(sexValue: number | null): GenderCode | null {
  const name = sexEnum.fromDb(sexValue);
  switch (name) {
    case 'male':
      return 'Male';
    case 'female':
      return 'Female';
    case 'other':
      return 'Other';
    case 'prefer_not_to_say':
      return 'NotProvided';
    case 'sex_not_provided':
      return 'NotAvailable';
    default:
      return null;
  }
}

/** DQT's `programmeType` for the trainee's route (`ROUTE_DETAILS`). */
export function programmeType(route: number | null): string | null {
  const name = trainingRoute.fromDb(route);
  return name ? ROUTE_DETAILS[name].programmeType : null;
}

/** HESA course-subject codes (HECoS) for the subjects the sandbox uses; Register's own: citizenship 999001, PE 999002, D&T 999003. */
export const SUBJECT_CODES: Readonly<Record<string, string>> = {
  'primary teaching': '100511',
  'early years teaching': '100510',
  mathematics: '100403',
  physics: '100425',
  chemistry: '100417',
  biology: '100346',
  'english studies': '100320',
  english: '100320',
  history: '100302',
  'computer science': '100366',
  computing: '100366',
  citizenship: '999001',
  'physical education': '999002',
  'design and technology': '999003',
};

const subjectCode = (name: string | null) => (name ? SUBJECT_CODES[name.trim().toLowerCase()] ?? null : null);

const DEGREE_CLASSES: Readonly<Record<string, string>> = {
  'first-class honours': 'FirstClassHonours',
  'upper second-class honours (2:1)': 'UpperSecondClassHonours',
  'lower second-class honours (2:2)': 'LowerSecondClassHonours',
  'third-class honours': 'ThirdClassHonours',
  pass: 'Pass',
  distinction: 'Distinction',
  merit: 'Merit',
};

/** Register's estimated end date when `itt_end_date` is empty: one year after the start. */
function estimatedEndDate(start: string | null): string | null {
  if (!start) return null;
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

function initialTeacherTraining(source: PayloadSource) {
  const t = source.trainee;
  return {
    providerUkprn: source.provider.ukprn,
    programmeStartDate: t.itt_start_date,
    programmeEndDate: t.itt_end_date ?? estimatedEndDate(t.itt_start_date),
    programmeType: programmeType(t.training_route),
    subject1: subjectCode(t.course_subject_one),
    subject2: subjectCode(t.course_subject_two),
    subject3: subjectCode(t.course_subject_three),
    ageRangeFrom: t.course_min_age,
    ageRangeTo: t.course_max_age,
    ittQualificationAim: null,
    ittQualificationType: null,
    trainingCountryCode: null,
  };
}

/** `qualification` from the first degree; null when there is none or it is a foundation degree. */
export function qualification(degree: Degree | null | undefined) {
  if (!degree) return null;
  if (degree.uk_degree && /^foundation/i.test(degree.uk_degree.trim())) return null;
  const uk = degreeLocale.fromDb(degree.locale_code) === 'uk';
  return {
    providerUkprn: institutionUkprn(degree.institution_uuid),
    countryCode: uk ? 'XK' : null,
    subject: null,
    class: degree.grade ? DEGREE_CLASSES[degree.grade.trim().toLowerCase()] ?? 'Other' : null,
    date: degree.graduation_year ? `${degree.graduation_year}-01-01` : null,
    heQualificationType: null,
  };
}

const dropNulls = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;

/** `Dqt::Params::TrnRequest`: the body of PUT /v2/trn-requests/{id}. Top-level nulls are dropped. */
export function trnRequestBody(source: PayloadSource): Record<string, unknown> {
  const t = source.trainee;
  return dropNulls({
    firstName: t.first_names,
    middleName: t.middle_names,
    lastName: t.last_name,
    birthDate: t.date_of_birth,
    emailAddress: t.email,
    address: { addressLine1: null, addressLine2: null, addressLine3: null, city: null, postalCode: null, country: null },
    genderCode: genderCode(t.sex),
    initialTeacherTraining: initialTeacherTraining(source),
    qualification: qualification(source.degree),
    husid: t.hesa_id,
    slugid: t.slug,
  });
}

/** The `outcome` Register sends on update: Deferred, InTraining (UnderAssessment on assessment only), or none. */
export function updateOutcome(trainee: Pick<Trainee, 'state' | 'training_route'>): 'Deferred' | 'InTraining' | 'UnderAssessment' | undefined {
  const state = traineeState.fromDb(trainee.state ?? 0);
  if (state === 'deferred') return 'Deferred';
  if (state === 'submitted_for_trn' || state === 'trn_received') {
    return trainingRoute.fromDb(trainee.training_route) === 'assessment_only' ? 'UnderAssessment' : 'InTraining';
  }
  return undefined;
}

/**
 * `Dqt::Params::Update`: the body of PATCH /v2/teachers/update/{trn}. Nulls are sent. Personal details
 * (names, email, gender, date of birth) only when DQT's record allows PII updates (`allowPIIUpdates`).
 */
export function updateBody(source: PayloadSource & { allowPiiUpdates: boolean }): Record<string, unknown> {
  const t = source.trainee;
  const outcome = updateOutcome(t);
  const body: Record<string, unknown> = {
    trn: t.trn,
    husid: t.hesa_id,
    qualification: qualification(source.degree),
    initialTeacherTraining: { ...initialTeacherTraining(source), ...(outcome ? { outcome } : {}) },
  };
  if (source.allowPiiUpdates) {
    Object.assign(body, {
      firstName: t.first_names,
      middleName: t.middle_names,
      lastName: t.last_name,
      emailAddress: t.email,
      genderCode: genderCode(t.sex),
      dateOfBirth: t.date_of_birth,
    });
  }
  return body;
}

/** `Dqt::Params::Award`: ITT outcome Pass with the trainee's `outcome_date`. */
export function awardBody(source: PayloadSource): { ittProviderUkprn: string | null; outcome: 'Pass'; assessmentDate: string | null } {
  return { ittProviderUkprn: source.provider.ukprn, outcome: 'Pass', assessmentDate: source.trainee.outcome_date };
}

/** `Dqt::Params::Withdrawal`: ITT outcome Withdrawn; no date is sent. */
export function withdrawalBody(source: PayloadSource): { ittProviderUkprn: string | null; outcome: 'Withdrawn' } {
  return { ittProviderUkprn: source.provider.ukprn, outcome: 'Withdrawn' };
}
