import { traineeState, trainingRoute, applyApplicationState } from '../../db/enums.js';
import { SEED_TIME, stableSlug, type SeedRows } from './builders.js';
import { PROVIDERS } from './base.js';
import type { ScenarioSet } from './scenario.js';

/** Duplicates and Apply re-import. Ids 301–399 of each table. */
const slug = (name: string) => stableSlug(`scenario:${name}`);

const duplicate = (id: number, name: string, email: string | null, state: Parameters<typeof traineeState.toDb>[0], extra: Record<string, unknown> = {}) => ({
  id,
  slug: slug(name),
  state: traineeState.toDb(state),
  training_route: trainingRoute.toDb('provider_led_postgrad'),
  trn: null,
  date_of_birth: '1997-08-08',
  email,
  first_names: 'Sam',
  last_name: 'Taylor',
  provider_id: PROVIDERS.lakeside.id,
  created_at: SEED_TIME,
  updated_at: SEED_TIME,
  ...extra,
});

const application = (applyId: number) => ({
  id: applyId,
  attributes: {
    course: { accredited_provider_code: '2N2', training_provider_code: '2N2', training_provider_type: 'university', recruitment_cycle_year: 2024 },
    candidate: { first_name: `Applicant${applyId}`, last_name: 'Fenland' },
  },
});

const rows: SeedRows = {
  trainees: [
    // The record the provider keeps, the one listed in the CSV.
    duplicate(301, 'duplicate-keep', 'sam.taylor@example.com', 'draft'),
    // The same person added twice more, with the e-mail typed differently.
    duplicate(302, 'duplicate-2', 'Sam.Taylor@example.com', 'draft', { created_at: new Date('2024-09-03T09:00:00Z') }),
    duplicate(303, 'duplicate-3', ' sam.taylor@example.com ', 'submitted_for_trn', { created_at: new Date('2024-09-04T09:00:00Z'), submitted_for_trn_at: new Date('2024-09-10T10:00:00Z') }),
    // Not duplicates: no e-mail (Register's task would have matched every NULL e-mail).
    duplicate(304, 'no-email-1', null, 'draft', { first_names: 'Alex', last_name: 'Null' }),
    duplicate(305, 'no-email-2', null, 'draft', { first_names: 'Jo', last_name: 'Null' }),
  ],
  apply_applications: [301, 302, 303].map((id, i) => ({
    id,
    apply_id: 9100 + i,
    application: JSON.stringify(application(9100 + i)),
    state: applyApplicationState.toDb('non_importable_hei'),
    accredited_body_code: '2N2',
    recruitment_cycle_year: 2024,
    created_at: SEED_TIME,
    updated_at: SEED_TIME,
  })).concat([
    {
      id: 304,
      apply_id: 9200,
      application: JSON.stringify(application(9200)),
      state: applyApplicationState.toDb('imported'),
      accredited_body_code: '5LS',
      recruitment_cycle_year: 2024,
      created_at: SEED_TIME,
      updated_at: SEED_TIME,
    },
  ]),
  apply_application_sync_requests: [
    { id: 301, response_code: 200, successful: true, recruitment_cycle_year: 2024, created_at: new Date('2024-08-30T01:00:00Z'), updated_at: new Date('2024-08-30T01:00:00Z') },
    { id: 302, response_code: 500, successful: false, recruitment_cycle_year: 2024, created_at: new Date('2024-08-31T01:00:00Z'), updated_at: new Date('2024-08-31T01:00:00Z') },
  ],
};

export const bulk: ScenarioSet = {
  rows,
  scenarios: [
    {
      name: 'duplicates-by-email',
      // The runbook takes a CSV, not a slug: its sample file lists trainee 301 (notebooks/data-fixes/duplicates-example.csv).
      slug: null,
      runbook: 'data-fixes/remove-duplicates',
      description: 'Three records of Sam Taylor whose e-mails differ only in case and spaces; trainee 301 is the one to keep.',
      parameters: { csvPath: 'duplicates-example.csv' },
    },
    {
      name: 'apply-stuck-non-importable-hei',
      slug: null,
      runbook: 'data-fixes/reimport-apply-applications',
      description: 'Three Apply applications for accredited body 2N2 in 2024 stuck as non_importable_hei after Publish had the wrong provider_type.',
      parameters: { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 },
    },
  ],
};
