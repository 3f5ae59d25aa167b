import { AUDITABLE_TYPES, type TableName } from '../db/schema.js';
import { auditValue, sameValue } from './values.js';

/**
 * How each table's audits are written, as Register's audited gem does (register-facts 1.10): the model name as
 * `auditable_type`, and the record the audit is associated with (a trainee's audits with its Provider; withdrawal,
 * reason, placement and degree audits with the Trainee; provider users with the Provider).
 */
export const AUDIT_ASSOCIATIONS: Partial<Record<TableName, { type: string; column: string }>> = {
  trainees: { type: 'Provider', column: 'provider_id' },
  degrees: { type: 'Trainee', column: 'trainee_id' },
  placements: { type: 'Trainee', column: 'trainee_id' },
  trainee_withdrawals: { type: 'Trainee', column: 'trainee_id' },
  trainee_withdrawal_reasons: { type: 'Trainee', column: 'trainee_id' },
  provider_users: { type: 'Provider', column: 'provider_id' },
  lead_partner_users: { type: 'LeadPartner', column: 'lead_partner_id' },
};

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

export function auditableType(table: TableName): string {
  const type = AUDITABLE_TYPES[table];
  if (!type) throw new Error(`Table ${table} has no audited model name: add it to AUDITABLE_TYPES in lib/db/schema.ts.`);
  return type;
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
