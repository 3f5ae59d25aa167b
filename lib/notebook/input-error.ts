import { inspect } from 'node:util';

const shown = new WeakSet<object>();

/**
 * A mistake in what the operator gave (a slug that matches nobody, a date that is not one, a refused commit): the
 * message says what is wrong and what is expected, and nothing was written. In a notebook such an error shows as one
 * message box, its stack trace folded away under "Details"; elsewhere it prints as usual. Bad-input errors of every
 * domain extend it.
 *
 * @example
 * export class FixInputError extends InputError { override name = 'FixInputError'; }
 */
export class InputError extends Error {
  /** How the kernel prints a thrown error (tslab calls `console.error(error)`): in a notebook, as one message box. */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: object): string {
    // Loaded here, not at the top: every domain's errors extend this class, the display depends on half of them.
    const display = require('./display.js') as typeof import('./display.js');
    const redact = require('./redact.js') as typeof import('./redact.js');
    const { escapeHtml } = require('../tables/format.js') as typeof import('../tables/format.js');
    if (!display.inNotebook()) return inspect(this, { ...options, depth, customInspect: false });
    if (!shown.has(this)) {
      shown.add(this);
      const trace = redact.redactSecrets(this.stack ?? `${this.name}: ${this.message}`);
      const details = `<details style="margin-top:4px"><summary style="cursor:pointer;color:#505a5f">Details (${escapeHtml(this.name)}, for a bug report)</summary><pre style="font-size:11px;white-space:pre-wrap;margin:4px 0 0">${escapeHtml(trace)}</pre></details>`;
      display.showHtml(`<div class="rs-error" data-rs-error="${escapeHtml(`${this.name}: ${redact.redactSecrets(this.message)}`)}">${display.calloutHtml('error', this.message, 'Stop: nothing was changed', details)}</div>`);
      swallowNextNewline();
    }
    return '';
  }
}

/**
 * tslab prints a thrown error with `console.error`, which adds a newline to what the error prints as: with the
 * message box shown, that newline alone would make an empty error strip under it. This drops exactly that one write.
 */
function swallowNextNewline(): void {
  const stream = process.stderr as NodeJS.WriteStream & { write: (...args: unknown[]) => boolean };
  const write = stream.write;
  stream.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    stream.write = write;
    if (chunk === '\n') return true;
    return write.call(this, chunk, ...rest);
  };
}
