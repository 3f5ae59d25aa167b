import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/env.js';
import { runningSandbox } from '../../../lib/sandbox/process.js';
import { processTag } from '../../helpers/processes.js';
import { freePort } from '../../notebooks/suite.js';
import { assertBuilt, cleanEnv, ROOT } from './cli.js';

// `npm start` (bin/setup.js start, then `support start`) on a sandbox of its own (a throwaway data folder and
// ports): Jupyter on the runbooks, bound to 127.0.0.1, behind a random token, the URL printed; saving through
// Jupyter's contents API keeps the tracked runbook as it is; Ctrl-C stops Jupyter, its kernel and the sandbox.
let dataDir: string;
let home: string;
const saved = join(ROOT, 'runs', 'saved', 'ops', 'trainee-timeline.ipynb');
const scratch = `save-test-${randomBytes(4).toString('hex')}.ipynb`;
beforeAll(() => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'rs-start-'));
  home = mkdtempSync(join(tmpdir(), 'rs-start-home-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  rmSync(join(ROOT, 'notebooks', 'ops', scratch), { force: true });
  rmSync(join(ROOT, 'runs', 'saved', 'ops', scratch), { force: true });
});

const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout;

/** What the browser sends when it saves after running cells: outputs with a trainee's data, counts, timings, trust. */
function withSessionState(content: { cells: { cell_type: string; metadata: Record<string, unknown>; outputs?: unknown[]; execution_count?: number | null }[]; metadata: Record<string, unknown> }) {
  let n = 0;
  for (const cell of content.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.execution_count = ++n;
    cell.metadata.trusted = true;
    cell.metadata.execution = { 'iopub.status.busy': '2026-12-03T12:00:00.000Z' };
    cell.outputs = [
      { output_type: 'display_data', data: { 'text/html': '<td>Priya Okafor</td><td>1998-02-14</td><td>priya.okafor@example.com</td>' }, metadata: {} },
      { output_type: 'stream', name: 'stdout', text: 'Priya Okafor, born 1998-02-14\n' },
    ];
  }
  content.metadata.language_info = { name: 'typescript', version: '5.0.4', file_extension: '.ts', mimetype: 'text/x.typescript', codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true } };
  content.metadata.celltoolbar = 'Tags';
  return content;
}

