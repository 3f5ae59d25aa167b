import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProjectRoot } from '../config/env.js';
import { jupyterPython, runProcess } from './jupyter.js';
import { parseNotebook, type Notebook } from './notebook-file.js';
import type { RunStatus } from './failure.js';

/** What Jupyter's executor reported. */
export interface ExecutionOutcome {
  /** The notebook as far as it ran (every cell before the failure executed, the rest untouched). */
  notebook: Notebook;
  status: RunStatus;
  /** Index of the failing cell, or null. */
  cellIndex: number | null;
  /** nbclient's message (for a cell error, the cell and its error). */
  message: string;
  /** Wall time of each executed code cell. */
  cells: { index: number; ms: number }[];
  /** Time to start the kernel (null when it did not start). */
  kernelStartMs: number | null;
  /** The executor's own stderr, for diagnosing an internal failure. */
  stderr: string;
}

export interface ExecuteOptions {
  /** The kernel's working directory: the runbook's folder, so tslab finds `node_modules` above it. */
  cwd: string;
  kernelName: string;
  /** Seconds each cell may take. */
  timeoutSeconds: number;
  /** The kernel's environment (configuration variables). */
  env: NodeJS.ProcessEnv;
  /** Called as each code cell starts, with its index. */
  onCellStart?: (index: number) => void;
}

/** The Python driver shipped beside this module's source (`lib/runner/execute.py`). */
export function driverPath(projectRoot = defaultProjectRoot()): string {
  return join(projectRoot, 'lib', 'runner', 'execute.py');
}

/**
 * Executes a notebook on Jupyter's own executor (nbclient, through `lib/runner/execute.py`), cell by cell,
 * stopping at the first failing cell. Never throws for a notebook problem: the outcome says what happened and
 * carries the notebook as far as it ran.
 *
 * @example
 * const outcome = await executeNotebook(nb, { cwd: 'notebooks/ops', kernelName: 'register-support', timeoutSeconds: 300, env: process.env });
 */
export async function executeNotebook(nb: Notebook, options: ExecuteOptions): Promise<ExecutionOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'support-run-'));
  const input = join(dir, 'input.ipynb');
  const output = join(dir, 'output.ipynb');
  const resultFile = join(dir, 'result.json');
  try {
    writeFileSync(input, JSON.stringify(nb));
    const env = { ...options.env, PYDEVD_DISABLE_FILE_VALIDATION: '1', PYTHONWARNINGS: 'ignore' };
    let proc: { code: number; stderr: string };
    try {
      proc = await runProcess(jupyterPython(env), ['-Xfrozen_modules=off', driverPath(), input, output, resultFile, options.kernelName, options.cwd, String(options.timeoutSeconds)], {
        env,
        onStdoutLine: (line) => {
          const m = /^::cell (\d+)$/.exec(line.trim());
          if (m) options.onCellStart?.(Number(m[1]));
        },
      });
    } catch (error) {
      return { notebook: nb, status: 'environment', cellIndex: null, message: `Cannot start ${jupyterPython(env)}: ${(error as Error).message}. Install Jupyter: apt-get install -y jupyter-nbconvert python3-nbclient`, cells: [], kernelStartMs: null, stderr: '' };
    }
    let result: { status: RunStatus; cell: number | null; message: string; cells: { index: number; ms: number }[]; kernel_start_ms?: number };
    try {
      result = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch {
      const tail = proc.stderr.trim().split('\n').slice(-5).join('\n');
      return { notebook: nb, status: 'internal', cellIndex: null, message: `The executor (${driverPath()}) ended with code ${proc.code} and no result:\n${tail}`, cells: [], kernelStartMs: null, stderr: proc.stderr };
    }
    let notebook = nb;
    try {
      notebook = parseNotebook(readFileSync(output, 'utf8'), 'the executed notebook');
    } catch {
      /* the kernel never started: nothing was executed */
    }
    return { notebook, status: result.status, cellIndex: result.cell, message: result.message, cells: result.cells, kernelStartMs: result.kernel_start_ms ?? null, stderr: proc.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
