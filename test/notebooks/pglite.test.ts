import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/env.js';
import { startSandbox, type RunningSandbox } from '../../lib/sandbox/start.js';
import { SANDBOX_PARTS } from '../../lib/cli/sandbox-parts.js';
import { scenario } from '../../lib/sandbox/seed/index.js';
import { installKernel } from '../../lib/runner/kernel.js';
import { assertBuilt, cleanEnv, ROOT, support } from '../integration/runner/cli.js';
import { freePort, NOTEBOOKS_DIR } from './suite.js';

/**
 * The timeline runbook against the embedded PGlite sandbox (a throwaway data dir and ports), with no DATABASE_URL:
 * `support run` finds the sandbox running and the kernel reaches PGlite over the wire protocol.
 */
let dataDir: string;
let jupyterData: string;
let outDir: string;
let sandbox: RunningSandbox | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'rs-pglite-'));
  jupyterData = mkdtempSync(join(tmpdir(), 'rs-pglite-jupyter-'));
  outDir = mkdtempSync(join(tmpdir(), 'rs-pglite-runs-'));
  env = cleanEnv({
    SUPPORT_SANDBOX_DIR: dataDir,
    SUPPORT_SANDBOX_PORT: String(await freePort()),
    SUPPORT_DQT_SANDBOX_PORT: String(await freePort()),
    SUPPORT_TRS_SANDBOX_PORT: String(await freePort()),
    SUPPORT_OPERATOR: 'Notebook Suite',
    JUPYTER_DATA_DIR: jupyterData,
  });
  installKernel({ projectRoot: ROOT, env, checkJupyter: false });
  sandbox = await startSandbox(loadConfig(env), SANDBOX_PARTS);
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  for (const d of [dataDir, jupyterData, outDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('the embedded sandbox (PGlite)', () => {
  it('runs the trainee timeline for the seeded timeline scenario', async () => {
    const slug = scenario('timeline').slug!;
    const r = await support(['run', join(NOTEBOOKS_DIR, 'ops', 'trainee-timeline.ipynb'), '-p', `slug=${slug}`, '--out', outDir], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [file] = readdirSync(outDir);
    expect(file).toMatch(new RegExp(`^trainee-timeline-\\d{8}T\\d{6}Z-${slug}\\.ipynb$`));
    const nb = JSON.parse(readFileSync(join(outDir, file!), 'utf8'));
    const html = JSON.stringify(nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []));
    expect(html).toContain('text/html');
    expect(html).toContain(slug);
    expect(nb.metadata.register_support.run).toMatchObject({ status: 'ok', database: 'embedded sandbox', parameters: { slug } });
  }, 180_000);
});
