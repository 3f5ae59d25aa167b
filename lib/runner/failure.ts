import { cellSource, joinText, type Notebook, type NotebookCell } from './notebook-file.js';

/** How a headless run ended. */
export type RunStatus = 'ok' | 'cell-error' | 'timeout' | 'kernel-died' | 'interrupted' | 'environment' | 'internal';

/** Where and why a run stopped. */
export interface RunFailure {
  status: Exclude<RunStatus, 'ok'>;
  /** Index of the failing cell in the executed notebook (with the injected cell), or null (kernel never started). */
  cellIndex: number | null;
  /** Human number of the failing cell in the runbook as stored (1-based, without the injected cell). */
  cellNumber: number | null;
  /** First line of the failing cell's source. */
  cellFirstLine: string;
  /** The error as the operator should read it, e.g. `Error: No trainee with slug "abc"`. */
  error: string;
}

/** The id of the anchor placed just before the failing cell (the banner links to it). */
export const FAILED_CELL_ANCHOR = 'support-run-failed-cell';
export const BANNER_TAG = 'support-run-banner';
export const ANCHOR_TAG = 'support-run-failed-here';
export const FAILED_TAG = 'support-run-failed';

/**
 * The readable error of a failed cell. tslab writes errors and compile errors to stderr (its error reply is
 * empty), so this reads the cell's `error` outputs, then a bad-input message box, then its stderr: the `SomethingError: …` line and what follows
 * it up to the stack trace, or TypeScript's `line:col - message` lines. Falls back to `fallback`.
 */
export function cellErrorText(cell: NotebookCell | undefined, fallback = ''): string {
  const outputs = cell?.outputs ?? [];
  for (const o of outputs) {
    if (o.output_type === 'error' && (o.ename || o.evalue)) return `${o.ename ?? 'Error'}: ${o.evalue ?? ''}`.trim();
  }
  // A bad-input error shows as a message box (lib/notebook/input-error.ts) that carries its text.
  for (const o of outputs) {
    const box = /class="rs-error" data-rs-error="([^"]*)"/.exec(joinText(o.data?.['text/html']));
    if (box) return box[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }
  const stderr = outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr').map((o) => joinText(o.text)).join('');
  const lines = stderr.split('\n');
  const compile = lines.filter((l) => /^\d+:\d+ - /.test(l));
  if (compile.length) return compile.slice(0, 8).join('\n');
  const start = lines.findIndex((l) => /^(?:[A-Z][\w$]*)?(?:Error|Exception)\b[^\n]*:|^[A-Z][\w$]*Error$/.test(l) || /^Uncaught\b/.test(l));
  if (start >= 0) {
    const end = lines.findIndex((l, i) => i > start && /^\s+at\s/.test(l));
    return lines.slice(start, end < 0 ? start + 10 : Math.min(end, start + 10)).join('\n').trim();
  }
  const first = lines.map((l) => l.trim()).filter(Boolean);
  if (first.length) return first.slice(-3).join('\n');
  const fb = fallback.split('\n').map((l) => l.trim()).filter((l) => l && !/^-+$/.test(l));
  return fb.slice(0, 3).join('\n') || 'The cell failed with no error text.';
}

/** The label of a status for banners and summaries. */
export function describeStatus(status: RunStatus): string {
  return {
    ok: 'finished',
    'cell-error': 'stopped at a cell that failed',
    timeout: 'stopped: a cell took longer than the time limit',
    'kernel-died': 'stopped: the kernel died',
    interrupted: 'stopped: interrupted (Ctrl-C)',
    environment: 'could not run: the environment is not ready',
    internal: 'stopped: the runner itself failed',
  }[status];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Marks a failed run in the executed notebook, papermill style: a red banner cell at the top naming the failing
 * cell and its error (linking to it), an anchor cell just before the failing cell, and `support-run-failed` in that
 * cell's tags and metadata. Changes `nb` in place.
 */
export function markFailure(nb: Notebook, failure: RunFailure): void {
  const where = failure.cellNumber !== null ? `cell ${failure.cellNumber}${failure.cellFirstLine ? ` (<code>${escapeHtml(failure.cellFirstLine)}</code>)` : ''}` : 'before any cell ran';
  const link = failure.cellIndex !== null ? `<br><a href="#${FAILED_CELL_ANCHOR}">Go to the failing cell</a>` : '';
  const banner: NotebookCell = {
    cell_type: 'markdown',
    metadata: { tags: [BANNER_TAG] },
    source:
      `<div style="border:2px solid #d4351c;background:#fde2e1;padding:8px 12px;font-family:system-ui,sans-serif">` +
      `<strong style="color:#d4351c;font-size:1.3em">This run ${escapeHtml(describeStatus(failure.status))}: ${where}.</strong>${link}` +
      `<pre style="white-space:pre-wrap;margin:6px 0 0">${escapeHtml(failure.error)}</pre></div>`,
  };
  if (failure.cellIndex !== null) {
    const cell = nb.cells[failure.cellIndex];
    if (cell) {
      cell.metadata.tags = [...new Set([...(cell.metadata.tags ?? []), FAILED_TAG])];
      const ours = (cell.metadata.register_support as Record<string, unknown> | undefined) ?? {};
      cell.metadata.register_support = { ...ours, status: 'failed', reason: failure.status, error: failure.error };
    }
    const anchor: NotebookCell = {
      cell_type: 'markdown',
      metadata: { tags: [ANCHOR_TAG] },
      source: `<span id="${FAILED_CELL_ANCHOR}" style="color:#d4351c;font-weight:600;font-size:1.2em">▼ The run stopped here: the cell below failed.</span>`,
    };
    nb.cells.splice(failure.cellIndex, 0, anchor);
  }
  nb.cells.unshift(banner);
  if (nb.nbformat_minor >= 5) {
    banner.id = 'support-run-banner';
    if (failure.cellIndex !== null) nb.cells[failure.cellIndex + 1]!.id = 'support-run-failed-here';
  }
}

/** The first non-blank line of a cell's source, shortened, for messages. */
export function firstLine(cell: NotebookCell | undefined): string {
  const line = cellSource(cell ?? { cell_type: 'code', source: '', metadata: {} })
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('//'));
  if (!line) return '';
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}
