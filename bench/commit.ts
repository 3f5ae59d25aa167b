/**
 * Benchmark: committing a Plan of 10,000 trainee changes with their audits, against the floor.
 *
 * On the real PostgreSQL here it creates a fresh database with Register's schema, fills it with trainees (awarded,
 * each with a create and an update audit, so the audit version look-up has history to read), then measures, in the
 * same run and on separate slices of equal size (so every measurement starts from the same data):
 *   (a) commitMs: `commitPlan` of a plan that, for each of `rows` trainees, sets state awarded → trn_received,
 *       empties awarded_at and changes the e-mail (a different value per row): advisory lock, idempotency check,
 *       `SELECT … FOR UPDATE` of every row with the drift check, the set-based UPDATE, version look-up and the audit
 *       insert, all in one transaction;
 *   (b) floorMs: the same updates and the same audit rows as two set-based statements (`unnest` arrays) in one
 *       transaction, with no lock, no check, no version look-up.
 * Each is run `--repeat` times alternately; the best of each is reported. Also reported: the time to build the plan
 * and its preview. The database is dropped at the end.
 *
 * Usage: `npm run bench -- commit [--rows 10000] [--repeat 3]`
 * Target: ratioToFloor (commitMs / floorMs) within 3.
 */
import { benchDatabase, flag } from './_shared.js';
import { sql } from 'kysely';
import type { RegisterDb } from '../lib/db/connect.js';
import { commitPlan, planBuilder, previewPlan, type Plan } from '../lib/plan/index.js';


/** The plan for trainees first..first+rows-1, built from what they hold now (as a runbook would). */
async function buildPlan(db: RegisterDb, first: number, rows: number): Promise<Plan> {
  const trainees = await db
    .selectFrom('trainees')
    .select(['id', 'state', 'awarded_at', 'email'])
    .where('id', '>=', first)
    .where('id', '<', first + rows)
    .orderBy('id')
    .execute();
  const builder = planBuilder(`Bench: ${rows} trainees back to trn_received`);
  for (const t of trainees) {
    builder.update('trainees', t.id, { state: t.state, awarded_at: t.awarded_at, email: t.email }, { state: 2, awarded_at: null, email: `corrected${t.id}@example.com` });
  }
  return builder.build();
}

