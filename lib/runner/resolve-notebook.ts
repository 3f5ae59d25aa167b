import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { defaultProjectRoot } from '../config/env.js';

/** Every runbook under `<project>/notebooks`, as paths relative to it without `.ipynb` (e.g. `ops/trainee-timeline`). */
export function listRunbooks(projectRoot = defaultProjectRoot()): string[] {
  const dir = join(projectRoot, 'notebooks');
  const found: string[] = [];
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ipynb')) found.push(relative(dir, p).replace(/\.ipynb$/, ''));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * Finds the notebook an operator means: a path as given (with or without `.ipynb`), or a runbook name such as
 * `trainee-timeline` or `ops/trainee-timeline`, looked up under `notebooks/`. Throws an Error that lists the
 * candidates (or the runbooks) when there is no single match.
 *
 * @example
 * resolveNotebook('trainee-timeline') // '/…/notebooks/ops/trainee-timeline.ipynb'
 */
export function resolveNotebook(input: string, projectRoot = defaultProjectRoot()): string {
  for (const candidate of [input, `${input}.ipynb`]) {
    const path = resolve(candidate);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  const name = input.replace(/\\/g, '/').replace(/\.ipynb$/, '').replace(/^(\.\/)?(notebooks\/)?/, '');
  const runbooks = listRunbooks(projectRoot);
  const exact = runbooks.filter((r) => r === name || basename(r) === name);
  if (exact.length === 1) return join(projectRoot, 'notebooks', `${exact[0]}.ipynb`);
  if (exact.length > 1) throw new Error(`"${input}" could be ${exact.map((r) => `notebooks/${r}.ipynb`).join(' or ')}: give the folder too.`);
  const near = runbooks.filter((r) => r.includes(basename(name)) || basename(name).includes(basename(r)));
  throw new Error(`No notebook at ${input}.${near.length ? ` Did you mean ${near.map((r) => `notebooks/${r}.ipynb`).join(', ')}?` : runbooks.length ? ` Runbooks: ${runbooks.join(', ')}.` : ''}`);
}
