import { ENUM_COLUMNS } from '../db/enums.js';
import { displayTimestamp, TIMESTAMP_TEXT } from '../db/timestamp.js';
import { formatCell } from '../tables/format.js';

/**
 * A column value as a support developer reads it in a preview or a refusal: enum integers with their names
 * (`withdrawn (4)`), nulls as `null`, timestamps as UTC ISO text with their fraction digits as far as they are not zero
 * (`2025-06-25T10:00:00Z`, `2025-06-25T10:00:00.654321Z`), jsonb as JSON.
 *
 * @example
 * describeValue('trainees', 'state', 4) // 'withdrawn (4)'
 */
export function describeValue(table: string, column: string, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const railsEnum = ENUM_COLUMNS[table]?.[column];
  if (railsEnum && typeof value === 'number') {
    try {
      return `${railsEnum.fromDb(value)} (${value})`;
    } catch {
      return `${value} (not a known ${railsEnum.label})`;
    }
  }
  if (typeof value === 'string' && TIMESTAMP_TEXT.test(value)) return displayTimestamp(value);
  if (typeof value === 'string') return JSON.stringify(value).length > value.length + 2 ? JSON.stringify(value) : value;
  return formatCell(value);
}
