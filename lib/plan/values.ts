import { isTimestampLike, railsTimestampJson, toTimestampText } from '../db/timestamp.js';

/**
 * How the Plan engine compares and serialises column values: a timestamp (a `Date`, or ISO text with its zone, as read
 * from the database or loaded from a saved plan) becomes the toolkit's text to the microsecond
 * (`2025-06-25T10:00:00.654321Z`), objects (jsonb) become JSON with sorted keys, everything else stays as it is. Two
 * values are the same when their normal forms are equal, so a plan saved as JSON still compares with fresh rows, and a
 * timestamp that moved by one microsecond is not the same.
 *
 * @example
 * sameValue(new Date('2025-06-25T00:00:00Z'), '2025-06-25T00:00:00.000000Z') // true
 * sameValue('2025-06-25T10:00:00.654321Z', '2025-06-25T10:00:00.654999Z')  // false
 * sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })                                // true
 */
export function normalValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isTimestampLike(value)) return toTimestampText(value);
  if (typeof value === 'object') return canonicalJson(value);
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return normalValue(a) === normalValue(b);
}

/** JSON with object keys sorted at every level and timestamps as the toolkit's text: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (isTimestampLike(value)) return toTimestampText(value);
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

/** Whether a column type from PostgreSQL's catalogue (`format_type`) is a timestamp, with or without time zone. */
export function isTimestampType(type: string | undefined): boolean {
  return !!type && type.startsWith('timestamp');
}

/**
 * A value as the audited gem writes it into `audited_changes` (Rails' JSON): timestamps as UTC ISO text with three
 * fraction digits (`2025-06-25T10:00:00.654Z`: Rails' JSON precision, the database keeps six), dates as `YYYY-MM-DD`,
 * jsonb as the object, enums as the stored integers (they already are). `columnType` (from the catalogue) says which
 * values are timestamps; without it a `Date` or zoned ISO text is taken for one.
 */
export function auditValue(value: unknown, columnType?: string): unknown {
  if (value === undefined || value === null) return null;
  if (columnType === undefined ? isTimestampLike(value) : isTimestampType(columnType) && (typeof value === 'string' || value instanceof Date)) return orAsGiven(railsTimestampJson, value as string | Date);
  return value;
}

/** `convert(value)`, or the value as given when it is not a timestamp the toolkit can read (`infinity`). */
function orAsGiven(convert: (v: string | Date) => string, value: string | Date): string | Date {
  try {
    return convert(value);
  } catch {
    return value;
  }
}

/**
 * A value as sent to PostgreSQL (in a typed array or a JSON document): timestamps as the toolkit's text in UTC, so
 * every digit arrives and an offset never shifts a `timestamp without time zone`. `columnType` as for `auditValue`.
 */
export function dbJsonValue(value: unknown, columnType?: string): unknown {
  if (value === undefined) return null;
  if (value === null) return null;
  if (columnType === undefined ? value instanceof Date : isTimestampType(columnType) && (typeof value === 'string' || value instanceof Date)) return orAsGiven(toTimestampText, value as string | Date);
  return value;
}
