/**
 * How the Plan engine compares and serialises column values: a `Date` (timestamp) becomes its UTC ISO text,
 * objects (jsonb) become JSON with sorted keys, everything else stays as it is. Two values are the same when
 * their normal forms are equal, so a plan saved as JSON (dates as text) still compares with fresh rows.
 *
 * @example
 * sameValue(new Date('2025-06-25T00:00:00Z'), '2025-06-25T00:00:00.000Z') // true
 * sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })                                // true
 */
export function normalValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && ISO_TIMESTAMP.test(value)) return new Date(value).toISOString();
  if (typeof value === 'object') return canonicalJson(value);
  return value;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function sameValue(a: unknown, b: unknown): boolean {
  return normalValue(a) === normalValue(b);
}

/** JSON with object keys sorted at every level and dates as ISO text: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * A value as the audited gem writes it into `audited_changes` (Rails' JSON): timestamps as UTC ISO text with
 * milliseconds, dates as `YYYY-MM-DD`, jsonb as the object, enums as the stored integers (they already are).
 */
export function auditValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A value as sent to PostgreSQL inside a JSON document (`jsonb_populate_recordset`): timestamps in UTC. */
export function dbJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}
