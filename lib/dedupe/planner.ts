import { sql } from 'kysely';
import type { RegisterDb } from '../db/connect.js';
import { traineeState, type TraineeState } from '../db/enums.js';
import { displayTimestamp, type TimestampText } from '../db/timestamp.js';
import type { DuplicatesCsv, DuplicatesCsvRow } from './csv.js';
import { NORMALISED_TEXT_SQL } from '../plan/sets.js';

/**
 * Works out which trainees to discard from the duplicates CSV, set-based: two SQL statements for the whole
 * file, whatever its length (one for the listed trainees, one pass over the kept trainees probing a hash of their
 * e-mails). Register has no index on `trainees.email` and the toolkit needs none: the duplicates statement
 * reads the table once.
 *
 * The rules (the playbook's intent, with the rake task's bugs fixed, register-facts 6):
 * - e-mails are compared trimmed and case-insensitively (`lower(btrim(email))`); the task compared exactly;
 * - only kept trainees (`discarded_at IS NULL`) are duplicates; the task had no kept scope;
 * - a listed trainee is never discarded, even when another listed trainee shares its e-mail (both kept, and
 *   the plan says so); the task discarded an earlier row's survivor when a later row shared its e-mail;
 * - a listed id that does not exist is reported and skipped; the task stopped with RecordNotFound;
 * - a NULL or blank e-mail matches nothing; the task matched every trainee without an e-mail;
 * - a listed trainee that is itself discarded, or whose e-mail in the file differs from the database (a
 *   wrong id?), is reported and nothing is planned for it.
 *
 * @example
 * const plan = await planDuplicateRemoval(db, readDuplicatesCsv('trainees.csv'));
 * plan.duplicates.length  // trainees that would be discarded
 * plan.problems           // listed lines that were skipped, and why
 */
export interface ListedTrainee {
  line: number;
  traineeId: number;
  /** False when no trainee has this id. */
  found: boolean;
  email: string | null;
  /** `lower(btrim(email))`, null for a NULL or blank e-mail. */
  normalisedEmail: string | null;
  csvEmail: string | null;
  name: string | null;
  state: TraineeState | null;
  trn: string | null;
  providerId: number | null;
  providerName: string | null;
  dateOfBirth: string | null;
  lastName: string | null;
  discardedAt: TimestampText | null;
  /** Kept trainees with this e-mail that will be discarded. */
  duplicateCount: number;
  /** Why nothing is planned for this line, when it is skipped. */
  skippedBecause: string | null;
}

export interface DuplicateTrainee {
  id: number;
  slug: string;
  email: string | null;
  normalisedEmail: string;
  name: string | null;
  dateOfBirth: string | null;
  state: TraineeState | null;
  /** Stored integer, as audits record it. */
  stateValue: number | null;
  trn: string | null;
  providerId: number;
  providerName: string | null;
  createdAt: TimestampText;
  updatedAt: TimestampText;
  /** The listed trainee kept in its place (the first listed with this e-mail). */
  keptTraineeId: number;
  /** Reasons a human should look before this one is discarded: a TRN, past draft, another provider, another date of birth or last name (empty for a plain draft copy). */
  warnings: string[];
}

export interface DedupeProblem {
  line: number;
  traineeId: number;
  message: string;
}

export interface DuplicatePlanResult {
  listed: ListedTrainee[];
  duplicates: DuplicateTrainee[];
  /** Listed lines that were skipped (missing, discarded, no e-mail, e-mail differs from the file). */
  problems: DedupeProblem[];
  /** Listed trainees that share an e-mail: all of them are kept. */
  sharedEmails: { email: string; traineeIds: number[] }[];
  /** Duplicates that carry at least one warning. */
  warningCount: number;
  /**
   * Every kept trainee whose e-mail is a keeper's (the listed ones too), ascending: the set the commit reads again, so
   * a duplicate created or discarded since the preview refuses it.
   */
  matchedIds: number[];
  /** The keepers' normalised e-mails. */
  keeperEmails: string[];
  /** Notes from reading the CSV. */
  csvNotes: string[];
  csvSkipped: { line: number; message: string }[];
  /** How long the two statements took, in milliseconds. */
  queryMs: number;
}

