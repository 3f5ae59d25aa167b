import { columnsOf, formatCell } from './format.js';

/**
 * Renders rows as a plain-text table for a terminal.
 *
 * @example
 * console.log(textTable([{ field: 'state', before: 'awarded', after: 'trn_received' }]));
 */
export function textTable(rows: readonly Record<string, unknown>[], options: { columns?: string[]; maxWidth?: number } = {}): string {
  const columns = options.columns ?? columnsOf(rows);
  if (rows.length === 0) return '(no rows)';
  const maxWidth = options.maxWidth ?? 60;
  const cell = (v: unknown) => {
    const s = formatCell(v).replace(/\s+/g, ' ');
    return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
  };
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
