import { describe, expect, it } from 'vitest';
import { newSlug, parseDate, todayInUk } from '../../../lib/trainees/index.js';

describe('parseDate', () => {
  it('accepts real days and names what is wrong with the rest', () => {
    expect(parseDate('2024-02-29', 'date')).toBe('2024-02-29');
    expect(parseDate(' 2025-03-03 ', 'date')).toBe('2025-03-03');
    expect(() => parseDate('2024-02-30', 'date')).toThrow('date 2024-02-30 does not exist: February 2024 has 29 days.');
    expect(() => parseDate('2023-02-29', 'date')).toThrow('date 2023-02-29 does not exist: February 2023 has 28 days.');
    expect(() => parseDate('2024-13-01', 'date')).toThrow('date 2024-13-01 does not exist: the month must be 01 to 12.');
    expect(() => parseDate('03/03/2024', 'date')).toThrow('date "03/03/2024" is not a date: expected YYYY-MM-DD, e.g. 2024-03-03.');
    expect(() => parseDate('', 'date')).toThrow('date (empty) is not a date');
  });
  it('knows the UK date around midnight', () => {
    expect(todayInUk(new Date('2026-07-01T23:30:00Z'))).toBe('2026-07-02'); // BST
    expect(todayInUk(new Date('2026-12-01T23:30:00Z'))).toBe('2026-12-01'); // GMT
  });
  it('makes Register-shaped slugs', () => {
    const slugs = new Set(Array.from({ length: 50 }, () => newSlug()));
    expect(slugs.size).toBe(50);
    for (const slug of slugs) expect(slug).toMatch(/^[1-9A-HJ-NP-Za-km-z]{24}$/);
  });
});
