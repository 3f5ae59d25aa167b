import { describe, expect, it } from 'vitest';
import { parseParameters } from '../../../lib/runner/parameters.js';
import { isCalendarDate, ParameterError, resolveParameters } from '../../../lib/runner/values.js';

const params = parseParameters(
  [
    "const slug: string = 'abc';",
    'let commit = false;',
    'const providerIds: string[] = [];',
    "const date = '2024-03-03';",
    'const count = 3;',
    'const ids: number[] = [];',
    'const trn: string | null = null;',
    "const withdrawalDate: string = '';",
  ].join('\n'),
);

describe('resolveParameters', () => {
  it('converts each value to its parameter type', () => {
    expect(
      resolveParameters(params, ['slug=x y', 'commit=TRUE', 'providerIds=4, 5,', 'date=2024-02-29', 'count=-2.5', 'ids=1,2', 'trn=', 'withdrawalDate=']),
    ).toEqual({ slug: 'x y', commit: true, providerIds: ['4', '5'], date: '2024-02-29', count: -2.5, ids: [1, 2], trn: null, withdrawalDate: '' });
  });

  it('keeps everything after the first = in the value', () => {
    expect(resolveParameters(params, ['slug=a=b'])).toEqual({ slug: 'a=b' });
  });

  it('gives an empty list for an empty list value', () => {
    expect(resolveParameters(params, ['providerIds='])).toEqual({ providerIds: [] });
  });

  it('rejects an unknown name and bad values all at once, listing the valid parameters', () => {
    let error: unknown;
    try {
      resolveParameters(params, ['nosuch=1', 'commit=maybe', 'date=2024-02-30', 'count=abc', 'ids=1,x', 'date2']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParameterError);
    const e = error as ParameterError;
    expect(e.problems).toEqual([
      '-p date2: expected name=value, e.g. -p slug=abc123',
      'Unknown parameter "nosuch".',
      'Parameter "commit" expects boolean (true or false); got "maybe".',
      'Parameter "date" expects date (YYYY-MM-DD); got "2024-02-30": no such day.',
      'Parameter "count" expects number; got "abc": not a number.',
      'Parameter "ids" expects list of numbers (1,2,3); got "1,x": "x" is not a number.',
    ]);
    expect(e.message).toContain("This notebook's parameters:\n  slug ");
    expect(e.message).toMatch(/^ {2}commit +boolean/m);
  });

  it('rejects a date of the wrong shape, and a name given twice', () => {
    expect(() => resolveParameters(params, ['date=03/03/2024'])).toThrow('Parameter "date" expects date (YYYY-MM-DD); got "03/03/2024": not shaped YYYY-MM-DD.');
    expect(() => resolveParameters(params, ['slug=a', 'slug=b'])).toThrow('Parameter "slug" is given twice');
  });

  it('suggests the right spelling for a name in the wrong case', () => {
    expect(() => resolveParameters(params, ['providerids=1'])).toThrow('Unknown parameter "providerids" (did you mean "providerIds"?).');
  });

  it('does not accept an empty date for a date whose default is a real date', () => {
    expect(() => resolveParameters(params, ['date='])).toThrow('got "": not shaped YYYY-MM-DD');
  });
});

describe('choices', () => {
  it("accepts only the union's values, and injects with the declared annotation", async () => {
    const choice = parseParameters("const recordType: 'scitt' | 'hei' = 'scitt';");
    expect(resolveParameters(choice, ['recordType=hei'])).toEqual({ recordType: 'hei' });
    expect(() => resolveParameters(choice, ['recordType=school'])).toThrow('Parameter "recordType" expects one of scitt, hei; got "school": not one of them.');
    const { injectedSource } = await import('../../../lib/runner/translate.js');
    expect(injectedSource(choice, { recordType: 'hei' })).toContain(`const recordType: 'scitt' | 'hei' = "hei";`);
  });
});

describe('isCalendarDate', () => {
  it('knows leap years and month lengths', () => {
    expect(['2024-02-29', '2023-12-31', '2000-02-29'].map(isCalendarDate)).toEqual([true, true, true]);
    expect(['2023-02-29', '2024-04-31', '2024-13-01', '1900-02-29', '2024-1-01'].map(isCalendarDate)).toEqual([false, false, false, false, false]);
  });
});
