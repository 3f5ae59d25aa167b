/**
 * Sidekiq's keys in Redis (no prefix, no namespace: the root of the database `REDIS_URL` names). The toolkit reads only
 * these names, never a pattern over the whole database.
 *
 * @example
 * SIDEKIQ_KEYS.queue('dqt') // 'queue:dqt'
 */
export const SIDEKIQ_KEYS = {
  queues: 'queues',
  queue: (name: string) => `queue:${name}`,
  schedule: 'schedule',
  retry: 'retry',
  dead: 'dead',
  processes: 'processes',
  /** Busy jobs of a process: `<identity>:work` (6.5+), `<identity>:workers` (6.4 and older). */
  work: (identity: string) => [`${identity}:work`, `${identity}:workers`] as const,
  processed: 'stat:processed',
  failed: 'stat:failed',
  /** The toolkit's own run ledger in a Sidekiq database (Sidekiq ignores keys it does not know). */
  ledger: 'register-support:ledger',
  /** Set by the sandbox when it fills a database with its Sidekiq-shaped sets. */
  sandboxMarker: 'register-support:sandbox',
} as const;

/** The keys whose presence says "this database holds Sidekiq". */
export const SIDEKIQ_SIGNATURE_KEYS = ['dead', 'retry', 'schedule', 'queues', 'processes', 'stat:processed'] as const;

/** Rails' ActiveJob wrapper class (Sidekiq 6.x, 7.x): the `class` of almost every job Register has. */
export const RAILS_ACTIVEJOB_WRAPPER = 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper';

/** Sidekiq's class names for ActiveJob's wrapper: Rails' adapter (6.x, 7.x) and Sidekiq 8's own. */
export const ACTIVEJOB_WRAPPERS = new Set([RAILS_ACTIVEJOB_WRAPPER, 'Sidekiq::ActiveJob::Wrapper']);

/** Sidekiq's states as the toolkit names them, in display order. */
export const SIDEKIQ_STATES = ['enqueued', 'scheduled', 'busy', 'retry', 'dead'] as const;
export type SidekiqState = (typeof SIDEKIQ_STATES)[number];

/** Sidekiq's defaults for trimming the dead set (Register overrides neither). */
export const DEAD_SET_DEFAULTS = { maxJobs: 10_000, timeoutSeconds: 15_552_000 } as const;
