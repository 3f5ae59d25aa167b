/**
 * Sidekiq's time fields (`created_at`, `enqueued_at`, `failed_at`, `retried_at`): epoch seconds as a float in Sidekiq
 * 6.x and 7.x, epoch milliseconds as an integer from 8.0. Sidekiq 8 tells them apart by type; JSON cannot (a Ruby
 * float 1722507330.0 reads back as 1722507330), so the magnitude decides: above 1e11 it is milliseconds (1e11 seconds
 * is the year 5138). Sorted-set scores stay float seconds in every version.
 *
 * @example
 * sidekiqTimeMs(1722507330.4993)   // 1722507330499.3
 * sidekiqTimeMs(1722507330499)     // 1722507330499
 */
export function sidekiqTimeMs(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  // Ruby keeps microseconds: round there, so 1784538903.4072 reads 1784538903407.2, not …407.2002.
  return n > 1e11 ? n : Math.round(n * 1e6) / 1e3;
}

/** Whether a payload writes its times in milliseconds (Sidekiq 8) or seconds (6.x, 7.x), from its own fields. */
export function timeUnitOf(payload: Record<string, unknown>): 'seconds' | 'milliseconds' {
  for (const field of ['enqueued_at', 'created_at', 'failed_at']) {
    const v = payload[field];
    if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? 'milliseconds' : 'seconds';
  }
  return 'seconds';
}

/**
 * A time as the JSON text Sidekiq expects: float seconds with microseconds (always with a fraction, so Sidekiq 8 would
 * not take it for milliseconds) or integer milliseconds.
 *
 * @example
 * sidekiqTimeJson(1796301068667.9, 'seconds')      // '1796301068.667900'
 * sidekiqTimeJson(1796301068667.9, 'milliseconds') // '1796301068668'
 */
export function sidekiqTimeJson(ms: number, unit: 'seconds' | 'milliseconds'): string {
  return unit === 'milliseconds' ? String(Math.round(ms)) : (ms / 1000).toFixed(6);
}
