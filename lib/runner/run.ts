import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describeUrl, defaultProjectRoot, loadConfig, secretValues } from '../config/env.js';
import { EnvironmentError, UsageError } from '../cli/command.js';
import { backgroundSandboxNotice, databaseAnswers, ensureSandbox } from '../sandbox/ensure.js';
import { redactSecrets } from '../notebook/redact.js';
import { executeNotebook } from './execute.js';
import { cellErrorText, firstLine, markFailure, type RunFailure, type RunStatus } from './failure.js';
import { convertToHtml, detectJupyter, JUPYTER_INSTALL_HINT } from './jupyter.js';
import { KERNEL_NAME, projectKernelEnv } from './kernel.js';
import { NotebookFormatError, readNotebook, writeNotebook, type Notebook } from './notebook-file.js';
import { outputFileName } from './output-name.js';
import { resolveNotebook } from './resolve-notebook.js';
import { parameterize } from './parameterize.js';
import { findParametersCell, notebookParameters, type NotebookParameter } from './parameters.js';
import { personalValuesOf } from './personal.js';
import { maskPersonalData, redactNotebookSecrets, slugsInOutputs } from './redact-notebook.js';
import { ParameterError, resolveParameters, type ParameterValue } from './values.js';

export interface RunOptions {
  /** Path of the runbook, e.g. `notebooks/ops/trainee-timeline.ipynb`, or its name (`trainee-timeline`). */
  notebook: string;
  /** `name=value` strings, as given with `-p`. */
  parameters?: string[];
  /** Folder for the output notebook (default: `runs/` in the project). */
  outDir?: string;
  /** Also write an HTML copy (`jupyter nbconvert --to html`). */
  html?: boolean;
  /** Mask personal data (names, dates of birth, e-mails, NI numbers) in the outputs. */
  redact?: boolean;
  /** Seconds each cell may take (default 300). */
  timeoutSeconds?: number;
  /** The environment (configuration) for the run and the kernel; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines (e.g. "Starting the embedded sandbox…"). */
  log?: (line: string) => void;
  /** Called as each code cell starts: which code cell of the runbook it is (null for the injected cell), of how many, and its first line. */
  onCellStart?: (cell: { number: number | null; of: number; firstLine: string }) => void;
}

export interface RunResult {
  /** 0 every cell ran; 1 a cell failed, timed out, the kernel died or the run was interrupted; 3 the environment was not ready. */
  exitCode: 0 | 1 | 3;
  status: RunStatus;
  /** The executed notebook, written even when a cell failed. */
  outputPath: string | null;
  htmlPath: string | null;
  /** Code cells that ran (the failing one included). */
  cellsRun: number;
  codeCells: number;
  durationMs: number;
  failure: RunFailure | null;
  /** The values given, typed. */
  parameters: Record<string, ParameterValue>;
  warnings: string[];
}

export const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * Reads a runbook and checks the `-p` values against its `parameters` cell. Throws `UsageError` (exit 2) for an
 * unreadable notebook, an unknown parameter or a value of the wrong type, before anything runs.
 */
