import { displayTimestamp, TIMESTAMP_TEXT } from '../db/timestamp.js';

/** How one cell value reads in a table: nulls are shown as such, dates and timestamps as ISO text (fraction digits only where not zero), objects as JSON. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid date' : value.toISOString().replace('.000Z', 'Z');
  if (typeof value === 'string' && TIMESTAMP_TEXT.test(value)) return displayTimestamp(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The columns of a list of rows: the keys of every row, in first-seen order. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}
