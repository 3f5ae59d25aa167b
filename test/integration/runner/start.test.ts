import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { freePort } from '../../notebooks/suite.js';
import { assertBuilt, cleanEnv, ROOT } from './cli.js';
import { join } from 'node:path';

// `support start` (npm start) with a DATABASE_URL, so it does not touch the embedded sandbox: Jupyter on the
// runbooks, bound to 127.0.0.1, behind a random token, the URL printed; Ctrl-C stops it.
let t: TestDatabase;
beforeAll(async () => {
  assertBuilt();
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

describe('support start', () => {
  it('serves notebooks/ on 127.0.0.1 with a token, prints the URL, and stops on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'support.js'), 'start', '--port', String(port)], { env: cleanEnv({ DATABASE_URL: t.url }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed in 60 s; stdout: ${stdout} stderr: ${stderr}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /Runbooks: (http:\/\/127\.0\.0\.1:(\d+)\/tree\?token=([0-9a-f]{48}))/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      expect(url.startsWith(`http://127.0.0.1:${port}/`)).toBe(true);
      const token = new URL(url).searchParams.get('token')!;
      // with the token: the runbook folders are listed
      const api = await fetch(`http://127.0.0.1:${port}/api/contents/`, { headers: { Authorization: `token ${token}` } });
      expect(api.status).toBe(200);
      const names = ((await api.json()) as { content: { name: string }[] }).content.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['data-fixes', 'dqt-errors', 'ops']));
      // the project's kernel is offered
      const specs = (await (await fetch(`http://127.0.0.1:${port}/api/kernelspecs`, { headers: { Authorization: `token ${token}` } })).json()) as { kernelspecs: Record<string, { spec: { argv: string[] } }> };
      expect(specs.kernelspecs['register-support']!.spec.argv[1]).toBe(join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab'));
      // without it: refused
      expect((await fetch(`http://127.0.0.1:${port}/api/contents/`)).status).toBe(403);
      // not on any other address of this machine
      const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
      if (other) await expect(fetch(`http://${other.address}:${port}/api/status`)).rejects.toThrow();
      expect(stdout).toContain('Jupyter listens on 127.0.0.1 only.');
      expect(stderr).not.toContain(token);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
