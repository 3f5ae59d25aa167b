/**
 * Register's tables as the support playbook sees them (register-facts section 1): DQT-era names
 * (`lead_partners`, `dqt_trn_requests`) with the `trainee_withdrawals` table that `current_withdrawal` reads.
 * Column names, types and defaults follow Register's `db/schema.rb`; only support-relevant columns are kept.
 */
export const name = '001_register_schema';

export const up = /* sql */ `
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE providers (
  id bigserial PRIMARY KEY,
  name varchar NOT NULL,
  code varchar,
  ukprn varchar,
  accreditation_id varchar,
  accredited boolean NOT NULL DEFAULT true,
  apply_sync_enabled boolean DEFAULT false,
  dttp_id uuid,
  discarded_at timestamp(6),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_providers_on_accreditation_id ON providers (accreditation_id);
CREATE UNIQUE INDEX index_providers_on_dttp_id ON providers (dttp_id);
CREATE INDEX index_providers_on_discarded_at ON providers (discarded_at);

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  first_name varchar NOT NULL,
  last_name varchar NOT NULL,
  email varchar NOT NULL,
  dfe_sign_in_uid varchar,
  system_admin boolean DEFAULT false,
  read_only boolean NOT NULL DEFAULT false,
  discarded_at timestamp(6),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_users_on_email ON users (email);

CREATE TABLE provider_users (
  id bigserial PRIMARY KEY,
  provider_id bigint NOT NULL REFERENCES providers (id),
  user_id bigint NOT NULL REFERENCES users (id),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE INDEX index_provider_users_on_provider_id ON provider_users (provider_id);
CREATE INDEX index_provider_users_on_user_id ON provider_users (user_id);

CREATE TABLE schools (
  id bigserial PRIMARY KEY,
  urn varchar NOT NULL,
  name varchar NOT NULL,
  postcode varchar,
  town varchar,
  open_date date,
  close_date date,
  lead_school boolean NOT NULL DEFAULT false,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_schools_on_urn ON schools (urn);
CREATE INDEX index_schools_on_lead_school ON schools (lead_school) WHERE lead_school = true;

CREATE TABLE lead_partners (
  id bigserial PRIMARY KEY,
  urn citext,
  record_type varchar NOT NULL,
  name varchar,
  ukprn citext,
  school_id bigint REFERENCES schools (id),
  provider_id bigint REFERENCES providers (id),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_lead_partners_on_urn ON lead_partners (urn);
CREATE UNIQUE INDEX index_lead_partners_on_ukprn ON lead_partners (ukprn);
CREATE INDEX index_lead_partners_on_name ON lead_partners (name);
CREATE INDEX index_lead_partners_on_school_id ON lead_partners (school_id);
CREATE INDEX index_lead_partners_on_provider_id ON lead_partners (provider_id);

CREATE TABLE lead_partner_users (
  id bigserial PRIMARY KEY,
  lead_partner_id bigint NOT NULL REFERENCES lead_partners (id),
  user_id bigint NOT NULL REFERENCES users (id),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE INDEX index_lead_partner_users_on_lead_partner_id ON lead_partner_users (lead_partner_id);
CREATE INDEX index_lead_partner_users_on_user_id ON lead_partner_users (user_id);

CREATE TABLE apply_applications (
  id bigserial PRIMARY KEY,
  apply_id integer NOT NULL,
  application jsonb,
  invalid_data jsonb,
  state integer,
  accredited_body_code varchar,
  recruitment_cycle_year integer,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_apply_applications_on_apply_id ON apply_applications (apply_id);
CREATE INDEX index_apply_applications_on_accredited_body_code ON apply_applications (accredited_body_code);
CREATE INDEX index_apply_applications_on_recruitment_cycle_year ON apply_applications (recruitment_cycle_year);

CREATE TABLE apply_application_sync_requests (
  id bigserial PRIMARY KEY,
  response_code integer,
  successful boolean,
  recruitment_cycle_year integer,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE INDEX index_apply_application_sync_requests_on_recruitment_cycle_year ON apply_application_sync_requests (recruitment_cycle_year);

CREATE TABLE trainees (
  id bigserial PRIMARY KEY,
  slug citext NOT NULL,
  state integer DEFAULT 0,
  training_route integer,
  trn varchar,
  date_of_birth date,
  email text,
  first_names text,
  middle_names text,
  last_name text,
  sex integer,
  submitted_for_trn_at timestamp,
  recommended_for_award_at timestamp,
  awarded_at timestamp,
  outcome_date date,
  defer_date date,
  reinstate_date date,
  trainee_start_date date,
  itt_start_date date,
  itt_end_date date,
  discarded_at timestamp,
  provider_id bigint NOT NULL REFERENCES providers (id),
  lead_partner_id bigint REFERENCES lead_partners (id),
  employing_school_id bigint REFERENCES schools (id),
  lead_partner_not_applicable boolean DEFAULT false,
  employing_school_not_applicable boolean DEFAULT false,
  course_uuid uuid,
  course_education_phase integer,
  course_subject_one text,
  course_subject_two text,
  course_subject_three text,
  course_min_age integer,
  course_max_age integer,
  course_allocation_subject_id bigint,
  study_mode integer,
  training_initiative integer,
  applying_for_bursary boolean,
  applying_for_scholarship boolean,
  applying_for_grant boolean,
  bursary_tier integer,
  placement_detail integer,
  commencement_status integer,
  progress jsonb DEFAULT '{}'::jsonb,
  submission_ready boolean DEFAULT false,
  apply_application_id bigint REFERENCES apply_applications (id),
  application_choice_id integer,
  hesa_id varchar,
  record_source varchar,
  slug_sent_to_dqt_at timestamp(6),
  dttp_id uuid,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_trainees_on_slug ON trainees (slug);
CREATE INDEX index_trainees_on_trn ON trainees (trn);
CREATE INDEX index_trainees_on_provider_id ON trainees (provider_id);
CREATE INDEX index_trainees_on_lead_partner_id ON trainees (lead_partner_id);
CREATE INDEX index_trainees_on_discarded_at ON trainees (discarded_at);
CREATE INDEX index_trainees_on_course_uuid ON trainees (course_uuid);
CREATE INDEX index_trainees_on_state ON trainees (state);

CREATE TABLE withdrawal_reasons (
  id bigserial PRIMARY KEY,
  name varchar NOT NULL,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_withdrawal_reasons_on_name ON withdrawal_reasons (name);

CREATE TYPE trigger_type AS ENUM ('provider', 'trainee');
CREATE TYPE future_interest_type AS ENUM ('yes', 'no', 'unknown');

CREATE TABLE trainee_withdrawals (
  id bigserial PRIMARY KEY,
  trainee_id bigint NOT NULL REFERENCES trainees (id),
  date date,
  trigger trigger_type,
  future_interest future_interest_type,
  another_reason varchar,
  safeguarding_concern_reasons varchar,
  discarded_at timestamp(6),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE INDEX index_trainee_withdrawals_on_trainee_id ON trainee_withdrawals (trainee_id);
CREATE INDEX index_trainee_withdrawals_on_discarded_at ON trainee_withdrawals (discarded_at);

CREATE TABLE trainee_withdrawal_reasons (
  id bigserial PRIMARY KEY,
  trainee_id bigint REFERENCES trainees (id),
  withdrawal_reason_id bigint NOT NULL REFERENCES withdrawal_reasons (id),
  trainee_withdrawal_id bigint REFERENCES trainee_withdrawals (id),
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE INDEX index_trainee_withdrawal_reasons_on_trainee_withdrawal_id ON trainee_withdrawal_reasons (trainee_withdrawal_id);
CREATE UNIQUE INDEX uniq_idx_trainee_withdawal_reasons ON trainee_withdrawal_reasons (trainee_id, withdrawal_reason_id, trainee_withdrawal_id);

CREATE TABLE placements (
  id bigserial PRIMARY KEY,
  trainee_id bigint NOT NULL REFERENCES trainees (id),
  school_id bigint REFERENCES schools (id),
  urn varchar,
  name varchar,
  postcode varchar,
  address text,
  slug citext NOT NULL,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_placements_on_slug ON placements (slug);
CREATE INDEX index_placements_on_trainee_id ON placements (trainee_id);

CREATE TABLE degrees (
  id bigserial PRIMARY KEY,
  trainee_id bigint NOT NULL REFERENCES trainees (id),
  locale_code integer NOT NULL,
  uk_degree varchar,
  non_uk_degree varchar,
  subject varchar,
  institution varchar,
  institution_uuid uuid,
  uk_degree_uuid uuid,
  subject_uuid uuid,
  grade_uuid uuid,
  graduation_year integer,
  grade varchar,
  other_grade text,
  country varchar,
  slug citext NOT NULL,
  dttp_id uuid,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_degrees_on_slug ON degrees (slug);
CREATE INDEX index_degrees_on_trainee_id ON degrees (trainee_id);

CREATE TABLE dqt_trn_requests (
  id bigserial PRIMARY KEY,
  trainee_id bigint NOT NULL REFERENCES trainees (id),
  request_id uuid NOT NULL,
  response jsonb,
  state integer DEFAULT 0,
  created_at timestamp(6) NOT NULL DEFAULT now(),
  updated_at timestamp(6) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_dqt_trn_requests_on_request_id ON dqt_trn_requests (request_id);
CREATE INDEX index_dqt_trn_requests_on_trainee_id ON dqt_trn_requests (trainee_id);

CREATE TABLE audits (
  id bigserial PRIMARY KEY,
  auditable_id integer,
  auditable_type varchar,
  associated_id integer,
  associated_type varchar,
  user_id integer,
  user_type varchar,
  username varchar,
  action varchar,
  audited_changes jsonb,
  version integer DEFAULT 0,
  comment varchar,
  remote_address varchar,
  request_uuid varchar,
  created_at timestamp
);
CREATE INDEX associated_index ON audits (associated_type, associated_id);
CREATE INDEX auditable_index ON audits (auditable_type, auditable_id, version);
CREATE INDEX index_audits_on_created_at ON audits (created_at);
CREATE INDEX index_audits_on_request_uuid ON audits (request_uuid);
CREATE INDEX user_index ON audits (user_id, user_type);
`;
