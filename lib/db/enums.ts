/**
 * Register stores its Rails enums as integers. Each enum here maps the name a support developer reads
 * (`"withdrawn"`) to the integer Register stores (`4`), and back.
 *
 * @example
 * traineeState.toDb('withdrawn')   // 4
 * traineeState.fromDb(4)           // 'withdrawn'
 * traineeState.parse('Withdrawn ') // throws: unknown trainee state … valid: draft, submitted_for_trn, …
 */
export interface RailsEnum<Name extends string> {
  /** What the enum is called in messages, e.g. "trainee state". */
  readonly label: string;
  /** Every name, in the order of their stored values. */
  readonly names: readonly Name[];
  /** Name to stored integer. */
  readonly values: Readonly<Record<Name, number>>;
  toDb(name: Name): number;
  /** Stored integer to name; `null` stays `null`. Throws on an integer Register does not define. */
  fromDb(value: number): Name;
  fromDb(value: number | null): Name | null;
  /** Checks untrusted input (a notebook parameter, a CSV cell) and returns the name, or throws naming the valid ones. */
  parse(input: unknown): Name;
  is(input: unknown): input is Name;
}

export function railsEnum<const M extends Record<string, number>>(label: string, mapping: M): RailsEnum<Extract<keyof M, string>> {
  type Name = Extract<keyof M, string>;
  const names = (Object.keys(mapping) as Name[]).sort((a, b) => mapping[a]! - mapping[b]!);
  const byValue = new Map<number, Name>(names.map((name) => [mapping[name]!, name]));
  const is = (input: unknown): input is Name => typeof input === 'string' && Object.prototype.hasOwnProperty.call(mapping, input);
  return {
    label,
    names,
    values: mapping as unknown as Record<Name, number>,
    toDb: (name: Name) => {
      if (!is(name)) throw new Error(`Unknown ${label} "${String(name)}". Valid values: ${names.join(', ')}.`);
      return mapping[name]!;
    },
    fromDb: ((value: number | null) => {
      if (value === null || value === undefined) return null;
      const name = byValue.get(value);
      if (name === undefined) throw new Error(`Register stores no ${label} with value ${value}. Known values: ${names.map((n) => `${n} ${mapping[n]}`).join(', ')}.`);
      return name;
    }) as RailsEnum<Name>['fromDb'],
    parse: (input: unknown) => {
      if (is(input)) return input;
      const shown = typeof input === 'string' ? `"${input}"` : String(input);
      throw new Error(`Unknown ${label} ${shown}. Valid values: ${names.join(', ')}.`);
    },
    is,
  };
}

/** `trainees.state` (register-facts 1.2). */
export const traineeState = railsEnum('trainee state', {
  draft: 0,
  submitted_for_trn: 1,
  trn_received: 2,
  recommended_for_award: 3,
  withdrawn: 4,
  deferred: 5,
  awarded: 6,
});
export type TraineeState = (typeof traineeState.names)[number];

/** States Register calls complete: nothing is awaited from the provider. */
export const COMPLETE_STATES: readonly TraineeState[] = ['recommended_for_award', 'withdrawn', 'awarded'];
/** States of a trainee in training. */
export const IN_TRAINING_STATES: readonly TraineeState[] = ['submitted_for_trn', 'trn_received', 'recommended_for_award'];

/** `trainees.training_route` (register-facts 1.2). There is no 13; teacher_degree_apprenticeship is HEAD only. */
export const trainingRoute = railsEnum('training route', {
  assessment_only: 0,
  provider_led_postgrad: 1,
  early_years_undergrad: 2,
  school_direct_tuition_fee: 3,
  school_direct_salaried: 4,
  pg_teaching_apprenticeship: 5,
  early_years_assessment_only: 6,
  early_years_salaried: 7,
  early_years_postgrad: 8,
  provider_led_undergrad: 9,
  opt_in_undergrad: 10,
  hpitt_postgrad: 11,
  iqts: 12,
  teacher_degree_apprenticeship: 14,
});
export type TrainingRoute = (typeof trainingRoute.names)[number];

/** The award a route leads to and DQT's `programmeType` for it (register-facts 1.2). */
export const ROUTE_DETAILS: Readonly<Record<TrainingRoute, { award: 'QTS' | 'EYTS' | null; programmeType: string | null }>> = {
  assessment_only: { award: 'QTS', programmeType: 'AssessmentOnlyRoute' },
  provider_led_postgrad: { award: 'QTS', programmeType: 'ProviderLedPostgrad' },
  early_years_undergrad: { award: 'EYTS', programmeType: 'EYITTUndergraduate' },
  school_direct_tuition_fee: { award: 'QTS', programmeType: 'SchoolDirectTrainingProgramme' },
  school_direct_salaried: { award: 'QTS', programmeType: 'SchoolDirectTrainingProgrammeSalaried' },
  pg_teaching_apprenticeship: { award: 'QTS', programmeType: 'Apprenticeship' },
  early_years_assessment_only: { award: 'EYTS', programmeType: 'EYITTAssessmentOnly' },
  early_years_salaried: { award: 'EYTS', programmeType: 'EYITTGraduateEmploymentBased' },
  early_years_postgrad: { award: 'EYTS', programmeType: 'EYITTGraduateEntry' },
  provider_led_undergrad: { award: 'QTS', programmeType: 'ProviderLedUndergrad' },
  opt_in_undergrad: { award: 'QTS', programmeType: 'UndergraduateOptIn' },
  hpitt_postgrad: { award: 'QTS', programmeType: 'HighPotentialITT' },
  iqts: { award: 'QTS', programmeType: 'InternationalQualifiedTeacherStatus' },
  teacher_degree_apprenticeship: { award: null, programmeType: null },
};

