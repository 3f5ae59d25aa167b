/**
 * The benchmark harness: `npm run bench -- <name> [flags]` runs `bench/<name>.ts`, prints its figures, then prints
 * the result as one JSON object on the last line and writes it to `bench/results/<name>.json`.
 * `npm run bench` alone lists the benchmarks. Benchmarks measure on this machine's real PostgreSQL and Redis.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Benchmark {
  /** Runs the benchmark with its own flags; returns its figures (numbers in ms unless the key says otherwise). */
  run(args: string[]): Promise<Record<string, unknown>>;
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
    .map((f) => f.replace(/\.js$/, ''))
    .sort();
  if (!name || name === '--help') {
    process.stdout.write(`Usage: npm run bench -- <name> [flags]\nBenchmarks: ${available.join(', ') || '(none yet)'}\n`);
    return name ? 0 : 2;
  }
  if (!available.includes(name)) {
    process.stderr.write(`No benchmark "${name}". Benchmarks: ${available.join(', ')}\n`);
    return 2;
  }
  const mod = (await import(join(__dirname, `${name}.js`))) as Benchmark;
  const started = Date.now();
  const result = { benchmark: name, ...(await mod.run(args)), wallMs: Date.now() - started, at: new Date().toISOString(), node: process.version };
  const dir = resolve(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
