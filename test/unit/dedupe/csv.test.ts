import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuplicatesCsvError, parseDuplicatesCsv, readDuplicatesCsv, resolveCsvPath } from '../../../lib/dedupe/csv.js';

function problemsOf(text: string, options = {}): { message: string; problems: { line: number; message: string }[]; canSkip: boolean } {
  try {
    parseDuplicatesCsv(text, options);
  } catch (error) {
    if (error instanceof DuplicatesCsvError) return { message: error.message, problems: error.problems, canSkip: error.canSkip };
    throw error;
  }
  throw new Error('expected the CSV to be refused');
}

describe('parseDuplicatesCsv', () => {
  it("reads the playbook's example file", () => {
    const csv = parseDuplicatesCsv('trainee_id,email\n123,duplicate@example.com\n456,duplicate@example.com\n789,duplicate@example.com\n890,unique@example.com\n');
    expect(csv.idColumn).toBe('trainee_id');
    expect(csv.rows).toEqual([
      { line: 2, traineeId: 123, email: 'duplicate@example.com' },
      { line: 3, traineeId: 456, email: 'duplicate@example.com' },
      { line: 4, traineeId: 789, email: 'duplicate@example.com' },
      { line: 5, traineeId: 890, email: 'unique@example.com' },
    ]);
    expect(csv.skipped).toEqual([]);
  });

  it("accepts Register's real `id` column and says so", () => {
    const csv = parseDuplicatesCsv('id,email\n301,sam@example.com\n');
    expect(csv.idColumn).toBe('id');
    expect(csv.rows[0]!.traineeId).toBe(301);
    expect(csv.notes.join(' ')).toContain('"id" (as Register\'s rake task reads it)');
  });

  it('handles a byte-order mark, CRLF line ends, blank lines, spaces, quotes and header case', () => {
    const csv = parseDuplicatesCsv('\uFEFF Trainee_ID , Email \r\n\r\n 301 , "Sam.Taylor@Example.com" \r\n\r\n302,"a, b"\r\n');
    expect(csv.rows).toEqual([
      { line: 3, traineeId: 301, email: 'Sam.Taylor@Example.com' },
      { line: 5, traineeId: 302, email: 'a, b' },
    ]);
    expect(csv.notes).toContain('2 blank lines were ignored.');
  });

  it('accepts a file with only an id column and an empty email cell', () => {
    expect(parseDuplicatesCsv('trainee_id\n5\n').rows).toEqual([{ line: 2, traineeId: 5, email: null }]);
    expect(parseDuplicatesCsv('trainee_id,email\n5,\n').rows).toEqual([{ line: 2, traineeId: 5, email: null }]);
  });

  it('refuses an empty file, and one with only a header, whatever skipBadLines says', () => {
    for (const text of ['', '\uFEFF', '\n\r\n  \n']) {
      const r = problemsOf(text, { skipBadLines: true });
      expect(r.problems).toEqual([{ line: 0, message: expect.stringContaining('the file is empty') }]);
      expect(r.canSkip).toBe(false);
    }
    expect(problemsOf('trainee_id,email\n\n').problems[0]!.message).toContain('has a header but no trainees');
  });

  it('refuses a missing header, naming line 1 and what is expected', () => {
    const r = problemsOf('123,duplicate@example.com\n456,duplicate@example.com\n', { skipBadLines: true });
    expect(r.problems).toEqual([{ line: 1, message: expect.stringContaining('there is no header row') }]);
    expect(r.message).toContain('expected the header "trainee_id,email"');
    expect(r.message).toContain('this cannot be skipped');
  });

  it('refuses unknown, missing and doubled header columns', () => {
    expect(problemsOf('trainee,email\n1,a@b\n').problems.map((p) => p.message)).toEqual([
      expect.stringContaining('unknown column "trainee"'),
      expect.stringContaining('no "trainee_id" column'),
    ]);
    expect(problemsOf('trainee_id,id,email\n1,1,a@b\n').problems[0]!.message).toContain('both "trainee_id" and "id"');
    expect(problemsOf('email,email,trainee_id\n').problems[0]!.message).toContain('column "email" appears twice');
    // the header line number counts leading blank lines
    expect(problemsOf('\n\nname\n1\n').problems[0]!.line).toBe(3);
  });

  it('reports every bad data line with its line number and plans nothing', () => {
    const r = problemsOf('trainee_id,email\n1,a@b\n12a,b@c\n\n-4,c@d\n3.0,x@y\n,z@z\n7\n8,a@b,extra\n9,"open\n');
    expect(r.canSkip).toBe(true);
    expect(r.problems).toEqual([
      { line: 3, message: 'trainee_id "12a" is not a trainee id: expected a whole number such as 123' },
      { line: 5, message: 'trainee_id "-4" is not a trainee id: expected a whole number such as 123' },
      { line: 6, message: 'trainee_id "3.0" is not a trainee id: expected a whole number such as 123' },
      { line: 7, message: 'trainee_id is empty: expected a trainee id (a whole number)' },
      { line: 8, message: 'has 1 cell, expected 2 (trainee_id,email)' },
      { line: 9, message: 'has 3 cells, expected 2 (trainee_id,email)' },
      { line: 10, message: 'cannot be read: a quoted cell is not closed (missing ")' },
    ]);
    expect(r.message).toContain('Nothing was planned');
    expect(r.message).toContain('set skipBadLines = true');
  });

  it('with skipBadLines leaves the bad lines out and lists them', () => {
    const csv = parseDuplicatesCsv('trainee_id,email\n1,a@b\nx,b@c\n2,c@d\n', { skipBadLines: true });
    expect(csv.rows.map((r) => r.traineeId)).toEqual([1, 2]);
    expect(csv.skipped).toEqual([{ line: 3, message: 'trainee_id "x" is not a trainee id: expected a whole number such as 123' }]);
  });

  it('refuses when skipping leaves nothing', () => {
    const r = problemsOf('trainee_id,email\nx,a@b\n', { skipBadLines: true });
    expect(r.problems.at(-1)!.message).toBe('no usable lines are left after skipping the bad ones');
  });

  it('keeps an id listed twice once, and notes it', () => {
    const csv = parseDuplicatesCsv('trainee_id,email\n1,a@b\n1,a@b\n');
    expect(csv.rows).toHaveLength(1);
    expect(csv.notes.join(' ')).toContain('1 (lines 2 and 3)');
  });

  it('rejects ids too large to be exact', () => {
    expect(problemsOf('trainee_id\n99999999999999999999\n').problems[0]!.message).toContain('is not a trainee id');
  });
});

describe('readDuplicatesCsv', () => {
  it('finds a relative path in the runbook folder, and names the places it looked when missing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rs-dedupe-'));
    mkdirSync(path.join(dir, 'book'));
    writeFileSync(path.join(dir, 'book', 'x.csv'), 'trainee_id,email\n301,a@b\n');
    const csv = readDuplicatesCsv('x.csv', { searchFrom: [path.join(dir, 'book')] });
    expect(csv.rows[0]!.traineeId).toBe(301);
    expect(csv.source).toBe(path.join(dir, 'book', 'x.csv'));
    expect(() => resolveCsvPath('nope.csv', [dir])).toThrow(`No CSV file at nope.csv. Looked in: ${path.resolve('nope.csv')}, ${path.join(dir, 'nope.csv')}.`);
    expect(() => resolveCsvPath('  ')).toThrow('csvPath is empty');
    expect(() => resolveCsvPath(dir)).toThrow('is a folder');
  });
});
