import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { TimestampText } from './timestamp.js';

/**
 * Kysely types of the Register tables the toolkit reads and writes, at every supported Register version
 * (`lib/db/versions/`). A table or column that exists only in some versions is marked `@register <version>`; use it
 * through the detected features (`registerFeatures(db)`), which name the right table or column for the database at
 * hand. `test/unit/db/schema-types.test.ts` checks every table and column here against the project's description of
 * Register's schema. Enum columns are the integers Register stores; `lib/db/enums.ts` turns them into names. `date`
 * columns read as `'YYYY-MM-DD'` strings and timestamps as ISO text to the microsecond, `'2025-06-25T10:00:00.654321Z'`
 * (`TimestampText`, see `timestamp.ts`); ids read as numbers.
 *
 * @example
 * const row = await db.selectFrom('trainees').selectAll().where('slug', '=', slug).executeTakeFirst();
 */
type Timestamp = ColumnType<TimestampText, Date | string, Date | string>;
type CreatedAt = ColumnType<TimestampText, Date | string | undefined, Date | string>;
type Id = Generated<number>;
type Json = unknown;
type JsonColumn<T = Json> = ColumnType<T, T | string, T | string>;
/** A `date` column: `'YYYY-MM-DD'`. */
type DateOnly = string;

export interface ProvidersTable {
  id: Id;
  name: string;
  code: string | null;
  ukprn: string | null;
  accreditation_id: string | null;
  accredited: Generated<boolean>;
  apply_sync_enabled: Generated<boolean | null>;
  dttp_id: string | null;
  discarded_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface UsersTable {
  id: Id;
  first_name: string;
  last_name: string;
  email: string;
  dfe_sign_in_uid: string | null;
  system_admin: Generated<boolean | null>;
  read_only: Generated<boolean | null>;
  discarded_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ProviderUsersTable {
  id: Id;
  provider_id: number;
  user_id: number;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface SchoolsTable {
  id: Id;
  urn: string;
  name: string;
  postcode: string | null;
  town: string | null;
  open_date: DateOnly | null;
  close_date: DateOnly | null;
  /** DQT era: a school is a lead school by this flag; since 2025 a training partner row with `school_id` says so. @register 2024-08 */
  lead_school: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** The playbook's lead partners (DQT era), renamed training partners in 2026: the same columns. */
export interface LeadPartnersTable {
  id: Id;
  urn: string | null;
  /** `lead_school` (2026: `school`), `hei` or `scitt`, stored as text. */
  record_type: string;
  name: string | null;
  ukprn: string | null;
  school_id: number | null;
  provider_id: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** Training partners (2026): lead partners renamed, soft-deleted with `discarded_at`. */
export interface TrainingPartnersTable extends LeadPartnersTable {
  discarded_at: Timestamp | null;
}

export interface LeadPartnerUsersTable {
  id: Id;
  lead_partner_id: number;
  user_id: number;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface TrainingPartnerUsersTable {
  id: Id;
  training_partner_id: number;
  user_id: number;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface TraineesTable {
  id: Id;
  slug: string;
  /** `traineeState` */
  state: Generated<number | null>;
  /** `trainingRoute` */
  training_route: number | null;
  trn: string | null;
  date_of_birth: DateOnly | null;
  email: string | null;
  first_names: string | null;
  middle_names: string | null;
  last_name: string | null;
  /** `sex` */
  sex: number | null;
  submitted_for_trn_at: Timestamp | null;
  recommended_for_award_at: Timestamp | null;
  awarded_at: Timestamp | null;
  outcome_date: DateOnly | null;
  defer_date: DateOnly | null;
  reinstate_date: DateOnly | null;
  trainee_start_date: DateOnly | null;
  itt_start_date: DateOnly | null;
  itt_end_date: DateOnly | null;
  discarded_at: Timestamp | null;
  provider_id: number;
  /** @register 2024-08 */
  lead_partner_id: number | null;
  /** @register 2026-08 */
  training_partner_id: number | null;
  employing_school_id: number | null;
  /** @register 2024-08 */
  lead_partner_not_applicable: Generated<boolean | null>;
  /** @register 2026-08 */
  training_partner_not_applicable: Generated<boolean | null>;
  employing_school_not_applicable: Generated<boolean | null>;
  /** DQT era: the withdrawal's date lived on the trainee (a timestamp). @register 2024-08 */
  withdraw_date: Timestamp | null;
  /** @register 2024-08 */
  withdraw_reasons_details: string | null;
  /** @register 2024-08 */
  withdraw_reasons_dfe_details: string | null;
  course_uuid: string | null;
  course_education_phase: number | null;
  course_subject_one: string | null;
  course_subject_two: string | null;
  course_subject_three: string | null;
  course_min_age: number | null;
  course_max_age: number | null;
  course_allocation_subject_id: number | null;
  study_mode: number | null;
  training_initiative: number | null;
  applying_for_bursary: boolean | null;
  applying_for_scholarship: boolean | null;
  applying_for_grant: boolean | null;
  bursary_tier: number | null;
  placement_detail: number | null;
  commencement_status: number | null;
  progress: ColumnType<TraineeProgress | null, TraineeProgress | string | null | undefined, TraineeProgress | string | null>;
  submission_ready: Generated<boolean | null>;
  apply_application_id: number | null;
  application_choice_id: number | null;
  hesa_id: string | null;
  record_source: string | null;
  /** @register 2024-08 */
  slug_sent_to_dqt_at: Timestamp | null;
  /** @register 2026-08 */
  slug_sent_to_trs_at: Timestamp | null;
  dttp_id: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** `trainees.progress` (StoreModel `Progress`). */
export interface TraineeProgress {
  personal_details?: boolean;
  contact_details?: boolean;
  degrees?: boolean;
  placements?: boolean;
  diversity?: boolean;
  course_details?: boolean;
  training_details?: boolean;
  trainee_start_status?: boolean;
  trainee_data?: boolean;
  schools?: boolean;
  funding?: boolean;
  iqts_country?: boolean;
}

export interface WithdrawalReasonsTable {
  id: Id;
  name: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface TraineeWithdrawalsTable {
  id: Id;
  trainee_id: number;
  date: DateOnly | null;
  trigger: 'provider' | 'trainee' | null;
  future_interest: 'yes' | 'no' | 'unknown' | null;
  another_reason: string | null;
  safeguarding_concern_reasons: string | null;
  discarded_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface TraineeWithdrawalReasonsTable {
  id: Id;
  /** NOT NULL in the DQT era; since 2025 a reason belongs to a withdrawal and this may be null. */
  trainee_id: number | null;
  withdrawal_reason_id: number;
  /** @register 2026-08 */
  trainee_withdrawal_id: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface PlacementsTable {
  id: Id;
  trainee_id: number | null;
  school_id: number | null;
  urn: string | null;
  name: string | null;
  postcode: string | null;
  address: string | null;
  slug: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface DegreesTable {
  id: Id;
  trainee_id: number;
  /** `degreeLocale` */
  locale_code: number;
  uk_degree: string | null;
  non_uk_degree: string | null;
  subject: string | null;
  institution: string | null;
  institution_uuid: string | null;
  uk_degree_uuid: string | null;
  subject_uuid: string | null;
  grade_uuid: string | null;
  graduation_year: number | null;
  grade: string | null;
  other_grade: string | null;
  country: string | null;
  slug: string;
  dttp_id: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** A trainee's TRN request: `dqt_trn_requests` in the DQT era, `trs_trn_requests` since 2025 (the same columns). */
export interface TrnRequestsTable {
  id: Id;
  trainee_id: number;
  request_id: string;
  response: JsonColumn | null;
  /** `trnRequestState` */
  state: Generated<number | null>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ApplyApplicationsTable {
  id: Id;
  apply_id: number;
  application: JsonColumn | null;
  invalid_data: JsonColumn | null;
  /** `applyApplicationState` */
  state: number | null;
  accredited_body_code: string | null;
  recruitment_cycle_year: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ApplyApplicationSyncRequestsTable {
  id: Id;
  response_code: number | null;
  successful: boolean | null;
  recruitment_cycle_year: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** DQT's teacher record as Register cached it (DQT era only). */
export interface DqtTeachersTable {
  id: Id;
  trn: string | null;
  first_name: string | null;
  last_name: string | null;
  /** A string, as DQT sent it. */
  date_of_birth: string | null;
  qts_date: string | null;
  eyts_date: string | null;
  early_years_status_name: string | null;
  early_years_status_value: string | null;
  hesa_id: string | null;
  allowed_pii_updates: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface DqtTeacherTrainingsTable {
  id: Id;
  dqt_teacher_id: number | null;
  programme_start_date: string | null;
  programme_end_date: string | null;
  programme_type: string | null;
  result: string | null;
  provider_ukprn: string | null;
  hesa_id: string | null;
  active: boolean | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** `audited_changes`: `{attr: value}` on create and destroy, `{attr: [old, new]}` on update. */
export type AuditedChanges = Record<string, unknown>;

export interface AuditsTable {
  id: Id;
  auditable_id: number | null;
  auditable_type: string | null;
  associated_id: number | null;
  associated_type: string | null;
  user_id: number | null;
  user_type: string | null;
  username: string | null;
  action: 'create' | 'update' | 'destroy' | null;
  audited_changes: JsonColumn<AuditedChanges> | null;
  version: Generated<number | null>;
  comment: string | null;
  remote_address: string | null;
  request_uuid: string | null;
  created_at: Timestamp | null;
}

/** Every table the toolkit knows, by its name in Register's database; `@register` marks those of some versions only. */
export interface RegisterDatabase {
  providers: ProvidersTable;
  users: UsersTable;
  provider_users: ProviderUsersTable;
  schools: SchoolsTable;
  /** @register 2024-08 */
  lead_partners: LeadPartnersTable;
  /** @register 2024-08 */
  lead_partner_users: LeadPartnerUsersTable;
  /** @register 2026-08 */
  training_partners: TrainingPartnersTable;
  /** @register 2026-08 */
  training_partner_users: TrainingPartnerUsersTable;
  trainees: TraineesTable;
  withdrawal_reasons: WithdrawalReasonsTable;
  /** @register 2026-08 */
  trainee_withdrawals: TraineeWithdrawalsTable;
  trainee_withdrawal_reasons: TraineeWithdrawalReasonsTable;
  placements: PlacementsTable;
  degrees: DegreesTable;
  /** @register 2024-08 */
  dqt_trn_requests: TrnRequestsTable;
  /** @register 2026-08 */
  trs_trn_requests: TrnRequestsTable;
  /** @register 2024-08 */
  dqt_teachers: DqtTeachersTable;
  /** @register 2024-08 */
  dqt_teacher_trainings: DqtTeacherTrainingsTable;
  apply_applications: ApplyApplicationsTable;
  apply_application_sync_requests: ApplyApplicationSyncRequestsTable;
  audits: AuditsTable;
}

export type TableName = keyof RegisterDatabase;
export type Trainee = Selectable<TraineesTable>;
export type NewTrainee = Insertable<TraineesTable>;
export type TraineeUpdate = Updateable<TraineesTable>;
export type Provider = Selectable<ProvidersTable>;
export type LeadPartner = Selectable<LeadPartnersTable>;
export type School = Selectable<SchoolsTable>;
export type User = Selectable<UsersTable>;
export type TraineeWithdrawal = Selectable<TraineeWithdrawalsTable>;
export type Degree = Selectable<DegreesTable>;
export type Placement = Selectable<PlacementsTable>;
export type TrnRequest = Selectable<TrnRequestsTable>;
/** @deprecated the DQT-era name: use `TrnRequest`. */
export type DqtTrnRequest = TrnRequest;
export type ApplyApplication = Selectable<ApplyApplicationsTable>;
export type Audit = Selectable<AuditsTable>;

/** The Rails model of each table, as Register names it (`auditable_type` for the audited ones: see lib/plan/audit.ts). */
export const MODEL_NAMES: Readonly<Record<TableName, string>> = {
  providers: 'Provider',
  users: 'User',
  provider_users: 'ProviderUser',
  schools: 'School',
  lead_partners: 'LeadPartner',
  lead_partner_users: 'LeadPartnerUser',
  training_partners: 'TrainingPartner',
  training_partner_users: 'TrainingPartnerUser',
  trainees: 'Trainee',
  withdrawal_reasons: 'WithdrawalReason',
  trainee_withdrawals: 'TraineeWithdrawal',
  trainee_withdrawal_reasons: 'TraineeWithdrawalReason',
  placements: 'Placement',
  degrees: 'Degree',
  dqt_trn_requests: 'Dqt::TrnRequest',
  trs_trn_requests: 'Trs::TrnRequest',
  dqt_teachers: 'Dqt::Teacher',
  dqt_teacher_trainings: 'Dqt::TeacherTraining',
  apply_applications: 'ApplyApplication',
  apply_application_sync_requests: 'ApplyApplicationSyncRequest',
  audits: 'Audited::Audit',
};
