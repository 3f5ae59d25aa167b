import path from 'node:path';
import type { Config } from '../config/env.js';
import { defaultProjectRoot } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { callout, progress, showTable } from '../notebook/display.js';
import { planBuilder } from '../plan/builder.js';
import { commitIfRequested } from '../plan/notebook.js';
import { PlanRefusedError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import type { Receipt } from '../plan/types.js';
import type { DataFrame } from 'danfojs-node';
import { toFrame } from '../tables/frame.js';
import { readDuplicatesCsv, type DuplicatesCsv } from './csv.js';
import { duplicatePreviewRows, planDuplicateRemoval, type DuplicatePlanResult } from './planner.js';

/**
 * The "Removing Duplicate Trainees" runbook in one call: read the CSV, plan the discards (set-based, see
 * `planDuplicateRemoval`), and return a Plan of `discard` changes (each expecting the duplicate to still be kept
 * with the e-mail, state, TRN and provider seen in the preview) plus the tables and notes for the notebook.
 *
 * @example
 * const fix = await planRemoveDuplicates(db, { csvPath: 'trainees.csv' });
 * showDuplicatesPreview(fix);
 * await commitRemoveDuplicates(db, fix, { commit, auditComment });
 */
export interface RemoveDuplicatesInput {
  /** The playbook's CSV (`trainee_id,email`; Register's `id,email` works too). Relative paths are also looked up in the runbook folder. */
  csvPath: string;
  /** Leave out bad lines of the file (listed) instead of refusing it. Default false. */
  skipBadLines?: boolean;
  /** A support ticket, written on the audits' second comment line. */
  ticket?: string;
}

export interface RemoveDuplicatesFix extends FixResult {
  csv: DuplicatesCsv;
  result: DuplicatePlanResult;
  /** One row per trainee to discard, beside the trainee kept (the preview table). */
  preview: Record<string, unknown>[];
}

/** Where the runbook and its sample CSV live, so the default `csvPath` is found however the notebook is started. */
export const REMOVE_DUPLICATES_RUNBOOK_DIR = path.join(defaultProjectRoot(), 'notebooks', 'data-fixes');

export async function planRemoveDuplicates(db: RegisterDb, input: RemoveDuplicatesInput): Promise<RemoveDuplicatesFix> {
  const csv = readDuplicatesCsv(input.csvPath, { skipBadLines: input.skipBadLines === true, searchFrom: [REMOVE_DUPLICATES_RUNBOOK_DIR] });
  const result = await planDuplicateRemoval(db, csv);
  const builder = planBuilder(`Remove duplicate trainees (${csv.rows.length} listed in ${path.basename(csv.source ?? input.csvPath)})`, { ticket: input.ticket });
  for (const d of result.duplicates) {
    builder.discard(
      'trainees',
      d.id,
      { email: d.email, state: d.stateValue, trn: d.trn, provider_id: d.providerId },
      `${d.name ?? 'trainee'} ${d.id}, duplicate of ${d.keptTraineeId}`,
    );
  }
  if (result.keeperEmails.length) {
    // The kept trainees sharing the listed e-mails must be exactly those previewed: a duplicate created since would be
    // left, a keeper discarded since would leave nobody. The listed keepers are locked while the set is read again.
    const keeperIds = result.listed.filter((l) => !l.skippedBecause).map((l) => l.traineeId);
    builder.expectSet('trainees', { email: { normalised: result.keeperEmails }, discarded_at: null }, result.matchedIds, {
      label: `kept trainees sharing an e-mail with the ${keeperIds.length} listed trainee${keeperIds.length === 1 ? '' : 's'}`,
      lock: { table: 'trainees', ids: keeperIds },
    });
  }
  const plan = builder.build();
  const preview = duplicatePreviewRows(result);

  const notes: FixResult['notes'] = [];
  const listedUsed = result.listed.filter((l) => !l.skippedBecause).length;
  notes.push({
    tone: 'info',
    message: `${csv.rows.length} trainees listed; ${listedUsed} kept as they are; ${result.duplicates.length} duplicates to discard (${result.warningCount} with warnings). Planned in ${Math.round(result.queryMs)} ms.`,
  });
  if (csv.skipped.length) {
    notes.push({ tone: 'warn', message: `Bad lines left out of the file (skipBadLines = true):\n${csv.skipped.map((p) => `  line ${p.line}: ${p.message}`).join('\n')}` });
  }
  for (const note of csv.notes) notes.push({ tone: 'info', message: note });
  if (result.problems.length) {
    const shown = result.problems.slice(0, 50).map((p) => `  line ${p.line}: ${p.message}`);
    notes.push({ tone: 'warn', message: `Nothing planned for ${result.problems.length} listed ${result.problems.length === 1 ? 'line' : 'lines'}:\n${shown.join('\n')}${result.problems.length > 50 ? `\n  … ${result.problems.length - 50} more` : ''}` });
  }
  for (const shared of result.sharedEmails) {
    notes.push({
      tone: 'warn',
      message: `Trainees ${shared.traineeIds.join(' and ')} are all listed and share the e-mail ${shared.email}: all of them are kept. (Register's task would have discarded the earlier ones when it reached the later rows.) Check with the provider which record is the real one.`,
    });
  }
  if (result.warningCount) {
    notes.push({
      tone: 'warn',
      message: `${result.warningCount} ${result.warningCount === 1 ? 'duplicate needs' : 'duplicates need'} a human look (highlighted): a TRN (the record is known to DQT), a state past draft (real history), another provider, or another date of birth or last name (maybe another person sharing the e-mail). Look at each before committing: to keep one that is not a true copy, add its id to the CSV (listed trainees are never discarded).`,
    });
  }
  if (result.duplicates.length === 0) notes.push({ tone: 'ok', message: 'No kept trainee shares an e-mail with a listed trainee: there is nothing to discard.' });

  const findings: FixResult['findings'] = [
    {
      caption: 'Listed trainees (kept)',
      rows: result.listed.map((l) => ({
        line: l.line,
        trainee_id: l.traineeId,
        name: l.name,
        email: l.email,
        provider: l.providerName,
        state: l.state,
        trn: l.trn,
        duplicates: l.duplicateCount,
        note: l.skippedBecause,
      })),
    },
  ];
  return { plan, findings, notes, csv, result, preview };
}

/**
 * Shows the investigation and the preview: the listed trainees, the notes, then the table of trainees to discard
 * with warnings highlighted.
 */
export function showDuplicatesPreview(fix: RemoveDuplicatesFix): void {
  for (const finding of fix.findings) showTable(finding.rows, { caption: finding.caption, rowClass: (row) => (row.note ? 'warn' : undefined) });
  for (const note of fix.notes) callout(note.tone, note.message);
  showTable(fix.preview, {
    caption: 'Trainees to discard (discarded_at set; warnings highlighted)',
    rowClass: (row) => (row.warnings ? 'warn' : undefined),
    pageSize: 100,
    maxRows: 5000,
  });
}

/** The preview as a danfojs DataFrame, for sorting, filtering or `toCSV` in a notebook cell. */
export function duplicatesFrame(fix: RemoveDuplicatesFix): DataFrame {
  return toFrame(fix.preview); // danfojs itself is loaded on first use
}

export interface CommitRemoveDuplicatesOptions {
  commit: boolean;
  auditComment: string;
  config?: Pick<Config, 'operator' | 'writesAllowed'> & Partial<Config>;
  operator?: string;
}

/**
 * The commit cell: does nothing unless `commit` is true. Before the transaction it checks the listed trainees
 * are still kept (a keeper discarded since the preview would leave no record of that person); the transaction
 * then re-checks every duplicate, discards in batches of 5,000 with one audit each, showing progress, and either
 * all of it is written or none.
 */
export async function commitRemoveDuplicates(db: RegisterDb, fix: RemoveDuplicatesFix, options: CommitRemoveDuplicatesOptions): Promise<Receipt | null> {
  if (options.commit) {
    const keepers = [...new Set(fix.result.duplicates.map((d) => d.keptTraineeId))];
    if (keepers.length) {
      const gone = await db.selectFrom('trainees').select(['id']).where('id', 'in', keepers).where('discarded_at', 'is not', null).execute();
      if (gone.length) {
        const message = `Refused: listed trainee${gone.length === 1 ? '' : 's'} ${gone.map((g) => g.id).join(', ')} ${gone.length === 1 ? 'has' : 'have'} been discarded since the preview, so discarding the duplicates would leave no record of ${gone.length === 1 ? 'that person' : 'those people'}. Nothing was written. Run the runbook again from the top.`;
        callout('error', message, 'Commit refused');
        throw new PlanRefusedError('drift', message);
      }
    }
  }
  // The progress line appears once the transaction is writing (not for a refusal before it starts).
  const shown: { bar: ReturnType<typeof progress> | null } = { bar: null };
  const total = fix.plan.changes.length;
  try {
    const receipt = await commitIfRequested(db, fix.plan, {
      commit: options.commit,
      auditComment: options.auditComment,
      config: options.config,
      operator: options.operator,
      onProgress: (step) => {
        shown.bar ??= progress('Discarding duplicates', total);
        shown.bar.update(step.done);
      },
    });
    shown.bar?.done(receipt && !receipt.alreadyCommitted ? `${receipt.rowsChanged} discarded` : 'nothing written');
    return receipt;
  } catch (error) {
    shown.bar?.done('rolled back: nothing written');
    throw error;
  }
}
