import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listScenarios, seed } from '../../../lib/sandbox/seed/index.js';
import { installKernel, runNotebook } from '../../../lib/runner/index.js';
import { assertBuilt, ROOT } from '../../integration/runner/cli.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';
import { diff, snapshot } from '../../integration/plan/snapshot.js';

/**
 * The seven data-fix runbooks of issue 3, run headless (`support run`'s engine, the project's tslab kernel, the
 * compiled library: run `npm run build` first) on a freshly seeded database with each scenario's parameters: with
 * commit=false nothing is written; with commit=true exactly the expected rows change, each with its audit.
 */
const RUNBOOKS: Record<string, { rows: [string, number | 'new', 'insert' | 'update' | 'delete'][]; comment?: string; jobs?: unknown[][] }> = {
  'change-training-route': { rows: [['trainees', 101, 'update'], ['placements', 101, 'delete'], ['placements', 102, 'delete']] },
  'change-withdrawal-date': { rows: [['trainee_withdrawals', 101, 'update']] },
  'undo-withdrawal': {
    rows: [['trainees', 103, 'update'], ['trainee_withdrawals', 102, 'update'], ['trainee_withdrawal_reasons', 102, 'delete'], ['trainee_withdrawal_reasons', 103, 'delete']],
    comment: 'Notebook test\nhttps://support.example/tickets/1234',
    jobs: [['Dqt::UpdateTraineeJob', { _aj_globalid: 'gid://register/Trainee/103' }]],
  },
  'incorrectly-awarded': { rows: [['trainees', 104, 'update']] },
  'convert-provider-to-lead-partner': { rows: [['providers', 4, 'update'], ['lead_partners', 'new', 'insert'], ['lead_partner_users', 'new', 'insert'], ['lead_partner_users', 'new', 'insert']] },
  'school-to-lead-partner': { rows: [['schools', 4, 'update'], ['lead_partners', 'new', 'insert']] },
  'previous-trainee-for-former-provider': { rows: [['trainees', 'new', 'insert']] },
};

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = testRedisPrefix();
let t: TestDatabase;
let out: string;
let jupyterData: string;
let dqtQueue: Queue;
beforeAll(async () => {
  assertBuilt();
  // A kernel spec of this run's own (another checkout may have registered the shared one).
  jupyterData = mkdtempSync(join(tmpdir(), 'rs-fixes-jupyter-'));
  installKernel({ projectRoot: ROOT, env: { ...process.env, JUPYTER_DATA_DIR: jupyterData }, checkJupyter: false });
  t = await createTestDatabase();
  await seed(t.db);
  out = mkdtempSync(join(tmpdir(), 'rs-nb-'));
  dqtQueue = new Queue('dqt', { connection: { url: REDIS_URL }, prefix: REDIS_PREFIX });
});
afterAll(async () => {
  await dqtQueue?.obliterate({ force: true }).catch(() => undefined);
  await dqtQueue?.close();
  await t?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
  if (jupyterData) rmSync(jupyterData, { recursive: true, force: true });
});

function parametersOf(runbook: string): string[] {
  const s = listScenarios().find((x) => x.runbook === `data-fixes/${runbook}`)!;
  const values: Record<string, unknown> = { ...(s.slug ? { slug: s.slug } : {}), ...(s.parameters ?? {}) };
  return Object.entries(values).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
}

describe.each(Object.keys(RUNBOOKS))('runbook data-fixes/%s', (runbook) => {
  it('previews with commit=false (nothing written) and commits with commit=true (rows and audits written)', { timeout: 180_000 }, async () => {
    const env = { ...process.env, DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX, JUPYTER_DATA_DIR: jupyterData, SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Nora Notebook' };
    await dqtQueue.drain();
    const before = await snapshot(t.db);
    const preview = await runNotebook({ notebook: `notebooks/data-fixes/${runbook}.ipynb`, parameters: parametersOf(runbook), outDir: out, env });
    expect(preview.failure, JSON.stringify(preview.failure)).toBeNull();
    expect(preview.exitCode).toBe(0);
    expect(diff(before, await snapshot(t.db))).toEqual([]);

    const committed = await runNotebook({
      notebook: `notebooks/data-fixes/${runbook}.ipynb`,
      parameters: [...parametersOf(runbook), 'commit=true', 'auditComment=Notebook test'],
      outDir: out,
      env,
    });
    expect(committed.failure, JSON.stringify(committed.failure)).toBeNull();
    const changes = diff(before, await snapshot(t.db));
    const rows = changes.filter((c) => c.table !== 'audits');
    expect(rows.map((c) => [c.table, c.id >= 1000 ? 'new' : c.id, c.kind])).toEqual(RUNBOOKS[runbook]!.rows);
    const audits = changes.filter((c) => c.table === 'audits');
    expect(audits).toHaveLength(rows.length);
    for (const audit of audits) {
      expect(audit.row).toMatchObject({ username: 'Nora Notebook via support notebook', comment: RUNBOOKS[runbook]!.comment ?? 'Notebook test' });
    }
    // Jobs enqueued after the commit (only the undo enqueues one, as Register's undo does).
    const jobs = (await dqtQueue.getJobs(['waiting', 'delayed'])).map((j) => [j.name, (j.data as { arguments: unknown[] }).arguments[0]]);
    expect(jobs).toEqual(RUNBOOKS[runbook]!.jobs ?? []);
  });
});