/** Routes that take a lead partner. */
export const LEAD_PARTNER_ROUTES: readonly TrainingRoute[] = [
  'school_direct_salaried',
  'school_direct_tuition_fee',
  'pg_teaching_apprenticeship',
  'provider_led_postgrad',
  'provider_led_undergrad',
];
/** Routes that take an employing school. */
export const EMPLOYING_SCHOOL_ROUTES: readonly TrainingRoute[] = LEAD_PARTNER_ROUTES.filter((r) => r !== 'school_direct_tuition_fee');
/** Routes without placements. */
export const NO_PLACEMENT_ROUTES: readonly TrainingRoute[] = ['assessment_only', 'early_years_assessment_only'];
export const isEarlyYearsRoute = (route: TrainingRoute): boolean => route.startsWith('early_years');

export const sex = railsEnum('sex', { male: 0, female: 1, other: 2, sex_not_provided: 3, prefer_not_to_say: 4 });
export type Sex = (typeof sex.names)[number];

export const courseEducationPhase = railsEnum('course education phase', { primary: 0, secondary: 1, early_years: 2 });
export const studyMode = railsEnum('study mode', { part_time: 0, full_time: 1 });
export const trainingInitiative = railsEnum('training initiative', {
  future_teaching_scholars: 0,
  maths_physics_chairs_programme_researchers_in_schools: 1,
  now_teach: 2,
  transition_to_teach: 3,
  no_initiative: 4,
  troops_to_teachers: 5,
  veterans_teaching_undergraduate_bursary: 6,
  international_relocation_payment: 7,
});
export const bursaryTier = railsEnum('bursary tier', { tier_one: 1, tier_two: 2, tier_three: 3 });
export const placementDetail = railsEnum('placement detail', { has_placement_detail: 0, no_placement_detail: 1 });
export const commencementStatus = railsEnum('commencement status', { itt_started_on_time: 0, itt_started_later: 1, itt_not_yet_started: 2 });
export const degreeLocale = railsEnum('degree locale', { uk: 0, non_uk: 1 });

/** `dqt_trn_requests.state` (register-facts 1.4). */
export const trnRequestState = railsEnum('TRN request state', { requested: 0, received: 1, failed: 2 });
export type TrnRequestState = (typeof trnRequestState.names)[number];

/** `apply_applications.state` (register-facts 1.6). */
export const applyApplicationState = railsEnum('apply application state', {
  importable: 0,
  non_importable_hei: 1,
  non_importable_duplicate: 2,
  imported: 3,
});
export type ApplyApplicationState = (typeof applyApplicationState.names)[number];

/** `lead_partners.record_type` is stored as a string (register-facts 1.8). */
export const LEAD_PARTNER_RECORD_TYPES = ['lead_school', 'hei', 'scitt'] as const;
export type LeadPartnerRecordType = (typeof LEAD_PARTNER_RECORD_TYPES)[number];

/** Withdrawal reason names Register offers today, then legacy ones (register-facts 1.3). */
export const WITHDRAWAL_REASONS = [
  'could_not_give_enough_time',
  'course_was_not_suitable',
  'did_not_make_progress',
  'did_not_meet_entry_requirements',
  'does_not_want_to_become_a_teacher',
  'family_problems',
  'financial_problems',
  'got_a_job',
  'problems_with_their_health',
  'stopped_responding_to_messages',
  'teaching_placement_problems',
  'unacceptable_behaviour',
  'unhappy_with_course_provider_or_employing_school',
  'another_reason',
  'unknown',
] as const;
export const LEGACY_WITHDRAWAL_REASONS = [
  'death',
  'did_not_pass_assessment',
  'did_not_pass_exams',
  'exclusion',
  'personal_reasons',
  'transferred_to_another_provider',
  'written_off_after_lapse_of_time',
] as const;

/**
 * Columns of each audited table that hold a Rails integer enum. Audits store these as integers
 * (register-facts 1.10); the timeline decodes them back to names.
 */
export const ENUM_COLUMNS: Readonly<Record<string, Readonly<Record<string, RailsEnum<string>>>>> = {
  trainees: {
    state: traineeState,
    training_route: trainingRoute,
    sex,
    course_education_phase: courseEducationPhase,
    study_mode: studyMode,
    training_initiative: trainingInitiative,
    bursary_tier: bursaryTier,
    placement_detail: placementDetail,
    commencement_status: commencementStatus,
  },
  degrees: { locale_code: degreeLocale },
  dqt_trn_requests: { state: trnRequestState },
  apply_applications: { state: applyApplicationState },
};
