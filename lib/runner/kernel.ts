import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultProjectRoot } from '../config/env.js';
import { detectJupyter, jupyterDataDir } from './jupyter.js';

/** The project's own Jupyter kernel: the name notebooks give in `metadata.kernelspec.name`. */
export const KERNEL_NAME = 'register-support';
export const KERNEL_DISPLAY_NAME = 'TypeScript (register-support)';

/** A Jupyter kernel spec (`kernel.json`). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  metadata?: Record<string, unknown>;
}

/**
 * The kernel spec that runs this project's own tslab (`node_modules/tslab`) with the node running now: absolute
 * paths, so it works whatever is on PATH. Jupyter chooses the working directory (the notebook's folder).
 */
export function kernelSpec(projectRoot = defaultProjectRoot(), node = process.execPath): KernelSpec {
  return {
    argv: [node, join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { register_support: { project: projectRoot } },
  };
}

/** Where the per-user kernel spec goes (`<jupyter data dir>/kernels/register-support/`): what Jupyter, JupyterLab and VS Code started by hand find. */
export function kernelSpecDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(jupyterDataDir(env), 'kernels', KERNEL_NAME);
}

/**
 * Notebooks import the library by package name (`from 'register-support'`); tslab resolves it through
 * `node_modules/register-support`. This makes that link (to the project itself) when it is missing.
 * Returns what it did.
 */
export function ensurePackageLink(projectRoot = defaultProjectRoot()): 'present' | 'created' {
  const link = join(projectRoot, 'node_modules', 'register-support');
  let stat: ReturnType<typeof lstatSync> | null = null;
  try {
    stat = lstatSync(link);
  } catch {
    stat = null;
  }
  if (stat) return 'present';
  mkdirSync(join(projectRoot, 'node_modules'), { recursive: true });
  try {
    symlinkSync('..', link, 'dir');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'present'; // made by a parallel run
    throw error;
  }
  return 'created';
}

/**
 * The project's own Jupyter path (`<project>/.jupyter`, git-ignored). `support run` and `support start` write the
 * kernel spec there on every start and put the folder first on `JUPYTER_PATH`, so a run always uses this
 * checkout's tslab even when the per-user spec was last installed by another checkout (a CI clone, say).
 */
export function projectJupyterPath(projectRoot = defaultProjectRoot()): string {
  return join(projectRoot, '.jupyter');
}

/**
 * Makes the project's kernel usable by a child Jupyter process: checks that tslab, the library build and the
 * package link are there (throws an Error saying what to run when not), writes the spec under
 * `<project>/.jupyter/kernels/`, and returns `env` with that folder first on `JUPYTER_PATH`.
 *
 * @example
 * const env = projectKernelEnv(process.env); // then spawn jupyter / nbclient with env
 */
export function projectKernelEnv(env: NodeJS.ProcessEnv = process.env, projectRoot = defaultProjectRoot()): NodeJS.ProcessEnv {
  const tslab = join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab');
  if (!existsSync(tslab)) throw new Error(`tslab is not installed in this project (${tslab} is missing). Fix: npm install`);
  if (!existsSync(join(projectRoot, 'dist', 'index.js'))) throw new Error('The library is not built (dist/ is missing), so notebooks cannot import it. Fix: npm run build');
  ensurePackageLink(projectRoot);
  const dir = join(projectJupyterPath(projectRoot), 'kernels', KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'kernel.json');
  const text = `${JSON.stringify(kernelSpec(projectRoot), null, 2)}\n`;
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = '';
  }
  if (current !== text) {
    // Atomically: parallel runs may read it while another writes it.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  const jupyterPath = [projectJupyterPath(projectRoot), ...(env.JUPYTER_PATH ? env.JUPYTER_PATH.split(':').filter(Boolean) : [])].join(':');
  return { ...env, JUPYTER_PATH: jupyterPath };
}

export interface KernelInstallResult {
  path: string;
  spec: KernelSpec;
  /** False when Jupyter's Python side is missing: the spec is written anyway, for when it is installed. */
  jupyterFound: boolean;
  packageLink: 'present' | 'created';
}

/**
 * Writes the `register-support` kernel spec where this user's Jupyter finds it, and makes sure notebooks can
 * import the library by name. Safe to run again (it rewrites the spec).
 *
 * @example
 * installKernel() // { path: '~/.local/share/jupyter/kernels/register-support/kernel.json', … }
 */
export function installKernel(options: { projectRoot?: string; env?: NodeJS.ProcessEnv; checkJupyter?: boolean } = {}): KernelInstallResult {
  const projectRoot = options.projectRoot ?? defaultProjectRoot();
  const env = options.env ?? process.env;
  const dir = kernelSpecDir(env);
  mkdirSync(dir, { recursive: true });
  const spec = kernelSpec(projectRoot);
  const path = join(dir, 'kernel.json');
  writeFileSync(path, `${JSON.stringify(spec, null, 2)}\n`);
  const packageLink = ensurePackageLink(projectRoot);
  try {
    projectKernelEnv(env, projectRoot); // the project's own copy, used by support run and npm start
  } catch {
    /* not built yet: support run writes it when it runs */
  }
  const jupyterFound = options.checkJupyter === false ? true : detectJupyter(env).executor;
  return { path, spec, jupyterFound, packageLink };
}