/**
 * The e-mail as the toolkit compares it, in SQL: trimmed of spaces, tabs and line breaks, lower-cased,
 * blank treated as NULL (so it matches nothing).
 */
export const normalisedEmailSql = (column: string) => NORMALISED_TEXT_SQL(sql.raw(column));

/** The same in TypeScript, for messages and tests. */
export function normaliseEmail(email: string | null | undefined): string | null {
  if (email === null || email === undefined) return null;
  const n = email.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '').toLowerCase();
  return n === '' ? null : n;
}

interface ListedRow {
  listed_id: number;
  ord: number;
  id: number | null;
  email: string | null;
  normalised: string | null;
  discarded_at: TimestampText | null;
  state: number | null;
  trn: string | null;
  first_names: string | null;
  last_name: string | null;
  date_of_birth: string | null;
  provider_id: number | null;
  provider_name: string | null;
}

interface DuplicateRow {
  id: number;
  slug: string;
  email: string | null;
  normalised: string;
  state: number | null;
  trn: string | null;
  first_names: string | null;
  last_name: string | null;
  date_of_birth: string | null;
  provider_id: number;
  provider_name: string | null;
  created_at: TimestampText;
  updated_at: TimestampText;
}

const fullName = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(' ') || null;

/** Plans the duplicate removal for a parsed CSV. Reads only; see `DuplicatePlanResult`. */
export async function planDuplicateRemoval(db: RegisterDb, csv: Pick<DuplicatesCsv, 'rows'> & Partial<DuplicatesCsv>): Promise<DuplicatePlanResult> {
  const rows: DuplicatesCsvRow[] = csv.rows;
  const ids = rows.map((r) => r.traineeId);
  const started = performance.now();

  const listedRows = (
    await sql<ListedRow>`
      SELECT l.id AS listed_id, l.ord, t.id, t.email, ${normalisedEmailSql('t.email')} AS normalised, t.discarded_at,
             t.state, t.trn, t.first_names, t.last_name, t.date_of_birth, t.provider_id, p.name AS provider_name
      FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS l(id, ord)
      LEFT JOIN trainees t ON t.id = l.id
      LEFT JOIN providers p ON p.id = t.provider_id
      ORDER BY l.ord`.execute(db)
  ).rows;

  // Which listed trainees are usable keepers.
  const problems: DedupeProblem[] = [];
  const listed: ListedTrainee[] = listedRows.map((r, i) => {
    const csvRow = rows[i]!;
    const item: ListedTrainee = {
      line: csvRow.line,
      traineeId: csvRow.traineeId,
      found: r.id !== null,
      email: r.email,
      normalisedEmail: r.normalised,
      csvEmail: csvRow.email,
      name: fullName(r.first_names, r.last_name),
      state: r.id === null ? null : traineeState.fromDb(r.state),
      trn: r.trn,
      providerId: r.provider_id,
      providerName: r.provider_name,
      dateOfBirth: r.date_of_birth,
      lastName: r.last_name,
      discardedAt: r.discarded_at,
      duplicateCount: 0,
      skippedBecause: null,
    };
    if (!item.found) item.skippedBecause = `no trainee has id ${item.traineeId}: skipped (Register's task stopped here with RecordNotFound)`;
    else if (item.discardedAt) item.skippedBecause = `trainee ${item.traineeId} is itself discarded (since ${displayTimestamp(item.discardedAt)}): nothing planned for its e-mail; list the record the provider keeps`;
    else if (item.normalisedEmail === null) item.skippedBecause = `trainee ${item.traineeId} has no e-mail: nothing to match (Register's task would have discarded every trainee without an e-mail)`;
    else if (item.csvEmail !== null && normaliseEmail(item.csvEmail) !== item.normalisedEmail)
      item.skippedBecause = `the file says "${item.csvEmail}" but trainee ${item.traineeId} has "${item.email}": check the id; nothing planned for this line`;
    if (item.skippedBecause) problems.push({ line: item.line, traineeId: item.traineeId, message: item.skippedBecause });
    return item;
  });

  const keepers = listed.filter((l) => !l.skippedBecause);
  const byEmail = new Map<string, ListedTrainee[]>();
  for (const k of keepers) {
    const group = byEmail.get(k.normalisedEmail!) ?? [];
    group.push(k);
    byEmail.set(k.normalisedEmail!, group);
  }
  const sharedEmails = [...byEmail.entries()].filter(([, group]) => group.length > 1).map(([email, group]) => ({ email, traineeIds: group.map((g) => g.traineeId) }));

  // Every kept trainee whose e-mail matches a keeper's, other than the listed ones: one pass over trainees.
  // `= ANY(array)` of a bound array is hashed by PostgreSQL 14 and later (one probe per trainee), so this is a
  // single pass over the table. Listed trainees match too (their own e-mail) and are dropped below.
  const listedIds = new Set(ids);
  const emails = [...byEmail.keys()];
  const matchedRows = emails.length
    ? (
        await sql<DuplicateRow>`
          SELECT d.id, d.slug, d.email, ${normalisedEmailSql('d.email')} AS normalised, d.state, d.trn, d.first_names, d.last_name,
                 d.date_of_birth, d.provider_id, p.name AS provider_name, d.created_at, d.updated_at
          FROM trainees d
          LEFT JOIN providers p ON p.id = d.provider_id
          WHERE d.discarded_at IS NULL AND ${normalisedEmailSql('d.email')} = ANY(${emails}::text[])
          ORDER BY 4, d.id`.execute(db)
      ).rows
    : [];
  const duplicateRows = matchedRows.filter((d) => !listedIds.has(d.id));
  const queryMs = performance.now() - started;

  const duplicates: DuplicateTrainee[] = duplicateRows.map((d) => {
    const group = byEmail.get(d.normalised)!;
    const kept = group[0]!;
    kept.duplicateCount++;
    for (const other of group.slice(1)) other.duplicateCount++;
    const state = traineeState.fromDb(d.state);
    const warnings: string[] = [];
    if (d.trn) warnings.push(`has TRN ${d.trn}: DQT knows this record`);
    if (state !== null && state !== 'draft') warnings.push(`is ${state}, past draft`);
    if (kept.dateOfBirth && d.date_of_birth && kept.dateOfBirth !== d.date_of_birth)
      warnings.push(`has another date of birth (${d.date_of_birth}, kept ${kept.dateOfBirth}): maybe another person sharing the e-mail`);
    if (kept.lastName && d.last_name && kept.lastName.trim().toLowerCase() !== d.last_name.trim().toLowerCase())
      warnings.push(`has another last name (${d.last_name}, kept ${kept.lastName})`);
    if (kept.providerId !== null && d.provider_id !== kept.providerId) warnings.push(`is at another provider (${d.provider_name ?? d.provider_id}) than the kept trainee (${kept.providerName ?? kept.providerId})`);
    return {
      id: d.id,
      slug: d.slug,
      email: d.email,
      normalisedEmail: d.normalised,
      name: fullName(d.first_names, d.last_name),
      dateOfBirth: d.date_of_birth,
      state,
      stateValue: d.state,
      trn: d.trn,
      providerId: d.provider_id,
      providerName: d.provider_name,
      createdAt: d.created_at,
      updatedAt: d.updated_at,
      keptTraineeId: kept.traineeId,
      warnings,
    };
  });

  return {
    listed,
    duplicates,
    problems,
    sharedEmails,
    warningCount: duplicates.filter((d) => d.warnings.length > 0).length,
    matchedIds: matchedRows.map((d) => Number(d.id)).sort((a, b) => a - b),
    keeperEmails: emails,
    csvNotes: csv.notes ?? [],
    csvSkipped: csv.skipped ?? [],
    queryMs,
  };
}

/**
 * The preview rows: one per trainee to discard, beside the trainee kept in its place.
 *
 * @example
 * showTable(duplicatePreviewRows(plan), { caption: 'Trainees to discard' });
 */
export function duplicatePreviewRows(plan: DuplicatePlanResult): Record<string, unknown>[] {
  const listedById = new Map(plan.listed.map((l) => [l.traineeId, l]));
  return plan.duplicates.map((d) => {
    const kept = listedById.get(d.keptTraineeId)!;
    return {
      kept_id: kept.traineeId,
      kept_name: kept.name,
      kept_provider: kept.providerName,
      email: d.email,
      discard_id: d.id,
      discard_name: d.name,
      provider: d.providerName,
      state: d.state,
      trn: d.trn,
      created_at: d.createdAt,
      warnings: d.warnings.join('; ') || null,
    };
  });
}
