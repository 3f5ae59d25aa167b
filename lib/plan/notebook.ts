import { callout } from '../notebook/display.js';
import type { RegisterDb } from '../db/connect.js';
import { commitPlan, type CommitOptions } from './commit.js';
import { PlanRefusedError } from './errors.js';
import { showPlan } from './preview.js';
import type { Plan, Receipt } from './types.js';

export interface CommitCellOptions extends Omit<CommitOptions, 'auditComment'> {
  /** The runbook's `commit` parameter: nothing is written unless it is true. */
  commit: boolean;
  auditComment: string;
}

/**
 * The commit cell of a runbook: with `commit` false it only says that nothing was written; with `commit` true it
 * commits the plan and shows the receipt, or the refusal, as a call-out. A refusal is also thrown, so a headless
 * run fails visibly.
 *
 * @example
 * const receipt = await commitIfRequested(db, fix.plan, { commit, auditComment, config });
 */
export async function commitIfRequested(db: RegisterDb, plan: Plan, options: CommitCellOptions): Promise<Receipt | null> {
  if (!options.commit) {
    callout('info', 'Preview only (commit = false): nothing was written. To apply this plan, set commit = true and an auditComment in the parameters cell, then run the runbook again.', 'Preview only');
    return null;
  }
  if (plan.changes.length === 0 && plan.actions.length === 0) {
    callout('info', 'This plan changes nothing, so there is nothing to commit.', 'Nothing to do');
    return null;
  }
  let receipt: Receipt;
  try {
    receipt = await commitPlan(db, plan, options);
  } catch (error) {
    if (error instanceof PlanRefusedError) callout('error', error.message, 'Commit refused');
    else callout('error', `${(error as Error).message}\nThe transaction was rolled back: nothing was written.`, 'Commit failed');
    throw error;
  }
  showReceipt(receipt);
  return receipt;
}

/** Shows a receipt: what was written (or that nothing was, for a plan committed before) and what each post-commit action did. */
export function showReceipt(receipt: Receipt): void {
  if (receipt.alreadyCommitted) {
    callout('info', `Nothing was written this time: ${receipt.note ?? 'this plan was already committed'}.`, 'Already done');
    return;
  }
  const counts = Object.entries(receipt.counts)
    .map(([table, kinds]) => `${table}: ${Object.entries(kinds ?? {}).map(([k, n]) => `${n} ${k}`).join(', ')}`)
    .join('; ');
  const audits = receipt.auditIds.length <= 10 ? receipt.auditIds.join(', ') : `${receipt.auditIds[0]}…${receipt.auditIds[receipt.auditIds.length - 1]} (${receipt.auditIds.length})`;
  callout('ok', `Committed plan ${receipt.hash} (id ${receipt.planId}) as ${receipt.operator}.\n${receipt.rowsChanged} row(s) changed — ${counts}.\nAudits: ${audits}.`, 'Committed');
  for (const result of receipt.actions) {
    callout(result.status === 'done' ? 'ok' : 'warn', result.message, result.status === 'done' ? 'After the commit' : 'Do this by hand');
  }
}

/**
 * Preview then commit in one call: shows the plan, then does what `commitIfRequested` does.
 *
 * @example
 * await previewThenCommit(db, plan, { commit, auditComment });
 */
export async function previewThenCommit(db: RegisterDb, plan: Plan, options: CommitCellOptions): Promise<Receipt | null> {
  showPlan(plan);
  return commitIfRequested(db, plan, options);
}
