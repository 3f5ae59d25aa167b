import { columnsOf, escapeHtml, formatCell } from './format.js';

export interface HtmlTableOptions {
  /** Shown above the table, with the row count. */
  caption?: string;
  /** Which columns, in which order (default: every key, first-seen order). */
  columns?: string[];
  /** Rows per page; pages after the first are folded (`<details>`), so a saved notebook stays readable. Default 50. */
  pageSize?: number;
  /** At most this many rows are rendered at all (the rest is counted, not shown). Default 1,000. */
  maxRows?: number;
  /** Extra CSS class per row, e.g. to highlight warnings. */
  rowClass?: (row: Record<string, unknown>, index: number) => string | undefined;
  /** Cells whose HTML is given as is (already escaped by the caller), keyed by column. */
  htmlColumns?: string[];
}

const STYLE = `<style>
.rs-table{border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:4px 0}
.rs-table th,.rs-table td{border:1px solid #ccc;padding:3px 8px;text-align:left!important;vertical-align:top;white-space:pre-wrap}
.rs-table th{background:#f3f3f3}
.rs-table td.rs-null{color:#999;font-style:italic}
.rs-table tr.rs-warn td{background:#fff4d6}
.rs-table tr.rs-bad td{background:#fde2e1}
.rs-table tr.rs-good td{background:#e6f4ea}
.rs-caption{font:600 13px system-ui,sans-serif;margin:8px 0 2px}
.rs-count{font-weight:400;color:#555}
</style>`;

/**
 * Renders rows as an HTML table for a notebook: a caption with the row count, nulls shown as `null`,
 * pages of `pageSize` rows with later pages folded.
 *
 * @example
 * display.html(htmlTable(rows, { caption: 'Dead jobs', pageSize: 25 }));
 */
export function htmlTable(rows: readonly Record<string, unknown>[], options: HtmlTableOptions = {}): string {
  const columns = options.columns ?? columnsOf(rows);
  const pageSize = Math.max(1, options.pageSize ?? 50);
  const maxRows = Math.max(1, options.maxRows ?? 1000);
  const shown = rows.slice(0, maxRows);
  const htmlColumns = new Set(options.htmlColumns ?? []);
  const count = `${rows.length.toLocaleString('en-GB')} row${rows.length === 1 ? '' : 's'}`;
  const caption = `<div class="rs-caption">${escapeHtml(options.caption ?? '')}${options.caption ? ' ' : ''}<span class="rs-count">(${count}${
    rows.length > shown.length ? `, first ${shown.length.toLocaleString('en-GB')} shown` : ''
  })</span></div>`;
  if (rows.length === 0) return `${STYLE}${caption}<p><em>No rows.</em></p>`;
  const head = `<thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
  const renderRow = (row: Record<string, unknown>, index: number) => {
    const cls = options.rowClass?.(row, index);
    const cells = columns
      .map((c) => {
        const value = row[c];
        if (value === null || value === undefined) return '<td class="rs-null">null</td>';
        return `<td>${htmlColumns.has(c) ? String(value) : escapeHtml(formatCell(value))}</td>`;
      })
      .join('');
    return `<tr${cls ? ` class="rs-${escapeHtml(cls)}"` : ''}>${cells}</tr>`;
  };
  const pages: string[] = [];
  for (let start = 0; start < shown.length; start += pageSize) {
    const body = shown.slice(start, start + pageSize).map((row, i) => renderRow(row, start + i)).join('');
    const table = `<table class="rs-table">${head}<tbody>${body}</tbody></table>`;
    if (start === 0) pages.push(table);
    else pages.push(`<details><summary>Rows ${start + 1}–${Math.min(start + pageSize, shown.length)}</summary>${table}</details>`);
  }
  return `${STYLE}${caption}${pages.join('')}`;
}
