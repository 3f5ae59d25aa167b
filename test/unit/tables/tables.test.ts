import { describe, expect, it } from 'vitest';
import { htmlTable, textTable, toCsv, tally } from '../../../lib/tables/index.js';

const rows = [
  { id: 1, name: 'Ann <b>', trn: null, at: new Date('2024-03-03T10:00:00Z') },
  { id: 2, name: 'Bo, "Jr"', trn: '1234567', at: null },
];

describe('tables', () => {
  it('renders HTML with a row count, escaped values and nulls shown as null', () => {
    const html = htmlTable(rows, { caption: 'Trainees' });
    expect(html).toContain('Trainees <span class="rs-count">(2 rows)</span>');
    expect(html).toContain('<td>Ann &lt;b&gt;</td>');
    expect(html).toContain('<td class="rs-null">null</td>');
    expect(html).toContain('<td class="rs-nowrap">2024-03-03T10:00:00Z</td>');
  });

  it('keeps short words on one line, gives prose room to wrap, and scrolls a wide table in its own box', () => {
    const html = htmlTable([{ slug: 'P897V7tpB2zH75Fow7Kx7hEE', action: 'Ask DQT why the TRN is taking long; if there is no issue, start polling again.', note: 'short text' }]);
    expect(html).toContain('<div class="rs-wide"><table class="rs-table">');
    expect(html).toContain('.rs-wide{overflow-x:auto;max-width:100%}');
    expect(html).toContain('<th class="rs-nowrap">slug</th><th class="rs-long">action</th><th>note</th>');
  });

  it('folds pages after the first and caps what is rendered', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ i }));
    const html = htmlTable(many, { pageSize: 50, maxRows: 100 });
    expect(html).toContain('(120 rows, first 100 shown)');
    expect(html).toContain('<summary>Rows 51–100</summary>');
    expect(html).not.toContain('>100</td>');
  });

  it('renders text tables with aligned columns', () => {
    expect(textTable([{ field: 'state', before: 'awarded', after: 'trn_received' }])).toBe(
      ['field  before   after', '-----  -------  ------------', 'state  awarded  trn_received'].join('\n'),
    );
  });

  it('writes RFC 4180 CSV', () => {
    expect(toCsv(rows)).toBe('id,name,trn,at\n1,Ann <b>,,2024-03-03T10:00:00.000Z\n2,"Bo, ""Jr""",1234567,\n');
  });

  it('tallies in one pass, largest first', () => {
    expect(tally([{ a: 'x' }, { a: 'y' }, { a: 'y' }], ['a'])).toEqual([{ a: 'y', count: 2 }, { a: 'x', count: 1 }]);
  });
});
