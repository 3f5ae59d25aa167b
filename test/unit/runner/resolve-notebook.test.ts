import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRunbooks, resolveNotebook } from '../../../lib/runner/resolve-notebook.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rs-resolve-'));
  for (const nb of ['ops/trainee-timeline', 'ops/queues', 'data-fixes/undo-withdrawal', 'dqt-errors/undo-withdrawal', 'ops/.ipynb_checkpoints/queues-checkpoint']) {
    mkdirSync(join(root, 'notebooks', nb, '..'), { recursive: true });
    writeFileSync(join(root, 'notebooks', `${nb}.ipynb`), '{}');
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveNotebook', () => {
  it('takes a path as given, or a runbook name with or without its folder', () => {
    const timeline = join(root, 'notebooks', 'ops', 'trainee-timeline.ipynb');
    expect(resolveNotebook(timeline, root)).toBe(timeline);
    expect(resolveNotebook(timeline.replace(/\.ipynb$/, ''), root)).toBe(timeline);
    expect(resolveNotebook('trainee-timeline', root)).toBe(timeline);
    expect(resolveNotebook('ops/trainee-timeline', root)).toBe(timeline);
  });

  it('asks for the folder when a name is in two', () => {
    expect(() => resolveNotebook('undo-withdrawal', root)).toThrow('"undo-withdrawal" could be notebooks/data-fixes/undo-withdrawal.ipynb or notebooks/dqt-errors/undo-withdrawal.ipynb: give the folder too.');
  });

  it('suggests near names, or lists the runbooks', () => {
    expect(() => resolveNotebook('timeline', root)).toThrow('No notebook at timeline. Did you mean notebooks/ops/trainee-timeline.ipynb?');
    expect(() => resolveNotebook('zzz', root)).toThrow('No notebook at zzz. Runbooks: data-fixes/undo-withdrawal, dqt-errors/undo-withdrawal, ops/queues, ops/trainee-timeline.');
  });

  it('skips checkpoint folders', () => {
    expect(listRunbooks(root)).not.toContain('ops/.ipynb_checkpoints/queues-checkpoint');
  });
});
