import { basename } from 'node:path';

/** `20261130T110512Z`: the UTC time in a file name (sorts, and has no colons). */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** A value made safe for a file name: letters, digits, `-` and `_`, at most 40 characters. */
export function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
}

/**
 * The output notebook's file name: `<runbook>-<UTC time>-<main parameter value>.ipynb`, e.g.
 * `trainee-timeline-20261130T110512Z-AbC123.ipynb`. The main parameter is `slug` when the notebook has one, else its
 * first parameter; with none, the name ends at the time. With `redact`, a value that looks personal (an e-mail, an
 * NI number) is not put in the name.
 */
export function outputFileName(notebookPath: string, startedAt: Date, mainValue: string | null, options: { redact?: boolean } = {}): string {
  const runbook = basename(notebookPath).replace(/\.ipynb$/i, '');
  let value = mainValue === null ? '' : mainValue;
  if (options.redact && (/@/.test(value) || /\b[A-Z]{2}\s?\d{6}\s?[A-D]\b/i.test(value) || /\d{4}-\d{2}-\d{2}/.test(value))) value = 'redacted';
  const safe = fileSafe(value);
  return `${runbook}-${fileTimestamp(startedAt)}${safe ? `-${safe}` : ''}.ipynb`;
}
