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
.rs-wide{overflow-x:auto;max-width:100%}
.rs-table{border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:4px 0;table-layout:auto!important}
.rs-table th,.rs-table td{border:1px solid #ccc;padding:3px 8px;text-align:left!important;vertical-align:top;white-space:pre-wrap;max-width:36em;overflow-wrap:break-word}
.rs-table th{background:#f3f3f3}
.rs-table .rs-nowrap{white-space:nowrap}
.rs-table .rs-long{min-width:16em}
.rs-table td.rs-null{color:#999;font-style:italic}
.rs-table tr.rs-warn td{background:#fff4d6}
.rs-table tr.rs-bad td{background:#fde2e1}
.rs-table tr.rs-good td{background:#e6f4ea}
.rs-caption{font:600 13px system-ui,sans-serif;margin:8px 0 2px}
.rs-count{font-weight:400;color:#555}
</style>`;

/**
 * Renders rows as an HTML table for a notebook: a caption with the row count, nulls shown as `null`,
 * pages of `pageSize` rows with later pages folded. Long values wrap; a table still wider than the page scrolls
 * sideways on its own (put the columns that matter first).
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
  // Short single words (ids, slugs, names of jobs and runbooks) stay on one line; prose gets room to wrap in.
  const widths = new Map(columns.map((c) => [c, columnWidth(shown.map((row) => row[c]), htmlColumns.has(c))]));
  const cellClass = (c: string) => (widths.get(c) ? ` class="rs-${widths.get(c)}"` : '');
  const head = `<thead><tr>${columns.map((c) => `<th${cellClass(c)}>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
  const renderRow = (row: Record<string, unknown>, index: number) => {
    const cls = options.rowClass?.(row, index);
    const cells = columns
      .map((c) => {
        const value = row[c];
        if (value === null || value === undefined) return '<td class="rs-null">null</td>';
        return `<td${cellClass(c)}>${htmlColumns.has(c) ? String(value) : escapeHtml(formatCell(value))}</td>`;
      })
      .join('');
    return `<tr${cls ? ` class="rs-${escapeHtml(cls)}"` : ''}>${cells}</tr>`;
  };
  const pages: string[] = [];
  for (let start = 0; start < shown.length; start += pageSize) {
    const body = shown.slice(start, start + pageSize).map((row, i) => renderRow(row, start + i)).join('');
    // A table wider than the page scrolls sideways in its own box; long values wrap within a cell of at most 36em.
    const table = `<div class="rs-wide"><table class="rs-table">${head}<tbody>${body}</tbody></table></div>`;
    if (start === 0) pages.push(table);
    else pages.push(`<details><summary>Rows ${start + 1}–${Math.min(start + pageSize, shown.length)}</summary>${table}</details>`);
  }
  return `${STYLE}${caption}${pages.join('')}`;
}

/** How a column should lay out: `nowrap` for short single words, `long` (room to wrap) for prose, or free. */
function columnWidth(values: unknown[], html: boolean): 'nowrap' | 'long' | null {
  if (html) return null;
  const texts = values.filter((v) => v !== null && v !== undefined).map((v) => formatCell(v));
  if (texts.length === 0) return null;
  if (texts.every((t) => t.length <= 40 && !/\s/.test(t))) return 'nowrap';
  if (texts.some((t) => t.length > 40 && /\s/.test(t))) return 'long';
  return null;
}
