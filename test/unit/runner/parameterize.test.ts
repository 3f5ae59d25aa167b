import { describe, expect, it } from 'vitest';
import { cellSource, type Notebook } from '../../../lib/runner/notebook-file.js';
import { notebookParameters } from '../../../lib/runner/parameters.js';
import { parameterize } from '../../../lib/runner/parameterize.js';
import { injectedSource, toTypeScriptLiteral } from '../../../lib/runner/translate.js';
import { resolveParameters } from '../../../lib/runner/values.js';

const notebook = (): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'register-support' } },
  cells: [
    { cell_type: 'markdown', id: 'a', metadata: {}, source: '# Runbook' },
    { cell_type: 'code', id: 'b', metadata: { tags: ['parameters'] }, outputs: [], execution_count: null, source: "const slug: string = 'abc';\nlet commit = false;\nconst providerIds: string[] = [];\nconst date = '2024-03-03';" },
    { cell_type: 'code', id: 'c', metadata: {}, outputs: [], execution_count: null, source: 'console.log(slug);' },
  ],
});

describe('parameterize', () => {
  it('injects the given values, typed, in a new tagged cell right after the parameters cell', () => {
    const nb = notebook();
    const values = resolveParameters(notebookParameters(nb), ['slug=xyz', 'commit=true', 'providerIds=4,5', 'date=2024-04-01']);
    const out = parameterize(nb, values);
    expect(out.cells.map((c) => c.id ?? '')).toEqual(['a', 'b', expect.stringMatching(/^injected-/), 'c']);
    expect(out.cells[2]!.metadata.tags).toEqual(['injected-parameters']);
    expect(cellSource(out.cells[2]!)).toBe(
      ['// Parameters given to `support run`', 'const slug: string = "xyz";', 'let commit: boolean = true;', 'const providerIds: string[] = ["4", "5"];', 'const date: string = "2024-04-01";'].join('\n'),
    );
    expect(nb.cells).toHaveLength(3); // the input is not changed
  });

  it('adds no cell without values, and replaces the injected cell of an earlier run', () => {
    const nb = notebook();
    expect(parameterize(nb, {}).cells).toHaveLength(3);
    const once = parameterize(nb, { slug: 'one' });
    const twice = parameterize(once, { slug: 'two' });
    expect(twice.cells.filter((c) => c.metadata.tags?.includes('injected-parameters')).map(cellSource)).toEqual(['// Parameters given to `support run`\nconst slug: string = "two";']);
  });

  it('leaves out cell ids for notebooks older than nbformat 4.5', () => {
    const nb = { ...notebook(), nbformat_minor: 4 };
    expect(parameterize(nb, { slug: 'x' }).cells[2]).not.toHaveProperty('id');
  });
});

describe('toTypeScriptLiteral', () => {
  it('quotes strings so that quotes, backslashes and newlines cannot break out', () => {
    expect(toTypeScriptLiteral(`it's "x"\\\n\u2028`)).toBe('"it\'s \\"x\\"\\\\\\n\\u2028"');
    expect(toTypeScriptLiteral(['a', "b'c"])).toBe('["a", "b\'c"]');
    expect(toTypeScriptLiteral([1, 2.5])).toBe('[1, 2.5]');
    expect(toTypeScriptLiteral(null)).toBe('null');
    expect(toTypeScriptLiteral(false)).toBe('false');
  });

  it('keeps the annotation written in the parameters cell', () => {
    const params = notebookParameters({ ...notebook(), cells: [{ cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'const trn: string | null = null;' }] });
    expect(injectedSource(params, { trn: null })).toBe('// Parameters given to `support run`\nconst trn: string | null = null;');
  });
});
