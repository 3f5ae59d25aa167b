import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelSpec, projectKernelEnv } from '../../../lib/runner/kernel.js';
import { jupyterDataDir } from '../../../lib/runner/jupyter.js';

const roots: string[] = [];
/** A throwaway project folder with what a kernel needs, minus `missing`. */
function project(missing: 'tslab' | 'dist' | null = null): string {
  const root = mkdtempSync(join(tmpdir(), 'rs-project-'));
  roots.push(root);
  if (missing !== 'tslab') {
    mkdirSync(join(root, 'node_modules', 'tslab', 'bin'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'tslab', 'bin', 'tslab'), '');
  }
  if (missing !== 'dist') {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'dist', 'index.js'), '');
  }
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('projectKernelEnv', () => {
  it("writes the project's own kernel spec and puts its folder first on JUPYTER_PATH", () => {
    const root = project();
    const env = projectKernelEnv({ JUPYTER_PATH: '/a:/b', OTHER: 'kept' }, root);
    expect(env).toMatchObject({ JUPYTER_PATH: `${join(root, '.jupyter')}:/a:/b`, OTHER: 'kept' });
    expect(JSON.parse(readFileSync(join(root, '.jupyter', 'kernels', 'register-support', 'kernel.json'), 'utf8'))).toEqual(kernelSpec(root));
    expect(readlinkSync(join(root, 'node_modules', 'register-support'))).toBe('..');
    expect(lstatSync(join(root, 'node_modules', 'register-support')).isSymbolicLink()).toBe(true);
    expect(projectKernelEnv({}, root).JUPYTER_PATH).toBe(join(root, '.jupyter'));
  });

  it('says what to run when tslab or the build is missing', () => {
    expect(() => projectKernelEnv({}, project('tslab'))).toThrow(/tslab is not installed in this project .* Fix: npm install/);
    expect(() => projectKernelEnv({}, project('dist'))).toThrow('The library is not built (dist/ is missing), so notebooks cannot import it. Fix: npm run build');
  });
});

describe('kernelSpec', () => {
  it('runs tslab from the project with an absolute node, Jupyter choosing the folder', () => {
    expect(kernelSpec('/p', '/usr/bin/node').argv).toEqual(['/usr/bin/node', '/p/node_modules/tslab/bin/tslab', 'kernel', '--config-path', '{connection_file}']);
  });
});

describe('jupyterDataDir', () => {
  it('follows jupyter_core: JUPYTER_DATA_DIR, then XDG_DATA_HOME/jupyter, then ~/.local/share/jupyter', () => {
    expect(jupyterDataDir({ JUPYTER_DATA_DIR: '/j', XDG_DATA_HOME: '/x' })).toBe('/j');
    expect(jupyterDataDir({ XDG_DATA_HOME: '/x' })).toBe('/x/jupyter');
    expect(jupyterDataDir({})).toMatch(/\.local\/share\/jupyter$/);
  });
});