describe('npm start', () => {
  it('serves notebooks/ on 127.0.0.1 with a token; saving keeps runbooks clean; Ctrl-C leaves nothing running', async () => {
    const port = await freePort();
    const tag = processTag();
    // A home folder of its own: nothing may be written outside the checkout (no ~/.local, no ~/.ipython, no ~/.jupyter).
    const env = cleanEnv({ HOME: home, XDG_DATA_HOME: undefined, JUPYTER_DATA_DIR: undefined, JUPYTER_CONFIG_DIR: undefined, JUPYTER_RUNTIME_DIR: undefined, IPYTHONDIR: undefined, SUPPORT_SANDBOX_DIR: dataDir, SUPPORT_SANDBOX_PORT: String(await freePort()), SUPPORT_DQT_SANDBOX_PORT: String(await freePort()), SUPPORT_TRS_SANDBOX_PORT: String(await freePort()), ...tag.env });
    const config = loadConfig(env);
    // detached: a process group of its own, signalled as a terminal's Ctrl-C signals the foreground group
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'setup.js'), 'start', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const before = git('status', '--porcelain', '--', 'notebooks');
    const beforeElsewhere = git('status', '--porcelain', '--', 'lib', '.jupyter', 'runs');
    const runbook = readFileSync(join(ROOT, 'notebooks', 'ops', 'trainee-timeline.ipynb'));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /Runbooks: (http:\/\/127\.0\.0\.1:(\d+)\/tree\?token=([0-9a-f]{48}))/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`support start exited (${code}) before printing the URL; stdout: ${stdout} stderr: ${stderr}`)));
      });
      expect(url.startsWith(`http://127.0.0.1:${port}/`)).toBe(true);
      expect(stdout).toContain('Started the embedded sandbox in the background');
      const token = new URL(url).searchParams.get('token')!;
      const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}/api/${path}`, { ...init, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' } });
      // with the token: the runbook folders are listed
      const listing = await api('contents/');
      expect(listing.status).toBe(200);
      expect(((await listing.json()) as { content: { name: string }[] }).content.map((c) => c.name)).toEqual(expect.arrayContaining(['data-fixes', 'dqt-errors', 'ops']));
      // the checkout's kernel is offered
      const specs = (await (await api('kernelspecs')).json()) as { kernelspecs: Record<string, { spec: { argv: string[] } }> };
      expect(specs.kernelspecs['register-support']!.spec.argv[1]).toBe(join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab'));
      // without it: refused
      expect((await fetch(`http://127.0.0.1:${port}/api/contents/`)).status).toBe(403);
      // not on any other address of this machine
      const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
      if (other) await expect(fetch(`http://${other.address}:${port}/api/status`)).rejects.toThrow();
      expect(stdout).toContain('Jupyter listens on 127.0.0.1 only.');
      expect(stderr).not.toContain(token);

      // Saving a runbook after running it (what autosave does): the tracked file keeps its bytes, git sees nothing.
      const model = (await (await api('contents/ops/trainee-timeline.ipynb')).json()) as { content: Parameters<typeof withSessionState>[0] };
      const put = await api('contents/ops/trainee-timeline.ipynb', { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: withSessionState(model.content) }) });
      expect(put.status).toBe(200);
      expect(readFileSync(join(ROOT, 'notebooks', 'ops', 'trainee-timeline.ipynb')).equals(runbook)).toBe(true);
      expect(git('status', '--porcelain', '--', 'notebooks')).toBe(before);
      expect(git('status', '--porcelain', '--', 'lib', '.jupyter', 'runs')).toBe(beforeElsewhere); // no __pycache__, nothing of Jupyter's
      // the session's record, outputs included, goes to the ignored runs/saved/
      expect(readFileSync(saved, 'utf8')).toContain('Priya Okafor');
      // What the operator types into a runbook (its parameters: a slug, a name, a date of birth) stays out of git too.
      const typed = withSessionState(model.content) as unknown as { cells: { metadata: { tags?: string[] }; source: string }[] };
      typed.cells.find((c) => c.metadata.tags?.includes('parameters'))!.source = "const slug: string = 'P897V7tpB2zH75Fow7Kx7hEE'; // Priya Okafor, born 1998-02-14";
      expect((await api('contents/ops/trainee-timeline.ipynb', { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: typed }) })).status).toBe(200);
      expect(readFileSync(join(ROOT, 'notebooks', 'ops', 'trainee-timeline.ipynb')).equals(runbook)).toBe(true);
      expect(git('status', '--porcelain', '--', 'notebooks')).toBe(before);
      expect(readFileSync(saved, 'utf8')).toContain('P897V7tpB2zH75Fow7Kx7hEE');
      expect(git('check-ignore', saved).trim()).toBe(saved);
      // a checkpoint is a copy of the clean file, kept in .jupyter/ (ignored), not beside the runbook
      expect((await api('contents/ops/trainee-timeline.ipynb/checkpoints', { method: 'POST' })).status).toBe(201);
      const checkpoint = join(ROOT, '.jupyter', 'checkpoints', 'ops', '.ipynb_checkpoints', 'trainee-timeline-checkpoint.ipynb');
      expect(readFileSync(checkpoint).equals(runbook)).toBe(true);

      // A notebook git does not track (a copy, a new one) is written with its edits, but without outputs, counts or
      // session metadata (as runbooks are with --edit-runbooks).
      const fresh = withSessionState(JSON.parse(runbook.toString()));
      (fresh.cells[0] as unknown as { source: string }).source = '# An edited copy\n';
      expect((await api(`contents/ops/${scratch}`, { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: fresh }) })).status).toBe(201);
      const written = readFileSync(join(ROOT, 'notebooks', 'ops', scratch), 'utf8');
      expect(written).not.toContain('Priya');
      const nb = JSON.parse(written) as { cells: { cell_type: string; source: string[]; outputs?: unknown[]; execution_count?: number | null; metadata: Record<string, unknown> }[]; metadata: Record<string, unknown> };
      expect(nb.cells[0]!.source).toEqual(['# An edited copy\n']);
      for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) expect([cell.outputs, cell.execution_count, cell.metadata.trusted, cell.metadata.execution]).toEqual([[], null, undefined, undefined]);
      expect(nb.metadata.celltoolbar).toBeUndefined();

      // A kernel, as opening a runbook starts one: Ctrl-C must stop it too.
      const kernel = await api('kernels', { method: 'POST', body: JSON.stringify({ name: 'register-support' }) });
      expect(kernel.status).toBe(201);
      const isKernel = (c: string) => c.includes(join('node_modules', 'tslab', 'bin', 'tslab'));
      const deadline = Date.now() + 240_000;
      while (!tag.running().some((p) => isKernel(p.command)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const running = tag.running().map((p) => p.command);
      expect(running.some(isKernel)).toBe(true);
      expect(running.some((c) => c.includes('-m notebook'))).toBe(true);
      expect(runningSandbox(config)).not.toBeNull();
    } finally {
      // Ctrl-C, and wait for the end whatever happened above: a test must not leave its Jupyter and sandbox behind.
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('Interrupted: stopping Jupyter and its kernels...');
    expect(stdout).toMatch(/Stopped the embedded sandbox \(process \d+\)\./);
    expect(tag.running()).toEqual([]);
    expect(runningSandbox(config)).toBeNull();
    expect(existsSync(join(dataDir, 'sandbox.json'))).toBe(false);
    expect(readdirSync(home)).toEqual([]);
  });
});
