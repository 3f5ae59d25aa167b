import { redactSecrets } from '../notebook/redact.js';
import type { Notebook } from './notebook-file.js';

/**
 * Applies `fn` to every piece of text a notebook carries: cell sources, every output (streams, HTML, Markdown,
 * plain text, SVG, JSON, error name/value/traceback) and the run metadata. Changes `nb` in place.
 */
export function mapNotebookText(nb: Notebook, fn: (text: string) => string): void {
  const deep = mapStrings(fn);
  for (const cell of nb.cells) {
    cell.source = deep(cell.source, 'source') as string | string[];
    if (cell.outputs) cell.outputs = deep(cell.outputs) as typeof cell.outputs;
    if (cell.metadata.register_support) cell.metadata.register_support = deep(cell.metadata.register_support);
  }
  if (nb.metadata.register_support) nb.metadata.register_support = deep(nb.metadata.register_support);
}

/**
 * Maps every string inside a JSON value. nbformat stores multi-line text as a list of lines: such a list is mapped
 * as one text (so a value split across two list items is still found). Other lists (a traceback, a parameter's
 * list of values) are mapped item by item.
 */
function mapStrings(fn: (text: string) => string, htmlFn: (html: string) => string = fn): (value: unknown, key?: string) => unknown {
  const deep = (value: unknown, key?: string): unknown => {
    const f = key === 'text/html' ? htmlFn : fn;
    if (typeof value === 'string') return f(value);
    if (Array.isArray(value)) {
      if (isTextKey(key) && value.length > 1 && value.every((v) => typeof v === 'string')) return splitLines(f(value.join('')));
      return value.map((v) => deep(v, key === 'text/html' ? key : undefined));
    }
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v, k)]));
    return value;
  };
  return deep;
}

/** The keys under which nbformat stores multi-line text: `source`, a stream's `text`, and each MIME type of `data`. */
function isTextKey(key: string | undefined): boolean {
  return key === 'source' || key === 'text' || (key !== undefined && key.includes('/'));
}

/** nbformat's multi-line text: a list of strings each ending in a newline but the last (not a traceback list). */
function isLineList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 1 && value.every((v) => typeof v === 'string') && value.slice(0, -1).every((v) => (v as string).endsWith('\n'));
}

function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length ? lines : [''];
}

/**
 * Removes every secret of the environment (DQT API key, database and Redis passwords, bearer tokens) from a
 * notebook, wherever it appears. Every notebook `support run` writes goes through this.
 *
 * @example
 * redactNotebookSecrets(nb); writeNotebook(path, nb);
 */
export function redactNotebookSecrets(nb: Notebook, secrets?: string[]): void {
  mapNotebookText(nb, (text) => redactSecrets(text, secrets));
}

/** Personal values to mask wherever they appear (from the database rows of the trainees the run touched). */
export interface PersonalValues {
  /** First, middle and last names. */
  names: string[];
  /** Dates of birth, `YYYY-MM-DD`. */
  datesOfBirth: string[];
  emails: string[];
}

export const MASKS = { name: '[name]', dateOfBirth: '[date of birth]', email: '[email]', nino: '[NI number]', redacted: '[redacted]' } as const;

const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** A National Insurance number: two letters, six digits, a letter A–D, spaces allowed. Looser than HMRC's prefix rules on purpose (test numbers such as QQ 12 34 56 C are masked too). */
const NINO = /\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/gi;
/** Table columns whose every value is personal, by header (snake_case, camelCase or words). */
const PERSONAL_COLUMN = /^(first[ _]?names?|middle[ _]?names?|last[ _]?name|surname|full[ _]?name|trainee[ _]?name|person|date[ _]?of[ _]?birth|dob|birth[ _]?date|e-?mail|email[ _]?address|ni[ _]?number|national[ _]?insurance[ _]?number)$/i;
const NAME_COLUMN = /name|person/i;
const DOB_COLUMN = /birth|dob/i;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unescapeHtml(text: string): string {
  return text.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();
}

/**
 * Masks the personal columns of the HTML tables in `html` (first/middle/last names, date of birth, e-mail,
 * NI number: see PERSONAL_COLUMN) and returns the values it masked, so they can be masked elsewhere too.
 */
