import { describe, expect, it } from 'vitest';
import { cellErrorText, FAILED_CELL_ANCHOR, markFailure } from '../../../lib/runner/failure.js';
import { cellSource, type Notebook, type NotebookCell } from '../../../lib/runner/notebook-file.js';

const stderrCell = (text: string): NotebookCell => ({ cell_type: 'code', metadata: {}, source: 'x', outputs: [{ output_type: 'stream', name: 'stderr', text }] });

describe('cellErrorText', () => {
  it("reads tslab's runtime error from stderr, without the stack", () => {
    const cell = stderrCell(
      'evalmachine.<anonymous>:2\nthrow new Error(\'boom\');\n^\n\nError: No trainee with slug "abc"\n    at evalmachine.<anonymous>:2:7\n    at Script.runInThisContext (node:vm:135:14)\n',
    );
    expect(cellErrorText(cell)).toBe('Error: No trainee with slug "abc"');
  });

  it('keeps a multi-line message (a ConfigError listing problems)', () => {
    const cell = stderrCell("x\nConfigError: The configuration has 2 problems:\n  - DATABASE_URL: expected a URL\n  - SUPPORT_OPERATOR: expected your name\n    at loadConfig (/x.js:1:1)\n");
    expect(cellErrorText(cell)).toBe('ConfigError: The configuration has 2 problems:\n  - DATABASE_URL: expected a URL\n  - SUPPORT_OPERATOR: expected your name');
  });

  it("reads TypeScript's compile errors", () => {
    expect(cellErrorText(stderrCell("1:7 - Type 'string' is not assignable to type 'number'.\n2:1 - Cannot find name 'x'.\n"))).toBe("1:7 - Type 'string' is not assignable to type 'number'.\n2:1 - Cannot find name 'x'.");
  });

  it('prefers a proper error output, and falls back to the executor message', () => {
    expect(cellErrorText({ cell_type: 'code', metadata: {}, source: '', outputs: [{ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined', traceback: [] }] })).toBe('TypeError: x is undefined');
    expect(cellErrorText({ cell_type: 'code', metadata: {}, source: '', outputs: [] }, 'An error occurred while executing the following cell:\n------------------\nfoo()\n')).toBe(
      'An error occurred while executing the following cell:\nfoo()',
    );
  });
});

describe('markFailure', () => {
  it('adds a banner at the top and an anchor before the failing cell, and tags the cell', () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'code', id: 'p', metadata: { tags: ['parameters'] }, source: "const slug = 'a';" },
        { cell_type: 'code', id: 'f', metadata: {}, source: 'boom()' },
        { cell_type: 'code', id: 'n', metadata: {}, source: 'next()' },
      ],
    };
    markFailure(nb, { status: 'cell-error', cellIndex: 1, cellNumber: 2, cellFirstLine: 'boom()', error: 'Error: <bad> & worse' });
    expect(nb.cells.map((c) => c.id)).toEqual(['support-run-banner', 'p', 'support-run-failed-here', 'f', 'n']);
    const banner = cellSource(nb.cells[0]!);
    expect(banner).toContain('This run stopped at a cell that failed: cell 2 (<code>boom()</code>).');
    expect(banner).toContain(`href="#${FAILED_CELL_ANCHOR}"`);
    expect(banner).toContain('Error: &lt;bad&gt; &amp; worse');
    expect(cellSource(nb.cells[2]!)).toContain(`id="${FAILED_CELL_ANCHOR}"`);
    expect(nb.cells[3]!.metadata).toEqual({ tags: ['support-run-failed'], register_support: { status: 'failed', reason: 'cell-error', error: 'Error: <bad> & worse' } });
  });

  it('marks a run that stopped before any cell with a banner only', () => {
    const nb: Notebook = { nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'code', metadata: {}, source: 'x' }] };
    markFailure(nb, { status: 'internal', cellIndex: null, cellNumber: null, cellFirstLine: '', error: 'oops' });
    expect(nb.cells).toHaveLength(2);
    expect(cellSource(nb.cells[0]!)).toContain('This run stopped: the runner itself failed: before any cell ran.');
    expect(nb.cells[0]).not.toHaveProperty('id');
  });
});
