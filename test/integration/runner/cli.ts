import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project folder. */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'notebooks');

/** Configuration variables removed from the environment of every child, so a developer's shell cannot leak in. */
const CONFIG_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'DQT_API_URL', 'DQT_API_KEY', 'SUPPORT_OPERATOR', 'SUPPORT_ALLOW_WRITES', 'SUPPORT_SANDBOX_PORT', 'SUPPORT_DQT_SANDBOX_PORT', 'SUPPORT_SANDBOX_DIR'];

export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  else env[k] = v;
  return env;
}

/** Fails early, with the fix, when the CLI is not built. */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'commands', 'run.js'))) throw new Error('The CLI is not built (dist/cli/commands/run.js is missing): run `npm run build` before these tests.');
}

/** Runs the real `support` command (bin/support.js, built) and collects its output and exit code. */
export function support(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'support.js'), ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}
