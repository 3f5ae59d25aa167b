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
import { sql } from 'kysely';
import { REGISTER_VERSION_NAMES } from '../../../lib/db/versions/description.js';
import { changeLogOf } from '../../../lib/plan/change-log.js';
import { traineeIdOf } from '../../../lib/jobs/data.js';

/**
 * The seven data-fix runbooks, run headless (`support run`'s engine, the project's tslab kernel, the compiled library:
 * run `npm run build` first) on a freshly seeded sandbox database of each supported Register version, with each
 * scenario's parameters: with commit=false nothing is written; with commit=true exactly the expected rows change,
 * with the audits that Register writes for such a change at that version (and a change-log entry for every row).
 */
type Expected = { rows: [string, number | 'new', 'insert' | 'update' | 'delete'][]; audits: string[]; comment?: string; jobs?: [string, number][] };
const RUNBOOKS: Record<'2024-08' | '2026-08', Record<string, Expected>> = {
  '2024-08': {
    'change-training-route': { rows: [['trainees', 101, 'update'], ['placements', 101, 'delete'], ['placements', 102, 'delete']], audits: ['Trainee', 'Placement', 'Placement'] },
    'change-withdrawal-date': { rows: [['trainees', 102, 'update']], audits: ['Trainee'] },
    'undo-withdrawal': {
      rows: [['trainees', 103, 'update'], ['trainee_withdrawal_reasons', 102, 'delete'], ['trainee_withdrawal_reasons', 103, 'delete']],
      audits: ['Trainee'],
      comment: 'Notebook test\nhttps://support.example/tickets/1234',
      jobs: [['Dqt::UpdateTraineeJob', 103]],
    },
    'incorrectly-awarded': { rows: [['trainees', 104, 'update']], audits: ['Trainee'] },
    'convert-provider-to-lead-partner': { rows: [['providers', 4, 'update'], ['lead_partners', 'new', 'insert'], ['lead_partner_users', 'new', 'insert'], ['lead_partner_users', 'new', 'insert']], audits: ['Provider'] },
    'school-to-lead-partner': { rows: [['schools', 4, 'update'], ['lead_partners', 'new', 'insert']], audits: [] },
    'previous-trainee-for-former-provider': { rows: [['trainees', 'new', 'insert']], audits: ['Trainee'] },
  },
  '2026-08': {
    'change-training-route': { rows: [['trainees', 101, 'update'], ['placements', 101, 'delete'], ['placements', 102, 'delete']], audits: ['Trainee', 'Placement', 'Placement'] },
    'change-withdrawal-date': { rows: [['trainee_withdrawals', 101, 'update']], audits: ['TraineeWithdrawal'] },
    'undo-withdrawal': {
      rows: [['trainees', 103, 'update'], ['trainee_withdrawals', 102, 'update']],
      audits: ['Trainee', 'TraineeWithdrawal'],
      comment: 'Notebook test\nhttps://support.example/tickets/1234',
      jobs: [['Dqt::UpdateTraineeJob', 103]],
    },
    'incorrectly-awarded': { rows: [['trainees', 104, 'update']], audits: ['Trainee'] },
    'convert-provider-to-lead-partner': { rows: [['providers', 4, 'update'], ['training_partners', 'new', 'insert'], ['training_partner_users', 'new', 'insert'], ['training_partner_users', 'new', 'insert']], audits: ['Provider'] },
    'school-to-lead-partner': { rows: [['training_partners', 'new', 'insert']], audits: [] },
    'previous-trainee-for-former-provider': { rows: [['trainees', 'new', 'insert']], audits: ['Trainee'] },
  },
};

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = testRedisPrefix();
let out: string;
let jupyterData: string;
let dqtQueue: Queue;
beforeAll(async () => {
  assertBuilt();
  // A kernel spec of this run's own (another checkout may have registered the shared one).
  jupyterData = mkdtempSync(join(tmpdir(), 'rs-fixes-jupyter-'));
  installKernel({ projectRoot: ROOT, env: { ...process.env, JUPYTER_DATA_DIR: jupyterData }, checkJupyter: false });
  out = mkdtempSync(join(tmpdir(), 'rs-nb-'));
  dqtQueue = new Queue('dqt', { connection: { url: REDIS_URL }, prefix: REDIS_PREFIX });
});
afterAll(async () => {
  await dqtQueue?.obliterate({ force: true }).catch(() => undefined);
  await dqtQueue?.close();
  if (out) rmSync(out, { recursive: true, force: true });
  if (jupyterData) rmSync(jupyterData, { recursive: true, force: true });
});

function parametersOf(runbook: string): string[] {
  const s = listScenarios().find((x) => x.runbook === `data-fixes/${runbook}`)!;
  const values: Record<string, unknown> = { ...(s.slug ? { slug: s.slug } : {}), ...(s.parameters ?? {}) };
  return Object.entries(values).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
}

describe.each(REGISTER_VERSION_NAMES)('on Register %s', (version) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ version });
    await seed(t.db);
  });
  afterAll(() => t?.drop());

  describe.each(Object.keys(RUNBOOKS[version]))('runbook data-fixes/%s', (runbook) => {
    // The preview (commit=false) writing nothing is checked for every runbook on both versions, with records that need
    // the fix, by test/notebooks/register-versions.test.ts; here the commit writes exactly the rows it should.
    it('commits with commit=true: rows, audits and change log written, exactly', { timeout: 180_000 }, async () => {
      const expected = RUNBOOKS[version][runbook]!;
      const env = { ...process.env, DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX, JUPYTER_DATA_DIR: jupyterData, SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Nora Notebook' };
      await dqtQueue.drain();
      const before = await snapshot(t.db);
      const committed = await runNotebook({
        notebook: `notebooks/data-fixes/${runbook}.ipynb`,
        parameters: [...parametersOf(runbook), 'commit=true', 'auditComment=Notebook test'],
        outDir: out,
        env,
      });
      expect(committed.failure, JSON.stringify(committed.failure)).toBeNull();
      const changes = diff(before, await snapshot(t.db));
      const rows = changes.filter((c) => c.table !== 'audits');
      expect(rows.map((c) => [c.table, c.id >= 1000 ? 'new' : c.id, c.kind])).toEqual(expected.rows);
      const audits = changes.filter((c) => c.table === 'audits');
      expect(audits.map((a) => a.row!.auditable_type)).toEqual(expected.audits);
      for (const audit of audits) {
        expect(audit.row).toMatchObject({ username: 'Nora Notebook via support notebook', comment: expected.comment ?? 'Notebook test' });
      }
      // Every changed row is in the toolkit's change log, under the plan's id.
      const planId = audits[0]?.row?.request_uuid ?? (await sql<{ plan_id: string }>`SELECT plan_id::text FROM register_support.change_log ORDER BY id DESC LIMIT 1`.execute(t.db)).rows[0]!.plan_id;
      expect((await changeLogOf(t.db, String(planId))).map((e) => e.table).sort()).toEqual(rows.map((r) => r.table).sort());
      // Jobs enqueued after the commit (only the undo enqueues one, as Register's undo does).
      const jobs = (await dqtQueue.getJobs(['waiting', 'delayed'])).map((j) => [j.name, traineeIdOf(j.data)]);
      expect(jobs).toEqual(expected.jobs ?? []);
    });
  });
});
