/**
 * Benchmark: the DQT client against the DQT sandbox server. 1,000 retrieve-teacher calls (GET /v2/teachers/{trn},
 * zod-validated) with 16 in flight, after a warm-up of 50. The sandbox runs in a child process by default, so
 * client and server do not share an event loop (`--in-process` to run it in this process).
 *
 * Usage: `npm run bench -- dqt-client [--calls 1000] [--in-flight 16] [--in-process]`
 * Reports total ms, calls per second, and p50/p95/p99/max latency per call in ms.
 */
import { fork } from 'node:child_process';
import { flag } from './_shared.js';
import { join } from 'node:path';
import { Secret } from '../lib/config/env.js';
import { createDqtClient } from '../lib/dqt/client.js';
import { startDqtSandbox } from '../lib/dqt/sandbox/server.js';
import { dqtSandboxSeed } from '../lib/dqt/sandbox/seed.js';

const API_KEY = 'bench-dqt-key';


/** Starts the sandbox in a child Node process (this file run with `--child`); resolves with its URL. */
function childSandbox(): Promise<{ url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const proc = fork(join(__dirname, 'dqt-client.js'), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    proc.once('message', (m: { url: string }) =>
      resolve({
        url: m.url,
        stop: () =>
          new Promise<void>((r) => {
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
      }),
    );
    proc.once('error', reject);
    proc.once('exit', (c) => (c ? reject(new Error(`the sandbox child process exited with ${c}`)) : undefined));
  });
}

if (process.argv.includes('--child')) {
  startDqtSandbox({ apiKey: API_KEY, port: 0, seed: dqtSandboxSeed() }).then((s) => process.send?.({ url: s.url }));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (n: number) => Math.round(n * 100) / 100;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const calls = flag(args, 'calls', 1000);
  const inFlight = flag(args, 'in-flight', 16);
  const inProcess = args.includes('--in-process');
  const server = inProcess ? await startDqtSandbox({ apiKey: API_KEY, port: 0, seed: dqtSandboxSeed() }) : await childSandbox();
  const dqt = createDqtClient({ url: server.url, apiKey: new Secret(API_KEY), connections: inFlight });
  const teachers = dqtSandboxSeed().teachers.filter((t) => t.active !== false && t.trn).map((t, i) => ({
    id: i + 1, trn: t.trn, date_of_birth: t.dateOfBirth ?? null, first_names: t.firstName ?? null, last_name: t.lastName ?? null, email: null, slug: `bench-${i}`,
  }));
  try {
    const one = async (i: number) => {
      const teacher = teachers[i % teachers.length]!;
      const started = performance.now();
      await dqt.retrieveTeacher(teacher);
      return performance.now() - started;
    };
    for (let i = 0; i < 50; i++) await one(i);
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < calls) {
          const i = next++;
          try {
            latencies.push(await one(i));
          } catch {
            errors++;
          }
        }
      }),
    );
    const totalMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const result = {
      calls,
      inFlight,
      sandbox: inProcess ? 'in-process' : 'child process',
      errors,
      totalMs: round(totalMs),
      callsPerSecond: Math.round((calls / totalMs) * 1000),
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies[latencies.length - 1]!),
    };
    process.stdout.write(`${calls} retrieve-teacher calls, ${inFlight} in flight: ${result.totalMs} ms, ${result.callsPerSecond} calls/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms\n`);
    return result;
  } finally {
    await dqt.close();
    await server.stop();
  }
}
