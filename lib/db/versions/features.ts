import type { RegisterVersionName } from './description.js';

/**
 * Which Register a database is, told by its features (the tables and columns it has) rather than by a version
 * number: what the toolkit needs to know to use the right names. Detected by `detectRegister`.
 *
 * | Feature | DQT era (2024-08) | TRS era (2026-08, what production runs today) |
 * |---|---|---|
 * | withdrawals | on `trainees` (`withdraw_date`, details), reasons by `trainee_id` | `trainee_withdrawals` rows, reasons by `trainee_withdrawal_id` |
 * | partners | `lead_partners`, `lead_partner_users`, `trainees.lead_partner_id`, record type `lead_school` | `training_partners`, `training_partner_users`, `trainees.training_partner_id`, record type `school` |
 * | TRN requests | `dqt_trn_requests` (`Dqt::TrnRequest`) | `trs_trn_requests` (`Trs::TrnRequest`) |
 * | teacher record API | DQT v2 | TRS v3 |
 *
 * @example
 * const register = await registerFeatures(db);
 * register.partners.table      // 'lead_partners' or 'training_partners'
 */
export interface RegisterFeatures {
  /** The supported version these features match, or the nearest when they mix (a version between the two). */
  version: RegisterVersionName;
  /** True when every feature matches `version` exactly; false for a Register between two supported versions. */
  exact: boolean;
  /** What to call it: e.g. "TRS era (2026-08), migration 20260609164710". */
  label: string;
  /** Rails' schema version: the newest row of `schema_migrations`. */
  migration: string | null;
  /** The teacher-record service Register talks to: DQT (API v2) before 2025, TRS (API v3) since. */
  api: 'dqt' | 'trs';
  withdrawals: WithdrawalStorage;
  partners: PartnerNames;
  trnRequests: { table: 'dqt_trn_requests' | 'trs_trn_requests'; model: 'Dqt::TrnRequest' | 'Trs::TrnRequest' };
  /** The trainee column stamped when the slug was sent with a TRN request. */
  slugSentColumn: 'slug_sent_to_dqt_at' | 'slug_sent_to_trs_at';
  /** Whether `schools.lead_school` exists (DQT era: a school is a lead school by this flag). */
  schoolLeadFlag: boolean;
  /** Whether DQT's cached teacher tables (`dqt_teachers`, `dqt_teacher_trainings`) exist. */
  dqtTeacherCache: boolean;
  /** Whether the trainee still has its legacy `lead_school_id` column. */
  traineeLeadSchoolColumn: boolean;
  /** Training routes this Register knows (teacher_degree_apprenticeship, 14, came later). */
  routes: readonly string[];
  /** Training initiatives this Register knows (8 to 10 came later). */
  trainingInitiatives: readonly string[];
  /** Every column of every table, for checks and for reading a whole row. */
  columns: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Where a trainee's withdrawal lives. */
export type WithdrawalStorage =
  /** DQT era: `trainees.withdraw_date`, `withdraw_reasons_details`, `withdraw_reasons_dfe_details`; reasons joined by `trainee_id`. */
  | 'trainee-columns'
  /** Since 2025: one `trainee_withdrawals` row per withdrawal (the current one is the last kept row); reasons by `trainee_withdrawal_id`. */
  | 'withdrawal-records';

/** The names of the partner tables at this version: the playbook's "lead partner", renamed "training partner" in 2026. */
export interface PartnerNames {
  /** What Register calls it at this version: "lead partner" or "training partner". */
  noun: 'lead partner' | 'training partner';
  table: 'lead_partners' | 'training_partners';
  model: 'LeadPartner' | 'TrainingPartner';
  usersTable: 'lead_partner_users' | 'training_partner_users';
  /** The partner column of the users table and of `trainees`. */
  column: 'lead_partner_id' | 'training_partner_id';
  notApplicableColumn: 'lead_partner_not_applicable' | 'training_partner_not_applicable';
  /** The record type of a partner made from a school. */
  schoolRecordType: 'lead_school' | 'school';
  /** Whether partners are soft-deleted (`discarded_at`), as training partners are. */
  discardable: boolean;
}
