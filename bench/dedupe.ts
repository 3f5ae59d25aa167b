/**
 * Benchmark: the duplicate-trainee planner against the floor and against the rake task's approach.
 *
 * On the real PostgreSQL here it creates a fresh database with Register's schema (no index on
 * `trainees.email`), fills it with N trainees in one `generate_series` statement, writes a CSV of M keepers
 * (each with one duplicate whose e-mail differs in case or spaces for a third of them), then measures in
 * the same run:
 *   (a) planMs:   `planDuplicateRemoval` for the whole CSV (the project's plan; best of 3 after a warm-up);
 *   (b) floorMs:  one pass over the trainees computing the normalised e-mail (best of 3 after a warm-up);
 *   (c) perLineMs: the rake task's approach, `find(id)` then `where(email:)` per CSV line, timed on a sample
 *       of lines and EXTRAPOLATED to the whole CSV (the output says so).
 * The database is dropped at the end.
 *
 * Then (d) commitMs: the plan committed, every duplicate discarded with its audit in one transaction
 * (skip with `--no-commit`).
 *
 * Usage: `npm run bench -- dedupe [--trainees 1000000] [--csv-rows 10000] [--sample 20] [--no-commit]`
 * Targets: planMs within 3x of floorMs; perLineMs at least 100x planMs.
 */
import { benchDatabase, flag } from './_shared.js';
import { sql } from 'kysely';
import { parseDuplicatesCsv } from '../lib/dedupe/csv.js';
import { normalisedEmailSql, planDuplicateRemoval } from '../lib/dedupe/planner.js';
import { planRemoveDuplicates } from '../lib/dedupe/remove-duplicates.js';
import { commitPlan } from '../lib/plan/commit.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';


