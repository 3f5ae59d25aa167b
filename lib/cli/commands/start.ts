import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { defaultProjectRoot, describeUrl, loadConfig } from '../../config/env.js';
import { ensureSandbox } from '../../sandbox/ensure.js';
import { processAlive, runningSandbox, stopSandbox } from '../../sandbox/process.js';
import { detectJupyter, JUPYTER_INSTALL_HINT, jupyterPython } from '../../runner/jupyter.js';
import { projectJupyterPath, projectKernelEnv } from '../../runner/kernel.js';

const help = `
Usage: support start [--port N]          (npm start)

Opens the runbooks: makes sure this checkout's embedded sandbox is running (unless DATABASE_URL is set), writes
this checkout's Jupyter kernel, then serves notebooks/ with Jupyter Notebook on 127.0.0.1 only (never on the
network), with a fresh random token and no browser, and prints the URL to open.

Saving in Jupyter (autosave included) never changes a runbook git tracks: what you typed (parameters) and what it
showed go to runs/saved/<path> (git-ignored), so no trainee's data reaches a tracked file. Notebooks git does not
track are saved without outputs. Jupyter's own files (runtime, data, configuration, checkpoints) stay in .jupyter/.

Ctrl-C stops Jupyter, its kernels, and the sandbox if this command (or a notebook) started it.

  --port N          First port to try (default 8888; the next free one is used).
  --edit-runbooks   For changing the runbooks themselves: saving writes your edits to code and text into the
                    runbook (still without outputs, counts or session metadata).

The kernel gets the same configuration variables as this command (DATABASE_URL, REDIS_URL, DQT_API_URL, ...).
`;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Waits for Jupyter's API to answer (a real event: the server is up), up to `timeoutMs`. */
async function waitForServer(url: string, token: string, timeoutMs: number, exited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    try {
      const res = await fetch(`${url}api/status`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The processes whose parent is `pid` (Linux /proc; empty elsewhere): the kernels Jupyter started. */
function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return children;
}

/** Sends `signal` to each live pid, then waits up to `timeoutMs` for all of them to be gone. Returns those still alive. */
async function signalAndWait(pids: number[], signal: NodeJS.Signals, timeoutMs: number): Promise<number[]> {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(processAlive);
  while (alive.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter(processAlive);
  }
  return alive;
}

export const command: Command = {
  name: 'start',
  summary: 'Start the sandbox and Jupyter on the runbooks (127.0.0.1, with a token) and print the URL; Ctrl-C stops it all',
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { port: { type: 'string' }, 'edit-runbooks': { type: 'boolean' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const firstPort = parsed.values.port === undefined ? 8888 : Number(parsed.values.port);
    if (!Number.isInteger(firstPort) || firstPort < 1 || firstPort > 65535) throw new UsageError(`--port expects a port number (1-65535); got ${JSON.stringify(parsed.values.port)}.`);

    // A closed terminal or pipe must not stop the clean-up half way (a write would throw EPIPE): ignore such errors.
    process.stdout.on('error', () => {});
    const config = loadConfig();
    const jupyter = detectJupyter();
    if (!jupyter.notebook) throw new EnvironmentError(`Jupyter Notebook is not installed for ${jupyter.python}. Install it: ${JUPYTER_INSTALL_HINT}`);
    let kernelEnv: NodeJS.ProcessEnv;
    try {
      kernelEnv = projectKernelEnv(process.env); // this checkout's kernel, first on JUPYTER_PATH
    } catch (error) {
      throw new EnvironmentError((error as Error).message);
    }
    const root = defaultProjectRoot();
    const sandboxWasRunning = config.database.kind !== 'sandbox' || runningSandbox(config) !== null;
    if (config.database.kind === 'sandbox') {
      process.stdout.write('Checking the embedded sandbox...\n');
      const started = await ensureSandbox(config);
      process.stdout.write(
        started.started
          ? `Started the embedded sandbox in the background (process ${started.pid}, log ${started.logFile}); Ctrl-C here stops it too.\n`
          : `The embedded sandbox is running (process ${started.pid}); it keeps running after this (support sandbox stop stops it).\n`,
      );
    }
    let port = firstPort;
    while (!(await portFree(port))) {
      port++;
      if (port > firstPort + 50) throw new EnvironmentError(`No free port from ${firstPort} to ${firstPort + 50} on 127.0.0.1 (use --port).`);
    }
    const token = randomBytes(24).toString('hex');
    // Jupyter's own files stay in the checkout: runtime (connection files, cookie secret), data, configuration, and
    // the ~/.ipython folder the notebook server makes when it loads IPython.
    const jupyterDir = projectJupyterPath(root);
    const dirs = { JUPYTER_RUNTIME_DIR: join(jupyterDir, 'runtime'), JUPYTER_DATA_DIR: join(jupyterDir, 'data'), JUPYTER_CONFIG_DIR: join(jupyterDir, 'config'), IPYTHONDIR: join(jupyterDir, 'ipython') };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    const args = [
      '-m',
      'notebook',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--notebook-dir=${join(root, 'notebooks')}`,
      '--NotebookApp.allow_remote_access=False',
      // Saves without outputs, the copy with outputs in runs/saved/, checkpoints in .jupyter/ (lib/runner/notebook_config.py).
      `--config=${join(root, 'lib', 'runner', 'notebook_config.py')}`,
    ];
    if (process.getuid?.() === 0) args.push('--allow-root');
    // The token goes in the environment, not on the command line (where `ps` would show it). Jupyter runs in a
    // process group of its own, so a Ctrl-C in the terminal reaches only this command, which stops everything in order.
    const child = spawn(jupyterPython(), args, {
      cwd: root,
      env: { ...kernelEnv, ...dirs, JUPYTER_TOKEN: token, PYDEVD_DISABLE_FILE_VALIDATION: '1', PYTHONDONTWRITEBYTECODE: '1', SUPPORT_EDIT_RUNBOOKS: parsed.values['edit-runbooks'] ? '1' : '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.length > 20_000) log = log.slice(-10_000);
    });
    let jupyterExited = false;
    const exited = new Promise<number>((resolve) =>
      child.on('exit', (code) => {
        jupyterExited = true;
        resolve(code ?? 0);
      }),
    );
    let kernels = new Set<number>();
    let stopping: Promise<void> | null = null;
    /** Stops Jupyter (which shuts its kernels down), any kernel left, then the sandbox if this session started it. */
    const stopAll = (why: string) => {
      stopping ??= (async () => {
        if (why) process.stdout.write(`\n${why}: stopping Jupyter and its kernels...\n`);
        for (const pid of childrenOf(child.pid!)) kernels.add(pid);
        if (!jupyterExited) {
          child.kill('SIGTERM');
          const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
          if ((await Promise.race([exited, timeout])) === 'timeout') {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* gone */
            }
            await exited;
          }
        }
        let left = await signalAndWait([...kernels], 'SIGTERM', 10_000);
        if (left.length) left = await signalAndWait(left, 'SIGKILL', 5_000);
        if (!sandboxWasRunning) {
          const pid = await stopSandbox(config);
          if (pid) process.stdout.write(`Stopped the embedded sandbox (process ${pid}).\n`);
        }
        process.stdout.write('Stopped.\n');
      })();
      return stopping;
    };
    const onSignal = () => void stopAll('Interrupted');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    // Kernels are Jupyter's children: note them while it runs, so they can be stopped even if Jupyter dies first.
    const watch = setInterval(() => {
      if (!jupyterExited) for (const pid of childrenOf(child.pid!)) kernels.add(pid);
      kernels = new Set([...kernels].filter(processAlive));
    }, 2_000);
    watch.unref();
    try {
      const url = `http://127.0.0.1:${port}/`;
      const up = await waitForServer(url, token, 120_000, () => jupyterExited || stopping !== null);
      if (!up) {
        if (stopping) {
          await stopping;
          return EXIT.ok;
        }
        const output = log.replace(new RegExp(token, 'g'), '[token]').trim().split('\n').slice(-8).join('\n');
        await stopAll('');
        throw new EnvironmentError(`Jupyter did not start:\n${output}`);
      }
      process.stdout.write(
        [
          '',
          `Runbooks: ${url}tree?token=${token}`,
          `  database: ${config.database.kind === 'sandbox' ? `embedded sandbox (${describeUrl(config.database.url)})` : describeUrl(config.database.url)}`,
          `  writes:   ${config.writesAllowed ? 'allowed' : 'off (read only)'}${config.operator ? `, operator ${config.operator}` : ''}`,
          parsed.values['edit-runbooks']
            ? '  Editing runbooks: saving writes your edits to code and text into them (never outputs).'
            : '  Saving never changes a runbook: what you type and see goes to runs/saved/ (git-ignored).',
          `  Jupyter listens on 127.0.0.1 only. Ctrl-C stops Jupyter, its kernels${sandboxWasRunning ? '' : ' and the sandbox'}.`,
          '',
        ].join('\n'),
      );
      const code = await exited;
      await stopAll(stopping ? '' : `Jupyter exited (code ${code})`);
      return code === 0 || stopping ? EXIT.ok : EXIT.failed;
    } finally {
      clearInterval(watch);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    }
  },
};
