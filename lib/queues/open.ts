import { Redis } from 'ioredis';
import { describeUrl, type Config } from '../config/env.js';
import { QUEUE_NAMES } from '../jobs/names.js';
import { JobQueues } from '../jobs/queues.js';
import { BullmqJobStore } from './bullmq/store.js';
import { SIDEKIQ_SIGNATURE_KEYS } from './sidekiq/keys.js';
import { SidekiqJobStore } from './sidekiq/store.js';
import type { JobStore, QueueBackend, StoreInfo } from './store.js';

/**
 * Opens the job store `config.redis` names: Sidekiq or BullMQ as `QUEUE_BACKEND` says, or, when it is unset, whichever
 * Redis holds (Sidekiq's `dead`, `retry`, `schedule`, `queues`, `processes`, `stat:processed`; BullMQ's queues under
 * `REDIS_PREFIX`). An empty Redis is BullMQ's (the toolkit's own queues); one holding both is refused with what it
 * holds. Returns at once: the backend is settled on first use, so a notebook cell opens it without waiting.
 *
 * @example
 * const store = openJobStore(loadConfig());
 * (await store.info()).backend // 'sidekiq'
 */
export function openJobStore(config: Pick<Config, 'redis'>, options: { sidekiq?: ConstructorParameters<typeof SidekiqJobStore>[1] } = {}): JobStore {
  return new LazyJobStore(config.redis, options);
}

/** Which backend Redis holds: the keys it found for each. */
export async function detectQueueBackend(redis: Redis, prefix: string): Promise<{ backend: QueueBackend | null; sidekiqKeys: string[]; bullmqKeys: string[] }> {
  const bullmqCandidates = QUEUE_NAMES.flatMap((q) => [`${prefix}:${q}:meta`, `${prefix}:${q}:id`, `${prefix}:${q}:failed`]);
  const pipeline = redis.pipeline();
  for (const k of [...SIDEKIQ_SIGNATURE_KEYS, ...bullmqCandidates]) pipeline.exists(k);
  const results = ((await pipeline.exec()) ?? []).map(([, v]) => Number(v) > 0);
  const sidekiqKeys = SIDEKIQ_SIGNATURE_KEYS.filter((_, i) => results[i]);
  const bullmqKeys = bullmqCandidates.filter((_, i) => results[SIDEKIQ_SIGNATURE_KEYS.length + i]);
  const backend = sidekiqKeys.length && !bullmqKeys.length ? 'sidekiq' : bullmqKeys.length && !sidekiqKeys.length ? 'bullmq' : null;
  return { backend, sidekiqKeys: [...sidekiqKeys], bullmqKeys };
}

class LazyJobStore implements JobStore {
  #store: Promise<JobStore> | null = null;
  readonly #connection: Redis;

  constructor(
    private readonly redis: Config['redis'],
    private readonly options: { sidekiq?: ConstructorParameters<typeof SidekiqJobStore>[1] },
  ) {
    this.#connection = new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
    // An unreachable Redis must not crash a notebook kernel: the error surfaces from the first call.
    this.#connection.on('error', () => undefined);
  }

  #resolve(): Promise<JobStore> {
    this.#store ??= this.#open();
    return this.#store;
  }

  async #open(): Promise<JobStore> {
    let backend = this.redis.backend ?? null;
    let chosenBy: StoreInfo['chosenBy'] = 'QUEUE_BACKEND';
    if (!backend) {
      chosenBy = 'detected';
      await pingOrExplain(this.#connection, this.redis.url);
      const found = await detectQueueBackend(this.#connection, this.redis.prefix);
      if (found.sidekiqKeys.length && found.bullmqKeys.length) {
        throw new Error(
          `Redis at ${describeUrl(this.redis.url)} holds both Sidekiq's keys (${found.sidekiqKeys.join(', ')}) and BullMQ queues (${found.bullmqKeys.join(', ')}): set QUEUE_BACKEND=sidekiq or QUEUE_BACKEND=bullmq to say which to read.`,
        );
      }
      backend = found.backend ?? 'bullmq';
    }
    if (backend === 'sidekiq') return new SidekiqJobStore(this.#connection, { url: this.redis.url, chosenBy, ...this.options.sidekiq, ownsConnection: true });
    return new BullmqJobStore(new JobQueues({ url: this.redis.url, prefix: this.redis.prefix }, this.#connection), { chosenBy, ownsQueues: true });
  }

  info() {
    return this.#resolve().then((s) => s.info());
  }
  async ensureReachable(timeoutMs?: number) {
    await pingOrExplain(this.#connection, this.redis.url, timeoutMs);
    await (await this.#resolve()).ensureReachable(timeoutMs);
  }
  summary() {
    return this.#resolve().then((s) => s.summary());
  }
  async *scan(options: Parameters<JobStore['scan']>[0]) {
    yield* (await this.#resolve()).scan(options);
  }
  check(jobs: Parameters<JobStore['check']>[0]) {
    return this.#resolve().then((s) => s.check(jobs));
  }
  apply(action: Parameters<JobStore['apply']>[0], jobs: Parameters<JobStore['apply']>[1]) {
    return this.#resolve().then((s) => s.apply(action, jobs));
  }
  enqueue(request: Parameters<JobStore['enqueue']>[0]) {
    return this.#resolve().then((s) => s.enqueue(request));
  }
  pollingQueues() {
    return this.#resolve().then((s) => s.pollingQueues());
  }
  waitForOutcome(queue: string, jobId: string, timeoutMs: number) {
    return this.#resolve().then((s) => s.waitForOutcome(queue, jobId, timeoutMs));
  }
  readLedger<T>(limit: number) {
    return this.#resolve().then((s) => s.readLedger<T>(limit));
  }
  findInLedger<T>(planId: string) {
    return this.#resolve().then((s) => s.findInLedger<T>(planId));
  }
  appendLedger(entry: { planId: string }) {
    return this.#resolve().then((s) => s.appendLedger(entry));
  }
  async connection() {
    return this.#connection;
  }
  async close() {
    const store = this.#store ? await this.#store.catch(() => null) : null;
    if (store) await store.close();
    if (this.#connection.status === 'ready') await this.#connection.quit().catch(() => undefined);
    else this.#connection.disconnect();
  }
  /** The store itself once settled (BullMQ-only needs: the toolkit's worker queues). */
  resolved(): Promise<JobStore> {
    return this.#resolve();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `JobStore(${this.redis.backend ?? 'detected'} on ${describeUrl(this.redis.url)})`;
  }
  toJSON() {
    return { backend: this.redis.backend ?? 'detected', redis: describeUrl(this.redis.url) };
  }
}

async function pingOrExplain(redis: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ping = redis.ping().then(
    () => true,
    () => false,
  );
  const ok = await Promise.race([ping, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).finally(() => clearTimeout(timer));
  if (!ok) throw new Error(`Cannot reach Redis at ${describeUrl(url)} within ${timeoutMs / 1000} s: start Redis or check REDIS_URL.`);
}

/** The BullMQ queues behind a store, for what only BullMQ has (the toolkit's worker, tests); null on Sidekiq. */
export async function bullmqQueuesOf(store: JobStore): Promise<JobQueues | null> {
  const s = store instanceof LazyJobStore ? await store.resolved() : store;
  return s instanceof BullmqJobStore ? s.jobs : null;
}
