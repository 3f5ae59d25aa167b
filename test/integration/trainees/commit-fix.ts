import { expect } from 'vitest';
import type { RegisterDb } from '../../../lib/db/connect.js';
import { changeLogOf, commitIfRequested, commitPlan, type CommitOptions, type FixResult, type Receipt } from '../../../lib/plan/index.js';
import { diff, snapshot, type RowDiff } from '../plan/snapshot.js';
import { toTimestampText } from '../../../lib/db/timestamp.js';

/**
 * Builds a fix, checks commit=false writes nothing, commits, and returns what changed (audits apart). Checks on the
 * way: one audit per changed row of a model Register audits, one change-log entry per changed row (linked to its
 * audit), and that committing the same plan again changes nothing.
 */
export async function commitFix(db: RegisterDb, config: CommitOptions['config'], build: () => Promise<FixResult>, auditComment = 'Support ticket 1234'): Promise<{ fix: FixResult; receipt: Receipt; changes: RowDiff[] }> {
  const before = await snapshot(db);
  const fix = await build();
  expect(await commitIfRequested(db, fix.plan, { commit: false, auditComment, config })).toBeNull();
  expect(diff(before, await snapshot(db))).toEqual([]);
  const receipt = (await commitIfRequested(db, fix.plan, { commit: true, auditComment, config }))!;
  const changes = diff(before, await snapshot(db));
  const audits = changes.filter((c) => c.table === 'audits');
  expect(audits.map((a) => a.id).sort((a, b) => a - b)).toEqual(receipt.auditIds);
  expect(audits.every((a) => a.kind === 'insert' && a.row!.request_uuid === fix.plan.id)).toBe(true);
  const log = await changeLogOf(db, fix.plan.id);
  expect(log).toHaveLength(changes.length - audits.length);
  expect(log.filter((e) => e.auditId !== null).map((e) => e.auditId).sort((a, b) => a! - b!)).toEqual(receipt.auditIds);
  const mid = await snapshot(db);
  const again = await commitPlan(db, fix.plan, { auditComment, config });
  expect(again.alreadyCommitted).toBe(true);
  expect(again.rowsChanged).toBe(0);
  expect(diff(mid, await snapshot(db))).toEqual([]);
  return { fix, receipt, changes: changes.filter((c) => c.table !== 'audits') };
}

/** A row's changed columns without `updated_at`, after checking `updated_at` became the commit time. */
export function updatedAt(c: RowDiff | undefined, receipt: Receipt): Record<string, [unknown, unknown]> {
  expect(c?.changes?.updated_at?.[1]).toBe(toTimestampText(receipt.committedAt));
  const { updated_at: _u, ...rest } = c!.changes!;
  return rest;
}
