/**
 * The columns the toolkit reads or writes in every supported Register version, per table: a database that lacks one
 * of them is refused at connect time, naming it, before anything is read or written. Version-specific tables and
 * columns (withdrawal records, training partners, TRS TRN requests…) are checked by the feature that uses them
 * (`detectRegister`). `test/unit/db/schema-types.test.ts` keeps this list equal to the unmarked columns of the
 * Kysely types in `lib/db/schema.ts`.
 */
export const TOOLKIT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  providers: ['id', 'name', 'code', 'ukprn', 'accreditation_id', 'accredited', 'apply_sync_enabled', 'dttp_id', 'discarded_at', 'created_at', 'updated_at'],
  users: ['id', 'first_name', 'last_name', 'email', 'dfe_sign_in_uid', 'system_admin', 'read_only', 'discarded_at', 'created_at', 'updated_at'],
  provider_users: ['id', 'provider_id', 'user_id', 'created_at', 'updated_at'],
  schools: ['id', 'urn', 'name', 'postcode', 'town', 'open_date', 'close_date', 'created_at', 'updated_at'],
  trainees: ['id', 'slug', 'state', 'training_route', 'trn', 'date_of_birth', 'email', 'first_names', 'middle_names', 'last_name', 'sex', 'submitted_for_trn_at', 'recommended_for_award_at', 'awarded_at', 'outcome_date', 'defer_date', 'reinstate_date', 'trainee_start_date', 'itt_start_date', 'itt_end_date', 'discarded_at', 'provider_id', 'employing_school_id', 'employing_school_not_applicable', 'course_uuid', 'course_education_phase', 'course_subject_one', 'course_subject_two', 'course_subject_three', 'course_min_age', 'course_max_age', 'course_allocation_subject_id', 'study_mode', 'training_initiative', 'applying_for_bursary', 'applying_for_scholarship', 'applying_for_grant', 'bursary_tier', 'placement_detail', 'commencement_status', 'progress', 'submission_ready', 'apply_application_id', 'application_choice_id', 'hesa_id', 'record_source', 'dttp_id', 'created_at', 'updated_at'],
  withdrawal_reasons: ['id', 'name', 'created_at', 'updated_at'],
  trainee_withdrawal_reasons: ['id', 'trainee_id', 'withdrawal_reason_id', 'created_at', 'updated_at'],
  placements: ['id', 'trainee_id', 'school_id', 'urn', 'name', 'postcode', 'address', 'slug', 'created_at', 'updated_at'],
  degrees: ['id', 'trainee_id', 'locale_code', 'uk_degree', 'non_uk_degree', 'subject', 'institution', 'institution_uuid', 'uk_degree_uuid', 'subject_uuid', 'grade_uuid', 'graduation_year', 'grade', 'other_grade', 'country', 'slug', 'dttp_id', 'created_at', 'updated_at'],
  apply_applications: ['id', 'apply_id', 'application', 'invalid_data', 'state', 'accredited_body_code', 'recruitment_cycle_year', 'created_at', 'updated_at'],
  apply_application_sync_requests: ['id', 'response_code', 'successful', 'recruitment_cycle_year', 'created_at', 'updated_at'],
  audits: ['id', 'auditable_id', 'auditable_type', 'associated_id', 'associated_type', 'user_id', 'user_type', 'username', 'action', 'audited_changes', 'version', 'comment', 'remote_address', 'request_uuid', 'created_at'],
};
