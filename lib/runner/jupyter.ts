import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * The Python that runs Jupyter. Debian's Jupyter lives in `/usr/bin/python3`, not in the pyenv `python3` that may
 * come first on PATH; set `SUPPORT_JUPYTER_PYTHON` to use another one.
 */
export function jupyterPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.SUPPORT_JUPYTER_PYTHON || '/usr/bin/python3';
}

/**
 * Where Jupyter looks for this user's kernel specs (`jupyter --data-dir`, worked out as jupyter_core does, without
 * starting Python): `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else `~/.local/share/jupyter`.
 */
export function jupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

/** What is installed of Jupyter's Python side. */
export interface JupyterInstall {
  python: string;
  /** nbclient and nbformat import: `support run` can execute notebooks. */
  executor: boolean;
  /** nbconvert imports: `--html` works. */
  nbconvert: boolean;
  /** The classic notebook server imports: `npm start` works. */
  notebook: boolean;
}

/** Checks which parts of Jupyter `python` can import (one short Python start, about 0.3 s). */
export function detectJupyter(env: NodeJS.ProcessEnv = process.env): JupyterInstall {
  const python = jupyterPython(env);
  const none = { python, executor: false, nbconvert: false, notebook: false };
  if (!existsSync(python)) return none;
  const script = [
    'import importlib.util as u, json',
    'has = lambda m: u.find_spec(m) is not None',
    'print(json.dumps({"executor": has("nbclient") and has("nbformat"), "nbconvert": has("nbconvert"), "notebook": has("notebook")}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8', env: { ...env, PYDEVD_DISABLE_FILE_VALIDATION: '1' }, timeout: 20_000 });
  try {
    return { python, ...JSON.parse(r.stdout.trim().split('\n').pop() ?? '') };
  } catch {
    return none;
  }
}

/** The apt-get line that installs what a run needs. */
export const JUPYTER_INSTALL_HINT = 'apt-get update && apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-notebook';

/**
 * Converts an executed notebook to HTML with `jupyter nbconvert --to html`, next to it or at `htmlPath`.
 * Returns the HTML file's path. Throws with nbconvert's message when it fails.
 */
export async function convertToHtml(notebookPath: string, htmlPath: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const python = jupyterPython(env);
  const args = ['-m', 'nbconvert', '--to', 'html', '--output-dir', dirname(htmlPath), '--output', basename(htmlPath).replace(/\.html$/, ''), notebookPath];
  const { code, stderr } = await runProcess(python, args, { env: { ...env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } });
  if (code !== 0 || !existsSync(htmlPath)) {
    throw new Error(`jupyter nbconvert --to html failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  return htmlPath;
}

/** Runs a process to the end without blocking the event loop; collects its output. */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; onStdoutLine?: (line: string) => void } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      if (!options.onStdoutLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onStdoutLine(line);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
