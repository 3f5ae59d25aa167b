/** The job states BullMQ keeps, and the Redis structure each lives in. */
export const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Redis key names of one BullMQ queue (`<prefix>:<queue>:…`). */
export function queueKeys(prefix: string, queue: string) {
  const base = `${prefix}:${queue}`;
  return {
    base,
    job: (id: string) => `${base}:${id}`,
    /** List (waiting, active) or sorted set (the rest). */
    state: {
      waiting: { key: `${base}:wait`, type: 'list' as const },
      prioritized: { key: `${base}:prioritized`, type: 'zset' as const },
      delayed: { key: `${base}:delayed`, type: 'zset' as const },
      active: { key: `${base}:active`, type: 'list' as const },
      failed: { key: `${base}:failed`, type: 'zset' as const },
      completed: { key: `${base}:completed`, type: 'zset' as const },
    },
  };
}
