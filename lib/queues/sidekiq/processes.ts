import type { Redis } from 'ioredis';
import type { SidekiqProcessInfo } from '../store.js';
import { SIDEKIQ_KEYS } from './keys.js';
import { sidekiqTimeMs } from './time.js';

/**
 * The Sidekiq processes in `processes`, each with its heartbeat hash (`info`, `beat`, `busy`, `quiet`; it expires 60 s
 * after the process stops, while the identity may stay in the set until Sidekiq's clean-up). A process is alive when
 * its hash is there and its last beat is under a minute old.
 *
 * @example
 * const processes = await readSidekiqProcesses(redis);
 * processes.filter((p) => p.alive && !p.quiet).flatMap((p) => p.queues) // ['high_priority', 'default', 'trs', …]
 */
export async function readSidekiqProcesses(redis: Redis, now = Date.now()): Promise<SidekiqProcessInfo[]> {
  const identities = (await redis.smembers(SIDEKIQ_KEYS.processes)).sort();
  if (!identities.length) return [];
  const pipeline = redis.pipeline();
  for (const id of identities) pipeline.hmget(id, 'info', 'beat', 'busy', 'quiet');
  const results = (await pipeline.exec()) ?? [];
  return identities.map((identity, i) => {
    const [info, beat, busy, quiet] = ((results[i]?.[1] as (string | null)[] | undefined) ?? []) as (string | null)[];
    let parsed: Record<string, unknown> = {};
    try {
      parsed = info ? (JSON.parse(info) as Record<string, unknown>) : {};
    } catch {
      parsed = {};
    }
    const beatAt = sidekiqTimeMs(beat);
    // `queues` repeats a queue for its weight (7.x keeps `weights` beside it): list each once, in order.
    const queues = Array.isArray(parsed.queues) ? [...new Set(parsed.queues.filter((q): q is string => typeof q === 'string'))] : [];
    return {
      identity,
      hostname: typeof parsed.hostname === 'string' ? parsed.hostname : identity.split(':')[0] ?? identity,
      pid: typeof parsed.pid === 'number' ? parsed.pid : null,
      queues,
      concurrency: typeof parsed.concurrency === 'number' ? parsed.concurrency : null,
      busy: Number(busy ?? 0) || 0,
      beatAt,
      quiet: quiet === 'true',
      alive: info !== null && beatAt !== null && now - beatAt < 60_000,
    };
  });
}

/** Queue → the live, not quiet processes that poll it. */
export function queuesPolled(processes: readonly SidekiqProcessInfo[]): Map<string, string[]> {
  const polled = new Map<string, string[]>();
  for (const p of processes) {
    if (!p.alive || p.quiet) continue;
    for (const q of p.queues) polled.set(q, [...(polled.get(q) ?? []), p.identity]);
  }
  return polled;
}
