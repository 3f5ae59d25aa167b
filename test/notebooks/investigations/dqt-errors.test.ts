import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedger } from '../../../lib/queues/actions.js';
import { runNotebook } from '../../../lib/runner/index.js';
import { listScenarios } from '../../../lib/sandbox/seed/index.js';
import { diff, snapshot } from '../../integration/plan/snapshot.js';
import { REDIS_URL, seededSandbox, type SeededSandbox } from '../../integration/investigations/setup.js';

/**
 * The DQT-error runbooks, the triage runbook and ops/queues run headless (`support run`'s engine, the project's tslab
 * kernel, the compiled library: `npm run build` first) on a freshly seeded database, with the DQT sandbox started and
 * the dead set the seed hook filled. Every DQT scenario's runbook runs green with its slug and parameters; with
 * commit=false nothing is written and no job is touched.
 */
const API_KEY = 'notebook-suite-dqt-key-51fa07';
let s: SeededSandbox;
let out: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  s = await seededSandbox(API_KEY);
  out = mkdtempSync(join(tmpdir(), 'rs-nb-dqt-'));
  env = {
    ...process.env,
    DATABASE_URL: s.t.url,
    REDIS_URL,
    REDIS_PREFIX: s.prefix,
    DQT_API_KEY: API_KEY,
    SUPPORT_DQT_SANDBOX_PORT: String(s.sandbox.port),
    SUPPORT_ALLOW_WRITES: 'true',
    SUPPORT_OPERATOR: 'Nora Notebook',
  };
}, 120_000);
afterAll(async () => {
  await s?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Every output of the executed notebook as plain text (HTML tags dropped). */
function outputText(path: string): string {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: { outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[] }[] };
  const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => join(o.text) + join(o.data?.['text/html']).replace(/<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ') + join(o.data?.['text/plain']))
    .join('\n')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const deadSet = async () => (await s.ctx.jobs.queues.dqt.getFailed()).map((j) => `${j.id} ${j.failedReason}`).sort();

/** What the diagnosis of each scenario starts with, as the runbook shows it. */
const DIAGNOSIS: Record<string, string> = {
  'dqt-server-error-500': 'died with a DQT server error (500)',
  'dqt-teacher-not-found-dob-mismatch': 'Date of birth mismatch: Register holds 1995-03-14, DQT holds 1995-03-04',
  'dqt-teacher-not-found-inactive': 'DQT has no active teacher with TRN 3012203',
  'dqt-no-qts-record': 'State mismatch',
  'dqt-no-incomplete-itt': 'Not a plain stuck award: provider UKPRN (Register 10099001, DQT 10099002)',
  'dqt-organisation-not-found': 'DQT does not know UKPRN 10003863',
  'dqt-already-has-qts': 'Register and DQT differ (state / ITT result, QTS date)',
  'dqt-retrieve-trn-timeout': 'DQT is holding the TRN request for review',
  'dqt-update-missing-trn-known-to-dqt': 'DQT knows the trainee',
  'dqt-update-missing-trn-unknown-to-dqt': 'DQT does not know the trainee',
  'dqt-failed-update-and-award': 'Both the update',
};

const scenarios = listScenarios().filter((x) => x.runbook.startsWith('dqt-errors/'));

describe('every DQT scenario has a diagnosis here', () => {
  it('lists each scenario of lib/sandbox/seed/dqt.ts', () => {
    expect(scenarios.map((x) => x.name).sort()).toEqual(Object.keys(DIAGNOSIS).sort());
  });
});

describe.each(scenarios.map((x) => [x.name, x] as const))('scenario %s', (name, sc) => {
  it(`runs ${sc.runbook} green with its slug, shows the diagnosis, and writes nothing with commit=false`, { timeout: 180_000 }, async () => {
    const parameters = Object.entries({ slug: sc.slug, ...(sc.parameters ?? {}) }).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
    const rowsBefore = await snapshot(s.t.db);
    const deadBefore = await deadSet();
    const result = await runNotebook({ notebook: `notebooks/${sc.runbook}.ipynb`, parameters, outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    expect(result.exitCode).toBe(0);
    const text = outputText(result.outputPath!);
    expect(text).toContain(DIAGNOSIS[name]);
    expect(text).toContain('Preview only (commit = false)');
    expect(text).not.toContain(API_KEY);
    expect(diff(rowsBefore, await snapshot(s.t.db))).toEqual([]);
    expect(await deadSet()).toEqual(deadBefore);
  });
});

describe('the triage and queues runbooks', () => {
  it('triage-dead-jobs: tallies, charts, the classified table and the bulk plan; nothing done with commit=false', { timeout: 180_000 }, async () => {
    const deadBefore = await deadSet();
    const result = await runNotebook({ notebook: 'notebooks/dqt-errors/triage-dead-jobs.ipynb', parameters: ['errorPrefix=status: 404'], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    const text = outputText(result.outputPath!);
    expect(text).toContain('12 dead job(s) of 11 unique trainee(s)');
    expect(text).toContain('2 dead job(s) have an error starting with "status: 404"');
    expect(text).toContain('dqt-errors/organisation-not-found');
    // The bulk plan: the lone 500 (201) rerun and the timed-out TRN request polled again; not 211's update and award.
    expect(text).toMatch(/Bulk: retry 1 server error\(s\), poll again for 1 timed-out TRN request\(s\)/);
    const nb = readFileSync(result.outputPath!, 'utf8');
    // Charts are HTML outputs holding the SVG (so the HTML export keeps them), each with its paths.
    expect(nb).toContain('class=\\"rs-chart\\" role=\\"img\\" aria-label=\\"dead jobs by kind\\"><svg');
    expect(nb).toMatch(/rs-chart[^]*?<path/);
    expect(await deadSet()).toEqual(deadBefore);
  });

  it('ops/queues with a slug: the trainee\'s jobs in every state, the tally, the dead set by error; and with no slug', { timeout: 180_000 }, async () => {
    const sc = scenarios.find((x) => x.name === 'dqt-failed-update-and-award')!;
    const withSlug = await runNotebook({ notebook: 'notebooks/ops/queues.ipynb', parameters: [`slug=${sc.slug}`], outDir: out, env });
    expect(withSlug.failure, JSON.stringify(withSlug.failure)).toBeNull();
    const text = outputText(withSlug.outputPath!);
    expect(text).toContain(`Jobs of Rhys Stone (${sc.slug}, id 211) in every state (2 rows)`);
    expect(text).toContain('Jobs by queue, job and state');
    expect(text).toContain('Dead set by error');
    const without = await runNotebook({ notebook: 'notebooks/ops/queues.ipynb', outDir: out, env });
    expect(without.failure, JSON.stringify(without.failure)).toBeNull();
    expect(outputText(without.outputPath!)).toContain('No slug given: the trainee part is skipped.');
  });

  it('server-error-500 with commit=true reruns the dead job and records it in the run ledger', { timeout: 180_000 }, async () => {
    const sc = scenarios.find((x) => x.name === 'dqt-server-error-500')!;
    const result = await runNotebook({ notebook: `notebooks/${sc.runbook}.ipynb`, parameters: [`slug=${sc.slug}`, 'commit=true', 'auditComment=DQT 500, rerun per playbook'], outDir: out, env });
    expect(result.failure, JSON.stringify(result.failure)).toBeNull();
    expect(outputText(result.outputPath!)).toContain('committed by Nora Notebook: 1 of 1 action(s) done');
    const [ledger] = await readLedger(s.ctx.jobs.connection, s.prefix, 1);
    expect(ledger).toMatchObject({ operator: 'Nora Notebook', comment: 'DQT 500, rerun per playbook' });
    expect((await deadSet()).some((d) => d.startsWith('seed-dqt-server-error-500-'))).toBe(false);
  });
});
