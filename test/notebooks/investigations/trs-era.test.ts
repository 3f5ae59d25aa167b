import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotebook } from '../../../lib/runner/index.js';
import { listScenarios, scenario } from '../../../lib/sandbox/seed/index.js';
import { diff, snapshot } from '../../integration/plan/snapshot.js';
import { startRealSidekiq, waitFor, type RealSidekiq } from '../../helpers/sidekiq.js';
import { trsBullmqSandbox, trsDeathsInRealSidekiq, type TrsBullmqSandbox } from '../../integration/investigations/trs-setup.js';
import { outputText } from './expected.js';

/**
 * The DQT-error runbooks on a TRS-era Register (schema 2026-08), headless (`support run`'s engine, the project's tslab
 * kernel, the compiled library: `npm run build` first): a seeded 2026-08 database, the TRS sandbox with the scenario
 * persons, and a real Sidekiq (Debian's 6.4.1 running test/sidekiq/app.rb, polling `trs` as today's Register does)
 * whose dead set holds each TRS scenario job's death: the job failed there with the error class and text it died
 * with against the TRS sandbox, and Sidekiq killed it (QUEUE_BACKEND=sidekiq). Every TRS scenario's runbook runs green
 * with its slug, shows its diagnosis, and with commit=false writes nothing; a re-registration committed from a runbook
 * is performed by that Sidekiq.
 */
const API_KEY = 'trs-era-notebooks-key-8e14c7';

/** What the diagnosis of each TRS scenario contains, as its runbook shows it. */
export const TRS_DIAGNOSIS: Record<string, string> = {
  'trs-server-error-500': 'died with a TRS server error (5xx)',
  'trs-person-not-found': 'TRS has no person with TRN 3012402 (10001)',
  'trs-person-deactivated': "TRS's record for TRN 3012403 is not active (deactivated, 10058)",
  'trs-route-failed-on-trs': 'State mismatch: Register has the trainee trn_received (it sends InTraining)',
  'trs-awarded-on-trs': 'Stuck in recommended for award: TRS already holds QTS from 2026-06-18',
  'trs-organisation-not-found': 'TRS does not know UKPRN 10099041 (Brook Hill Training Partnership)',
  'trs-already-has-qts': 'TRS holds QTS from 2026-06-18 while Register has the trainee trn_received',
  'trs-retrieve-trn-timeout': 'TRS is holding the TRN request for review',
  'trs-update-missing-trn-known-to-trs': "TRS knows the trainee's TRN request (Completed with TRN 3012409)",
  'trs-update-missing-trn-unknown-to-trs': "TRS does not know the trainee's TRN request",
  'trs-failed-update-and-award': 'Both the personal-data update',
  'trs-trn-request-rejected': 'TRS rejected the TRN request',
  'trs-eyts-holder': 'because the person holds EYTS (from 2025-07-01)',
  'trs-route-type-change': 'TRS refuses to change the route type (10054)',
};

