/**
 * One measured pass of the Sidekiq benchmark, in its own process so its peak memory is its own.
 * argv: <mode: triage|floor|floor-releasing|retry-commit|retry-floor|retry-floor-sequential> <redis url> <set> [retries]. Prints one JSON line:
 * { ms, cpuMs (this process's CPU time in the measured part), peakMB, jobs, check }. The retry modes put the dead set back as it was afterwards (not timed).
 */
import { Redis } from 'ioredis';
import { commitJobPlan, planRetries } from '../lib/queues/actions.js';
import { retryPayload } from '../lib/queues/sidekiq/json-edit.js';
import { SidekiqJobStore } from '../lib/queues/sidekiq/store.js';
import { scanTriage, type TriageRecord } from '../lib/triage/triage.js';

const RETRY_LUA = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('LPUSH', KEYS[3], ARGV[2])
  return 1
end
return 0`;

async function selection(store: SidekiqJobStore, count: number): Promise<TriageRecord[]> {
  const picked: TriageRecord[] = [];
  // Jobs without an update-before-award dependency: the floor has none either.
  for await (const batch of scanTriage(store, { states: ['dead'] })) {
    for (const r of batch) if (r.jobName !== 'Dqt::RecommendForAwardJob' && picked.length < count) picked.push(r);
    if (picked.length >= count) break;
  }
  return picked;
}

async function membersOf(redis: Redis, records: TriageRecord[]): Promise<{ score: string; raw: string }[]> {
  const pipeline = redis.pipeline();
  for (const r of records) {
    const l = r.location as { score: string };
    pipeline.zrangebyscore('dead', l.score, l.score, 'WITHSCORES');
  }
  return ((await pipeline.exec()) ?? []).map(([, v]) => {
    const flat = v as string[];
    return { raw: flat[0]!, score: flat[1]! };
  });
}

async function main() {
  const [mode, url, set, extra] = process.argv.slice(2) as [string, string, string, string | undefined];
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let jobs = 0;
  let check = 0;
  let ms = 0;
  let cpu = process.cpuUsage();
  if (mode === 'triage') {
    const store = new SidekiqJobStore(redis, { url, ownsConnection: false });
    cpu = process.cpuUsage();
    const started = performance.now();
    const byKind = new Map<string, number>();
    const trainees = new Set<number>();
    for await (const batch of scanTriage(store, { states: [set] })) {
      for (const r of batch) {
        jobs++;
        byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
        if (r.traineeId !== null) trainees.add(r.traineeId);
        if (r.removedByCleanup) check++;
      }
    }
    ms = performance.now() - started;
    cpu = process.cpuUsage(cpu);
    check += byKind.size * 1_000_000 + trainees.size;
  } else if (mode === 'floor' || mode === 'floor-releasing') {
    const releasing = mode === 'floor-releasing';
    cpu = process.cpuUsage();
    const started = performance.now();
    const total = await redis.zcard(set);
    const page = (start: number) => redis.zrange(set, start, start + 999, 'WITHSCORES');
    let next = total > 0 ? page(0) : null;
    for (let start = 0; next; start += 1000) {
      const flat = await next;
      next = start + 1000 < total ? page(start + 1000) : null;
      for (let i = 0; i < flat.length; i += 2) {
        const item = JSON.parse(flat[i]!) as { retry_count?: number };
        if (releasing) flat[i] = '';
        if (item.retry_count) check++;
        jobs++;
      }
    }
    ms = performance.now() - started;
    cpu = process.cpuUsage(cpu);
  } else {
    const count = Number(extra ?? 1000);
    const store = new SidekiqJobStore(redis, { url, ownsConnection: false });
    const records = await selection(store, count);
    const before = await membersOf(redis, records);
    // A live Sidekiq process polling the queues (the toolkit refuses to push where none does).
    const identity = `bench:${process.pid}:0`;
    await redis.multi().sadd('processes', identity).hset(identity, 'info', JSON.stringify({ hostname: 'bench', pid: process.pid, queues: ['dqt', 'trs'], concurrency: 5 }), 'beat', String(Date.now() / 1000), 'busy', '0', 'quiet', 'false').exec();
    try {
      if (mode === 'retry-commit') {
        const plan = planRetries(records);
        const config = { operator: 'Bench Mark', writesAllowed: true, redis: { url, prefix: 'bull', backend: 'sidekiq' as const } };
        cpu = process.cpuUsage();
        const started = performance.now();
        const receipt = await commitJobPlan(plan, { auditComment: 'benchmark', config, jobs: store });
        ms = performance.now() - started;
        cpu = process.cpuUsage(cpu);
        check = receipt.results.filter((r) => r.status === 'done').length;
      } else {
        const now = new Date();
        const prepared = before.map(({ raw }) => ({ raw, ...retryPayload(raw, now)! }));
        const sha = (await redis.script('LOAD', RETRY_LUA)) as string;
        cpu = process.cpuUsage();
        const started = performance.now();
        if (mode === 'retry-floor-sequential') {
          // The same calls one at a time, each awaited: the naive way.
          for (const p of prepared) check += Number(await redis.evalsha(sha, 3, 'dead', 'queues', `queue:${p.queue}`, p.raw, p.payload, p.queue));
        } else {
          const pipeline = redis.pipeline();
          for (const p of prepared) pipeline.evalsha(sha, 3, 'dead', 'queues', `queue:${p.queue}`, p.raw, p.payload, p.queue);
          const results = (await pipeline.exec()) ?? [];
          check = results.filter(([, v]) => Number(v) === 1).length;
        }
        ms = performance.now() - started;
        cpu = process.cpuUsage(cpu);
      }
      jobs = records.length;
    } finally {
      // Back as it was: the same members at the same scores, no queued copies, no ledger, no process.
      const restore = redis.multi();
      for (const b of before) restore.zadd('dead', b.score, b.raw);
      await restore.del('queue:dqt', 'queue:trs', 'queues', 'register-support:ledger', 'register-support:ledger:plans', identity).srem('processes', identity).exec();
    }
  }
  const peakMB = process.resourceUsage().maxRSS / 1024;
  redis.disconnect();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), cpuMs: Math.round(cpuMs), peakMB: Math.round(peakMB), jobs, check })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
