import { describe, expect, it } from 'vitest';
import { displayTimestamp, railsTimestampJson, timestampFromPostgres, timestampToDate, toTimestampText } from '../../../lib/db/timestamp.js';

describe('timestamps as the toolkit holds them (ISO text, six fraction digits, UTC)', () => {
  it('reads PostgreSQL text, ISO text with any fraction or zone, and Dates into one form', () => {
    expect(timestampFromPostgres('2025-06-25 10:00:00.654321')).toBe('2025-06-25T10:00:00.654321Z');
    expect(timestampFromPostgres('2025-06-25 10:00:00')).toBe('2025-06-25T10:00:00.000000Z');
    expect(timestampFromPostgres('2025-06-25 10:00:00.5+00')).toBe('2025-06-25T10:00:00.500000Z');
    expect(timestampFromPostgres('infinity')).toBe('infinity');
    expect(toTimestampText(new Date('2025-06-25T10:00:00.654Z'))).toBe('2025-06-25T10:00:00.654000Z');
    expect(toTimestampText('2025-06-25T11:30:00.654321+01:30')).toBe('2025-06-25T10:00:00.654321Z');
    expect(toTimestampText('2025-01-01T00:30:00-01:00')).toBe('2025-01-01T01:30:00.000000Z');
    expect(toTimestampText('2025-06-25T10:00Z')).toBe('2025-06-25T10:00:00.000000Z');
    expect(toTimestampText('1969-12-31T23:59:59.999999Z')).toBe('1969-12-31T23:59:59.999999Z');
  });

  it('rounds a seventh fraction digit as PostgreSQL does, carrying into the seconds', () => {
    expect(toTimestampText('2025-06-25T10:00:00.6543215Z')).toBe('2025-06-25T10:00:00.654322Z');
    expect(toTimestampText('2025-12-31T23:59:59.9999995Z')).toBe('2026-01-01T00:00:00.000000Z');
  });

  it('refuses what is not a timestamp, naming it', () => {
    expect(() => toTimestampText('30/06/2025')).toThrow('"30/06/2025" is not a timestamp: expected ISO text such as 2025-06-25T10:00:00.654321Z.');
    expect(() => toTimestampText(new Date('nope'))).toThrow('Invalid Date is not a timestamp.');
  });

  it('shows fraction digits only where they matter; audits them as Rails does (three, truncated); converts to a Date for arithmetic', () => {
    expect(displayTimestamp('2025-06-25T10:00:00.000000Z')).toBe('2025-06-25T10:00:00Z');
    expect(displayTimestamp('2025-06-25T10:00:00.654000Z')).toBe('2025-06-25T10:00:00.654Z');
    expect(displayTimestamp('2025-06-25T10:00:00.654321Z')).toBe('2025-06-25T10:00:00.654321Z');
    expect(railsTimestampJson('2025-06-25T10:00:00.654999Z')).toBe('2025-06-25T10:00:00.654Z');
    expect(timestampToDate('2025-06-25T10:00:00.654999Z').toISOString()).toBe('2025-06-25T10:00:00.654Z');
    expect(timestampToDate(null)).toBeNull();
  });
});
