import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../helpers/db.js';
import { loadConfig } from '../../lib/config/env.js';
import { listScenarios, seed } from '../../lib/sandbox/seed/index.js';
import { SANDBOX_PARTS } from '../../lib/cli/sandbox-parts.js';
import { installKernel } from '../../lib/runner/kernel.js';
import { assertBuilt, cleanEnv, ROOT, support } from '../integration/runner/cli.js';
import { discoverNotebooks, freePort, inPool, NOTEBOOKS_DIR, plannedRuns, RUNS_AT_A_TIME, type PlannedRun } from './suite.js';

/**
 * The notebook suite: every runbook under notebooks/ runs headless (the real `support run`, built) on a freshly
 * seeded database of its own on the real PostgreSQL, with the after-seed hooks run and the sandbox services (the
 * DQT sandbox) started: once per scenario whose runbook it is (with the scenario's slug and parameters), or once
 * with its defaults. Any cell error fails the notebook's test, showing the failing cell and its error.
 * RUNS_AT_A_TIME notebooks run at a time here, beside the other test files.
 */
const runbooks = discoverNotebooks();
/**
 * Runs another suite makes with closer checks, left out here so the suite stays within CI's time: each DQT-error
 * scenario (test/notebooks/investigations/dqt-errors.test.ts: its diagnosis, nothing written, no job touched) and the
 * data fixes with a commit test on both Register versions (test/notebooks/trainees/data-fixes.test.ts).
 */
const DATA_FIX_SUITE = ['change-training-route', 'change-withdrawal-date', 'undo-withdrawal', 'incorrectly-awarded', 'convert-provider-to-lead-partner', 'school-to-lead-partner', 'previous-trainee-for-former-provider'].map((r) => `data-fixes/${r}`);
/** Runbooks that read no Register data (settings and commands to paste): register-versions runs each on both versions. */
const NO_REGISTER_DATA = ['ops/settings', 'ops/maintenance-mode', 'ops/disable-dfe-analytics'];
const coveredElsewhere = (run: PlannedRun) =>
  (run.runbook.startsWith('dqt-errors/') && run.label.startsWith('scenario ')) || DATA_FIX_SUITE.includes(run.runbook) || NO_REGISTER_DATA.includes(run.runbook);
// This suite's sandbox is Register 2024-08 (DQT era): the TRS era's scenarios run in
// test/notebooks/investigations/trs-era.test.ts, so a runbook that has only those (the TRS-only errors) is left to it.
const dqtEra = new Set(listScenarios('dqt').map((s) => `scenario ${s.name}`));
const runs = plannedRuns(runbooks).filter((run) => !coveredElsewhere(run) && (run.label === 'defaults' || dqtEra.has(run.label)));
const results = new Map<PlannedRun, { code: number; stdout: string; stderr: string }>();

let t: TestDatabase;
let redisPrefix: string;
let jupyterData: string;
const stops: (() => Promise<void>)[] = [];
const DQT_KEY = `suite-dqt-key-${randomBytes(8).toString('hex')}`;
const outDir = join(ROOT, 'runs', 'notebook-suite', new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'));

beforeAll(async () => {
  assertBuilt();
  t = await createTestDatabase();
  await seed(t.db);
  redisPrefix = testRedisPrefix();
  jupyterData = mkdtempSync(join(tmpdir(), 'rs-suite-jupyter-'));
  mkdirSync(outDir, { recursive: true });
  const env = cleanEnv({
    DATABASE_URL: t.url,
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Notebook Suite',
    REDIS_PREFIX: redisPrefix,
    SUPPORT_DQT_SANDBOX_PORT: String(await freePort()),
    SUPPORT_TRS_SANDBOX_PORT: String(await freePort()),
    // The DQT sandbox accepts this key and the runbooks send it: no output may contain it.
    DQT_API_KEY: DQT_KEY,
    JUPYTER_DATA_DIR: jupyterData,
  });
  installKernel({ projectRoot: ROOT, env, checkJupyter: false });
  const config = loadConfig(env);
  // As startSandbox does: services first (a seed hook may call the DQT sandbox), then the after-seed hooks.
  for (const service of SANDBOX_PARTS.services) {
    const running = await service.start(config);
    stops.push(() => running.stop());
  }
  for (const hook of SANDBOX_PARTS.seedHooks) await hook.run(t.db, config);
  await inPool(runs, RUNS_AT_A_TIME, async (run) => {
    results.set(run, await support(['run', join(NOTEBOOKS_DIR, `${run.runbook}.ipynb`), '--out', outDir, ...run.args], env));
  });
}, 1_800_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await t?.drop();
  if (redisPrefix) {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  if (jupyterData) rmSync(jupyterData, { recursive: true, force: true });
  // The executed notebooks are kept for reading only when a run failed.
  if (results.size === runs.length && [...results.values()].every((r) => r.code === 0)) rmSync(outDir, { recursive: true, force: true });
});

describe('every runbook runs headless on a freshly seeded database', () => {
  it('finds the runbooks', () => {
    expect(runbooks).toContain('ops/trainee-timeline');
  });

  it('no output notebook and no command output contains the DQT API key', () => {
    const leaks = readdirSync(outDir).filter((f) => readFileSync(join(outDir, f), 'utf8').includes(DQT_KEY));
    for (const [run, result] of results) if (`${result.stdout}${result.stderr}`.includes(DQT_KEY)) leaks.push(`output of ${run.runbook} (${run.label})`);
    expect(readdirSync(outDir).length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });

  for (const runbook of runbooks.filter((r) => runs.some((run) => run.runbook === r))) {
    it(runbook, () => {
      const mine = runs.filter((r) => r.runbook === runbook);
      const failures = mine
        .map((run) => ({ run, result: results.get(run) }))
        .filter(({ result }) => !result || result.code !== 0)
        .map(({ run, result }) => `${runbook} (${run.label}${run.args.length ? `: ${run.args.filter((a) => a !== '-p').join(' ')}` : ''}) exited ${result?.code ?? 'without running'}:\n${(result?.stderr || result?.stdout || '').trim()}`);
      expect(failures.join('\n\n'), `outputs in ${relative(ROOT, outDir)}`).toBe('');
    });
  }
});
