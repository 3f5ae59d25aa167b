import { InputError } from '../notebook/input-error.js';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The duplicates CSV of the support playbook ("Removing Duplicate Trainees"): one trainee to KEEP per line.
 *
 * ```csv
 * trainee_id,email
 * 123,duplicate@example.com
 * ```
 *
 * Register's rake task reads a column called `id` (register-facts 6), while the playbook writes `trainee_id`:
 * both are accepted. The `email` column is optional; when present it is compared with the database so a
 * typo in the file (the wrong id) is noticed. A byte-order mark, CRLF line ends, blank lines, spaces around
 * cells and double-quoted cells are fine.
 *
 * Parsing is strict: a missing or unknown header, a non-integer id, a wrong number of cells or an empty file
 * is a problem reported with its line number, and `parseDuplicatesCsv` throws `DuplicatesCsvError` listing
 * them all, unless `skipBadLines` is set, in which case bad data lines are left out and listed in `skipped`.
 * Header problems and an empty file can never be skipped.
 *
 * @example
 * const csv = parseDuplicatesCsv('trainee_id,email\n301,sam.taylor@example.com\n');
 * csv.rows // [{ line: 2, traineeId: 301, email: 'sam.taylor@example.com' }]
 */
export interface DuplicatesCsvRow {
  /** Line number in the file (1 is the header). */
  line: number;
  traineeId: number;
  /** The `email` cell, trimmed; null when the file has no email column or the cell is empty. */
  email: string | null;
}

export interface CsvProblem {
  /** Line number in the file, 1-based; 0 for the file as a whole. */
  line: number;
  message: string;
}

export interface DuplicatesCsv {
  rows: DuplicatesCsvRow[];
  /** Which header named the id: the playbook's `trainee_id` or Register's task's `id`. */
  idColumn: 'trainee_id' | 'id';
  hasEmailColumn: boolean;
  /** Bad lines left out because `skipBadLines` was set (empty otherwise: bad lines throw). */
  skipped: CsvProblem[];
  /** Things worth knowing that are not errors: an id listed twice (kept once), blank lines. */
  notes: string[];
  /** Where the file was read from, when read from disk. */
  source?: string;
}

export interface ParseDuplicatesCsvOptions {
  /** Leave out bad data lines (listed in `skipped`) instead of refusing the whole file. Default false. */
  skipBadLines?: boolean;
  /** Name of the file in messages. */
  source?: string;
}

export const DUPLICATES_CSV_HEADER = 'trainee_id,email';
const ID_COLUMNS = ['trainee_id', 'id'] as const;
const KNOWN_COLUMNS = ['trainee_id', 'id', 'email'];
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Thrown when the file cannot be used; `problems` lists each one with its line number. */
export class DuplicatesCsvError extends InputError {
  constructor(
    readonly problems: CsvProblem[],
    readonly source: string,
    readonly canSkip: boolean,
  ) {
    const shown = problems.slice(0, 20).map((p) => `  - ${p.line > 0 ? `line ${p.line}: ` : ''}${p.message}`);
    const more = problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : [];
    const hint = canSkip
      ? `\nNothing was planned. Fix the file, or set skipBadLines = true to leave these ${problems.length === 1 ? 'line' : 'lines'} out.`
      : '\nNothing was planned. Fix the file: this cannot be skipped.';
    super(`${source} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${[...shown, ...more].join('\n')}${hint}`);
    this.name = 'DuplicatesCsvError';
  }
}

/** Splits one CSV line into cells: commas separate, double quotes may wrap a cell ("" is a quote inside). */
function splitCsvLine(line: string): { cells: string[] } | { error: string } {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    // leading spaces before an opening quote are allowed
    let j = i;
    while (line[j] === ' ' || line[j] === '\t') j++;
    if (line[j] === '"') {
      j++;
      for (;;) {
        if (j >= line.length) return { error: 'a quoted cell is not closed (missing ")' };
        if (line[j] === '"') {
          if (line[j + 1] === '"') {
            cell += '"';
            j += 2;
            continue;
          }
          j++;
          break;
        }
        cell += line[j++];
      }
      while (line[j] === ' ' || line[j] === '\t') j++;
      if (j < line.length && line[j] !== ',') return { error: 'unexpected text after a quoted cell' };
      cells.push(cell);
    } else {
      const end = line.indexOf(',', i);
      const raw = end === -1 ? line.slice(i) : line.slice(i, end);
      if (raw.includes('"')) return { error: 'a quote (") inside an unquoted cell' };
      cells.push(raw.trim());
      j = end === -1 ? line.length : end;
    }
    if (j >= line.length) break;
    i = j + 1; // past the comma
    if (i === line.length) {
      cells.push('');
      break;
    }
  }
  return { cells };
}

const short = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * Parses the duplicates CSV text. Throws `DuplicatesCsvError` (nothing planned) when the file has problems,
 * unless `skipBadLines` is set and only data lines are bad.
 */
