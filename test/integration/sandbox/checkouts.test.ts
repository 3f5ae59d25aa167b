import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/env.js';
import { ensureSandbox } from '../../../lib/sandbox/ensure.js';
import { startSandbox } from '../../../lib/sandbox/start.js';
import { SANDBOX_PARTS } from '../../../lib/cli/sandbox-parts.js';
import { processTag } from '../../helpers/processes.js';
import { freePort } from '../../notebooks/suite.js';
import { assertBuilt, cleanEnv, support } from '../runner/cli.js';

// The sandbox as a background process: who starts it says so, `support sandbox stop` stops it, `support doctor`
// leaves nothing running, and a checkout never uses a sandbox that is not its own.
let dataDir: string;
let other: string;
let env: NodeJS.ProcessEnv;
const tag = processTag();
beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'rs-checkout-a-'));
  other = mkdtempSync(join(tmpdir(), 'rs-checkout-b-'));
  env = cleanEnv({ SUPPORT_SANDBOX_DIR: dataDir, SUPPORT_SANDBOX_PORT: String(await freePort()), SUPPORT_DQT_SANDBOX_PORT: String(await freePort()), SUPPORT_TRS_SANDBOX_PORT: String(await freePort()), ...tag.env });
});
afterAll(async () => {
  await support(['sandbox', 'stop'], env);
  for (const d of [dataDir, other]) rmSync(d, { recursive: true, force: true });
});

describe('the background sandbox', () => {
  it('support doctor starts it for its checks and stops it again: nothing is left running', async () => {
    const r = await support(['doctor'], env);
    expect(r.stdout).toMatch(/ok {4}database {7}embedded sandbox .*: Register TRS era \(2026-08\), migration 20260609164710/);
    expect(r.stdout).toMatch(/The sandbox was started for these checks \(process \d+\) and is stopped again\./);
    expect(tag.running()).toEqual([]);
    expect(existsSync(join(dataDir, 'sandbox.json'))).toBe(false);
    expect(await support(['sandbox', 'status'], env)).toMatchObject({ code: 3, stdout: expect.stringMatching(/^not running: PostgreSQL 127\.0\.0\.1:\d+, DQT 127\.0\.0\.1:\d+, data /) });
  });

  it('a command that starts it says so and how to stop it; support sandbox stop stops it', async () => {
    const migrate = await support(['db', 'migrate'], env);
    expect(migrate.code).toBe(0);
    const notice = /Started the embedded sandbox in the background \(process (\d+), log .*sandbox\.log\)\. It keeps running for the next runs; stop it with: support sandbox stop/.exec(migrate.stderr);
    expect(notice, migrate.stderr).not.toBeNull();
    expect(tag.running().map((p) => p.pid)).toEqual([Number(notice![1])]);
    const status = await support(['sandbox', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running: process ${notice![1]} since`);
    // running already: the next command just uses it, silently
    expect((await support(['db', 'migrate'], env)).stderr).toBe('');
    expect(await support(['sandbox', 'stop'], env)).toMatchObject({ code: 0, stdout: `Stopped the sandbox (process ${notice![1]}).\n` });
    expect(tag.running()).toEqual([]);
    expect((await support(['sandbox', 'stop'], env)).stdout).toContain('The sandbox of this checkout is not running');
  });

  it("a second checkout whose port is taken by the first's sandbox is told so, and never uses it", async () => {
    const mine = await startSandbox(loadConfig(env), SANDBOX_PARTS);
    try {
      // Another checkout: its own data folder, the same port (as two checkouts with the same port settings would have).
      const theirs = { ...env, SUPPORT_SANDBOX_DIR: other };
      await expect(ensureSandbox(loadConfig(theirs))).rejects.toThrow(/answers, but not as this checkout's sandbox .*another checkout's sandbox or another program has the port\. Stop it, or give this checkout other ports with SUPPORT_SANDBOX_PORT and SUPPORT_DQT_SANDBOX_PORT\./);
      const r = await support(['db', 'migrate'], theirs);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("answers, but not as this checkout's sandbox");
      const foreground = await support(['sandbox'], theirs);
      expect(foreground.code).toBe(3);
      expect(foreground.stderr).toContain("already answers, but not as this checkout's sandbox");
      // and a second start in the same checkout is refused, naming the first
      await expect(startSandbox(loadConfig(env), SANDBOX_PARTS)).rejects.toThrow(`This checkout's sandbox is already running or starting (process ${process.pid}`);
    } finally {
      await mine.stop();
    }
  });
});
