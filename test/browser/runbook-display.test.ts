import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, seededSandbox, type SeededSandbox } from '../integration/investigations/setup.js';
import { assertBuilt, cleanEnv, ROOT } from '../integration/runner/cli.js';
import { freePort } from '../notebooks/suite.js';

/**
 * The runbooks as an operator sees them: `support start` (Jupyter Notebook) on a seeded database with a dead set,
 * driven in Debian's Chromium, headless. The triage runbook's main output reads whole (no nested scroll box), its
 * jobs table puts what to do first and keeps it on screen, a bad input shows as one message box with the trace
 * folded, and markdown placeholders show. Screenshots go to runs/screenshots/ (git-ignored) for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'runs', 'screenshots');
const WIDTH = 1280;
let s: SeededSandbox;
let jupyter: ChildProcess | undefined;
let browser: BrowserContext | undefined;
let profile: string;
let base = '';

beforeAll(async () => {
  assertBuilt();
  mkdirSync(SHOTS, { recursive: true });
  s = await seededSandbox('browser-test-dqt-key');
  const port = await freePort();
  const env = cleanEnv({ DATABASE_URL: s.t.url, REDIS_URL, REDIS_PREFIX: s.prefix, DQT_API_KEY: s.apiKey, SUPPORT_DQT_SANDBOX_PORT: String(s.sandbox.port), SUPPORT_OPERATOR: 'Bea Browser' });
  jupyter = spawn(process.execPath, [join(ROOT, 'bin', 'support.js'), 'start', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  base = await new Promise<string>((resolve, reject) => {
    jupyter!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Runbooks: (http:\/\/127\.0\.0\.1:\d+\/)tree\?token=([0-9a-f]+)/.exec(out);
      if (m) resolve(`${m[1]}notebooks/%s?token=${m[2]}`);
    });
    jupyter!.on('exit', (code) => reject(new Error(`support start exited (${code}): ${out}`)));
  });
  profile = mkdtempSync(join(tmpdir(), 'rs-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: WIDTH, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (jupyter?.pid && jupyter.exitCode === null) {
    const exited = new Promise((r) => jupyter!.once('exit', r));
    process.kill(-jupyter.pid, 'SIGINT');
    await exited;
  }
  await s?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens a runbook, waits for its kernel, optionally replaces the parameters cell, runs every cell, waits for the end. */
async function runAll(path: string, parameters?: string): Promise<Page> {
  const page = await browser!.newPage();
  await page.goto(base.replace('%s', path));
  await page.waitForFunction(() => {
    const j = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean; info_reply?: unknown } } } }).Jupyter;
    return !!j?.notebook?.kernel?.is_connected() && !!j.notebook.kernel.info_reply;
  }, undefined, { timeout: 240_000 });
  await page.evaluate((text) => {
    const nb = (window as unknown as { Jupyter: { notebook: { get_cells(): { cell_type: string; metadata: { tags?: string[] }; set_text(t: string): void }[]; execute_all_cells(): void } } }).Jupyter.notebook;
    if (text !== undefined) nb.get_cells().find((c) => c.metadata.tags?.includes('parameters'))!.set_text(text);
    nb.execute_all_cells();
  }, parameters);
  // Done when no cell waits or runs ("In [*]") and the kernel is idle again.
  await page.waitForFunction(() => document.querySelectorAll('.input_prompt').length > 0 && ![...document.querySelectorAll('.input_prompt')].some((p) => p.textContent!.includes('*')) && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null, undefined, { timeout: 240_000, polling: 250 });
  return page;
}

describe('runbooks in the browser', () => {
  it('triage: the whole output reads without a nested scroll box; the jobs table shows what to do first, on screen', async () => {
    const page = await runAll('dqt-errors/triage-dead-jobs.ipynb');
    // The notebook scrolls inside its own frame: a tall window shows the whole output in one picture.
    await page.setViewportSize({ width: WIDTH, height: 7000 });
    await page.screenshot({ path: join(SHOTS, 'triage-dead-jobs.png') });
    await page.setViewportSize({ width: WIDTH, height: 900 });
    // No output folded into a scroll box (the classic notebook does that past 100 lines unless told not to).
    expect(await page.locator('.output_scroll').count()).toBe(0);
    const table = page.locator('table.rs-table', { has: page.locator('th', { hasText: 'bulkSafe' }) }).last();
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'triage-dead-jobs-table.png') });
    expect(await table.locator('th').allTextContents()).toEqual(['slug', 'kind', 'action', 'bulkSafe', 'runbook', 'cleanup', 'jobName', 'status', 'errorCode', 'state', 'died', 'firstFailed', 'lastEnqueued', 'nextRetry', 'traineeId', 'jobId']);
    // action, bulkSafe and runbook are on the page, not off to the right
    for (const name of ['action', 'bulkSafe', 'runbook']) {
      const box = (await table.locator('th', { hasText: new RegExp(`^${name}$`) }).boundingBox())!;
      expect(box.x + box.width, name).toBeLessThanOrEqual(WIDTH);
    }
    // the rest scrolls sideways inside the table's own box, not the page
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    await page.close();
  });

  it('a bad input shows as one message box, its trace folded away', async () => {
    const page = await runAll('dqt-errors/triage-dead-jobs.ipynb', "const queue: string = 'dqt';\nconst errorPrefix: string = 'status: 500';\nconst timeoutAfter: string = 'next week';\nconst auditComment: string = '';\nconst commit: boolean = false;");
    const failed = page.locator('.code_cell', { has: page.locator('.rs-error') });
    await failed.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'triage-bad-input.png') });
    expect(await failed.count()).toBe(1);
    // the box alone: no stack trace, no empty error strip under it
    expect(await failed.locator('.rs-error').count()).toBe(1);
    expect(await failed.locator('.output_stderr').count()).toBe(0);
    expect(await failed.locator('.output').innerText()).not.toMatch(/^\s+at /m);
    await expect.poll(() => failed.locator('.rs-error strong').first().textContent()).toBe('Stop: nothing was changed');
    expect(await failed.locator('.rs-error').innerText()).toContain('timeoutAfter "next week" is not a date: give it as YYYY-MM-DD');
    const details = failed.locator('.rs-error details');
    expect(await details.getAttribute('open')).toBeNull();
    expect(await details.locator('pre').isVisible()).toBe(false);
    expect(await failed.locator('.output_stderr').count()).toBe(0);
    await page.close();
  });

  it('markdown placeholders such as <you> show as written', async () => {
    const page = await browser!.newPage();
    await page.goto(base.replace('%s', 'dqt-errors/server-error-500.ipynb'));
    await page.waitForSelector('.text_cell_render');
    const text = (await page.locator('.text_cell_render').allInnerTexts()).join('\n');
    expect(text).toContain('<you> via support notebook');
    expect(text).toContain('Try it on the sandbox: scenario dqt-server-error-500');
    await page.close();
  });
});
