/**
 * `npm run bench -- notebook [--repeats N]`: how long a headless run takes, end to end, as an operator pays it.
 *
 * - warm sandbox start: `startSandboxDatabase` on an existing data dir (target under 2 s);
 * - a 5-cell runbook (parameters, import + connect, query, HTML table, close) run with `support run -p slug=…`
 *   against that sandbox, timed from starting the command to its exit (target under 8 s), with the time of the
 *   cell that first imports the library (tslab type-checks its declarations) and the rest (CLI, Python, kernel start).
 *
 * The machine is shared: the load average is reported with the figures.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../lib/config/env.js';
import { startSandboxDatabase, type SandboxDatabase } from '../lib/sandbox/database.js';
import { startSandbox } from '../lib/sandbox/start.js';
import { SANDBOX_PARTS } from '../lib/cli/sandbox-parts.js';
import { scenario } from '../lib/sandbox/seed/index.js';

// bench/notebook.ts runs compiled from dist-bench/bench/: the project is two folders up.
const ROOT = resolve(__dirname, '..', '..');

const ks = { name: 'register-support', display_name: 'TypeScript (register-support)', language: 'typescript' };
const code = (source: string, tags?: string[]) => ({ cell_type: 'code', execution_count: null, metadata: tags ? { tags } : {}, outputs: [], source });
const FIVE_CELLS = {
  nbformat: 4,
  nbformat_minor: 4,
  metadata: { kernelspec: ks },
  cells: [
    code("const slug: string = '';", ['parameters']),
    code("import { connect, loadConfig, showTable } from 'register-support';\nconst db = connect(loadConfig().database.url);"),
    code("const trainee = await db.selectFrom('trainees').select(['id', 'slug', 'state', 'training_route', 'trn']).where('slug', '=', slug).executeTakeFirstOrThrow();"),
    code("showTable([trainee], { caption: 'Trainee' });"),
    code("await db.destroy();\nconsole.log('done');"),
  ],
};

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'support.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (c) => done({ code: c ?? 1, stderr, ms: performance.now() - started }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const at = args.indexOf('--repeats');
  const repeats = at >= 0 ? Math.max(1, Number(args[at + 1]) || 3) : 3;
  const work = mkdtempSync(join(tmpdir(), 'rs-bench-notebook-'));
  const dataDir = join(work, 'sandbox');
  const port = 55900 + Math.floor(Math.random() * 90);
  const loadBefore = loadavg()[0]!;
  let sandbox: Pick<SandboxDatabase, 'stop'> | null = null;
  try {
    // Warm sandbox start: create the data dir once (cold), then start on it again.
    let t = performance.now();
    sandbox = await startSandboxDatabase({ dataDir, port });
    const coldMs = performance.now() - t;
    await sandbox.stop();
    sandbox = null;
    const warm: number[] = [];
    for (let i = 0; i < repeats; i++) {
      t = performance.now();
      const s = await startSandboxDatabase({ dataDir, port });
      warm.push(performance.now() - t);
      await s.stop();
    }

    // The 5-cell notebook, headless, end to end.
    // Inside the project (runs/ is git-ignored), so tslab finds 'register-support' in node_modules, as a runbook does.
    const nbDir = join(ROOT, 'runs', 'bench');
    mkdirSync(nbDir, { recursive: true });
    const notebook = join(nbDir, 'five-cells.ipynb');
    writeFileSync(notebook, JSON.stringify(FIVE_CELLS));
    const env: NodeJS.ProcessEnv = { ...process.env, SUPPORT_SANDBOX_DIR: dataDir, SUPPORT_SANDBOX_PORT: String(port), SUPPORT_DQT_SANDBOX_PORT: String(port + 1) };
    delete env.DATABASE_URL;
    // The whole sandbox (database and DQT), recorded as this data folder's, as `support run` expects to find it.
    sandbox = await startSandbox(loadConfig(env), SANDBOX_PARTS);
    const slug = scenario('timeline').slug!;
    const runs: { totalMs: number; cellsMs: number; importCellMs: number; kernelStartMs: number }[] = [];
    for (let i = 0; i < repeats; i++) {
      const out = join(work, `runs-${i}`);
      const r = await runCli(['run', notebook, '-p', `slug=${slug}`, '--out', out], env);
      if (r.code !== 0) throw new Error(`support run exited ${r.code}: ${r.stderr.trim()}`);
      const nb = JSON.parse(readFileSync(join(out, readdirSync(out)[0]!), 'utf8'));
      const cells = nb.metadata.register_support.run.cells as { index: number; duration_ms: number }[];
      runs.push({ kernelStartMs: nb.metadata.register_support.run.kernel_start_ms, totalMs: r.ms, cellsMs: cells.reduce((s, c) => s + c.duration_ms, 0), importCellMs: cells.find((c) => c.index === 2)!.duration_ms });
    }
    const result = {
      sandboxColdStartMs: Math.round(coldMs),
      sandboxWarmStartMs: Math.round(median(warm)),
      sandboxWarmStartMaxMs: Math.round(Math.max(...warm)),
      notebookRunMs: Math.round(median(runs.map((r) => r.totalMs))),
      notebookRunMaxMs: Math.round(Math.max(...runs.map((r) => r.totalMs))),
      notebookCellsMs: Math.round(median(runs.map((r) => r.cellsMs))),
      notebookImportCellMs: Math.round(median(runs.map((r) => r.importCellMs))),
      notebookKernelStartMs: Math.round(median(runs.map((r) => r.kernelStartMs))),
      notebookOverheadMs: Math.round(median(runs.map((r) => r.totalMs - r.cellsMs))),
      repeats,
      targetWarmStartMs: 2000,
      targetNotebookRunMs: 8000,
      loadAverage1m: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
      cores: require('node:os').cpus().length,
    };
    process.stdout.write(
      [
        `sandbox: cold start ${result.sandboxColdStartMs} ms, warm start median ${result.sandboxWarmStartMs} ms (max ${result.sandboxWarmStartMaxMs} ms) — target < 2000 ms`,
        `5-cell notebook via support run: median ${result.notebookRunMs} ms (max ${result.notebookRunMaxMs} ms) — target < 8000 ms`,
        `  of which cells ${result.notebookCellsMs} ms (first library import ${result.notebookImportCellMs} ms); outside the cells ${result.notebookOverheadMs} ms, of which kernel start ${result.notebookKernelStartMs} ms`,
        `  load average (1 min) before/after: ${result.loadAverage1m.join(' / ')} on ${result.cores} cores`,
        '',
      ].join('\n'),
    );
    return result;
  } finally {
    await sandbox?.stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}