/** What `support kernel status` and `support doctor` report. */
export interface KernelStatus {
  /** True when everything below is fine: notebooks will run on this project's tslab however Jupyter is started. */
  ok: boolean;
  /**
   * True when `support run` and `npm start` can run notebooks (tslab installed, library built, package linked):
   * they use the project's own copy of the spec, whatever the per-user spec says. What `support doctor` should
   * require; `ok` additionally needs the per-user spec (for Jupyter, JupyterLab or VS Code started by hand).
   */
  runReady: boolean;
  installed: boolean;
  path: string;
  /** The spec's argv points at this project's node_modules/tslab and that file exists. */
  pointsHere: boolean;
  /** The node the spec runs exists. */
  nodeExists: boolean;
  /** `node_modules/register-support` exists, so cells can import the library. */
  packageLink: boolean;
  /** The library is built (dist/index.js). */
  built: boolean;
  /** One line: what is wrong and the command that fixes it, or that all is well. */
  message: string;
}

/**
 * Whether the project's kernel spec is installed and points at this project.
 *
 * @example
 * const s = kernelStatus(); if (!s.ok) console.log(s.message);
 */
export function kernelStatus(options: { projectRoot?: string; env?: NodeJS.ProcessEnv } = {}): KernelStatus {
  const projectRoot = resolve(options.projectRoot ?? defaultProjectRoot());
  const path = join(kernelSpecDir(options.env), 'kernel.json');
  const tslab = join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab');
  let spec: KernelSpec | null = null;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as KernelSpec;
  } catch {
    spec = null;
  }
  const installed = spec !== null;
  const pointsHere = !!spec && spec.argv?.[1] === tslab && existsSync(tslab);
  const nodeExists = !!spec && !!spec.argv?.[0] && existsSync(spec.argv[0]);
  let packageLink = false;
  try {
    const link = join(projectRoot, 'node_modules', 'register-support');
    packageLink = existsSync(join(link, 'package.json')) && (lstatSync(link).isSymbolicLink() ? resolve(join(projectRoot, 'node_modules'), readlinkSync(link)) === projectRoot : true);
  } catch {
    packageLink = false;
  }
  const built = existsSync(join(projectRoot, 'dist', 'index.js'));
  const runReady = existsSync(tslab) && packageLink && built;
  let message: string;
  if (!existsSync(tslab)) message = `tslab is not installed in this project (${tslab} is missing). Fix: npm install`;
  else if (!installed) message = `The Jupyter kernel "${KERNEL_NAME}" is not installed (${path}). Fix: npx support kernel install`;
  else if (!pointsHere) message = `The kernel "${KERNEL_NAME}" runs ${spec!.argv?.[1] ?? '?'}, not this project's tslab (${tslab}). Fix: npx support kernel install`;
  else if (!nodeExists) message = `The kernel "${KERNEL_NAME}" runs a node that no longer exists (${spec!.argv[0]}). Fix: npx support kernel install`;
  else if (!packageLink) message = `Notebooks cannot import 'register-support': node_modules/register-support is missing. Fix: npx support kernel install`;
  else if (!built) message = 'The library is not built (dist/ is missing). Fix: npm run build';
  else message = `Kernel "${KERNEL_NAME}" installed at ${path}, running ${tslab}.`;
  if (runReady && !(installed && pointsHere && nodeExists)) message += ' (support run and npm start are not affected: they use the project\'s own copy in .jupyter/.)';
  return { ok: runReady && installed && pointsHere && nodeExists, runReady, installed, path, pointsHere, nodeExists, packageLink, built, message };
}


/**
 * `support doctor`'s kernel check, shaped like its other checks: passes when `support run` and `npm start` can run
 * notebooks on this project's tslab; the detail also says when the per-user spec (Jupyter started by hand) points
 * elsewhere.
 *
 * @example
 * const CHECKS = [checkDatabase, checkRedis, checkDqt, checkJupyter, kernelCheck];
 */
export async function kernelCheck(options: { projectRoot?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ name: string; ok: boolean; detail: string; fix?: string }> {
  const status = kernelStatus(options);
  const fix = /Fix: (.*)$/.exec(status.message.replace(/ \(support run and npm start are not affected.*$/, ''))?.[1];
  const detail = status.message.replace(/\s*Fix: [^(]*/, ' ').replace(/\s+/g, ' ').trim();
  return { name: 'kernel', ok: status.runReady, detail, ...(fix && !status.ok ? { fix } : {}) };
}
