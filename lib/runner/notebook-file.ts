import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One output of a code cell, as nbformat 4 stores it. */
export interface NotebookOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | 'update_display_data' | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
  [key: string]: unknown;
}

/** One cell of an nbformat 4 notebook. */
export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw' | string;
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  attachments?: unknown;
}

/** An nbformat 4 notebook (`.ipynb`). */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown> & { kernelspec?: { name?: string; display_name?: string; language?: string } };
  cells: NotebookCell[];
}

/** A notebook that cannot be read: not JSON, or not nbformat 4. */
export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
}

/**
 * Reads an `.ipynb` file and checks it is an nbformat 4 notebook.
 *
 * @example
 * const nb = readNotebook('notebooks/ops/trainee-timeline.ipynb');
 * nb.cells.length
 */
export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NotebookFormatError(code === 'ENOENT' ? `No notebook at ${path}.` : `Cannot read ${path}: ${(error as Error).message}`);
  }
  return parseNotebook(text, path);
}

/** Parses notebook JSON (see `readNotebook`). */
export function parseNotebook(text: string, label = 'the notebook'): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (error) {
    throw new NotebookFormatError(`${label} is not valid JSON: ${(error as Error).message}`);
  }
  if (!nb || typeof nb !== 'object' || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new NotebookFormatError(`${label} is not an nbformat 4 notebook (expected "nbformat": 4 and a "cells" list).`);
  }
  for (const cell of nb.cells) {
    cell.metadata ??= {};
    if (cell.source === undefined) cell.source = '';
  }
  nb.metadata ??= {};
  return nb;
}

/** Writes a notebook as Jupyter does (one-space indent, trailing newline), creating the folder. */
export function writeNotebook(path: string, nb: Notebook): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(nb, null, 1)}\n`);
}

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** A text field of an output (nbformat allows a list of lines) as one string. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.join('');
  return typeof value === 'string' ? value : '';
}

/** Whether a cell carries a tag. */
export function hasTag(cell: NotebookCell, tag: string): boolean {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(tag);
}

/** A deep copy, so a transformation never changes its input. */
export function cloneNotebook(nb: Notebook): Notebook {
  return JSON.parse(JSON.stringify(nb)) as Notebook;
}
