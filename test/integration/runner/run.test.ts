import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { installKernel, kernelSpec } from '../../../lib/runner/kernel.js';
import type { Notebook } from '../../../lib/runner/notebook-file.js';
import { assertBuilt, cleanEnv, FIXTURES, ROOT, support } from './cli.js';

// The real CLI, the real Jupyter executor and tslab kernel, a real PostgreSQL database of its own.
let t: TestDatabase;
let jupyterData: string;
let out: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  assertBuilt();
  t = await createTestDatabase();
  jupyterData = mkdtempSync(join(tmpdir(), 'rs-jupyter-'));
  out = mkdtempSync(join(tmpdir(), 'rs-runs-'));
  env = cleanEnv({ DATABASE_URL: t.url, JUPYTER_DATA_DIR: jupyterData });
  installKernel({ projectRoot: ROOT, env, checkJupyter: false });
});

afterAll(async () => {
  await t?.drop();
  rmSync(jupyterData, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

/** Runs a fixture into a folder of its own; returns the CLI result and the written notebooks. */
async function run(fixture: string, args: string[] = [], extraEnv: Record<string, string | undefined> = {}) {
  const dir = mkdtempSync(join(out, `${fixture}-`));
  const result = await support(['run', join(FIXTURES, `${fixture}.ipynb`), '--out', dir, ...args], { ...env, ...cleanEnv({}), DATABASE_URL: t.url, JUPYTER_DATA_DIR: jupyterData, ...extraEnv });
  const files = readdirSync(dir);
  const notebookFile = files.find((f) => f.endsWith('.ipynb'));
  const notebook = notebookFile ? (JSON.parse(readFileSync(join(dir, notebookFile), 'utf8')) as Notebook) : null;
  return { ...result, dir, files, notebookFile, notebook, raw: notebookFile ? readFileSync(join(dir, notebookFile), 'utf8') : '' };
}

const text = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));
const outputsText = (nb: Notebook, index: number) => (nb.cells[index]!.outputs ?? []).map((o) => text(o.text) + text(o.data?.['text/plain'])).join('');

describe('support run', () => {
  it('injects typed parameters after the parameters cell, runs every cell, and records timings', async () => {
    const r = await run('parameters', ['-p', 'slug=xyz', '-p', 'commit=true', '-p', 'providerIds=4,5', '-p', 'date=2024-04-01', '-p', 'count=7', '-p', "note=it's \"quoted\""]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.notebookFile).toMatch(/^parameters-\d{8}T\d{6}Z-xyz\.ipynb$/);
    expect(r.stdout).toContain('finished: 2 code cells in'); // the injected cell is not counted
    const nb = r.notebook!;
    expect(nb.cells.map((c) => c.metadata.tags ?? [])).toEqual([[], ['parameters'], ['injected-parameters'], []]);
    expect(JSON.parse(outputsText(nb, 3))).toEqual({
      slug: 'xyz',
      commit: true,
      providerIds: ['4', '5'],
      date: '2024-04-01',
      withdrawalDate: '',
      count: 7,
      note: `it's "quoted"`,
      auditComment: '',
      kernel: 'register-support',
    });
    const meta = (nb.metadata.register_support as { run: Record<string, unknown> }).run;
    expect(meta).toMatchObject({ status: 'ok', parameters: { slug: 'xyz', commit: true, providerIds: ['4', '5'], date: '2024-04-01', count: 7 }, failed_cell: null });
    expect((meta.cells as { index: number; duration_ms: number }[]).map((c) => c.index)).toEqual([1, 2, 3]);
    for (const i of [1, 2, 3]) expect(nb.cells[i]!.metadata.register_support).toMatchObject({ status: 'ok', duration_ms: expect.any(Number) });
  });

  it('runs with the defaults when no parameter is given (no injected cell)', async () => {
    const r = await run('parameters');
    expect(r.code).toBe(0);
    expect(r.notebookFile).toMatch(/^parameters-\d{8}T\d{6}Z-default-slug\.ipynb$/);
    expect(r.notebook!.cells.some((c) => c.metadata.tags?.includes('injected-parameters'))).toBe(false);
    expect(JSON.parse(outputsText(r.notebook!, 2))).toMatchObject({ slug: 'default-slug', commit: false, providerIds: [] });
  });

  it('exits 2 before any cell runs for an unknown parameter, listing the valid ones (slug)', async () => {
    const r = await run('failing', ['-p', 'nosuch=1']);
    expect(r.code).toBe(2);
    expect(r.files).toEqual([]);
    expect(r.stderr).toContain('Unknown parameter "nosuch".');
    expect(r.stderr).toMatch(/This notebook's parameters:\n {2}slug +string +default 'abc'/);
  });

  it('exits 2 for values that do not fit their type, naming each', async () => {
    const r = await run('parameters', ['-p', 'commit=maybe', '-p', 'date=2024-02-30']);
    expect(r.code).toBe(2);
    expect(r.files).toEqual([]);
    expect(r.stderr).toContain('Parameter "commit" expects boolean (true or false); got "maybe".');
    expect(r.stderr).toContain('Parameter "date" expects date (YYYY-MM-DD); got "2024-02-30": no such day.');
  });

  it('--help-notebook lists the parameters with their types', async () => {
    const r = await support(['run', join(FIXTURES, 'parameters.ipynb'), '--help-notebook'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}providerIds +list of strings \(a,b,c\) +default \[\]$/m);
    expect(r.stdout).toMatch(/^ {2}date +date \(YYYY-MM-DD\) +default '2024-03-03'$/m);
  });

  it('exits 1 on a failing cell and still writes the notebook, the failing cell marked and later cells not run', async () => {
    const r = await run('failing', ['-p', 'slug=zz9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopped at a cell that failed: cell 4 (function findTrainee(s: string): never {), after 3 of 4 code cells');
    expect(r.stderr).toContain('  Error: No trainee with slug "zz9"');
    const nb = r.notebook!;
    // banner, markdown, parameters, injected, first cell, anchor, failing cell, never-run cell
    expect(nb.cells.map((c) => (c.metadata.tags ?? []).join(','))).toEqual(['support-run-banner', '', 'parameters', 'injected-parameters', '', 'support-run-failed-here', 'support-run-failed', '']);
    expect(text(nb.cells[0]!.source)).toContain('This run stopped at a cell that failed: cell 4');
    expect(text(nb.cells[0]!.source)).toContain('Error: No trainee with slug &quot;zz9&quot;');
    expect(text(nb.cells[5]!.source)).toContain('id="support-run-failed-cell"');
    expect(nb.cells[6]!.metadata.register_support).toMatchObject({ status: 'failed', reason: 'cell-error', error: 'Error: No trainee with slug "zz9"' });
    expect(outputsText(nb, 4)).toBe('first cell ran for zz9\n');
    expect(nb.cells[7]!.outputs).toEqual([]);
    expect(nb.cells[7]!.metadata.register_support).toEqual({ status: 'not-run' });
    expect((nb.metadata.register_support as { run: Record<string, unknown> }).run).toMatchObject({ status: 'cell-error', failed_cell: 4 });
  });

  it('reports a TypeScript compile error as the error', async () => {
    const r = await run('type-error');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("1:7 - Type 'string' is not assignable to type 'number'.");
  });

  it('stops a cell that runs past --timeout and says so', async () => {
    // The limit is per cell: 15 s leaves the quick cells room on a busy machine; the slow one would take 10 minutes.
    const r = await run('slow', ['--timeout', '15', '-p', 'seconds=600']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopped: a cell took longer than the time limit: cell 2');
    expect(r.stderr).toContain('The cell did not finish within 15 seconds (--timeout).');
    expect(r.notebook!.cells[0]!.metadata.tags).toEqual(['support-run-banner']);
  });

  it('Ctrl-C stops the run and still writes the notebook, the interrupted cell marked', async () => {
    const dir = mkdtempSync(join(out, 'interrupt-'));
    const marker = join(dir, 'started');
    // detached: its own process group, so the signal reaches the CLI and Jupyter's executor as Ctrl-C in a terminal does
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'support.js'), 'run', join(FIXTURES, 'slow.ipynb'), '-p', `marker=${marker}`, '--out', join(dir, 'out')], {
      env: { ...env, DATABASE_URL: t.url },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 240_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(marker)).toBe(true);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toContain('Stopping: writing the notebook as far as it ran');
    expect(stderr).toContain('stopped: interrupted (Ctrl-C): cell 2');
    const [file] = readdirSync(join(dir, 'out'));
    const nb = JSON.parse(readFileSync(join(dir, 'out', file!), 'utf8')) as Notebook;
    expect(nb.cells.find((c) => c.metadata.tags?.includes('support-run-failed'))!.metadata.register_support).toMatchObject({ reason: 'interrupted' });
  });

  it('reports a kernel that died', async () => {
    const r = await run('kernel-death');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopped: the kernel died: cell 3 (process.exit(code);)');
    expect(r.notebook!.cells.find((c) => c.metadata.tags?.includes('support-run-failed'))!.metadata.register_support).toMatchObject({ reason: 'kernel-died' });
  });

  it('never writes the DQT API key into the notebook or its HTML copy, nor prints it', async () => {
    const key = 'fake-dqt-key-7f3a9c1e55';
    const password = 'pg-pass-91b2c7'; // PostgreSQL here trusts local connections: the password is only carried
    const r = await run('secret', ['--html'], { DQT_API_URL: 'https://dqt.invalid', DQT_API_KEY: key, DATABASE_URL: t.url.replace('postgres@', `postgres:${password}@`) });
    expect(r.code).toBe(1); // the last cell throws an error quoting the key
    expect(r.files.sort()).toEqual([r.notebookFile!, r.notebookFile!.replace(/\.ipynb$/, '.html')].sort());
    const html = readFileSync(join(r.dir, r.notebookFile!.replace(/\.ipynb$/, '.html')), 'utf8');
    for (const written of [r.raw, html, r.stdout, r.stderr]) {
      expect(written).not.toContain(key);
      expect(written).not.toContain(password);
    }
    expect(r.raw).toContain('database postgres://postgres:[redacted]@127.0.0.1');
    expect(r.raw).toContain('key=[redacted]');
    expect(r.raw).toContain('stderr key [redacted]');
    expect(r.raw).toContain('<b>[redacted]</b>');
    expect(r.stderr).toContain('Error: failed with key [redacted]');
  });

  it('--redact masks names, dates of birth, e-mails and NI numbers in the outputs', async () => {
    const r = await run('personal', ['--redact']);
    expect(r.code).toBe(0);
    expect(r.notebookFile).toMatch(/-redacted\.ipynb$/); // the main parameter is an e-mail: kept out of the file name
    for (const personal of ['Zebedee', 'Quentin', 'Marchbanks', '1991-07-14', '14/07/1991', 'zq@example.com', 'jane.doe@example.org', 'QQ 12 34 56 C']) {
      const outputs = JSON.stringify(r.notebook!.cells.map((c) => c.outputs ?? []));
      expect(outputs, personal).not.toContain(personal);
    }
    const printed = outputsText(r.notebook!, 3);
    expect(printed).toBe('Contact [email], NI number [NI number], born [date of birth]. [name] moved to Oak Academy on 2024-09-01.\n');
  });

  it('--redact masks a trainee looked up by slug, from the database rows', async () => {
    await seed(t.db);
    const trainee = await t.db.selectFrom('trainees').select(['slug', 'first_names', 'last_name', 'date_of_birth']).where('first_names', 'is not', null).where('date_of_birth', 'is not', null).orderBy('id').executeTakeFirstOrThrow();
    const r = await run('trainee-text', ['-p', `slug=${trainee.slug}`, '--redact']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const printed = outputsText(r.notebook!, 3); // markdown, parameters, injected, the cell
    expect(printed).toBe(`Trainee ${trainee.slug}: [name] [name], born [date of birth]\n`);
    const unmasked = await run('trainee-text', ['-p', `slug=${trainee.slug}`]);
    expect(outputsText(unmasked.notebook!, 3)).toBe(`Trainee ${trainee.slug}: ${trainee.first_names} ${trainee.last_name}, born ${trainee.date_of_birth}\n`);
  });

  it("runs on this checkout's kernel even when a user-wide register-support kernel points at another checkout", async () => {
    const other = mkdtempSync(join(tmpdir(), 'rs-otherkernel-'));
    try {
      mkdirSync(join(other, 'kernels', 'register-support'), { recursive: true });
      writeFileSync(join(other, 'kernels', 'register-support', 'kernel.json'), JSON.stringify({ ...kernelSpec(ROOT), argv: [process.execPath, '/tmp/gone-clone/node_modules/tslab/bin/tslab', 'kernel', '--config-path', '{connection_file}'] }));
      const r = await run('parameters', [], { JUPYTER_DATA_DIR: other });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('exits 3 naming the kernel when the notebook asks for a kernel Jupyter does not have', async () => {
    const r = await run('unknown-kernel');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('No Jupyter kernel named "no-such-kernel". Install it: support kernel install');
    expect(r.files).toEqual([]);
  });

  it('exits 3 when the database does not answer', async () => {
    const r = await run('parameters', [], { DATABASE_URL: 'postgres://postgres:pw-not-shown@127.0.0.1:1/nowhere' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('The database at postgres://postgres:*****@127.0.0.1:1/nowhere does not answer.');
    expect(r.stderr).not.toContain('pw-not-shown');
  });

  it('exits 3 when Jupyter is not installed', async () => {
    const r = await run('parameters', [], { SUPPORT_JUPYTER_PYTHON: '/nonexistent/python3' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot start /nonexistent/python3');
    expect(r.stderr).toContain('apt-get install -y jupyter-nbconvert python3-nbclient');
  });

  it('exits 2 for a notebook that does not exist or is not a notebook', async () => {
    const missing = await support(['run', 'notebooks/nope.ipynb'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No notebook at');
    const notNotebook = await support(['run', join(ROOT, 'package.json')], env);
    expect(notNotebook.code).toBe(2);
    expect(notNotebook.stderr).toContain('is not an nbformat 4 notebook');
  });
});
