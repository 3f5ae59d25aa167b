import { htmlTable, type HtmlTableOptions } from '../tables/html.js';
import { textTable } from '../tables/text.js';
import { escapeHtml } from '../tables/format.js';
import { redactSecrets } from './redact.js';

interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
  svg(s: string): void;
  text(s: string): void;
}
interface Tslab {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

let tslab: Tslab | null | undefined;
let jupyterState: { lastWriteDisplayData?: unknown } | null | undefined;
/** tslab's display when running inside a tslab kernel, otherwise null (plain Node, tests, the CLI). */
function kernel(): Tslab | null {
  if (tslab === undefined) {
    try {
      tslab = require('tslab') as Tslab;
      // tslab's display works only while its kernel is executing a cell: that is when it has set this writer.
      jupyterState = require('tslab/dist/jupyter') as { lastWriteDisplayData?: unknown };
    } catch {
      tslab = null;
      jupyterState = null;
    }
  }
  return tslab && jupyterState && jupyterState.lastWriteDisplayData ? tslab : null;
}

/** True inside a Jupyter notebook on the tslab kernel. */
export function inNotebook(): boolean {
  return kernel() !== null;
}

/** Shows HTML in a notebook; in a terminal prints the fallback text (or the HTML stripped of tags). */
export function showHtml(html: string, fallbackText?: string): void {
  const k = kernel();
  if (k) k.display.html(redactSecrets(html));
  else console.log(redactSecrets(fallbackText ?? html.replace(/<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/[ \t]+/g, ' ').trim()));
}

/** Shows Markdown in a notebook, plain text elsewhere. */
export function showMarkdown(markdown: string): void {
  const k = kernel();
  if (k) k.display.markdown(redactSecrets(markdown));
  else console.log(redactSecrets(markdown));
}

/** Shows an SVG (a chart) in a notebook; elsewhere says where it would be. */
export function showSvg(svg: string, description = 'chart'): void {
  const k = kernel();
  // Sent as HTML, not image/svg+xml: Debian's nbconvert sanitises SVG outputs down to their text when it exports a
  // notebook to HTML (the shareable record), while HTML outputs keep the chart.
  if (k) k.display.html(`<div class="rs-chart" role="img" aria-label="${escapeHtml(description)}">${svg}</div>`);
  else console.log(`[${description}: SVG, shown in notebooks]`);
}

/**
 * Shows rows as a table: HTML (paged, with the row count) in a notebook, text in a terminal.
 *
 * @example
 * showTable(rows, { caption: 'Trainees sharing this e-mail' });
 */
export function showTable(rows: readonly Record<string, unknown>[], options: HtmlTableOptions = {}): void {
  showHtml(htmlTable(rows, options), `${options.caption ? `${options.caption} (${rows.length} rows)\n` : ''}${textTable(rows, { columns: options.columns })}`);
}

export type Tone = 'info' | 'ok' | 'warn' | 'error';
const TONES: Record<Tone, { border: string; background: string; label: string }> = {
  info: { border: '#1d70b8', background: '#eef5fb', label: 'Note' },
  ok: { border: '#00703c', background: '#e6f4ea', label: 'Done' },
  warn: { border: '#f47738', background: '#fff4d6', label: 'Check' },
  error: { border: '#d4351c', background: '#fde2e1', label: 'Stop' },
};

/** The HTML of a call-out box; `extraHtml` goes inside it, under the message (already escaped by the caller). */
export function calloutHtml(tone: Tone, message: string, title?: string, extraHtml = ''): string {
  const t = TONES[tone];
  return `<div style="border-left:5px solid ${t.border};background:${t.background};padding:6px 10px;margin:6px 0;font:13px/1.5 system-ui,sans-serif"><strong>${escapeHtml(
    title ?? t.label,
  )}</strong><div style="white-space:pre-wrap">${escapeHtml(message)}</div>${extraHtml}</div>`;
}

/**
 * A coloured call-out box: what the operator must notice (a refusal, a warning, what to tell DQT).
 *
 * @example
 * callout('warn', 'This trainee has a TRN: DQT must be corrected too.');
 */
export function callout(tone: Tone, message: string, title?: string): void {
  showHtml(calloutHtml(tone, message, title), `[${(title ?? TONES[tone].label).toUpperCase()}] ${message}`);
}

export interface Progress {
  /** Sets how much is done (and optionally a new total). */
  update(done: number, total?: number): void;
  /** Marks the work finished, with an optional closing message. */
  done(message?: string): void;
}

/**
 * Progress for long work: one line in the notebook that overwrites itself (tslab's updatable display),
 * or a line on stderr in a terminal. Updates are throttled to a few per second.
 *
 * @example
 * const p = progress('Scanning dead set', total);
 * for (...) p.update(++n);
 * p.done();
 */
export function progress(label: string, total?: number): Progress {
  const k = kernel();
  const display = k?.newDisplay();
  const started = Date.now();
  let last = 0;
  let currentTotal = total;
  const render = (done: number, final = false, message?: string) => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const pct = currentTotal ? Math.min(100, Math.round((done / currentTotal) * 100)) : undefined;
    const text = `${label}: ${done.toLocaleString('en-GB')}${currentTotal !== undefined ? ` of ${currentTotal.toLocaleString('en-GB')}` : ''}${pct !== undefined ? ` (${pct}%)` : ''} in ${seconds} s${final ? ` · ${message ?? 'done'}` : ''}`;
    if (display) {
      const bar = pct !== undefined ? `<progress max="100" value="${pct}" style="width:240px;vertical-align:middle"></progress> ` : '';
      display.html(`<div style="font:13px system-ui,sans-serif">${bar}${escapeHtml(text)}</div>`);
    } else if (final || process.stderr.isTTY) {
      process.stderr.write(`${process.stderr.isTTY && !final ? '\r' : ''}${text}${final ? '\n' : ''}`);
    }
  };
  let lastDone = 0;
  render(0);
  return {
    update(done, newTotal) {
      lastDone = done;
      if (newTotal !== undefined) currentTotal = newTotal;
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      render(done);
    },
    done(message) {
      render(lastDone || currentTotal || 0, true, message);
    },
  };
}
