import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkoutIdentity } from '../../../lib/config/env.js';
import { installKernel, kernelCheck, kernelStatus, userKernelName } from '../../../lib/runner/kernel.js';
import { assertBuilt, cleanEnv, ROOT, support } from './cli.js';

// `support kernel install/uninstall/status`: the checkout's own kernel, and the user-wide one in a Jupyter data folder of the test's own.
const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rs-kernel-'));
  dirs.push(dir);
  return dir;
}
beforeAll(() => assertBuilt());
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('support kernel', () => {
  it('install (what npm install runs) writes the kernel inside the checkout and nothing in the home folder', async () => {
    const home = dataDir();
    const env = cleanEnv({ HOME: home, JUPYTER_DATA_DIR: undefined, XDG_DATA_HOME: undefined });
    const install = await support(['kernel', 'install', '--quiet'], env);
    expect(install).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(home)).toEqual([]);
    const spec = JSON.parse(readFileSync(join(ROOT, '.jupyter', 'kernels', 'register-support', 'kernel.json'), 'utf8'));
    expect(spec).toEqual({
      argv: [process.execPath, join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
      display_name: 'TypeScript (register-support)',
      language: 'typescript',
      interrupt_mode: 'signal',
      metadata: { register_support: { project: ROOT } },
    });
    const status = await support(['kernel', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`ok: Kernel "register-support" of this checkout runs ${join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab')} (spec ${join(ROOT, '.jupyter', 'kernels', 'register-support', 'kernel.json')}).\n`);
    expect(readdirSync(home)).toEqual([]);
  });

  it('install --user registers a kernel named for this checkout, which another checkout cannot repoint; uninstall --user removes it', async () => {
    const dir = dataDir();
    const env = cleanEnv({ JUPYTER_DATA_DIR: dir });
    const name = userKernelName(ROOT);
    expect(name).toBe(`register-support-${checkoutIdentity(ROOT).id}`);
    const install = await support(['kernel', 'install', '--user', '--quiet'], env);
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(`Registered for your own Jupyter as "${name}": ${join(dir, 'kernels', name, 'kernel.json')}`);
    expect(readdirSync(join(dir, 'kernels'))).toEqual([name]);
    const spec = JSON.parse(readFileSync(join(dir, 'kernels', name, 'kernel.json'), 'utf8'));
    expect(spec.argv[1]).toBe(join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab'));
    expect(spec.display_name).toBe(`TypeScript (register-support, ${ROOT})`);
    // another checkout's user-wide kernel lives beside it under its own name
    expect(userKernelName('/elsewhere/register-support')).not.toBe(name);
    expect((await support(['kernel', 'status'], env)).stdout).toContain(`Also registered for your own Jupyter as "${name}".`);
    const removed = await support(['kernel', 'uninstall', '--user'], env);
    expect(removed).toMatchObject({ code: 0, stdout: `Removed the user-wide kernel "${name}" (${join(dir, 'kernels', name)}).\n` });
    expect(existsSync(join(dir, 'kernels', name))).toBe(false);
  });

  it("status says when the user-wide kernel no longer runs this checkout's tslab", async () => {
    const dir = dataDir();
    const env = cleanEnv({ JUPYTER_DATA_DIR: dir });
    installKernel({ projectRoot: ROOT, env, user: true, checkJupyter: false });
    const path = join(dir, 'kernels', userKernelName(ROOT), 'kernel.json');
    const spec = JSON.parse(readFileSync(path, 'utf8'));
    spec.argv[1] = '/elsewhere/node_modules/tslab/bin/tslab';
    writeFileSync(path, JSON.stringify(spec));
    expect(kernelStatus({ env })).toMatchObject({ ok: true, user: { installed: true, pointsHere: false } });
    expect(await kernelCheck({ env })).toMatchObject({ name: 'kernel', ok: true });
    const r = await support(['kernel', 'status'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`The user-wide kernel "${userKernelName(ROOT)}" (${path}) no longer runs this checkout's tslab: support kernel install --user rewrites it.`);
  });

  it('install never fails when Jupyter is missing: it writes the spec and prints a one-line hint', async () => {
    const r = await support(['kernel', 'install', '--quiet'], cleanEnv({ JUPYTER_DATA_DIR: dataDir(), SUPPORT_JUPYTER_PYTHON: '/nonexistent/python3' }));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('but Jupyter is not installed: apt-get update && apt-get install -y jupyter-nbconvert');
    expect(existsSync(join(ROOT, '.jupyter', 'kernels', 'register-support', 'kernel.json'))).toBe(true);
  });

  it('install --user with an unwritable data folder still exits 0 under --quiet', async () => {
    const file = join(dataDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await support(['kernel', 'install', '--user', '--quiet'], cleanEnv({ JUPYTER_DATA_DIR: file }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('could not write the kernel spec');
  });

  it('rejects an unknown action, and uninstall without --user', async () => {
    const r = await support(['kernel', 'remove'], cleanEnv({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown action "remove": expected install, uninstall or status');
    const u = await support(['kernel', 'uninstall'], cleanEnv({}));
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('support kernel uninstall --user');
  });
});