/** The floor: the same row updates and audit rows, set-based, one transaction, no checks. */
async function floor(db: RegisterDb, first: number, rows: number): Promise<void> {
  const ids: number[] = [];
  const emails: string[] = [];
  const changes: string[] = [];
  for (let id = first; id < first + rows; id++) {
    ids.push(id);
    emails.push(`corrected${id}@example.com`);
    changes.push(JSON.stringify({ state: [6, 2], awarded_at: ['2025-06-25T10:00:00.000Z', null], email: [`person${id}@example.com`, `corrected${id}@example.com`] }));
  }
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    await sql`
      UPDATE trainees AS t SET state = 2, awarded_at = NULL, email = v.email, updated_at = ${now}::timestamp
      FROM unnest(${ids}::bigint[], ${emails}::text[]) AS v(id, email) WHERE t.id = v.id`.execute(trx);
    await sql`
      INSERT INTO audits (auditable_type, auditable_id, associated_type, associated_id, username, action, audited_changes, version, comment, request_uuid, created_at)
      SELECT 'Trainee', v.id, 'Provider', 1, 'Bench via support notebook', 'update', v.changes, 3, 'bench floor', 'floor', ${now}::timestamp
      FROM unnest(${ids}::int[], ${changes}::jsonb[]) AS v(id, changes)`.execute(trx);
  });
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const rows = flag(args, 'rows', 10_000);
  const repeat = flag(args, 'repeat', 3);
  const trainees = rows * repeat * 2;
  const bench = await benchDatabase('commit');
  const db = bench.db;
  try {
    const seedStarted = performance.now();
    await sql`INSERT INTO providers (id, name, code, ukprn, accreditation_id) VALUES (1, 'Bench SCITT', '5BS', '10000001', '5001')`.execute(db);
    await sql`
      INSERT INTO trainees (id, slug, state, training_route, trn, email, first_names, last_name, date_of_birth, provider_id,
                            recommended_for_award_at, awarded_at, outcome_date, progress, created_at, updated_at)
      SELECT g, 'bench' || g, 6, 1, (3000000 + g)::text, 'person' || g || '@example.com', 'Bench', 'Trainee' || g,
             DATE '1990-01-01' + (g % 3650), 1, TIMESTAMP '2025-06-20 10:00:00', TIMESTAMP '2025-06-25 10:00:00', DATE '2025-06-18',
             '{"personal_details": true, "course_details": true}'::jsonb, now(), now()
      FROM generate_series(1, ${trainees}) AS g`.execute(db);
    await sql`
      INSERT INTO audits (auditable_type, auditable_id, associated_type, associated_id, username, action, audited_changes, version, created_at)
      SELECT 'Trainee', g, 'Provider', 1, 'Provider user', a.action, a.changes, a.version, now()
      FROM generate_series(1, ${trainees}) AS g,
           (VALUES ('create', '{"state": 0}'::jsonb, 1), ('update', '{"state": [3, 6]}'::jsonb, 2)) AS a(action, changes, version)`.execute(db);
    await sql`VACUUM ANALYZE`.execute(db);
    const seedMs = performance.now() - seedStarted;

    const config = { operator: 'Bench', writesAllowed: true, database: { kind: 'sandbox' as const, url: '(the benchmark database, marked as a sandbox)' } };
    const commitTimes: number[] = [];
    const floorTimes: number[] = [];
    let buildMs = Infinity;
    let previewMs = Infinity;
    let auditsWritten = 0;
    let first = 1;
    for (let i = 0; i < repeat; i++) {
      const f0 = performance.now();
      await floor(db, first, rows);
      floorTimes.push(performance.now() - f0);
      first += rows;

      const b0 = performance.now();
      const plan = await buildPlan(db, first, rows);
      buildMs = Math.min(buildMs, performance.now() - b0);
      const p0 = performance.now();
      previewPlan(plan);
      previewMs = Math.min(previewMs, performance.now() - p0);
      const c0 = performance.now();
      const receipt = await commitPlan(db, plan, { auditComment: 'bench', config });
      commitTimes.push(performance.now() - c0);
      if (receipt.rowsChanged !== rows || receipt.auditIds.length !== rows) throw new Error(`commit changed ${receipt.rowsChanged} rows with ${receipt.auditIds.length} audits, expected ${rows}`);
      auditsWritten += receipt.auditIds.length;
      first += rows;
    }
    // Correctness check: the last commit's rows hold the new values and version 3 audits.
    const check = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audits WHERE request_uuid <> 'floor' AND request_uuid IS NOT NULL AND version = 3 AND action = 'update'`.execute(db);
    if (check.rows[0]!.n !== auditsWritten) throw new Error(`expected ${auditsWritten} version-3 audits, found ${check.rows[0]!.n}`);

    const commitMs = Math.min(...commitTimes);
    const floorMs = Math.min(...floorTimes);
    const round = (n: number) => Math.round(n * 10) / 10;
    process.stdout.write(
      `commit of ${rows} trainee changes with audits: best ${round(commitMs)} ms (runs ${commitTimes.map(round).join(', ')}); ` +
        `floor ${round(floorMs)} ms (runs ${floorTimes.map(round).join(', ')}); ratio ${(commitMs / floorMs).toFixed(2)} (target within 3)\n`,
    );
    return {
      rows,
      commitMs: round(commitMs),
      floorMs: round(floorMs),
      ratioToFloor: Math.round((commitMs / floorMs) * 100) / 100,
      target: 3,
      withinTarget: commitMs / floorMs <= 3,
      commitRunsMs: commitTimes.map(round),
      floorRunsMs: floorTimes.map(round),
      buildPlanMs: round(buildMs),
      previewMs: round(previewMs),
      traineesInDatabase: trainees,
      seedMs: Math.round(seedMs),
    };
  } finally {
    await bench.drop();
  }
}