export function prepareRun(notebook: string, assignments: string[]): { nb: Notebook; path: string; params: NotebookParameter[]; values: Record<string, ParameterValue> } {
  let nb: Notebook;
  let params: NotebookParameter[];
  let path: string;
  try {
    path = resolveNotebook(notebook);
    nb = readNotebook(path);
    params = notebookParameters(nb);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    return { nb, path, params, values: resolveParameters(params, assignments) };
  } catch (error) {
    if (error instanceof ParameterError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Runs a runbook headless, papermill style: checks the parameters (exit 2 before anything runs), makes sure the
 * kernel and database are there (exit 3), injects the values after the `parameters` cell, executes every cell on
 * Jupyter's executor stopping at the first failure, and writes the executed notebook — with the failing cell
 * marked and a banner on top when one failed — to `outDir`, secrets removed (and personal data masked with
 * `redact`). Per-cell timings and the parameters go in the notebook's metadata (`register_support.run`).
 *
 * Throws `UsageError` (exit 2) and `EnvironmentError` / `ConfigError` (exit 3); a failing cell is a result, not a throw.
 *
 * @example
 * const result = await runNotebook({ notebook: 'notebooks/ops/trainee-timeline.ipynb', parameters: ['slug=AbC…'] });
 * result.exitCode // 0
 * result.outputPath // 'runs/trainee-timeline-20261130T110512Z-AbC….ipynb'
 */
export async function runNotebook(options: RunOptions): Promise<RunResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const { nb, path: notebookPath, params, values } = prepareRun(options.notebook, options.parameters ?? []);
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

  // The environment: configuration, kernel, database (exit 3 with what to fix).
  const config = loadConfig(env);
  const kernelName = nb.metadata.kernelspec?.name || KERNEL_NAME;
  let kernelEnv: NodeJS.ProcessEnv;
  try {
    kernelEnv = projectKernelEnv(env);
  } catch (error) {
    throw new EnvironmentError((error as Error).message);
  }
  if (options.html && !detectJupyter(env).nbconvert) throw new EnvironmentError(`--html needs jupyter nbconvert, which is not installed. Install it: ${JUPYTER_INSTALL_HINT}`);
  if (config.database.kind === 'sandbox') {
    try {
      const started = await ensureSandbox(config);
      if (started.started) log(backgroundSandboxNotice(started));
    } catch (error) {
      throw new EnvironmentError(`No database: DATABASE_URL is not set and the embedded sandbox did not start. ${redactSecrets((error as Error).message)}`);
    }
  } else if (!(await databaseAnswers(config.database.url, 5_000))) {
    throw new EnvironmentError(`The database at ${describeUrl(config.database.url)} does not answer. Check DATABASE_URL and that PostgreSQL is running (support doctor).`);
  }

  // Run.
  const startedAt = new Date();
  const ready = parameterize(nb, values);
  const injectedIndex = Object.keys(values).length ? findParametersCell(nb) + 1 : -1;
  // Progress counts code cells of the runbook as stored: the injected cell is not one of them.
  const codeOrdinal = new Map<number, number>();
  ready.cells.forEach((c, i) => {
    if (c.cell_type === 'code' && i !== injectedIndex) codeOrdinal.set(i, codeOrdinal.size + 1);
  });
  const codeCellTotal = codeOrdinal.size;
  const outcome = await executeNotebook(ready, {
    cwd: dirname(notebookPath),
    kernelName,
    timeoutSeconds,
    env: kernelEnv,
    onCellStart: (index) => {
      options.onCellStart?.({ number: codeOrdinal.get(index) ?? null, of: codeCellTotal, firstLine: index === injectedIndex ? 'the injected parameters' : firstLine(ready.cells[index]) });
    },
  });
  const finishedAt = new Date();
  if (outcome.status === 'environment') throw new EnvironmentError(redactSecrets(outcome.message, secretValues(env)));

  // Record: timings, parameters, failure.
  const executed = outcome.notebook;
  const timing = new Map(outcome.cells.map((c) => [c.index, c.ms]));
  executed.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const ms = timing.get(index);
    const failed = index === outcome.cellIndex && outcome.status !== 'ok';
    cell.metadata.register_support = { status: failed ? 'failed' : ms !== undefined ? 'ok' : 'not-run', ...(ms !== undefined ? { duration_ms: ms } : {}) };
  });
  let failure: RunFailure | null = null;
  if (outcome.status !== 'ok') {
    const index = outcome.cellIndex;
    const cell = index !== null ? executed.cells[index] : undefined;
    let error = outcome.status === 'cell-error' ? cellErrorText(cell, outcome.message) : outcome.message;
    if (/Cannot find module 'register-support'/.test(error) && relative(defaultProjectRoot(), notebookPath).startsWith('..')) {
      error += `\nThe notebook is outside the project (${defaultProjectRoot()}): tslab finds 'register-support' through the project's node_modules. Put it under notebooks/.`;
    }
    const cellNumber = index === null ? null : index === injectedIndex ? null : index + 1 - (injectedIndex >= 0 && index > injectedIndex ? 1 : 0);
    failure = { status: outcome.status, cellIndex: index, cellNumber, cellFirstLine: index === injectedIndex ? 'the injected parameters cell' : firstLine(cell), error };
  }
  const mainParam = params.find((p) => p.name === 'slug') ?? params[0];
  const mainValue = mainParam ? String(values[mainParam.name] ?? mainParam.defaultValue ?? '') : null;
  executed.metadata.register_support = {
    run: {
      notebook: relative(defaultProjectRoot(), notebookPath).startsWith('..') ? notebookPath : relative(defaultProjectRoot(), notebookPath),
      parameters: values,
      defaults: Object.fromEntries(params.filter((p) => !(p.name in values)).map((p) => [p.name, p.defaultSource])),
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
      status: outcome.status,
      failed_cell: failure ? failure.cellNumber : null,
      error: failure ? failure.error : null,
      timeout_seconds: timeoutSeconds,
      operator: config.operator,
      database: config.database.kind === 'sandbox' ? 'embedded sandbox' : describeUrl(config.database.url),
      writes_allowed: config.writesAllowed,
      personal_data_masked: !!options.redact,
      kernel_start_ms: outcome.kernelStartMs,
      cells: outcome.cells.map((c) => ({ index: c.index, duration_ms: c.ms })),
    },
  };
  if (failure) markFailure(executed, failure);

  // Redact and write.
  const warnings: string[] = [];
  redactNotebookSecrets(executed, secretValues(env));
  if (options.redact) {
    const slugs = slugsInOutputs(executed);
    if (typeof values.slug === 'string') slugs.push(values.slug);
    let known = { names: [] as string[], datesOfBirth: [] as string[], emails: [] as string[] };
    try {
      known = await personalValuesOf(config.database.url, slugs);
    } catch (error) {
      warnings.push(`--redact could not read the trainees' names from the database (${redactSecrets((error as Error).message)}); masked e-mails, NI numbers and personal table columns only.`);
    }
    maskPersonalData(executed, known);
  }
  const outDir = resolve(options.outDir ?? join(defaultProjectRoot(), 'runs'));
  const firstChoice = join(outDir, outputFileName(notebookPath, startedAt, mainValue, { redact: options.redact }));
  let outputPath = firstChoice;
  // Two runs of the same runbook and value in the same second keep both records: name-2.ipynb, name-3.ipynb…
  for (let n = 2; existsSync(outputPath); n++) outputPath = firstChoice.replace(/\.ipynb$/, `-${n}.ipynb`);
  writeNotebook(outputPath, executed);
  let htmlPath: string | null = null;
  if (options.html) {
    try {
      htmlPath = await convertToHtml(outputPath, outputPath.replace(/\.ipynb$/, '.html'), env);
    } catch (error) {
      warnings.push(redactSecrets((error as Error).message, secretValues(env)));
    }
  }
  // Counts as the operator sees the runbook: without the injected parameters cell.
  const codeCells = executed.cells.filter((c) => c.cell_type === 'code' && !c.metadata.tags?.includes('injected-parameters')).length;
  const cellsRun = outcome.cells.filter((c) => c.index !== injectedIndex).length;
  return {
    exitCode: outcome.status === 'ok' ? 0 : 1,
    status: outcome.status,
    outputPath,
    htmlPath,
    cellsRun,
    codeCells,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    failure: failure ? { ...failure, error: redactSecrets(failure.error, secretValues(env)) } : null,
    parameters: values,
    warnings,
  };
}
