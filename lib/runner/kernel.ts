import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkoutIdentity, defaultProjectRoot } from '../config/env.js';
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
export function kernelSpec(projectRoot = defaultProjectRoot(), node = process.execPath, displayName = KERNEL_DISPLAY_NAME): KernelSpec {
  return {
    argv: [node, join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
    display_name: displayName,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { register_support: { project: projectRoot } },
  };
}

/**
 * The name of this checkout's kernel for the user's own Jupyter (JupyterLab, VS Code, Jupyter started by hand):
 * `register-support-<checkout id>`, so two checkouts never repoint each other's kernel.
 */
export function userKernelName(projectRoot = defaultProjectRoot()): string {
  return `${KERNEL_NAME}-${checkoutIdentity(projectRoot).id}`;
}

/** Where `support kernel install --user` writes this checkout's user-wide spec: `<jupyter data dir>/kernels/<userKernelName>/`. */
export function userKernelSpecDir(env: NodeJS.ProcessEnv = process.env, projectRoot = defaultProjectRoot()): string {
  return join(jupyterDataDir(env), 'kernels', userKernelName(projectRoot));
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
 * The project's own Jupyter folder (`<project>/.jupyter`, git-ignored): this checkout's kernel spec
 * (`kernels/register-support/`), Jupyter's runtime files (connection files) and, for `npm start`, its data and
 * configuration. Put first on `JUPYTER_PATH`, so a run always uses this checkout's tslab whatever else is installed.
 */
export function projectJupyterPath(projectRoot = defaultProjectRoot()): string {
  return join(projectRoot, '.jupyter');
}

/** The path of this checkout's own kernel spec (`<project>/.jupyter/kernels/register-support/kernel.json`). */
export function projectKernelSpecPath(projectRoot = defaultProjectRoot()): string {
  return join(projectJupyterPath(projectRoot), 'kernels', KERNEL_NAME, 'kernel.json');
}

/** Writes `spec` to `path` when it differs, atomically (parallel runs may read it while another writes it). */
function writeSpec(path: string, spec: KernelSpec): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const text = `${JSON.stringify(spec, null, 2)}\n`;
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = '';
  }
  if (current === text) return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Makes the project's kernel usable by a child Jupyter process: checks that tslab, the library build and the
 * package link are there (throws an Error saying what to run when not), writes the spec under
 * `<project>/.jupyter/kernels/`, and returns `env` with that folder first on `JUPYTER_PATH` and Jupyter's runtime
 * files (kernel connection files) in `<project>/.jupyter/runtime` unless `JUPYTER_RUNTIME_DIR` says otherwise.
 *
 * @example
 * const env = projectKernelEnv(process.env); // then spawn jupyter / nbclient with env
 */
export function projectKernelEnv(env: NodeJS.ProcessEnv = process.env, projectRoot = defaultProjectRoot()): NodeJS.ProcessEnv {
  const tslab = join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab');
  if (!existsSync(tslab)) throw new Error(`tslab is not installed in this project (${tslab} is missing). Fix: npm install`);
  if (!existsSync(join(projectRoot, 'dist', 'index.js'))) throw new Error('The library is not built (dist/ is missing), so notebooks cannot import it. Fix: npm run build');
  ensurePackageLink(projectRoot);
  writeSpec(projectKernelSpecPath(projectRoot), kernelSpec(projectRoot));
  const jupyterPath = [projectJupyterPath(projectRoot), ...(env.JUPYTER_PATH ? env.JUPYTER_PATH.split(':').filter(Boolean) : [])].join(':');
  return { ...env, JUPYTER_PATH: jupyterPath, JUPYTER_RUNTIME_DIR: env.JUPYTER_RUNTIME_DIR || join(projectJupyterPath(projectRoot), 'runtime') };
}

export interface KernelInstallResult {
  /** This checkout's spec (`<project>/.jupyter/kernels/register-support/kernel.json`). */
  path: string;
  spec: KernelSpec;
  /** With `user`: the user-wide spec written (`<jupyter data dir>/kernels/register-support-<checkout id>/kernel.json`). */
  userPath: string | null;
  /** False when Jupyter's Python side is missing: the spec is written anyway, for when it is installed. */
  jupyterFound: boolean;
  packageLink: 'present' | 'created';
}

/**
 * Writes this checkout's kernel spec inside the checkout (`.jupyter/kernels/register-support/`, what `npm start` and
 * `support run` use) and makes sure notebooks can import the library by name. Nothing outside the checkout unless
 * `user` is set: then the kernel is also registered for this user's own Jupyter (JupyterLab, VS Code) under a name
 * of this checkout's own, `register-support-<checkout id>`. Safe to run again.
 *
 * @example
 * installKernel()               // { path: '<project>/.jupyter/kernels/register-support/kernel.json', userPath: null, … }
 * installKernel({ user: true }) // userPath: '~/.local/share/jupyter/kernels/register-support-everyday-3fa2c1/kernel.json'
 */
export function installKernel(options: { projectRoot?: string; env?: NodeJS.ProcessEnv; checkJupyter?: boolean; user?: boolean } = {}): KernelInstallResult {
  const projectRoot = options.projectRoot ?? defaultProjectRoot();
  const env = options.env ?? process.env;
  const spec = kernelSpec(projectRoot);
  const path = projectKernelSpecPath(projectRoot);
  writeSpec(path, spec);
  const packageLink = ensurePackageLink(projectRoot);
  let userPath: string | null = null;
  if (options.user) {
    userPath = join(userKernelSpecDir(env, projectRoot), 'kernel.json');
    writeSpec(userPath, kernelSpec(projectRoot, process.execPath, `${KERNEL_DISPLAY_NAME.replace(/\)$/, '')}, ${projectRoot})`));
  }
  const jupyterFound = options.checkJupyter === false ? true : detectJupyter(env).executor;
  return { path, spec, userPath, jupyterFound, packageLink };
}

/**
 * Removes this checkout's user-wide kernel (what `installKernel({ user: true })` wrote). Returns the folder removed,
 * or null when there was none.
 */
export function uninstallUserKernel(options: { projectRoot?: string; env?: NodeJS.ProcessEnv } = {}): string | null {
  const dir = userKernelSpecDir(options.env ?? process.env, options.projectRoot ?? defaultProjectRoot());
  if (!existsSync(dir)) return null;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** What `support kernel status` and `support doctor` report. */
export interface KernelStatus {
  /** True when `support run` and `npm start` can run notebooks: tslab installed, library built, package linked. */
  ok: boolean;
  /** This checkout's spec, in the checkout (rewritten by every `support run` and `npm start`). */
  path: string;
  /** That spec exists and runs this checkout's tslab. */
  installed: boolean;
  /** `node_modules/register-support` exists, so cells can import the library. */
  packageLink: boolean;
  /** The library is built (dist/index.js). */
  built: boolean;
  /** The user-wide kernel of this checkout (only `support kernel install --user` writes one). */
  user: { name: string; path: string; installed: boolean; pointsHere: boolean };
  /** One line: what is wrong and the command that fixes it, or that all is well. */
  message: string;
}

/**
 * Whether this checkout's kernel can run notebooks, and whether it is also registered for the user's own Jupyter.
 *
 * @example
 * const s = kernelStatus(); if (!s.ok) console.log(s.message);
 */
export function kernelStatus(options: { projectRoot?: string; env?: NodeJS.ProcessEnv } = {}): KernelStatus {
  const projectRoot = resolve(options.projectRoot ?? defaultProjectRoot());
  const env = options.env ?? process.env;
  const tslab = join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab');
  const readSpec = (path: string): KernelSpec | null => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as KernelSpec;
    } catch {
      return null;
    }
  };
  const runsHere = (spec: KernelSpec | null) => !!spec && spec.argv?.[1] === tslab && existsSync(tslab) && !!spec.argv[0] && existsSync(spec.argv[0]);
  const path = projectKernelSpecPath(projectRoot);
  const installed = runsHere(readSpec(path));
  const userPath = join(userKernelSpecDir(env, projectRoot), 'kernel.json');
  const userSpec = readSpec(userPath);
  const user = { name: userKernelName(projectRoot), path: userPath, installed: userSpec !== null, pointsHere: runsHere(userSpec) };
  let packageLink = false;
  try {
    const link = join(projectRoot, 'node_modules', 'register-support');
    packageLink = existsSync(join(link, 'package.json')) && (lstatSync(link).isSymbolicLink() ? resolve(join(projectRoot, 'node_modules'), readlinkSync(link)) === projectRoot : true);
  } catch {
    packageLink = false;
  }
  const built = existsSync(join(projectRoot, 'dist', 'index.js'));
  const ok = existsSync(tslab) && packageLink && built;
  let message: string;
  if (!existsSync(tslab)) message = `tslab is not installed in this project (${tslab} is missing). Fix: npm install`;
  else if (!packageLink) message = `Notebooks cannot import 'register-support': node_modules/register-support is missing. Fix: npx support kernel install`;
  else if (!built) message = 'The library is not built (dist/ is missing). Fix: npm run build';
  else {
    message = `Kernel "${KERNEL_NAME}" of this checkout runs ${tslab}${installed ? ` (spec ${path})` : ' (its spec in .jupyter/ is written by npm start and support run)'}.`;
    if (user.pointsHere) message += ` Also registered for your own Jupyter as "${user.name}".`;
    else if (user.installed) message += ` The user-wide kernel "${user.name}" (${userPath}) no longer runs this checkout's tslab: support kernel install --user rewrites it.`;
  }
  return { ok, path, installed, packageLink, built, user, message };
}

/**
 * `support doctor`'s kernel check, shaped like its other checks: passes when `support run` and `npm start` can run
 * notebooks on this checkout's tslab.
 *
 * @example
 * const CHECKS = [checkDatabase, checkRedis, checkDqt, checkJupyter, kernelCheck];
 */
export async function kernelCheck(options: { projectRoot?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ name: string; ok: boolean; detail: string; fix?: string }> {
  const status = kernelStatus(options);
  const fix = /Fix: (.*)$/.exec(status.message)?.[1];
  const detail = status.message.replace(/\s*Fix: .*$/, '').trim();
  return { name: 'kernel', ok: status.ok, detail, ...(fix && !status.ok ? { fix } : {}) };
}
