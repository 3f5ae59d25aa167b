/**
 * Timestamps as the toolkit holds them: ISO text in UTC with all six fraction digits, e.g.
 * `2025-06-25T10:00:00.654321Z`. PostgreSQL keeps microseconds and a JS `Date` only milliseconds, so every
 * `timestamp` column is read as this text (see `connect.ts`), compared, hashed, written back and reverted as it, and
 * converted to a `Date` only for arithmetic (`timestampToDate`). The same instant always has the same text, so two
 * timestamps are equal exactly when their texts are.
 *
 * @example
 * toTimestampText('2025-06-25 10:00:00.654321')          // '2025-06-25T10:00:00.654321Z' (PostgreSQL's own text)
 * toTimestampText(new Date('2025-06-25T10:00:00.654Z'))   // '2025-06-25T10:00:00.654000Z'
 * toTimestampText('2025-06-25T11:00:00.5+01:00')          // '2025-06-25T10:00:00.500000Z'
 * displayTimestamp('2025-06-25T10:00:00.000000Z')         // '2025-06-25T10:00:00Z' (fraction digits only where they matter)
 * railsTimestampJson('2025-06-25T10:00:00.654321Z')       // '2025-06-25T10:00:00.654Z' (as Rails writes audited_changes)
 */
export type TimestampText = string;

/** A timestamp in the toolkit's form: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** ISO 8601 or PostgreSQL text of an instant: date, time to the minute or more, optional fraction, optional zone. */
const TIMESTAMP_INPUT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO text with a time and a zone (`Z` or an offset): what JSON holds for a timestamp (a saved plan, `Date#toJSON`). */
const ZONED_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Whether `value` is a JS Date or ISO text of an instant with its zone (so it can be read as a timestamp without guessing). */
export function isTimestampLike(value: unknown): value is Date | string {
  return value instanceof Date || (typeof value === 'string' && ZONED_ISO.test(value));
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/**
 * The toolkit's text of a timestamp given as a `Date`, ISO text (any number of fraction digits, `Z`, an offset or no
 * zone: no zone means UTC, as Rails writes `timestamp without time zone`) or PostgreSQL's text. More than six fraction
 * digits are rounded, as PostgreSQL does. Throws on anything else, naming the value.
 */
export function toTimestampText(value: Date | string): TimestampText {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('Invalid Date is not a timestamp.');
    return value.toISOString().replace(/Z$/, '000Z');
  }
  if (TIMESTAMP_TEXT.test(value)) return value; // already the toolkit's text: the common case, kept cheap
  const m = TIMESTAMP_INPUT.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a timestamp: expected ISO text such as 2025-06-25T10:00:00.654321Z.`);
  const [, y, mo, d, h, mi, s = '00', fraction = '', zone = 'Z'] = m;
  const digits = `${fraction}0000000`.slice(0, 7);
  let micros = BigInt(digits.slice(0, 6)) + (Number(digits[6]) >= 5 ? 1n : 0n);
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om = '0'] = zone.slice(1).replace(':', '').match(/^(\d{2})(\d{2})?$/)!.slice(1);
    offsetMinutes = sign * (Number(oh) * 60 + Number(om));
  }
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000 - offsetMinutes * 60;
  if (Number.isNaN(seconds)) throw new Error(`"${value}" is not a timestamp: expected ISO text such as 2025-06-25T10:00:00.654321Z.`);
  micros += BigInt(seconds) * 1_000_000n;
  const wholeSeconds = floorDiv(micros, 1_000_000n);
  const rest = micros - wholeSeconds * 1_000_000n;
  const iso = new Date(Number(wholeSeconds) * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(rest).padStart(6, '0')}Z`;
}

/**
 * `timestamp` text as PostgreSQL sends it (`2025-06-25 10:00:00.654321`, no zone: UTC as Rails writes it) in the
 * toolkit's form. `infinity`, `-infinity` and years BC are returned as PostgreSQL wrote them.
 */
export function timestampFromPostgres(value: string): TimestampText {
  try {
    return toTimestampText(value);
  } catch {
    return value;
  }
}

/** A timestamp as a JS `Date` (milliseconds), for arithmetic and calendar dates; `null` stays `null`. */
export function timestampToDate(value: Date | string): Date;
export function timestampToDate(value: Date | string | null): Date | null;
export function timestampToDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(toTimestampText(value).replace(/(\.\d{3})\d{3}Z$/, '$1Z'));
}

/** How a timestamp reads in a preview or table: UTC ISO text, fraction digits shown only as far as they are not zero. */
export function displayTimestamp(value: Date | string): string {
  return toTimestampText(value).replace(/\.?0+Z$/, 'Z');
}

/** A timestamp as Rails' JSON writes it (`audited_changes`, ActiveSupport's 3-digit precision, truncated). */
export function railsTimestampJson(value: Date | string): string {
  return toTimestampText(value).replace(/(\.\d{3})\d{3}Z$/, '$1Z');
}
