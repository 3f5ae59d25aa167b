import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kernelCheck, kernelStatus } from '../../../lib/runner/kernel.js';
import { assertBuilt, cleanEnv, ROOT, support } from './cli.js';

// `support kernel install/status` against a Jupyter data folder of its own (JUPYTER_DATA_DIR).
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
  it('status exits 3 with the fix when the kernel is not installed', async () => {
    const env = cleanEnv({ JUPYTER_DATA_DIR: dataDir() });
    const r = await support(['kernel', 'status'], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('not ready: The Jupyter kernel "register-support" is not installed');
    expect(r.stdout).toContain('Fix: npx support kernel install');
  });

  it("install writes a spec that runs this project's tslab with an absolute node, and status then says ok", async () => {
    const dir = dataDir();
    const env = cleanEnv({ JUPYTER_DATA_DIR: dir });
    const install = await support(['kernel', 'install', '--quiet'], env);
    expect(install).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const spec = JSON.parse(readFileSync(join(dir, 'kernels', 'register-support', 'kernel.json'), 'utf8'));
    expect(spec).toEqual({
      argv: [process.execPath, join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
      display_name: 'TypeScript (register-support)',
      language: 'typescript',
      interrupt_mode: 'signal',
      metadata: { register_support: { project: ROOT } },
    });
    const status = await support(['kernel', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`ok: Kernel "register-support" installed at ${join(dir, 'kernels', 'register-support', 'kernel.json')}, running ${join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab')}.\n`);
  });

  it('status notices a spec that points at another checkout', async () => {
    const dir = dataDir();
    const env = cleanEnv({ JUPYTER_DATA_DIR: dir });
    await support(['kernel', 'install', '--quiet'], env);
    const path = join(dir, 'kernels', 'register-support', 'kernel.json');
    const spec = JSON.parse(readFileSync(path, 'utf8'));
    spec.argv[1] = '/elsewhere/node_modules/tslab/bin/tslab';
    writeFileSync(path, JSON.stringify(spec));
    expect(kernelStatus({ env })).toMatchObject({ ok: false, runReady: true, installed: true, pointsHere: false });
    expect(await kernelCheck({ env })).toEqual({
      name: 'kernel',
      ok: true, // support run and npm start use the project's own copy
      detail: `The kernel "register-support" runs /elsewhere/node_modules/tslab/bin/tslab, not this project's tslab (${join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab')}). (support run and npm start are not affected: they use the project's own copy in .jupyter/.)`,
      fix: 'npx support kernel install',
    });
    const r = await support(['kernel', 'status'], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("runs /elsewhere/node_modules/tslab/bin/tslab, not this project's tslab");
    expect(r.stdout).toContain("support run and npm start are not affected: they use the project's own copy in .jupyter/.");
  });

  it('install never fails when Jupyter is missing: it writes the spec and prints a one-line hint', async () => {
    const dir = dataDir();
    const r = await support(['kernel', 'install', '--quiet'], cleanEnv({ JUPYTER_DATA_DIR: dir, SUPPORT_JUPYTER_PYTHON: '/nonexistent/python3' }));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('but Jupyter is not installed: apt-get update && apt-get install -y jupyter-nbconvert');
    expect(existsSync(join(dir, 'kernels', 'register-support', 'kernel.json'))).toBe(true);
  });

  it('install with an unwritable data folder still exits 0 under --quiet (npm install must not fail)', async () => {
    const file = join(dataDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await support(['kernel', 'install', '--quiet'], cleanEnv({ JUPYTER_DATA_DIR: file }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('could not write the kernel spec');
  });

  it('rejects an unknown action', async () => {
    const r = await support(['kernel', 'remove'], cleanEnv({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown action "remove": expected install or status');
  });
});
