/**
 * Headless runs of runbook notebooks (`support run`) and the project's Jupyter kernel.
 *
 * @example
 * const result = await runNotebook({ notebook: 'notebooks/ops/trainee-timeline.ipynb', parameters: ['slug=AbC…'] });
 * kernelStatus().message
 */
export { readNotebook, writeNotebook, parseNotebook, cellSource, NotebookFormatError } from './notebook-file.js';
export type { Notebook, NotebookCell, NotebookOutput } from './notebook-file.js';
export { notebookParameters, parseParameters, findParametersCell, formatParameterList, PARAMETERS_TAG, INJECTED_TAG } from './parameters.js';
export type { NotebookParameter, ParameterType } from './parameters.js';
export { resolveParameters, ParameterError } from './values.js';
export type { ParameterValue } from './values.js';
export { injectedSource } from './translate.js';
export { parameterize } from './parameterize.js';
export { markFailure, cellErrorText, FAILED_CELL_ANCHOR } from './failure.js';
export type { RunFailure, RunStatus } from './failure.js';
export { redactNotebookSecrets, maskPersonalData, personalDataMasker } from './redact-notebook.js';
export type { PersonalValues } from './redact-notebook.js';
export { outputFileName } from './output-name.js';
export { detectJupyter, jupyterDataDir, jupyterPython, convertToHtml, JUPYTER_INSTALL_HINT } from './jupyter.js';
export type { JupyterInstall } from './jupyter.js';
export { installKernel, uninstallUserKernel, kernelStatus, kernelCheck, kernelSpec, userKernelName, userKernelSpecDir, projectKernelEnv, projectJupyterPath, projectKernelSpecPath, KERNEL_NAME, KERNEL_DISPLAY_NAME } from './kernel.js';
export type { KernelSpec, KernelStatus, KernelInstallResult } from './kernel.js';
export { executeNotebook } from './execute.js';
export { runNotebook, prepareRun, DEFAULT_TIMEOUT_SECONDS } from './run.js';
export { resolveNotebook, listRunbooks } from './resolve-notebook.js';
export type { RunOptions, RunResult } from './run.js';
