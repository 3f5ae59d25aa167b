import { describe, expect, it } from 'vitest';
import { findParametersCell, formatParameterList, parseParameters } from '../../../lib/runner/parameters.js';
import type { Notebook } from '../../../lib/runner/notebook-file.js';

describe('parseParameters', () => {
  it('types each declaration from its annotation or its default', () => {
    const params = parseParameters(
      [
        "// The trainee's slug",
        "const slug: string = 'abc';",
        'let commit = false;',
        'const providerIds: string[] = [];',
        "const date = '2024-03-03';",
        "const withdrawalDate: string = ''; // YYYY-MM-DD",
        'const count: number = 3;',
        'const limit = 10;',
        "const names = ['a', 'b'];",
        'const ids: Array<number> = [1, 2];',
        'const trn: string | null = null;',
        "const note = 'it\\'s here';",
      ].join('\n'),
    );
    expect(params.map((p) => [p.name, p.type, p.keyword])).toEqual([
      ['slug', 'string', 'const'],
      ['commit', 'boolean', 'let'],
      ['providerIds', 'string[]', 'const'],
      ['date', 'date', 'const'],
      ['withdrawalDate', 'date', 'const'],
      ['count', 'number', 'const'],
      ['limit', 'number', 'const'],
      ['names', 'string[]', 'const'],
      ['ids', 'number[]', 'const'],
      ['trn', 'string', 'const'],
      ['note', 'string', 'const'],
    ]);
    expect(params[0]).toMatchObject({ description: "The trainee's slug", defaultValue: 'abc', annotation: 'string', nullable: false });
    expect(params[1]).toMatchObject({ annotation: null, defaultValue: false, defaultSource: 'false' });
    expect(params[4]!.description).toBe('YYYY-MM-DD');
    expect(params[7]!.defaultValue).toEqual(['a', 'b']);
    expect(params[9]).toMatchObject({ nullable: true, defaultValue: null });
    expect(params[10]!.defaultValue).toBe("it's here");
  });

  it('reads a list default written over several lines and declarations without semicolons', () => {
    const params = parseParameters("const providerIds: string[] = [\n  '4',\n  '5',\n]\nlet commit = true\nconst when = '2024-01-31' // date");
    expect(params.map((p) => [p.name, p.type, p.defaultValue])).toEqual([
      ['providerIds', 'string[]', ['4', '5']],
      ['commit', 'boolean', true],
      ['when', 'date', '2024-01-31'],
    ]);
  });

  it('treats a string as a date by its name (date, …Date)', () => {
    const params = parseParameters("const newWithdrawalDate: string = '';\nconst date: string = '';\nconst update = '';");
    expect(params.map((p) => p.type)).toEqual(['date', 'date', 'string']);
  });

  it('reads a union of string literals as a choice, and a named type with a string default as a string', () => {
    const params = parseParameters("const recordType: 'scitt' | 'hei' = 'scitt';\nconst route: TrainingRoute = 'provider_led_postgrad';\nconst other: TrainingRoute = someDefault;");
    expect(params.map((p) => [p.name, p.type, p.choices, p.annotation])).toEqual([
      ['recordType', 'string', ['scitt', 'hei'], "'scitt' | 'hei'"],
      ['route', 'string', undefined, 'TrainingRoute'],
    ]);
    expect(formatParameterList(params)).toContain('recordType  one of scitt, hei');
  });

  it('leaves out declarations it cannot set from the command line', () => {
    const params = parseParameters("const options = { a: 1 };\nconst when = new Date();\nconst x: Record<string, string> = {};\nconst empty = null;\nconst slug = 'a';");
    expect(params.map((p) => p.name)).toEqual(['slug']);
  });

  it('keeps an expression default as written when the annotation gives the type', () => {
    const [p] = parseParameters("const today: string = new Date().toISOString().slice(0, 10); // date");
    expect(p).toMatchObject({ name: 'today', type: 'date', defaultValue: undefined, defaultSource: 'new Date().toISOString().slice(0, 10)' });
  });
});

describe('findParametersCell', () => {
  const cell = (tags: string[] = []) => ({ cell_type: 'code', source: '', metadata: { tags }, outputs: [] });
  const nb = (cells: ReturnType<typeof cell>[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

  it('finds the one tagged cell, or -1', () => {
    expect(findParametersCell(nb([cell(), cell(['parameters'])]))).toBe(1);
    expect(findParametersCell(nb([cell()]))).toBe(-1);
  });

  it('refuses two tagged cells, naming them', () => {
    expect(() => findParametersCell(nb([cell(['parameters']), cell(), cell(['parameters'])]))).toThrow('The notebook has 2 cells tagged "parameters" (cells 1, 3); expected exactly one.');
  });
});

describe('formatParameterList', () => {
  it('lists name, type, default and description', () => {
    const text = formatParameterList(parseParameters("const slug: string = 'abc'; // The trainee's slug\nlet commit = false;"));
    expect(text).toBe(["  slug    string                   default 'abc'  The trainee's slug", '  commit  boolean (true or false)  default false'].join('\n'));
  });
});
