import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellSource, parseNotebook } from '../../lib/runner/notebook-file.js';
import { notebookParameters } from '../../lib/runner/parameters.js';
import { listScenarios } from '../../lib/sandbox/seed/index.js';
import { discoverNotebooks, NOTEBOOKS_DIR } from './suite.js';

/**
 * What every committed runbook must look like: it parses (nbformat 4), carries no outputs and no execution counts,
 * never folds its output into a scroll box, names its sandbox scenarios first thing, keeps placeholders out of
 * HTML's way, names the project's kernel, has exactly one `parameters` cell, and — when it changes data — takes `auditComment`
 * (string) and `commit` (boolean, default false).
 */
const runbooks = discoverNotebooks();

/** A runbook changes data when it lives in data-fixes/, takes a `commit` parameter or calls a commit function. */
function changesData(runbook: string, code: string, parameterNames: string[]): boolean {
  return runbook.startsWith('data-fixes/') || parameterNames.includes('commit') || /\bcommit(IfRequested|Plan)\s*\(/.test(code);
}

describe('committed runbooks', () => {
  it('there are runbooks to check', () => {
    expect(runbooks.length).toBeGreaterThan(0);
  });

  it('every sandbox scenario names a runbook that exists (so the notebook suite runs it)', () => {
    const missing = listScenarios().filter((s) => !runbooks.includes(s.runbook)).map((s) => `${s.name} → notebooks/${s.runbook}.ipynb`);
    expect(missing).toEqual([]);
  });

  for (const runbook of runbooks) {
    it(`${runbook} is stored clean, on the project's kernel, with its parameters`, () => {
      const problems: string[] = [];
      const raw = readFileSync(join(NOTEBOOKS_DIR, `${runbook}.ipynb`), 'utf8');
      let nb;
      try {
        nb = parseNotebook(raw, `${runbook}.ipynb`);
      } catch (error) {
        expect.fail((error as Error).message);
      }
      const spec = nb.metadata.kernelspec;
      if (spec?.name !== 'register-support') problems.push(`kernelspec.name is ${JSON.stringify(spec?.name)}, expected "register-support"`);
      if (spec?.language !== 'typescript') problems.push(`kernelspec.language is ${JSON.stringify(spec?.language)}, expected "typescript"`);
      if (spec?.display_name !== 'TypeScript (register-support)') problems.push(`kernelspec.display_name is ${JSON.stringify(spec?.display_name)}, expected "TypeScript (register-support)"`);
      nb.cells.forEach((cell, i) => {
        if (cell.cell_type !== 'code') return;
        if (cell.outputs?.length) problems.push(`cell ${i + 1} has ${cell.outputs.length} stored output(s): clear outputs before committing`);
        if (cell.execution_count !== null && cell.execution_count !== undefined) problems.push(`cell ${i + 1} has execution_count ${cell.execution_count}: store it as null`);
        if (cell.metadata.tags?.includes('injected-parameters')) problems.push(`cell ${i + 1} is an injected-parameters cell from a run: remove it`);
        if (typeof cell.metadata.execution === 'object') problems.push(`cell ${i + 1} carries execution timings: strip them`);
      });
      nb.cells.forEach((cell, i) => {
        // The classic notebook folds output taller than 100 lines into a 24em scroll box: a runbook's output reads whole.
        if (cell.cell_type === 'code' && cell.metadata.scrolled !== false) problems.push(`cell ${i + 1} lacks "scrolled": false in its metadata (its output would be folded into a scroll box)`);
        if (cell.cell_type !== 'markdown') return;
        // Outside code spans, <word> is an HTML tag to the browser: the placeholder would vanish.
        const prose = cellSource(cell).replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
        for (const tag of prose.match(/<[A-Za-z][^>\n]*>/g) ?? []) problems.push(`markdown cell ${i + 1} has ${tag} outside a code span: the browser swallows it as HTML (write it in backticks)`);
      });
      const intro = cellSource(nb.cells.find((c) => c.cell_type === 'markdown') ?? { cell_type: 'markdown', source: '', metadata: {} });
      const mine = listScenarios().filter((s) => s.runbook === runbook).map((s) => s.name);
      if (!intro.includes('**Try it on the sandbox:**')) problems.push('the first markdown cell does not say how to try it on the sandbox ("**Try it on the sandbox:**")');
      for (const name of mine) if (!intro.includes(`\`${name}\``)) problems.push(`the first markdown cell does not name its sandbox scenario \`${name}\``);
      if (!mine.length && !intro.includes('with its default parameters')) problems.push('the first markdown cell should say it runs on the sandbox with its default parameters');
      const tagged = nb.cells.filter((c) => c.cell_type === 'code' && c.metadata.tags?.includes('parameters')).length;
      if (tagged !== 1) problems.push(`${tagged} code cells are tagged "parameters", expected exactly one`);
      if (/from\s+['"](?!register-support['"])(\.{1,2}\/|\/)/.test(nb.cells.map(cellSource).join('\n'))) problems.push("a cell imports a relative path: import from 'register-support' only");
      if (tagged === 1) {
        const params = notebookParameters(nb);
        const names = params.map((p) => p.name);
        const code = nb.cells.filter((c) => c.cell_type === 'code').map(cellSource).join('\n');
        if (changesData(runbook, code, names)) {
          const audit = params.find((p) => p.name === 'auditComment');
          const commit = params.find((p) => p.name === 'commit');
          if (!audit || audit.type !== 'string') problems.push('it changes data but has no string parameter auditComment');
          if (!commit || commit.type !== 'boolean') problems.push('it changes data but has no boolean parameter commit');
          else if (commit.defaultValue !== false) problems.push(`commit defaults to ${commit.defaultSource}, expected false`);
        }
      }
      expect(problems, `${runbook}.ipynb`).toEqual([]);
    });
  }
});
