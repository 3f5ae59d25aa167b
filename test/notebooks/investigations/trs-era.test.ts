import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotebook } from '../../../lib/runner/index.js';
import { listScenarios } from '../../../lib/sandbox/seed/index.js';
import { diff, snapshot } from '../../integration/plan/snapshot.js';
import { trsSeededSandbox, type TrsSeededSandbox } from '../../integration/investigations/trs-setup.js';
import { outputText } from './expected.js';

/**
 * The DQT-error runbooks on a TRS-era Register (schema 2026-08), headless (`support run`'s engine, the project's tslab
 * kernel, the compiled library: `npm run build` first): a seeded 2026-08 database, the TRS sandbox with the scenario
 * persons, and Register's Sidekiq dead set holding each TRS scenario job's death (QUEUE_BACKEND=sidekiq). Every TRS
 * scenario's runbook runs green with its slug, shows its diagnosis, and with commit=false writes nothing.
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

let s: TrsSeededSandbox;
let out: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  s = await trsSeededSandbox(API_KEY);
  out = mkdtempSync(join(tmpdir(), 'rs-nb-trs-'));
  env = {
    ...process.env,
    DATABASE_URL: s.t.url,
    REDIS_URL: s.sidekiqUrl,
    QUEUE_BACKEND: 'sidekiq',
    TRS_API_KEY: API_KEY,
    SUPPORT_TRS_SANDBOX_PORT: String(s.sandbox.port),
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Nora Notebook',
  };
}, 120_000);
afterAll(async () => {
  await s?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

const scenarios = listScenarios('trs').filter((x) => x.runbook.startsWith('dqt-errors/'));

describe('every TRS scenario has a diagnosis here', () => {
  it('lists each scenario of lib/sandbox/seed/trs.ts', () => {
    expect(scenarios.map((x) => x.name).sort()).toEqual(Object.keys(TRS_DIAGNOSIS).sort());
  });
});

describe.each(scenarios.map((x) => [x.name, x] as const))('TRS scenario %s', (name, sc) => {
  it(`runs ${sc.runbook} green on Register 2026-08, shows the diagnosis, and writes nothing with commit=false`, { timeout: 180_000 }, async () => {
    const rowsBefore = await snapshot(s.t.db);
    const deadBefore = await s.deadSet();
    const result = await runNotebook({ notebook: `notebooks/${sc.runbook}.ipynb`, parameters: [`slug=${sc.slug}`], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    expect(result.exitCode).toBe(0);
    const text = outputText(result.outputPath!);
    expect(text).toContain(TRS_DIAGNOSIS[name]);
    expect(text).toContain('TRS (Register 2026-08: trs_trn_requests, queue trs, Trs:: jobs)');
    expect(text).toContain('Preview only (commit = false)');
    expect(text).not.toContain(API_KEY);
    expect(diff(rowsBefore, await snapshot(s.t.db))).toEqual([]);
    expect(await s.deadSet()).toEqual(deadBefore);
  });
});

describe('the triage runbook on a TRS-era dead set', () => {
  it('classifies every Trs:: dead job by the playbook, with the sections the playbook never had, and touches nothing with commit=false', { timeout: 180_000 }, async () => {
    const rowsBefore = await snapshot(s.t.db);
    const deadBefore = await s.deadSet();
    const result = await runNotebook({ notebook: 'notebooks/dqt-errors/triage-dead-jobs.ipynb', outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    const text = outputText(result.outputPath!);
    // The TRS scenarios' dead jobs under their kinds and runbooks.
    for (const runbook of ['dqt-errors/trn-request-rejected-10062', 'dqt-errors/eyts-holder-10057', 'dqt-errors/trs-route-rejected', 'dqt-errors/organisation-not-found', 'dqt-errors/update-missing-trn', 'dqt-errors/retrieve-trn-timeout']) {
      expect(text).toContain(runbook);
    }
    for (const kind of ['trn-request-rejected', 'eyts-holder', 'trs-route-rejected', 'server-error', 'teacher-not-found']) expect(text).toContain(kind);
    expect(text).toContain('Trs::UpdateProfessionalStatusJob');
    expect(text).toContain('Preview only (commit = false)');
    expect(text).not.toContain(API_KEY);
    expect(diff(rowsBefore, await snapshot(s.t.db))).toEqual([]);
    expect(await s.deadSet()).toEqual(deadBefore);
  });
});
