import type { Config } from '../config/env.js';
import { redactSecrets } from '../notebook/redact.js';
import { openJobStore } from './open.js';
import type { StoreSummary } from './store.js';

/**
 * Which job backend the toolkit reads and what it holds, in one line, for `support doctor` and the runbook banner:
 * `Sidekiq (detected) at redis://…/1: 12 dead, 2 retry, 0 scheduled, 0 enqueued, 0 busy; no Sidekiq process running`.
 * Never throws: a problem is the answer (`ok` false, with what to do).
 *
 * @example
 * const { ok, text } = await describeJobStore(loadConfig());
 */
export async function describeJobStore(config: Pick<Config, 'redis'>, options: { timeoutMs?: number } = {}): Promise<{ ok: boolean; text: string; fix?: string }> {
  const store = openJobStore(config);
  try {
    await store.ensureReachable(options.timeoutMs ?? 3_000);
    return { ok: true, text: summaryText(await store.summary()) };
  } catch (error) {
    const message = redactSecrets((error as Error).message);
    return { ok: false, text: message, fix: /QUEUE_BACKEND/.test(message) ? 'set QUEUE_BACKEND=sidekiq or QUEUE_BACKEND=bullmq' : 'start Redis or check REDIS_URL' };
  } finally {
    await store.close();
  }
}

/** A store summary in one line. */
export function summaryText(s: StoreSummary): string {
  const name = s.info.backend === 'sidekiq' ? 'Sidekiq' : 'BullMQ';
  const how = s.info.chosenBy === 'detected' ? 'detected' : 'QUEUE_BACKEND';
  const counts = Object.entries(s.counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  let processes = '';
  if (s.processes) {
    const alive = s.processes.filter((p) => p.alive);
    processes = alive.length
      ? `; ${alive.length} Sidekiq process(es) polling ${[...new Set(alive.filter((p) => !p.quiet).flatMap((p) => p.queues))].join(', ') || 'nothing (all quiet)'}`
      : '; no Sidekiq process running (nothing pushed onto a queue would run)';
  }
  const queues = s.info.backend === 'bullmq' ? ` in ${s.queues.join(', ')}` : '';
  return `${name} (${how}) at ${s.info.where}: ${counts}${queues}${processes}`;
}
