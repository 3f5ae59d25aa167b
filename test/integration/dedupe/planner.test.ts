import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { RegisterDatabase } from '../../../lib/db/schema.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { parseDuplicatesCsv } from '../../../lib/dedupe/csv.js';
import { duplicatePreviewRows, normaliseEmail, planDuplicateRemoval } from '../../../lib/dedupe/planner.js';

let t: TestDatabase;

const trainee = (id: number, email: string | null, extra: Record<string, unknown> = {}) => ({
  id,
  slug: `dedupe-test-${id}`,
  created_at: new Date('2024-09-02T09:00:00Z'),
  updated_at: new Date('2024-09-02T09:00:00Z'),
  state: 0,
  training_route: 1,
  email,
  first_names: `Test${id}`,
  last_name: 'Person',
  provider_id: 1,
  ...extra,
});

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
  // Extra cases beside the seeded duplicates-by-email scenario (301 keep; 302, 303 copies; 304, 305 no e-mail).
  await t.db
    .insertInto('trainees')
    .values([
      // Already discarded: not a duplicate to discard again (Register's task had no kept scope).
      trainee(2001, 'SAM.TAYLOR@example.com', { discarded_at: new Date('2024-01-01T00:00:00Z') }),
      // The playbook's example: two listed rows share an e-mail; a third record does too.
      trainee(2010, 'pat@example.com'),
      trainee(2011, 'Pat@Example.com'),
      trainee(2012, 'pat@example.com', { trn: '3012345', state: 2, provider_id: 2 }),
      // Listed but discarded itself.
      trainee(2020, 'gone@example.com', { discarded_at: new Date('2024-02-02T00:00:00Z') }),
      trainee(2021, 'gone@example.com'),
      // Listed with a blank e-mail.
      trainee(2030, '   '),
      trainee(2031, ''),
      // Same e-mail, another person? (a family address)
      trainee(2040, 'family@example.com', { date_of_birth: '1990-01-01' }),
      trainee(2041, 'family@example.com', { date_of_birth: '1992-05-05', last_name: 'Other' }),
    ])
    .execute();
});
afterAll(() => t?.drop());

describe('normaliseEmail', () => {
  it('trims and lower-cases; blank is null', () => {
    expect(normaliseEmail(' Sam.Taylor@Example.COM\t')).toBe('sam.taylor@example.com');
    expect(normaliseEmail('  ')).toBeNull();
    expect(normaliseEmail(null)).toBeNull();
  });
});

describe('planDuplicateRemoval', () => {
  it('on the seeded scenario: discards the case and space variants, keeps 301, ignores NULL e-mails and discarded rows', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id,email\n301,sam.taylor@example.com\n'));
    expect(plan.problems).toEqual([]);
    expect(plan.duplicates.map((d) => d.id)).toEqual([302, 303]);
    expect(plan.duplicates.every((d) => d.keptTraineeId === 301)).toBe(true);
    expect(plan.duplicates.find((d) => d.id === 302)!.warnings).toEqual([]);
    expect(plan.duplicates.find((d) => d.id === 303)!.warnings).toEqual(['is submitted_for_trn, past draft']);
    expect(plan.warningCount).toBe(1);
    expect(plan.listed[0]).toMatchObject({ traineeId: 301, found: true, duplicateCount: 2, providerName: 'Lakeside SCITT', skippedBecause: null });
    const preview = duplicatePreviewRows(plan);
    expect(preview[0]).toMatchObject({ kept_id: 301, discard_id: 302, provider: 'Lakeside SCITT', state: 'draft', trn: null, warnings: null });
  });

  it('a missing id is reported, not fatal; the other lines are still planned', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id,email\n999999,x@example.com\n301,sam.taylor@example.com\n'));
    expect(plan.problems).toEqual([{ line: 2, traineeId: 999999, message: "no trainee has id 999999: skipped (Register's task stopped here with RecordNotFound)" }]);
    expect(plan.duplicates.map((d) => d.id)).toEqual([302, 303]);
  });

  it('two listed ids with the same e-mail are both kept, and the plan says so', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id,email\n2010,pat@example.com\n2011,pat@example.com\n'));
    expect(plan.duplicates.map((d) => d.id)).toEqual([2012]);
    expect(plan.sharedEmails).toEqual([{ email: 'pat@example.com', traineeIds: [2010, 2011] }]);
    expect(plan.duplicates[0]!.keptTraineeId).toBe(2010);
    expect(plan.duplicates[0]!.warnings).toEqual([
      'has TRN 3012345: DQT knows this record',
      'is trn_received, past draft',
      'is at another provider (University of Northbridge) than the kept trainee (Lakeside SCITT)',
    ]);
  });

  it('warns when a duplicate has another date of birth or last name', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id\n2040\n'));
    expect(plan.duplicates.map((d) => [d.id, d.warnings])).toEqual([
      [2041, ['has another date of birth (1992-05-05, kept 1990-01-01): maybe another person sharing the e-mail', 'has another last name (Other, kept Person)']],
    ]);
  });

  it('a NULL or blank e-mail matches nothing', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id\n304\n2030\n'));
    expect(plan.duplicates).toEqual([]);
    expect(plan.problems.map((p) => p.traineeId)).toEqual([304, 2030]);
    expect(plan.problems[0]!.message).toContain('has no e-mail: nothing to match');
  });

  it('a listed trainee that is itself discarded plans nothing for its e-mail', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id\n2020\n'));
    expect(plan.duplicates).toEqual([]);
    expect(plan.problems[0]!.message).toContain('trainee 2020 is itself discarded');
  });

  it('an e-mail in the file that differs from the database (a wrong id?) plans nothing for that line', async () => {
    const plan = await planDuplicateRemoval(t.db, parseDuplicatesCsv('trainee_id,email\n301,someone.else@example.com\n2010,PAT@example.com \n'));
    expect(plan.problems).toEqual([
      { line: 2, traineeId: 301, message: 'the file says "someone.else@example.com" but trainee 301 has "sam.taylor@example.com": check the id; nothing planned for this line' },
    ]);
    expect(plan.duplicates.map((d) => d.id)).toEqual([2011, 2012]);
  });

  it('plans many lines with two statements whatever the length', async () => {
    const lines = ['trainee_id'];
    for (let i = 0; i < 5000; i++) lines.push(String(100000 + i));
    lines.push('301', '2010', '2011');
    const statements: string[] = [];
    const counted = new Kysely<RegisterDatabase>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 1 }) }),
      log: (event) => {
        if (event.level === 'query') statements.push(event.query.sql);
      },
    });
    try {
      const plan = await planDuplicateRemoval(counted, parseDuplicatesCsv(lines.join('\n')));
      expect(plan.problems).toHaveLength(5000);
      expect(plan.duplicates.map((d) => d.id)).toEqual([2012, 302, 303]); // ordered by e-mail, then id
      expect(statements).toHaveLength(2);
    } finally {
      await counted.destroy();
    }
  });
});
