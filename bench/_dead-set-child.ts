/**
 * One measured pass of the dead-set benchmark, in its own process so its peak memory is its own.
 * argv: <mode: triage|floor|getFailed> <prefix> <queue>. Prints one JSON line: { ms, peakMB, jobs, check }.
 */
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { JobQueues } from '../lib/jobs/queues.js';
import { BullmqJobStore, ENTRY_FIELDS } from '../lib/queues/bullmq/store.js';
import { scanTriage } from '../lib/triage/triage.js';

async function main() {
  const [mode, prefix, queue] = process.argv.slice(2) as [string, string, string];
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const started = performance.now();
  let jobs = 0;
  let check = 0;
  if (mode === 'triage') {
    const byKind = new Map<string, number>();
    const trainees = new Set<number>();
    const store = new BullmqJobStore(new JobQueues({ url: 'redis://127.0.0.1:6379', prefix }, redis), { ownsQueues: false });
    for await (const batch of scanTriage(store, { queues: [queue] })) {
      for (const r of batch) {
        jobs++;
        byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
        if (r.traineeId !== null) trainees.add(r.traineeId);
      }
    }
    check = byKind.size * 1_000_000 + trainees.size;
  } else if (mode === 'floor') {
    const key = `${prefix}:${queue}:failed`;
    const total = await redis.zcard(key);
    for (let start = 0; start < total; start += 2000) {
      const ids = await redis.zrange(key, start, start + 1999);
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hmget(`${prefix}:${queue}:${id}`, ...ENTRY_FIELDS);
      const results = (await pipeline.exec()) ?? [];
      for (const [, values] of results) if (Array.isArray(values) && values[2]) check += (values[2] as string).length > 0 ? 1 : 0;
      jobs += ids.length;
    }
  } else if (mode === 'getFailed') {
    const q = new Queue(queue, { connection: redis, prefix });
    const total = await q.getFailedCount();
    for (let start = 0; start < total; start += 1000) {
      const page = await q.getFailed(start, start + 999);
      for (const job of page) if (job?.failedReason) check++;
      jobs += page.length;
    }
    await q.close();
  }
  const ms = performance.now() - started;
  const peakMB = process.resourceUsage().maxRSS / 1024;
  redis.disconnect();
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), peakMB: Math.round(peakMB), jobs, check })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
