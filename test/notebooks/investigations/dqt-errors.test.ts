import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedger } from '../../../lib/queues/actions.js';
import { runNotebook } from '../../../lib/runner/index.js';
import { listScenarios } from '../../../lib/sandbox/seed/index.js';
import { REDIS_URL, seededSandbox, type SeededSandbox } from '../../integration/investigations/setup.js';
import { DIAGNOSIS, outputText } from './expected.js';

/**
 * The triage runbook, ops/queues and a committed rerun, headless (`support run`'s engine, the project's tslab kernel,
 * the compiled library: `npm run build` first) on a freshly seeded database, with the DQT sandbox started and the
 * BullMQ dead set the seed hook filled. Each DQT scenario's runbook runs on the jobs a real Sidekiq killed
 * (sidekiq.test.ts: its diagnosis, nothing written, no job touched), as Register's jobs die; on BullMQ each scenario's
 * investigation is checked without a kernel (test/integration/investigations/diagnoses.test.ts).
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

const deadSet = async () => (await s.bull.queues.dqt.getFailed()).map((j) => `${j.id} ${j.failedReason}`).sort();

// The DQT era's scenarios (the suite's sandbox is Register 2024-08); the TRS era's have their own suite.
const scenarios = listScenarios('dqt').filter((x) => x.runbook.startsWith('dqt-errors/'));

describe('every DQT scenario has a diagnosis here', () => {
  it('lists each scenario of lib/sandbox/seed/dqt.ts', () => {
    expect(scenarios.map((x) => x.name).sort()).toEqual(Object.keys(DIAGNOSIS).sort());
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
    const [ledger] = await readLedger(s.ctx.jobs, 1);
    expect(ledger).toMatchObject({ operator: 'Nora Notebook', comment: 'DQT 500, rerun per playbook' });
    expect((await deadSet()).some((d) => d.startsWith('seed-dqt-server-error-500-'))).toBe(false);
  });
});
