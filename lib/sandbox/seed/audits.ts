import type { Insertable } from 'kysely';
import type { AuditsTable } from '../../db/schema.js';

type AuditRow = Insertable<AuditsTable> & { id: number };

/**
 * Builds a trainee's seeded audit history in the audited gem's shape: a create, then one update per step,
 * versions counting up, enum values as integers.
 */
export function traineeHistory(options: {
  firstAuditId: number;
  traineeId: number;
  providerId: number;
  created: Record<string, unknown>;
  updates: { changes: Record<string, [unknown, unknown]>; at: Date; comment?: string; username?: string }[];
  createdAt: Date;
  username?: string;
}): AuditRow[] {
  const base = {
    auditable_type: 'Trainee',
    auditable_id: options.traineeId,
    associated_type: 'Provider',
    associated_id: options.providerId,
    user_type: null,
    user_id: null,
    remote_address: null,
  };
  const rows: AuditRow[] = [
    {
      ...base,
      id: options.firstAuditId,
      action: 'create',
      audited_changes: JSON.stringify(options.created),
      version: 1,
      comment: null,
      username: options.username ?? 'Provider user',
      request_uuid: null,
      created_at: options.createdAt,
    },
  ];
  options.updates.forEach((update, i) => {
    rows.push({
      ...base,
      id: options.firstAuditId + i + 1,
      action: 'update',
      audited_changes: JSON.stringify(update.changes),
      version: i + 2,
      comment: update.comment ?? null,
      username: update.username ?? options.username ?? 'Provider user',
      request_uuid: null,
      created_at: update.at,
    });
  });
  return rows;
}
