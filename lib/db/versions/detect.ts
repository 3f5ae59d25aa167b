import { sql, type Kysely } from 'kysely';
import { registerVersions, type RegisterVersionName } from './description.js';
import type { PartnerNames, RegisterFeatures, WithdrawalStorage } from './features.js';
import { TOOLKIT_COLUMNS } from './requirements.js';

/** The database is not a Register the toolkit can serve: `problems` names each missing table or column. */
export class UnsupportedRegisterError extends Error {
  override name = 'UnsupportedRegisterError';
  constructor(readonly problems: string[], summary: string) {
    super(`${summary}\n${problems.map((p) => `  - ${p}`).join('\n')}\nNothing was read or written. Supported Register versions: ${registerVersions().map((v) => `${v.version} (${v.label}, migration ${v.migration})`).join(', ')}.`);
  }
}

const LEAD_PARTNERS: PartnerNames = {
  noun: 'lead partner',
  table: 'lead_partners',
  model: 'LeadPartner',
  usersTable: 'lead_partner_users',
  column: 'lead_partner_id',
  notApplicableColumn: 'lead_partner_not_applicable',
  schoolRecordType: 'lead_school',
  discardable: false,
};
const TRAINING_PARTNERS: PartnerNames = {
  noun: 'training partner',
  table: 'training_partners',
  model: 'TrainingPartner',
  usersTable: 'training_partner_users',
  column: 'training_partner_id',
  notApplicableColumn: 'training_partner_not_applicable',
  schoolRecordType: 'school',
  discardable: true,
};

const ROUTES_2024 = ['assessment_only', 'provider_led_postgrad', 'early_years_undergrad', 'school_direct_tuition_fee', 'school_direct_salaried', 'pg_teaching_apprenticeship', 'early_years_assessment_only', 'early_years_salaried', 'early_years_postgrad', 'provider_led_undergrad', 'opt_in_undergrad', 'hpitt_postgrad', 'iqts'];
const INITIATIVES_2024 = ['future_teaching_scholars', 'maths_physics_chairs_programme_researchers_in_schools', 'now_teach', 'transition_to_teach', 'no_initiative', 'troops_to_teachers', 'veterans_teaching_undergraduate_bursary', 'international_relocation_payment'];

/**
 * Works out which Register a database is, by its features: which tables and columns exist (withdrawals on `trainees`
 * or in `trainee_withdrawals`; `lead_partners` or `training_partners`; `dqt_trn_requests` or `trs_trn_requests`) and
 * the newest `schema_migrations` version. Refuses, naming every missing table or column, a database that is not
 * Register or lacks something the toolkit uses (`UnsupportedRegisterError`), before anything is read or written.
 * One catalogue query; `registerFeatures(db)` caches the answer per connection.
 *
 * @example
 * const register = await detectRegister(db);
 * register.label   // "TRS era (2026-08), migration 20260609164710"
 */
