import { columnsOf, formatCell } from './format.js';

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows to CSV text (RFC 4180: quoted when needed, CRLF-free `\n` line ends, empty for null).
 *
 * @example
 * writeFileSync('dead-jobs.csv', toCsv(rows, ['register_id', 'job_id']));
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns: string[] = columnsOf(rows)): string {
  return [columns.map(csvField).join(','), ...rows.map((row) => columns.map((c) => csvField(row[c])).join(','))].join('\n') + '\n';
}

export { formatCell };