export function parseDuplicatesCsv(text: string, options: ParseDuplicatesCsvOptions = {}): DuplicatesCsv {
  const source = options.source ?? 'The CSV';
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const expected = `expected the header "${DUPLICATES_CSV_HEADER}" (Register's task also accepts "id,email")`;

  let headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex === -1) throw new DuplicatesCsvError([{ line: 0, message: `the file is empty: ${expected} and one line per trainee to keep` }], source, false);

  const headerLine = headerIndex + 1;
  const header = splitCsvLine(lines[headerIndex]!);
  if ('error' in header) throw new DuplicatesCsvError([{ line: headerLine, message: `the header cannot be read (${header.error}): ${expected}` }], source, false);
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const headerProblems: CsvProblem[] = [];
  if (names.length > 0 && /^\d+$/.test(names[0]!)) {
    headerProblems.push({ line: headerLine, message: `there is no header row (the first line is data: "${short(lines[headerIndex]!.trim())}"): ${expected}` });
    throw new DuplicatesCsvError(headerProblems, source, false);
  }
  const unknown = names.filter((n) => !KNOWN_COLUMNS.includes(n));
  for (const u of unknown) headerProblems.push({ line: headerLine, message: `unknown column "${short(u)}": ${expected}` });
  const idColumns = ID_COLUMNS.filter((c) => names.includes(c));
  if (idColumns.length === 0) headerProblems.push({ line: headerLine, message: `no "trainee_id" column: ${expected}` });
  if (idColumns.length > 1) headerProblems.push({ line: headerLine, message: 'both "trainee_id" and "id" columns: keep one of them, they mean the same' });
  for (const n of new Set(names)) if (names.indexOf(n) !== names.lastIndexOf(n)) headerProblems.push({ line: headerLine, message: `column "${n}" appears twice` });
  if (headerProblems.length) throw new DuplicatesCsvError(headerProblems, source, false);

  const idColumn = idColumns[0]!;
  const idIndex = names.indexOf(idColumn);
  const emailIndex = names.indexOf('email');
  const rows: DuplicatesCsvRow[] = [];
  const problems: CsvProblem[] = [];
  const seen = new Map<number, number>();
  const notes: string[] = [];
  let blank = 0;
  const repeated: string[] = [];

  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim() === '') {
      if (i < lines.length - 1) blank++;
      continue;
    }
    const split = splitCsvLine(raw);
    if ('error' in split) {
      problems.push({ line, message: `cannot be read: ${split.error}` });
      continue;
    }
    const cells = split.cells;
    if (cells.length !== names.length) {
      problems.push({ line, message: `has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}, expected ${names.length} (${names.join(',')})` });
      continue;
    }
    const idText = cells[idIndex]!.trim();
    if (idText === '') {
      problems.push({ line, message: `${idColumn} is empty: expected a trainee id (a whole number)` });
      continue;
    }
    if (!/^\d+$/.test(idText) || Number(idText) < 1 || Number(idText) > MAX_ID) {
      problems.push({ line, message: `${idColumn} "${short(idText)}" is not a trainee id: expected a whole number such as 123` });
      continue;
    }
    const traineeId = Number(idText);
    const email = emailIndex >= 0 ? cells[emailIndex]!.trim() || null : null;
    const first = seen.get(traineeId);
    if (first !== undefined) {
      repeated.push(`${traineeId} (lines ${first} and ${line})`);
      continue;
    }
    seen.set(traineeId, line);
    rows.push({ line, traineeId, email });
  }

  if (rows.length === 0 && problems.length === 0) {
    throw new DuplicatesCsvError([{ line: 0, message: `the file has a header but no trainees: add one line per trainee to keep, e.g. "123,duplicate@example.com"` }], source, false);
  }
  if (problems.length && !options.skipBadLines) throw new DuplicatesCsvError(problems, source, true);
  if (rows.length === 0) {
    throw new DuplicatesCsvError([...problems, { line: 0, message: 'no usable lines are left after skipping the bad ones' }], source, false);
  }
  if (idColumn === 'id') notes.push('The id column is called "id" (as Register\'s rake task reads it); the playbook calls it "trainee_id". Both work here.');
  if (emailIndex < 0) notes.push('The file has no email column: the e-mail of each listed trainee is taken from the database.');
  if (repeated.length) notes.push(`Listed more than once (kept once): ${repeated.slice(0, 10).join(', ')}${repeated.length > 10 ? `, … ${repeated.length - 10} more` : ''}.`);
  if (blank) notes.push(`${blank} blank ${blank === 1 ? 'line was' : 'lines were'} ignored.`);
  return { rows, idColumn, hasEmailColumn: emailIndex >= 0, skipped: problems, notes, source: options.source };
}

/**
 * Reads and parses the duplicates CSV from disk. A relative path is looked up from the working directory,
 * then from `searchFrom` folders (the runbook's folder), so a runbook's default sample file is found however
 * the notebook is started.
 *
 * @example
 * const csv = readDuplicatesCsv('duplicates-example.csv', { skipBadLines: false });
 */
export function readDuplicatesCsv(csvPath: string, options: ParseDuplicatesCsvOptions & { searchFrom?: string[] } = {}): DuplicatesCsv {
  const resolved = resolveCsvPath(csvPath, options.searchFrom ?? []);
  const text = readFileSync(resolved, 'utf8');
  return { ...parseDuplicatesCsv(text, { ...options, source: options.source ?? resolved }), source: resolved };
}

/** The absolute path of a CSV file, or an error naming every place looked in. */
export function resolveCsvPath(csvPath: string, searchFrom: string[] = []): string {
  if (typeof csvPath !== 'string' || csvPath.trim() === '') throw new Error('csvPath is empty: expected the path of the duplicates CSV file (header "trainee_id,email").');
  const p = csvPath.trim();
  const candidates = path.isAbsolute(p) ? [p] : [path.resolve(p), ...searchFrom.map((dir) => path.resolve(dir, p))];
  for (const c of candidates) {
    if (existsSync(c)) {
      if (!statSync(c).isFile()) throw new Error(`csvPath ${c} is a folder: expected a CSV file.`);
      return c;
    }
  }
  throw new Error(`No CSV file at ${p}. Looked in: ${[...new Set(candidates)].join(', ')}.`);
}