export async function detectRegister(db: Kysely<any>): Promise<RegisterFeatures> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`.execute(db);
  const columns = new Map<string, Set<string>>();
  for (const r of rows.rows) (columns.get(r.table_name) ?? columns.set(r.table_name, new Set()).get(r.table_name)!).add(r.column_name);
  const has = (table: string, column?: string) => (column ? !!columns.get(table)?.has(column) : columns.has(table));

  if (!has('trainees') || !has('schema_migrations')) {
    const missing = ['trainees', 'providers', 'audits', 'schema_migrations'].filter((t) => !has(t));
    throw new UnsupportedRegisterError(
      missing.map((t) => `no table ${t}`),
      `This database is not Register trainee teachers: it has no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}. Check DATABASE_URL.`,
    );
  }

  const problems: string[] = [];
  const missingTables = new Set<string>();
  const need = (table: string, list: readonly string[], why: string) => {
    if (!has(table)) {
      if (!missingTables.has(table)) problems.push(`no table ${table} (${why})`);
      return void missingTables.add(table);
    }
    const absent = list.filter((c) => !has(table, c));
    if (absent.length) problems.push(`table ${table} has no column ${absent.join(', ')} (${why})`);
  };
  for (const [table, list] of Object.entries(TOOLKIT_COLUMNS)) need(table, list, 'every Register version has it');

  // Withdrawals: in their own records since 2025, on the trainee before.
  const withdrawals: WithdrawalStorage = has('trainee_withdrawals') ? 'withdrawal-records' : 'trainee-columns';
  if (withdrawals === 'withdrawal-records') {
    need('trainee_withdrawals', ['id', 'trainee_id', 'date', 'trigger', 'future_interest', 'another_reason', 'safeguarding_concern_reasons', 'discarded_at', 'created_at', 'updated_at'], 'withdrawal records');
    need('trainee_withdrawal_reasons', ['trainee_withdrawal_id'], 'reasons of a withdrawal record');
  } else {
    need('trainees', ['withdraw_date', 'withdraw_reasons_details', 'withdraw_reasons_dfe_details'], 'withdrawals kept on the trainee, as before trainee_withdrawals');
  }
  // Partners: lead partners, renamed training partners in 2026.
  const partners = has('training_partners') ? TRAINING_PARTNERS : has('lead_partners') ? LEAD_PARTNERS : null;
  if (!partners) problems.push('no table lead_partners or training_partners (lead partners, renamed training partners in 2026)');
  else {
    need(partners.table, ['id', 'urn', 'record_type', 'name', 'ukprn', 'school_id', 'provider_id', 'created_at', 'updated_at', ...(partners.discardable ? ['discarded_at'] : [])], `${partners.noun}s`);
    need(partners.usersTable, ['id', partners.column, 'user_id', 'created_at', 'updated_at'], `${partners.noun} users`);
    need('trainees', [partners.column, partners.notApplicableColumn], `the trainee's ${partners.noun}`);
  }
  // TRN requests: renamed when Register moved from DQT to TRS.
  const trnRequests = has('trs_trn_requests') ? ({ table: 'trs_trn_requests', model: 'Trs::TrnRequest' } as const) : has('dqt_trn_requests') ? ({ table: 'dqt_trn_requests', model: 'Dqt::TrnRequest' } as const) : null;
  if (!trnRequests) problems.push('no table dqt_trn_requests or trs_trn_requests (TRN requests)');
  else need(trnRequests.table, ['id', 'trainee_id', 'request_id', 'response', 'state', 'created_at', 'updated_at'], 'TRN requests');
  const slugSentColumn = has('trainees', 'slug_sent_to_trs_at') ? 'slug_sent_to_trs_at' : 'slug_sent_to_dqt_at';
  if (!has('trainees', slugSentColumn)) problems.push('table trainees has no column slug_sent_to_dqt_at or slug_sent_to_trs_at');

  if (problems.length || !partners || !trnRequests) {
    throw new UnsupportedRegisterError(problems, `This Register database lacks ${problems.length === 1 ? 'something' : `${problems.length} things`} the toolkit uses, so it cannot serve it:`);
  }

  const migrationRow = await sql<{ version: string | null }>`SELECT max(version) AS version FROM schema_migrations`.execute(db);
  const migration = migrationRow.rows[0]?.version ?? null;
  const api = trnRequests.table === 'trs_trn_requests' ? 'trs' : 'dqt';
  const later = withdrawals === 'withdrawal-records' && partners.table === 'training_partners' && api === 'trs';
  const earlier = withdrawals === 'trainee-columns' && partners.table === 'lead_partners' && api === 'dqt';
  // Between the two, name the nearer: the one more of its features match.
  const laterScore = [withdrawals === 'withdrawal-records', partners.table === 'training_partners', api === 'trs', !has('schools', 'lead_school')].filter(Boolean).length;
  const version: RegisterVersionName = later ? '2026-08' : earlier ? '2024-08' : laterScore >= 2 ? '2026-08' : '2024-08';
  const exact = later || earlier;
  const routes = version === '2026-08' ? [...ROUTES_2024, 'teacher_degree_apprenticeship'] : ROUTES_2024;
  const trainingInitiatives = version === '2026-08' ? [...INITIATIVES_2024, 'abridged_itt_course', 'primary_mathematics_specialist', 'additional_itt_place_for_pe_with_a_priority_subject'] : INITIATIVES_2024;
  const era = api === 'trs' ? 'TRS era' : 'DQT era';
  return {
    version,
    exact,
    label: `${era} (${exact ? version : `between 2024-08 and 2026-08, nearest ${version}`})${migration ? `, migration ${migration}` : ''}`,
    migration,
    api,
    withdrawals,
    partners,
    trnRequests,
    slugSentColumn,
    schoolLeadFlag: has('schools', 'lead_school'),
    dqtTeacherCache: has('dqt_teachers') && has('dqt_teacher_trainings'),
    traineeLeadSchoolColumn: has('trainees', 'lead_school_id'),
    routes,
    trainingInitiatives,
    columns,
  };
}

const cache = new WeakMap<object, Promise<RegisterFeatures>>();

/**
 * `detectRegister`, once per connection: every later call on the same Kysely instance returns the same answer.
 *
 * @example
 * const { partners } = await registerFeatures(db);
 * await db.selectFrom(partners.table).selectAll().execute();
 */
export function registerFeatures(db: Kysely<any>): Promise<RegisterFeatures> {
  let found = cache.get(db);
  if (!found) {
    found = detectRegister(db);
    cache.set(db, found);
    found.catch(() => cache.delete(db));
  }
  return found;
}

/** Tells `registerFeatures` what a connection is (a transaction of a connection whose features are known). */
export function rememberRegisterFeatures(db: Kysely<any>, features: RegisterFeatures): void {
  cache.set(db, Promise.resolve(features));
}