export function maskHtmlTableColumns(html: string): { html: string; found: PersonalValues } {
  const found: PersonalValues = { names: [], datesOfBirth: [], emails: [] };
  const out = html.replace(/<table\b[\s\S]*?<\/table>/gi, (table) => {
    const head = /<thead\b[\s\S]*?<\/thead>/i.exec(table)?.[0] ?? /<tr\b[\s\S]*?<\/tr>/i.exec(table)?.[0] ?? '';
    const headers = [...head.matchAll(/<th\b[^>]*>([\s\S]*?)<\/th>/gi)].map((m) => unescapeHtml(m[1]!));
    const personal = headers.map((h) => PERSONAL_COLUMN.test(h.trim()));
    if (!personal.some(Boolean)) return table;
    return table.replace(/<tbody\b[\s\S]*?<\/tbody>/gi, (body) =>
      body.replace(/<tr\b[^>]*>[\s\S]*?<\/tr>/gi, (row) => {
        let column = 0;
        return row.replace(/<td\b([^>]*)>([\s\S]*?)<\/td>/gi, (cell, attrs: string, content: string) => {
          const i = column++;
          if (!personal[i] || /rs-null/.test(attrs)) return cell;
          const value = unescapeHtml(content);
          const header = headers[i]!;
          if (DOB_COLUMN.test(header)) found.datesOfBirth.push(value);
          else if (/mail/i.test(header)) found.emails.push(value);
          else if (NAME_COLUMN.test(header)) found.names.push(value);
          const mask = DOB_COLUMN.test(header) ? MASKS.dateOfBirth : /mail/i.test(header) ? MASKS.email : NAME_COLUMN.test(header) ? MASKS.name : MASKS.redacted;
          return `<td${attrs}>${mask}</td>`;
        });
      }),
    );
  });
  return { html: out, found };
}

/** Every way a date of birth may be printed: `1990-04-01`, `01/04/1990`, `1/4/1990`, `1 April 1990`. */
function dateForms(iso: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso.trim());
  if (!m) return [iso.trim()].filter((x) => x.length >= 6);
  const [y, mo, d] = [m[1]!, m[2]!, m[3]!];
  return [`${y}-${mo}-${d}`, `${d}/${mo}/${y}`, `${Number(d)}/${Number(mo)}/${y}`, `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}`, `${d} ${MONTHS[Number(mo) - 1]} ${y}`];
}

/**
 * A function that masks personal data in a piece of text: e-mail addresses and NI numbers by pattern, and the
 * given names and dates of birth wherever they appear (names as whole words, any case).
 */
