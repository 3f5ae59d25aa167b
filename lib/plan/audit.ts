import { MODEL_NAMES, type TableName } from '../db/schema.js';
import type { RegisterFeatures } from '../db/versions/features.js';
import { auditValue, sameValue } from './values.js';

/** How Register's audited gem records changes to one table: the model, and the record its audits are associated with. */
export interface AuditPolicy {
  /** `auditable_type`, e.g. `Trainee`. */
  model: string;
  /** `associated_type` and the column holding `associated_id`, or null when the model is audited on its own. */
  associated: { type: string; column: string } | null;
}

/**
 * The models Register audits, as declared in its models (`audited associated_with: …`), at both supported versions:
 * a trainee's audits are associated with its Provider; degree, placement, nationality, disability and withdrawal
 * reason audits with the Trainee; provider users with the Provider; a Provider on its own. Since withdrawal records
 * exist (2025), `TraineeWithdrawal` is audited too, on its own (not associated with the trainee).
 */
const AUDITED: Partial<Record<TableName | 'nationalisations' | 'trainee_disabilities', AuditPolicy>> = {
  trainees: { model: 'Trainee', associated: { type: 'Provider', column: 'provider_id' } },
  providers: { model: 'Provider', associated: null },
  provider_users: { model: 'ProviderUser', associated: { type: 'Provider', column: 'provider_id' } },
  degrees: { model: 'Degree', associated: { type: 'Trainee', column: 'trainee_id' } },
  placements: { model: 'Placement', associated: { type: 'Trainee', column: 'trainee_id' } },
  trainee_withdrawal_reasons: { model: 'TraineeWithdrawalReason', associated: { type: 'Trainee', column: 'trainee_id' } },
  trainee_withdrawals: { model: 'TraineeWithdrawal', associated: null },
  nationalisations: { model: 'Nationalisation', associated: { type: 'Trainee', column: 'trainee_id' } },
  trainee_disabilities: { model: 'TraineeDisability', associated: { type: 'Trainee', column: 'trainee_id' } },
};

/**
 * How Register audits changes to `table` at this version, or null when it does not audit that model at all (lead or
 * training partners and their users, schools, users, Apply applications, TRN requests): changes to those are
 * recorded only in the toolkit's own change log (`register_support.change_log`), never as an `audits` row Register
 * would not have written.
 *
 * @example
 * auditPolicy(features, 'trainees')          // { model: 'Trainee', associated: { type: 'Provider', column: 'provider_id' } }
 * auditPolicy(features, 'training_partners') // null
 */
export function auditPolicy(features: Pick<RegisterFeatures, 'withdrawals'> | null, table: TableName): AuditPolicy | null {
  if (table === 'trainee_withdrawals' && features && features.withdrawals !== 'withdrawal-records') return null;
  return AUDITED[table] ?? null;
}

/** The Rails model of a table (`auditable_type` if audited), e.g. `Trainee`, `TrainingPartner`, `Trs::TrnRequest`. */
export function modelName(table: TableName): string {
  return MODEL_NAMES[table];
}

/** The table of a Rails model name (the timeline decodes audits with it), or undefined. */
export function tableOfModel(model: string): TableName | undefined {
  return (Object.entries(MODEL_NAMES) as [TableName, string][]).find(([, m]) => m === model)?.[0];
}

/** Columns the audited gem leaves out of `audited_changes` (its `ignored_attributes`, plus the primary key). */
export const NOT_AUDITED_COLUMNS = new Set(['id', 'created_at', 'updated_at', 'lock_version', 'created_on', 'updated_on']);

/** The `username` of audits written by a support notebook. */
export function auditUsername(operator: string): string {
  return `${operator} via support notebook`;
}

/** The `comment` of every audit of a plan: the comment, and the ticket on a second line when there is one (as Register's undo withdrawal). */
export function auditComment(comment: string, ticket?: string): string {
  const text = comment.trim();
  return ticket?.trim() ? `${text}\n${ticket.trim()}` : text;
}


/** A column's type from PostgreSQL's catalogue (`format_type`), e.g. `timestamp(6) without time zone`; undefined if unknown. */
export type ColumnTypeOf = (column: string) => string | undefined;

/** `audited_changes` for a create or destroy: every audited column with its value (timestamps as Rails writes them). */
export function wholeRowChanges(row: Record<string, unknown>, typeOf?: ColumnTypeOf): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([c]) => !NOT_AUDITED_COLUMNS.has(c)).map(([c, v]) => [c, auditValue(v, typeOf?.(c))]));
}

/**
 * `audited_changes` for an update: `{ column: [old, new] }`, only for columns whose value really changes (as the gem's
 * dirty tracking: a timestamp that moved by a microsecond changed, even though Rails' JSON shows both to the millisecond).
 */
export function updateChanges(before: Record<string, unknown>, after: Record<string, unknown>, typeOf?: ColumnTypeOf): Record<string, [unknown, unknown]> {
  return Object.fromEntries(
    Object.keys(after)
      .filter((c) => !NOT_AUDITED_COLUMNS.has(c) && !sameValue(before[c], after[c]))
      .map((c) => [c, [auditValue(before[c], typeOf?.(c)), auditValue(after[c], typeOf?.(c))] as [unknown, unknown]]),
  );
}
