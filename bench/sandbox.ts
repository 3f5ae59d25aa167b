/**
 * `npm run bench -- sandbox`: how fast the embedded sandbox starts. Cold = a new data directory (initdb, migrate,
 * seed); warm = the same directory again (what `support run` and `npm start` pay when the sandbox is not running).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxDatabase } from '../lib/sandbox/database.js';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const repeats = Number(args[args.indexOf('--repeats') + 1]) || 5;
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-bench-sandbox-'));
  const port = 55600 + Math.floor(Math.random() * 300);
  try {
    let t = performance.now();
    const first = await startSandboxDatabase({ dataDir, port });
    const coldMs = performance.now() - t;
    await first.stop();
    const warm: number[] = [];
    for (let i = 0; i < repeats; i++) {
      t = performance.now();
      const s = await startSandboxDatabase({ dataDir, port });
      warm.push(performance.now() - t);
      await s.stop();
    }
    warm.sort((a, b) => a - b);
    const warmMedianMs = Math.round(warm[Math.floor(warm.length / 2)]!);
    process.stdout.write(`cold start (initdb + migrate + seed): ${Math.round(coldMs)} ms\nwarm start, median of ${repeats}: ${warmMedianMs} ms (max ${Math.round(warm.at(-1)!)} ms)\n`);
    return { coldStartMs: Math.round(coldMs), warmStartMs: warmMedianMs, warmStartMaxMs: Math.round(warm.at(-1)!), repeats, targetWarmMs: 2000 };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
