import type { RegisterFeatures } from '../../db/versions/features.js';
import { trainingRoute } from '../../db/enums.js';
import type { SeedRows } from './builders.js';

type AnyRow = Record<string, unknown> & { id: number };

/**
 * The seed's rows as a Register of the given features stores them. Scenarios are written once, in today's terms
 * (withdrawal records, partner rows, TRN requests); this moves each piece to where that Register keeps it:
 *
 * - withdrawals on the trainee (DQT era): the current (last kept) withdrawal's date becomes `trainees.withdraw_date`
 *   (midnight UTC, as Register stored a date in that datetime column) and its other reason becomes
 *   `withdraw_reasons_details`; reasons hang on the trainee only; earlier discarded withdrawals cannot be held and go;
 * - lead partners become training partners (record type `lead_school` → `school`) with their users and the trainees'
 *   columns, and `schools.lead_school` goes where it no longer exists (a partner row with `school_id` says it);
 * - `dqt_trn_requests` become `trs_trn_requests`, `slug_sent_to_dqt_at` becomes `slug_sent_to_trs_at`;
 * - a trainee on a route or initiative that version does not know is left out, with every row that hangs on it.
 *
 * @example
 * const rows = rowsForVersion(mergeSeeds(...sets), await registerFeatures(db));
 */
export function rowsForVersion(input: SeedRows, features: RegisterFeatures): SeedRows {
  const rows = Object.fromEntries(Object.entries(input).map(([t, list]) => [t, (list as AnyRow[]).map((r) => ({ ...r }))])) as Record<string, AnyRow[]>;
  const take = (table: string) => {
    const list = rows[table] ?? [];
    delete rows[table];
    return list;
  };

  // Trainees this version cannot hold.
  const knownRoutes = new Set(features.routes.map((r) => trainingRoute.toDb(r as never)));
  const dropped = new Set((rows.trainees ?? []).filter((t) => typeof t.training_route === 'number' && !knownRoutes.has(t.training_route)).map((t) => t.id));
  if (dropped.size) {
    rows.trainees = rows.trainees!.filter((t) => !dropped.has(t.id));
    for (const [table, list] of Object.entries(rows)) {
      if (table === 'audits') rows.audits = list.filter((a) => !(a.auditable_type === 'Trainee' && dropped.has(a.auditable_id as number)) && !(a.associated_type === 'Trainee' && dropped.has(a.associated_id as number)));
      else if (list.some((r) => 'trainee_id' in r)) rows[table] = list.filter((r) => !dropped.has(r.trainee_id as number));
    }
  }

  // Partners.
  const partners = take('lead_partners');
  const partnerUsers = take('lead_partner_users');
  rows[features.partners.table] = partners.map((p) => ({ ...p, record_type: p.record_type === 'lead_school' ? features.partners.schoolRecordType : p.record_type }));
  rows[features.partners.usersTable] = partnerUsers.map(({ lead_partner_id, ...u }) => ({ ...u, [features.partners.column]: lead_partner_id }));
  for (const t of rows.trainees ?? []) {
    if ('lead_partner_id' in t) {
      const value = t.lead_partner_id;
      delete t.lead_partner_id;
      t[features.partners.column] = value;
    }
    if ('lead_partner_not_applicable' in t) {
      const value = t.lead_partner_not_applicable;
      delete t.lead_partner_not_applicable;
      t[features.partners.notApplicableColumn] = value;
    }
  }
  if (!features.schoolLeadFlag) for (const s of rows.schools ?? []) delete s.lead_school;
  for (const a of rows.audits ?? []) {
    const changes = typeof a.audited_changes === 'string' ? (JSON.parse(a.audited_changes) as Record<string, unknown>) : null;
    if (changes && 'lead_partner_id' in changes && features.partners.column !== 'lead_partner_id') {
      changes[features.partners.column] = changes.lead_partner_id;
      delete changes.lead_partner_id;
      a.audited_changes = JSON.stringify(changes);
    }
  }

  // Withdrawals.
  if (features.withdrawals === 'trainee-columns') {
    const withdrawals = take('trainee_withdrawals');
    const byTrainee = new Map<number, AnyRow>();
    for (const w of withdrawals.filter((w) => !w.discarded_at).sort((a, b) => a.id - b.id)) byTrainee.set(w.trainee_id as number, w);
    for (const t of rows.trainees ?? []) {
      const w = byTrainee.get(t.id);
      if (!w) continue;
      t.withdraw_date = w.date ? new Date(`${String(w.date)}T00:00:00Z`) : null;
      t.withdraw_reasons_details = (w.another_reason as string | null) ?? null;
    }
    const kept = new Set([...byTrainee.values()].map((w) => w.id));
    rows.trainee_withdrawal_reasons = (rows.trainee_withdrawal_reasons ?? [])
      .filter((r) => r.trainee_withdrawal_id == null || kept.has(r.trainee_withdrawal_id as number))
      .map(({ trainee_withdrawal_id: _, ...r }) => r as AnyRow);
    rows.audits = (rows.audits ?? []).filter((a) => a.auditable_type !== 'TraineeWithdrawal');
  }

  // TRN requests and the slug stamp.
  const requests = take('dqt_trn_requests');
  rows[features.trnRequests.table] = requests;
  if (features.slugSentColumn !== 'slug_sent_to_dqt_at') {
    for (const t of rows.trainees ?? []) {
      if ('slug_sent_to_dqt_at' in t) {
        t.slug_sent_to_trs_at = t.slug_sent_to_dqt_at;
        delete t.slug_sent_to_dqt_at;
      }
    }
  }
  for (const [table, list] of Object.entries(rows)) if (!list.length) delete rows[table];
  return rows as SeedRows;
}
