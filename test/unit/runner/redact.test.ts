import { describe, expect, it } from 'vitest';
import { htmlTable } from '../../../lib/tables/html.js';
import { cellSource, type Notebook } from '../../../lib/runner/notebook-file.js';
import { maskHtmlTableColumns, maskPersonalData, personalDataMasker, redactNotebookSecrets, slugsInOutputs } from '../../../lib/runner/redact-notebook.js';

const KEY = 'fake-dqt-key-0123456789';

function notebookWith(text: string): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { register_support: { run: { error: `failed: ${text}`, parameters: { providerIds: ['4', '5'] } } } },
    cells: [
      { cell_type: 'code', metadata: { tags: ['injected-parameters'] }, source: `const a = "${text}";`, outputs: [] },
      {
        cell_type: 'code',
        metadata: {},
        source: 'x',
        outputs: [
          { output_type: 'stream', name: 'stdout', text: ['line one\n', `key=${text.slice(0, 8)}`, `${text.slice(8)}\n`] },
          { output_type: 'display_data', data: { 'text/html': `<b>${text}</b>`, 'text/plain': [`${text}\n`] }, metadata: {} },
          { output_type: 'error', ename: 'Error', evalue: text, traceback: [`Error: ${text}`, '    at x'] },
        ],
      },
    ],
  };
}

describe('redactNotebookSecrets', () => {
  it('removes a secret from sources, streams (even split across lines), HTML, errors and metadata', () => {
    const nb = notebookWith(KEY);
    redactNotebookSecrets(nb, [KEY]);
    const json = JSON.stringify(nb);
    expect(json).not.toContain(KEY);
    expect(json).not.toContain(KEY.slice(8));
    expect(nb.cells[1]!.outputs![0]!.text).toEqual(['line one\n', 'key=[redacted]\n']);
    expect(nb.cells[1]!.outputs![2]!.traceback).toEqual(['Error: [redacted]', '    at x']);
    expect(nb.metadata.register_support).toEqual({ run: { error: 'failed: [redacted]', parameters: { providerIds: ['4', '5'] } } }); // lists stay lists
  });
});

describe('maskPersonalData', () => {
  const rows = [{ id: 7, first_names: 'Zebedee Quentin', last_name: "O'Marchbanks", date_of_birth: '1991-07-14', email: 'zq@example.com', provider: 'Oak Academy', trn: '1234567' }];

  it('masks the personal columns of HTML tables and keeps the others', () => {
    const { html, found } = maskHtmlTableColumns(htmlTable(rows));
    expect(html).not.toMatch(/Zebedee|Marchbanks|1991-07-14|zq@example/);
    expect(html).toMatch(/<td( class="rs-\w+")?>\[name\]<\/td>/);
    expect(html).toMatch(/<td( class="rs-\w+")?>\[date of birth\]<\/td>/);
    expect(html).toMatch(/<td( class="rs-\w+")?>\[email\]<\/td>/);
    expect(html).toContain('Oak Academy');
    expect(html).toContain('1234567');
    expect(found).toEqual({ names: ['Zebedee Quentin', "O'Marchbanks"], datesOfBirth: ['1991-07-14'], emails: ['zq@example.com'] });
  });

  it('masks values seen in a table wherever else they appear, plus e-mails and NI numbers by pattern', () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'code', metadata: {}, source: 'showTable(rows)', outputs: [{ output_type: 'display_data', data: { 'text/html': htmlTable(rows) }, metadata: {} }] },
        {
          cell_type: 'code',
          metadata: {},
          source: 'console.log(...)',
          outputs: [{ output_type: 'stream', name: 'stdout', text: 'zebedee wrote from other.person@school.sch.uk; NI QQ 12 34 56 C / AB123456D; born 14/07/1991 (14 July 1991). Moved 2024-09-01 to Oak Academy.\n' }],
        },
      ],
    };
    expect(maskPersonalData(nb)).toBe(2);
    const text = nb.cells[1]!.outputs![0]!.text as string;
    expect(text).toBe('[name] wrote from [email]; NI [NI number] / [NI number]; born [date of birth] ([date of birth]). Moved 2024-09-01 to Oak Academy.\n');
    expect(cellSource(nb.cells[0]!)).toBe('showTable(rows)');
  });

  it('masks HTML text but not tags or styles, and names written with HTML entities', () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ cell_type: 'code', metadata: {}, source: 'x', outputs: [{ output_type: 'display_data', metadata: {}, data: { 'text/html': '<style>.x{text-align:left}</style><p class="left">Left O&#39;Brien-Smythe wrote</p>' } }] }],
    };
    maskPersonalData(nb, { names: ['Left', "O'Brien-Smythe"], datesOfBirth: [], emails: [] });
    expect(nb.cells[0]!.outputs![0]!.data!['text/html']).toBe('<style>.x{text-align:left}</style><p class="left">[name] [name] wrote</p>');
  });

  it('masks values written after a personal field name, old and new, and keeps other fields', () => {
    const mask = personalDataMasker({ names: [], datesOfBirth: [], emails: [] });
    expect(mask('date_of_birth: 1998-03-01 → 1998-03-10')).toBe('date_of_birth: [date of birth] → [date of birth]');
    expect(mask('first_names: Jo → Joanna | state: draft → submitted_for_trn')).toBe('first_names: [name] → [name] | state: draft → submitted_for_trn');
    expect(mask('last_name = Smith')).toBe('last_name = [name]');
    expect(mask('middle_names: null → Ann')).toBe('middle_names: null → [name]');
    expect(mask('trainee_start_date: 2024-09-02')).toBe('trainee_start_date: 2024-09-02');
  });

  it('masks known names as whole words only, in any case', () => {
    const mask = personalDataMasker({ names: ['Ann', 'Lee'], datesOfBirth: ['2000-01-02'], emails: [] });
    expect(mask('ANN LEE, Annex, Leeds, ann-lee, 2000-01-02, 12000-01-023')).toBe('[name] [name], Annex, Leeds, [name]-[name], [date of birth], 12000-01-023');
  });
});

describe('slugsInOutputs', () => {
  it("finds Register's 24-character base58 slugs in outputs, not in sources", () => {
    const slug = 'AbCdEfGhJkLmNpQrStUvWxYz';
    const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', metadata: {}, source: 'ZZZZZZZZZZZZZZZZZZZZZZZZ', outputs: [{ output_type: 'stream', name: 'stdout', text: `/trainees/${slug} and 0OIl0OIl0OIl0OIl0OIl0OIl` }] }] };
    expect(slugsInOutputs(nb)).toEqual([slug]);
  });
});
