import { showHtml, showTable, callout, type Tone } from '../notebook/display.js';
import type { Plan } from './types.js';

/**
 * What a data fix returns: the plan, what was read to build it (tables for the investigation cells) and notes
 * the operator must see (what to tell DQT, which fields support must ask the provider for).
 */
export interface FixResult {
  plan: Plan;
  findings: { caption: string; rows: Record<string, unknown>[] }[];
  notes: { tone: Tone; message: string }[];
}

/**
 * Shows a fix's investigation: each table it read, then its notes as call-outs.
 *
 * @example
 * const fix = await changeTrainingRoute(db, { slug, route });
 * showFindings(fix);
 */
export function showFindings(fix: Pick<FixResult, 'findings' | 'notes'>): void {
  for (const finding of fix.findings) showTable(finding.rows, { caption: finding.caption });
  for (const note of fix.notes) callout(note.tone, note.message);
  if (fix.findings.length === 0 && fix.notes.length === 0) showHtml('<em>Nothing to show.</em>', 'Nothing to show.');
}
