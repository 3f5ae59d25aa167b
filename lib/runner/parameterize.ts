import { randomBytes } from 'node:crypto';
import { cloneNotebook, hasTag, type Notebook } from './notebook-file.js';
import { findParametersCell, INJECTED_TAG, notebookParameters } from './parameters.js';
import { injectedSource } from './translate.js';
import type { ParameterValue } from './values.js';

/**
 * A copy of the notebook with the given values injected in a new code cell tagged `injected-parameters` right
 * after the `parameters` cell (at the top when there is none), papermill style. An earlier injected cell (the
 * notebook is the output of a previous run) is replaced. With no values, no cell is added.
 *
 * @example
 * const ready = parameterize(nb, resolveParameters(notebookParameters(nb), ['slug=abc']));
 */
export function parameterize(nb: Notebook, values: Record<string, ParameterValue>): Notebook {
  const params = notebookParameters(nb);
  const out = cloneNotebook(nb);
  out.cells = out.cells.filter((cell) => !hasTag(cell, INJECTED_TAG));
  if (Object.keys(values).length === 0) return out;
  const index = findParametersCell(out);
  const cell = {
    cell_type: 'code',
    // nbformat 4.5 and later require cell ids; earlier versions forbid them
    ...(out.nbformat_minor >= 5 ? { id: `injected-${randomBytes(4).toString('hex')}` } : {}),
    execution_count: null,
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    source: injectedSource(params, values),
  };
  out.cells.splice(index + 1, 0, cell);
  return out;
}
