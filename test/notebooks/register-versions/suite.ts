import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/env.js';
import { buildRegisterSchema, registerVersion, type RegisterVersionName } from '../../../lib/db/versions/index.js';
import { listScenarios } from '../../../lib/sandbox/seed/index.js';
import { installKernel } from '../../../lib/runner/kernel.js';
import { SANDBOX_PARTS } from '../../../lib/cli/sandbox-parts.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';
import { loadRealisticRegister, realisticRegister, type RealisticCase } from '../../fixtures/register/realistic.js';
import { assertBuilt, cleanEnv, ROOT, support } from '../../integration/runner/cli.js';
import { diff, snapshot } from '../../integration/plan/snapshot.js';
import { discoverNotebooks, freePort, inPool, NOTEBOOKS_DIR, RUNS_AT_A_TIME } from '../suite.js';

/** Runbooks whose scenarios are all TRS-era: errors only TRS gives. */
const TRS_ONLY = [...new Set(listScenarios('trs').map((s) => s.runbook))].filter((r) => !listScenarios('dqt').some((s) => s.runbook === r)).sort();
const trsOnly = (runbook: string) => TRS_ONLY.includes(runbook);

/**
 * Every runbook against Register as it really is at each supported version: a database built from the project's
 * description of Register's schema and filled with realistic rows as Register writes them (not the toolkit's seed),
 * read-only (no write switch), as a developer would point the toolkit at production. Each runbook runs clean in
 * preview with parameters that name suitable records, nothing is written, and `support doctor` names the version.
 * The runbooks for errors only TRS gives (10057, 10062, route refusals) refuse a DQT-era Register, saying so.
 * One file per version (2024-08.test.ts, 2026-08.test.ts), so the two run side by side.
 */
export function describeRegisterVersion(version: RegisterVersionName): void {
describe(`Register ${version} as production holds it`, () => {
  const fixture = realisticRegister(version);
  let t: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let work: string;
  const stops: (() => Promise<void>)[] = [];
  const results = new Map<RealisticCase, { code: number; stdout: string; stderr: string }>();
  const runbooks = discoverNotebooks();
  // Runbooks with a case run with its parameters; the others (the DQT-error runbooks, ops) with a trainee or their defaults.
  const trainee = fixture.cases.find((c) => c.runbook === 'ops/trainee-timeline')!.parameters.slug as string;
  const cases: RealisticCase[] = [
    ...fixture.cases,
    ...runbooks
      .filter((r) => !fixture.cases.some((c) => c.runbook === r) && r !== 'data-fixes/remove-duplicates')
      .map((runbook) => ({ runbook, label: 'a trainee in training', parameters: runbook.startsWith('dqt-errors/') && runbook !== 'dqt-errors/triage-dead-jobs' ? { slug: trainee } : {} })),
  ];
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    assertBuilt();
    t = await createTestDatabase({ migrate: false });
    await buildRegisterSchema(t.db, registerVersion(version));
    await loadRealisticRegister(t.db, fixture);
    work = mkdtempSync(join(tmpdir(), `rs-versions-${version}-`));
    const csv = join(work, 'duplicates.csv');
    writeFileSync(csv, fixture.duplicatesCsv);
    cases.push({ runbook: 'data-fixes/remove-duplicates', label: 'a provider’s duplicates', parameters: { csvPath: csv } });
    env = cleanEnv({
      DATABASE_URL: t.url,
      REDIS_PREFIX: testRedisPrefix(),
      SUPPORT_OPERATOR: 'Versions Suite',
      SUPPORT_DQT_SANDBOX_PORT: String(await freePort()),
      SUPPORT_TRS_SANDBOX_PORT: String(await freePort()),
      JUPYTER_DATA_DIR: join(work, 'jupyter'),
    });
    installKernel({ projectRoot: ROOT, env, checkJupyter: false });
    const config = loadConfig(env);
    for (const service of SANDBOX_PARTS.services) {
      const running = await service.start(config);
      stops.push(() => running.stop());
    }
    before = await snapshot(t.db);
    await inPool(cases, RUNS_AT_A_TIME, async (c) => {
      const args = Object.entries(c.parameters).flatMap(([k, v]) => ['-p', `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`]);
      results.set(c, await support(['run', join(NOTEBOOKS_DIR, `${c.runbook}.ipynb`), '--out', join(work, 'runs'), ...args], env));
    });
  }, 1_800_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await t?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every runbook has a case', () => {
    expect(runbooks.filter((r) => !cases.some((c) => c.runbook === r))).toEqual([]);
  });

  it(version === '2024-08' ? 'every runbook runs clean in preview, and the TRS-only ones refuse a DQT-era Register, saying so' : 'every runbook runs clean in preview', () => {
    const refusing = (c: RealisticCase) => version === '2024-08' && trsOnly(c.runbook);
    const failures = [...results].filter(([c, r]) => !refusing(c) && r.code !== 0).map(([c, r]) => `${c.runbook} (${c.label}) exited ${r.code}:\n${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
    expect(failures.join('\n\n')).toBe('');
    expect(results.size).toBe(cases.length);
    const refusals = [...results].filter(([c]) => refusing(c)).map(([c, r]) => [c.runbook, r.code, /This runbook is for a Register that talks to TRS \(schema 2026-08\)/.test(r.stderr + r.stdout)]);
    expect(refusals).toEqual(version === '2024-08' ? TRS_ONLY.map((runbook) => [runbook, 1, true]) : []);
  });

  it('wrote nothing: no write switch, and previews only', async () => {
    expect(diff(before, await snapshot(t.db))).toEqual([]);
  });

  it('support doctor passes and names the version and its migration', async () => {
    const r = await support(['doctor'], env);
    const v = registerVersion(version);
    expect(r.stdout).toContain(`Register ${v.version === '2024-08' ? 'DQT era' : 'TRS era'} (${version}), migration ${v.migration}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 120_000);
});
}
