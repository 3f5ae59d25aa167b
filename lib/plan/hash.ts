import { createHash } from 'node:crypto';
import type { Plan } from './types.js';
import { canonicalJson } from './values.js';

/**
 * The plan's content hash: sha256 of its title, ticket, changes, actions and set checks as canonical JSON (sorted keys,
 * timestamps as the toolkit's text), first 16 hex characters. The same content always gives the same hash, whatever the plan's id or
 * build time, so an operator can compare the hash in a preview with the one in the receipt.
 *
 * @example
 * planHash(plan) // 'a3f09c12d45e6b78'
 */
export function planHash(plan: Pick<Plan, 'title' | 'ticket' | 'changes' | 'actions' | 'sets'>): string {
  // The sets only when there are some, so a plan without them hashes as it did before sets existed.
  const content = canonicalJson({ title: plan.title, ticket: plan.ticket ?? null, changes: plan.changes, actions: plan.actions, ...(plan.sets?.length ? { sets: plan.sets } : {}) });
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
