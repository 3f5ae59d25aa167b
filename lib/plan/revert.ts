import type { TableName } from '../db/schema.js';
import { PlanBuilder } from './builder.js';
import type { DiscardableTable, Plan, Receipt, RowValues } from './types.js';

/**
 * The inverse of a committed plan, built from its receipt: every update put back (expecting the values the commit
 * wrote), discarded rows kept again, inserted rows deleted, deleted rows inserted again with their old id and
 * values; in reverse order. It is a plan like any other: preview it, then commit it with an audit comment. Jobs the
 * original plan enqueued are not undone (the preview says what to tell DQT by hand).
 *
 * @example
 * const undo = revertPlan(receipt);
 * showPlan(undo);
 * await commitPlan(db, undo, { auditComment: 'Reverting: wrong trainee (ticket 1234)' });
 */
export function revertPlan(receipt: Receipt): Plan {
  if (receipt.alreadyCommitted || receipt.applied.length === 0) {
    throw new Error(`Nothing to revert: this receipt (plan ${receipt.planId}) is from a commit that changed nothing. Revert using the receipt of the commit that wrote the changes.`);
  }
  const builder = new PlanBuilder(`Revert: ${receipt.title}`, { ticket: `reverts plan ${receipt.planId} (hash ${receipt.hash})` });
  for (const applied of [...receipt.applied].reverse()) {
    const table = applied.table as TableName;
    if (applied.kind === 'update') {
      builder.update(table, applied.id, applied.after as RowValues<typeof table>, applied.before as RowValues<typeof table>);
    } else if (applied.kind === 'discard') {
      builder.update(table as DiscardableTable, applied.id, applied.after as RowValues<DiscardableTable>, { discarded_at: null } as RowValues<DiscardableTable>);
    } else if (applied.kind === 'insert') {
      builder.delete(table, applied.id, applied.after as RowValues<typeof table>);
    } else {
      builder.insert(table, applied.before as RowValues<typeof table>, { id: applied.id });
    }
  }
  return builder.build();
}