async function best(times: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: table in cache, plans prepared
  let bestMs = Infinity;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    bestMs = Math.min(bestMs, performance.now() - started);
  }
  return bestMs;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const trainees = flag(args, 'trainees', 1_000_000);
  const csvRows = Math.min(flag(args, 'csv-rows', 10_000), Math.floor(trainees / 2));
  const sample = flag(args, 'sample', 20);
  const bench = await benchDatabase('dedupe');
  const db = bench.db;
  try {
    const emailIndexes = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'trainees' AND indexdef ILIKE '%email%'`.execute(db);
    if (emailIndexes.rows[0]!.n !== 0) throw new Error('the schema has an index on trainees.email; Register has none');

    // Trainee g (g <= csvRows) is a keeper; trainee g + half shares its e-mail (a third of them in upper case
    // or with spaces). Everyone else has a unique e-mail; one in fifty has none.
    const half = Math.floor(trainees / 2);
    const seedStarted = performance.now();
    await sql`INSERT INTO providers (id, name, code, ukprn, accreditation_id) VALUES (1, 'Bench SCITT', '5BS', '10000001', '5001'), (2, 'Bench University', '1BU', '10000002', '1001')`.execute(db);
    await sql`
      INSERT INTO trainees (id, slug, state, training_route, trn, email, first_names, last_name, date_of_birth, provider_id, created_at, updated_at)
      SELECT g, 'bench' || g, (g % 7), 1, CASE WHEN g % 5 = 0 THEN (3000000 + g)::text END,
             CASE
               WHEN g % 50 = 0 AND g > ${csvRows} AND (g <= ${half} OR g > ${half + csvRows}) THEN NULL
               WHEN g > ${half} AND g <= ${half + csvRows} AND g % 3 = 0 THEN upper('person' || (g - ${half}) || '@example.com')
               WHEN g > ${half} AND g <= ${half + csvRows} AND g % 3 = 1 THEN ' person' || (g - ${half}) || '@example.com '
               WHEN g > ${half} THEN 'person' || (g - ${half}) || '@example.com'
               ELSE 'person' || g || '@example.com'
             END,
             'Bench', 'Trainee' || g, DATE '1990-01-01' + (g % 3650), 1 + (g % 2), now(), now()
      FROM generate_series(1, ${trainees}) AS g`.execute(db);
    await sql`VACUUM ANALYZE trainees`.execute(db);
    const seedMs = performance.now() - seedStarted;

    const csvText = ['trainee_id,email', ...Array.from({ length: csvRows }, (_, i) => `${i + 1},person${i + 1}@example.com`)].join('\n');
    const parseStarted = performance.now();
    const csv = parseDuplicatesCsv(csvText);
    const parseMs = performance.now() - parseStarted;

    // (a) the project's plan
    let plan = await planDuplicateRemoval(db, csv);
    const planMs = await best(3, async () => {
      plan = await planDuplicateRemoval(db, csv);
    });
    if (plan.duplicates.length !== csvRows || plan.problems.length !== 0) {
      throw new Error(`the plan is wrong: ${plan.duplicates.length} duplicates and ${plan.problems.length} problems, expected ${csvRows} and 0`);
    }

    // (b) the floor: one pass over the trainees computing the normalised e-mail
    const floorMs = await best(3, () => sql`SELECT count(${normalisedEmailSql('email')}) FROM trainees WHERE discarded_at IS NULL`.execute(db));

    // (c) the rake task's approach: Trainee.find(id), then Trainee.where(email:).where.not(id:) per line
    const step = Math.max(1, Math.floor(csvRows / sample));
    const sampled = csv.rows.filter((_, i) => i % step === 0).slice(0, sample);
    const perLine = async () => {
      for (const row of sampled) {
        const t = await sql<{ id: number; email: string | null }>`SELECT * FROM trainees WHERE id = ${row.traineeId} LIMIT 1`.execute(db);
        const found = t.rows[0]!;
        await sql`SELECT * FROM trainees WHERE email = ${found.email} AND id <> ${found.id}`.execute(db);
      }
    };
    await perLine(); // warm-up, like the others
    const perLineStarted = performance.now();
    await perLine();
    const perLineSampleMs = performance.now() - perLineStarted;
    const perLineEachMs = perLineSampleMs / sampled.length;
    const perLineMs = perLineEachMs * csvRows;

    // (d) the commit: every duplicate discarded with its audit, in one transaction (batches of 5,000), unless --no-commit
    let commitMs: number | null = null;
    let auditsWritten: number | null = null;
    if (!args.includes('--no-commit')) {
      const dir = mkdtempSync(path.join(tmpdir(), 'bench-dedupe-'));
      try {
        const file = path.join(dir, 'duplicates.csv');
        writeFileSync(file, csvText);
        const fix = await planRemoveDuplicates(db, { csvPath: file });
        const started = performance.now();
        const receipt = await commitPlan(db, fix.plan, { auditComment: 'benchmark', config: { operator: 'Benchmark', writesAllowed: true, database: { kind: 'sandbox' as const, url: '(the benchmark database, marked as a sandbox)' } }, runActions: false });
        commitMs = performance.now() - started;
        auditsWritten = receipt.auditIds.length;
        if (receipt.rowsChanged !== csvRows) throw new Error(`the commit discarded ${receipt.rowsChanged} trainees, expected ${csvRows}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    const version = (await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db)).rows[0]!.v;
    const ratioToFloor = planMs / floorMs;
    const speedup = perLineMs / planMs;
    return {
      trainees,
      csvRows,
      duplicates: plan.duplicates.length,
      planMs: round(planMs),
      floorMs: round(floorMs),
      perLineMs: round(perLineMs),
      ratioToFloor: round(ratioToFloor, 2),
      speedup: round(speedup, 1),
      perLineExtrapolated: true,
      perLineSampleLines: sampled.length,
      perLineSampleMs: round(perLineSampleMs),
      perLineEachMs: round(perLineEachMs, 2),
      commitMs: commitMs === null ? null : round(commitMs),
      auditsWritten,
      csvParseMs: round(parseMs, 2),
      seedMs: round(seedMs),
      emailIndex: false,
      postgres: version,
      targets: { ratioToFloorAtMost: 3, speedupAtLeast: 100 },
      targetsMet: ratioToFloor <= 3 && speedup >= 100,
      note: `perLineMs is extrapolated: ${sampled.length} sampled lines of the rake task's per-line lookups (find by id, then exact e-mail match), times ${csvRows} lines. plan and floor are the best of 3 runs after a warm-up.`,
    };
  } finally {
    await bench.drop();
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