let b: TrsBullmqSandbox;
let sk: RealSidekiq;
let out: string;
let env: NodeJS.ProcessEnv;
const deadSet = async () => (await sk.redis.zrange('dead', 0, -1)).sort();
beforeAll(async () => {
  b = await trsBullmqSandbox(API_KEY);
  sk = await startRealSidekiq({ queues: ['trs', 'default'] });
  await trsDeathsInRealSidekiq(b, sk);
  out = mkdtempSync(join(tmpdir(), 'rs-nb-trs-'));
  env = {
    ...process.env,
    DATABASE_URL: b.t.url,
    REDIS_URL: sk.url,
    QUEUE_BACKEND: 'sidekiq',
    TRS_API_KEY: API_KEY,
    SUPPORT_TRS_SANDBOX_PORT: String(b.sandbox.port),
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Nora Notebook',
  };
}, 180_000);
afterAll(async () => {
  await sk?.stop();
  await b?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

/**
 * Runs a runbook with commit=false and returns its output text, having checked what every such run must hold: it ran
 * green, it says it only previewed, the key is nowhere in it, and neither the database nor the dead set changed.
 */
async function previewRun(notebook: string, parameters: string[]): Promise<string> {
  const rowsBefore = await snapshot(b.t.db);
  const deadBefore = await deadSet();
  const result = await runNotebook({ notebook, parameters, outDir: out, env });
  expect(result.failure, JSON.stringify(result.failure)).toBeNull();
  expect(result.exitCode).toBe(0);
  const text = outputText(result.outputPath!);
  expect(text).toContain('Preview only (commit = false)');
  expect(text).not.toContain(API_KEY);
  expect(diff(rowsBefore, await snapshot(b.t.db))).toEqual([]);
  expect(await deadSet()).toEqual(deadBefore);
  return text;
}

const scenarios = listScenarios('trs').filter((x) => x.runbook.startsWith('dqt-errors/'));

describe('every TRS scenario has a diagnosis here', () => {
  it('lists each scenario of lib/sandbox/seed/trs.ts', () => {
    expect(scenarios.map((x) => x.name).sort()).toEqual(Object.keys(TRS_DIAGNOSIS).sort());
  });
});

describe.each(scenarios.map((x) => [x.name, x] as const))('TRS scenario %s', (name, sc) => {
  it(`runs ${sc.runbook} green on Register 2026-08, shows the diagnosis, and writes nothing with commit=false`, { timeout: 180_000 }, async () => {
    const text = await previewRun(`notebooks/${sc.runbook}.ipynb`, [`slug=${sc.slug}`]);
    expect(text).toContain(TRS_DIAGNOSIS[name]);
    expect(text).toContain('TRS (Register 2026-08: trs_trn_requests, queue trs, Trs:: jobs)');
  });
});

describe('the triage runbook on a TRS-era dead set', () => {
  it('classifies every Trs:: dead job by the playbook, with the sections the playbook never had, and touches nothing with commit=false', { timeout: 180_000 }, async () => {
    const text = await previewRun('notebooks/dqt-errors/triage-dead-jobs.ipynb', []);
    // The TRS scenarios' dead jobs under their kinds and runbooks.
    for (const runbook of ['dqt-errors/trn-request-rejected-10062', 'dqt-errors/eyts-holder-10057', 'dqt-errors/trs-route-rejected', 'dqt-errors/organisation-not-found', 'dqt-errors/update-missing-trn', 'dqt-errors/retrieve-trn-timeout']) {
      expect(text).toContain(runbook);
    }
    for (const kind of ['trn-request-rejected', 'eyts-holder', 'trs-route-rejected', 'server-error', 'teacher-not-found']) expect(text).toContain(kind);
    expect(text).toContain('Trs::UpdateProfessionalStatusJob');
  });
});

describe('a re-registration committed on the TRS era', () => {
  it('trn-request-rejected-10062 with reregister and commit: the old request row deleted (in the change log), the dead poll deleted, and Trs::RegisterForTrnJob performed by the real Sidekiq', { timeout: 180_000 }, async () => {
    const sc = scenario('trs-trn-request-rejected');
    const [row] = await b.t.db.selectFrom('trs_trn_requests').selectAll().where('trainee_id', '=', 412).execute();
    expect(row).toBeDefined();
    const deadBefore = await deadSet();
    const result = await runNotebook({ notebook: `notebooks/${sc.runbook}.ipynb`, parameters: [`slug=${sc.slug}`, 'reregister=true', 'commit=true', 'auditComment=TRS confirmed the trainee should get a TRN'], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    const text = outputText(result.outputPath!);
    expect(text).toContain('committed by Nora Notebook: 2 of 2 action(s) done');
    expect(text).not.toContain(API_KEY);
    expect(await b.t.db.selectFrom('trs_trn_requests').select('id').where('trainee_id', '=', 412).execute()).toEqual([]);
    // Register does not audit TRN requests: the deletion, with the whole row, is in the toolkit's change log.
    const { rows: logged } = await sql<{ table_name: string; record_id: string; action: string; operator: string; comment: string; before: Record<string, unknown> | null; after: unknown }>`
      SELECT table_name, record_id, action, operator, comment, before, after FROM register_support.change_log WHERE table_name = 'trs_trn_requests'`.execute(b.t.db);
    expect(logged).toEqual([
      expect.objectContaining({ table_name: 'trs_trn_requests', record_id: Number(row!.id), action: 'destroy', operator: 'Nora Notebook', comment: 'TRS confirmed the trainee should get a TRN', after: null, before: expect.objectContaining({ request_id: row!.request_id, trainee_id: 412 }) }),
    ]);
    const after = await deadSet();
    expect(after).toHaveLength(deadBefore.length - 1);
    expect(deadBefore.filter((m) => !after.includes(m)).map((m) => JSON.parse(m).wrapped)).toEqual(['Trs::RetrieveTrnJob']);
    const performed = await waitFor(
      'the real Sidekiq to perform the new registration',
      async () => {
        const runs = (await sk.performed()).filter((p) => p.job_class === 'Trs::RegisterForTrnJob');
        return runs.length ? runs : null;
      },
      60_000,
      () => sk.log(),
    );
    expect(performed).toEqual([expect.objectContaining({ queue: 'trs', arguments: [{ record: 'gid://register-trainee-teachers/Trainee/412' }] })]);
  });
});