export function personalDataMasker(values: PersonalValues): (text: string) => string {
  const words = new Set<string>();
  for (const name of values.names) {
    const whole = name.trim();
    if (whole.length >= 2) words.add(whole);
    for (const part of whole.split(/[\s,'’-]+/)) if (part.length >= 2) words.add(part);
  }
  const nameRe = words.size
    ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...words].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu')
    : null;
  const dates = [...new Set(values.datesOfBirth.flatMap(dateForms))].sort((a, b) => b.length - a.length);
  const dateRe = dates.length ? new RegExp(`(?<![\\d])(?:${dates.map(escapeRegExp).join('|')})(?![\\d])`, 'g') : null;
  const emails = values.emails.map((e) => e.trim()).filter((e) => e.length >= 3);
  return (text: string) => {
    let out = text;
    for (const e of emails) out = out.split(e).join(MASKS.email);
    out = out.replace(EMAIL, MASKS.email).replace(NINO, MASKS.nino);
    if (dateRe) out = out.replace(dateRe, MASKS.dateOfBirth);
    if (nameRe) out = out.replace(nameRe, MASKS.name);
    return maskLabelledValues(out);
  };
}

/**
 * Values written after a personal field's name, as audit changes and logs print them: `date_of_birth: 1998-03-01 →
 * 1998-03-10`, `last_name = Smith`, `first_names: Jo → Joanna`. Masks every value (old and new) up to the end of
 * the line, a `|` or a tag; `null` stays.
 */
const LABELLED = /\b(first_names|middle_names|last_name|surname|full_name|date_of_birth|dob|email|ni_number)(\s*[:=]\s*)([^\n<|]*)/gi;
function maskLabelledValues(text: string): string {
  return text.replace(LABELLED, (_all, label: string, sep: string, values: string) => {
    const mask = /birth|dob/i.test(label) ? MASKS.dateOfBirth : /mail/i.test(label) ? MASKS.email : /ni_number/i.test(label) ? MASKS.nino : MASKS.name;
    const masked = values
      .split(/(\s*(?:→|->)\s*)/)
      .map((part, i) => (i % 2 === 1 || !part.trim() || /^(null|\[[a-z ]+\])$/i.test(part.trim()) ? part : part.replace(/^(\s*)(.*?)(\s*)$/, `$1${mask}$3`)))
      .join('');
    return `${label}${sep}${masked}`;
  });
}

/**
 * Masks personal data in a notebook's outputs (`support run --redact`):
 * 1. in HTML tables, every value of a personal column (first/middle/last names, full name, date of birth,
 *    e-mail, NI number) — and those values wherever else they appear;
 * 2. the names, dates of birth and e-mails in `known` (the trainees the run looked at) wherever they appear;
 * 3. any e-mail address and any National Insurance number, by pattern;
 * 4. any value written after a personal field's name (`date_of_birth: 1998-03-01 → 1998-03-10`, `last_name = Smith`),
 *    as audit changes print them: old values too.
 * Sources of code cells are left as written (they hold parameters, not records), except the injected
 * parameters cell, which is masked too. Changes `nb` in place; returns how many outputs changed.
 */
export function maskPersonalData(nb: Notebook, known: PersonalValues = { names: [], datesOfBirth: [], emails: [] }): number {
  const before = nb.cells.map((cell) => JSON.stringify(cell.outputs ?? []));
  const all: PersonalValues = { names: [...known.names], datesOfBirth: [...known.datesOfBirth], emails: [...known.emails] };
  const maskTables = (value: unknown): unknown => {
    if (typeof value === 'string' && /<table\b/i.test(value)) {
      const r = maskHtmlTableColumns(value);
      all.names.push(...r.found.names);
      all.datesOfBirth.push(...r.found.datesOfBirth);
      all.emails.push(...r.found.emails);
      return r.html;
    }
    if (isLineList(value)) {
      const joined = value.join('');
      const masked = maskTables(joined) as string;
      return masked === joined ? value : splitLines(masked);
    }
    return value;
  };
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (o.data) for (const mime of Object.keys(o.data)) if (mime === 'text/html') o.data[mime] = maskTables(o.data[mime]);
    }
  }
  const mask = personalDataMasker(all);
  // In HTML, only the text between tags is masked (a name such as "Left" must not break `text-align:left`).
  const maskHtml = (html: string) =>
    html
      .split(/(<style\b[\s\S]*?<\/style>|<script\b[\s\S]*?<\/script>|<[^>]*>)/i)
      .map((part, i) => (i % 2 === 1 ? part : mask(part.replace(/&#39;|&#x27;/g, "'")).replace(/'/g, '&#39;')))
      .join('');
  const deep = mapStrings(mask, maskHtml);
  for (const cell of nb.cells) {
    if (cell.outputs?.length) cell.outputs = deep(cell.outputs) as typeof cell.outputs;
    // the injected values and the failure banner (it quotes the error) are masked too
    if (cell.metadata.tags?.includes('injected-parameters') || cell.metadata.tags?.includes('support-run-banner')) cell.source = deep(cell.source, 'source') as string;
    if (cell.metadata.register_support) cell.metadata.register_support = deep(cell.metadata.register_support);
  }
  if (nb.metadata.register_support) nb.metadata.register_support = deep(nb.metadata.register_support);
  return nb.cells.filter((cell, i) => JSON.stringify(cell.outputs ?? []) !== before[i]).length;
}

/** Trainee slugs (Register's 24-character base58 tokens) mentioned in a notebook's outputs, for `personalValuesOf`. */
export function slugsInOutputs(nb: Notebook): string[] {
  const found = new Set<string>();
  const text = JSON.stringify(nb.cells.map((c) => c.outputs ?? []));
  for (const m of text.matchAll(/(?<![A-Za-z0-9])[1-9A-HJ-NP-Za-km-z]{24}(?![A-Za-z0-9])/g)) found.add(m[0]);
  return [...found];
}
