import { FixInputError } from '../plan/errors.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Reads a calendar date given as `YYYY-MM-DD` and checks it exists, with a message a support developer understands.
 *
 * @example
 * parseDate('2024-03-03', 'date')  // '2024-03-03'
 * parseDate('2024-02-30', 'date')  // throws: date 2024-02-30 does not exist: February 2024 has 29 days.
 * parseDate('3/3/2024', 'date')    // throws: date "3/3/2024" is not a date: expected YYYY-MM-DD, e.g. 2024-03-03.
 */
export function parseDate(input: unknown, label: string): string {
  const text = typeof input === 'string' ? input.trim() : input instanceof Date ? input.toISOString().slice(0, 10) : '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) {
    throw new FixInputError(`${label} ${text ? `"${text}"` : '(empty)'} is not a date: expected YYYY-MM-DD, e.g. 2024-03-03.`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) throw new FixInputError(`${label} ${text} does not exist: the month must be 01 to 12.`);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) throw new FixInputError(`${label} ${text} does not exist: ${MONTHS[month - 1]} ${year} has ${days} days.`);
  return text;
}

/** Today's date in the UK (Register runs on London time), as `YYYY-MM-DD`. */
export function todayInUk(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
