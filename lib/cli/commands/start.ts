import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { defaultProjectRoot, describeUrl, loadConfig } from '../../config/env.js';
import { ensureSandbox } from '../../sandbox/ensure.js';
import { detectJupyter, JUPYTER_INSTALL_HINT, jupyterPython } from '../../runner/jupyter.js';
import { projectKernelEnv } from '../../runner/kernel.js';

const help = `
Usage: support start [--port N]          (npm start)

Opens the runbooks: makes sure the embedded sandbox is running (unless DATABASE_URL is set), makes sure the
project's Jupyter kernel is installed, then serves notebooks/ with Jupyter Notebook on 127.0.0.1 only (never on
the network), with a fresh random token and no browser, and prints the URL to open. Ctrl-C stops Jupyter
(the sandbox keeps running in the background).

  --port N   First port to try (default 8888; the next free one is used).

The kernel gets the same configuration variables as this command (DATABASE_URL, REDIS_URL, DQT_API_URL, ...).
`;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitForServer(url: string, token: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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

export const command: Command = {
  name: 'start',
  summary: 'Start the sandbox and Jupyter on the runbooks (127.0.0.1, with a token) and print the URL',
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { port: { type: 'string' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const firstPort = parsed.values.port === undefined ? 8888 : Number(parsed.values.port);
    if (!Number.isInteger(firstPort) || firstPort < 1 || firstPort > 65535) throw new UsageError(`--port expects a port number (1-65535); got ${JSON.stringify(parsed.values.port)}.`);

    const config = loadConfig();
    const jupyter = detectJupyter();
    if (!jupyter.notebook) throw new EnvironmentError(`Jupyter Notebook is not installed for ${jupyter.python}. Install it: ${JUPYTER_INSTALL_HINT}`);
    let kernelEnv: NodeJS.ProcessEnv;
    try {
      kernelEnv = projectKernelEnv(process.env); // this checkout's kernel, first on JUPYTER_PATH
    } catch (error) {
      throw new EnvironmentError((error as Error).message);
    }
    if (config.database.kind === 'sandbox') {
      process.stdout.write('Checking the embedded sandbox...\n');
      const started = await ensureSandbox(config);
      process.stdout.write(started.started ? `Started the embedded sandbox in the background (log: ${started.logFile}).\n` : 'The embedded sandbox is running.\n');
    }
    let port = firstPort;
    while (!(await portFree(port))) {
      port++;
      if (port > firstPort + 50) throw new EnvironmentError(`No free port from ${firstPort} to ${firstPort + 50} on 127.0.0.1 (use --port).`);
    }
    const token = randomBytes(24).toString('hex');
    const root = join(defaultProjectRoot(), 'notebooks');
    const args = ['-m', 'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--notebook-dir=${root}`, '--NotebookApp.allow_remote_access=False'];
    if (process.getuid?.() === 0) args.push('--allow-root');
    // The token goes in the environment, not on the command line (where `ps` would show it).
    const child = spawn(jupyterPython(), args, { env: { ...kernelEnv, JUPYTER_TOKEN: token, PYDEVD_DISABLE_FILE_VALIDATION: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.length > 20_000) log = log.slice(-10_000);
    });
    const stop = () => child.kill('SIGTERM');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const url = `http://127.0.0.1:${port}/`;
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
    const up = await Promise.race([waitForServer(url, token, 30_000), exited.then(() => false)]);
    if (!up) {
      child.kill('SIGTERM');
      throw new EnvironmentError(`Jupyter did not start:\n${log.replace(new RegExp(token, 'g'), '[token]').trim().split('\n').slice(-8).join('\n')}`);
    }
    process.stdout.write(
      [
        '',
        `Runbooks: ${url}tree?token=${token}`,
        `  database: ${config.database.kind === 'sandbox' ? `embedded sandbox (${describeUrl(config.database.url)})` : describeUrl(config.database.url)}`,
        `  writes:   ${config.writesAllowed ? 'allowed' : 'off (read only)'}${config.operator ? `, operator ${config.operator}` : ''}`,
        '  Jupyter listens on 127.0.0.1 only. Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    const code = await exited;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return code === 0 || code === null ? EXIT.ok : EXIT.failed;
  },
};
