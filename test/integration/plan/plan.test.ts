import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { RegisterDatabase } from '../../../lib/db/schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { commitPlan, planBuilder, previewPlan, registerPostCommitRunner, revertPlan, PlanRefusedError, type Plan } from '../../../lib/plan/index.js';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { changeLogOf } from '../../../lib/plan/change-log.js';
import { toTimestampText } from '../../../lib/db/timestamp.js';

const config = { operator: 'Ada Support', writesAllowed: true, database: TEST_SANDBOX };
let t: TestDatabase;

beforeAll(async () => {
  // Register as production runs it today (2026-08): training partners, withdrawal records.
  t = await createTestDatabase({ version: '2026-08' });
  await seed(t.db);
});
afterAll(() => t?.drop());

const trainee = (id: number) => t.db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditsOf = (planId: string) => t.db.selectFrom('audits').selectAll().where('request_uuid', '=', planId).orderBy('id').execute();
const count = async (table: 'audits' | 'placements' | 'trainees') => Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** Trainee 104 (awarded in error): the playbook's incorrectly-awarded change, as a raw plan. */
async function awardedPlan(): Promise<Plan> {
  const before = await trainee(104);
  return planBuilder('Test: back to trn_received')
    .update(
      'trainees',
      104,
      { state: before.state, recommended_for_award_at: before.recommended_for_award_at, awarded_at: before.awarded_at, outcome_date: before.outcome_date },
      { state: 2, recommended_for_award_at: null, awarded_at: null, outcome_date: null },
      'Felix Moreau',
    )
    .build();
}

describe('preview', () => {
  it('shows one line per changed field with enum names, nulls and the hash', async () => {
    const plan = await awardedPlan();
    const preview = previewPlan(plan);
    expect(preview.empty).toBe(false);
    expect(preview.lines.map((l) => [l.field, l.before, l.after])).toEqual([
      ['state', 'awarded (6)', 'trn_received (2)'],
      ['recommended_for_award_at', '2025-06-20T10:00:00Z', 'null'],
      ['awarded_at', '2025-06-25T00:00:00Z', 'null'],
      ['outcome_date', '2025-06-18', 'null'],
    ]);
    expect(preview.lines.filter((l) => l.emptied).map((l) => l.field)).toEqual(['recommended_for_award_at', 'awarded_at', 'outcome_date']);
    expect(preview.counts).toEqual([{ table: 'trainees', update: 1, insert: 0, discard: 0, delete: 0 }]);
    expect(preview.text).toContain(`Hash: ${preview.hash}`);
    expect(preview.html).toContain(preview.hash);
    // The hash is of the content: the same changes built again hash the same, whatever the plan id.
    expect(previewPlan(await awardedPlan()).hash).toBe(preview.hash);
  });

  it('says so when a plan changes nothing', async () => {
    const before = await trainee(104);
    const plan = planBuilder('No-op').update('trainees', 104, { state: before.state }, { state: before.state }).build();
    expect(plan.changes).toHaveLength(0);
    const preview = previewPlan(plan);
    expect(preview.empty).toBe(true);
    expect(preview.text).toContain('This plan changes nothing');
  });
});

describe('commit refusals write nothing', () => {
  it('refuses a blank comment', async () => {
    const plan = await awardedPlan();
    const audits = await count('audits');
    await expect(commitPlan(t.db, plan, { auditComment: '   ', config })).rejects.toMatchObject({ reason: 'blank-comment', message: expect.stringMatching(/^Enter an audit comment/) });
    expect((await trainee(104)).state).toBe(6);
    expect(await count('audits')).toBe(audits);
  });

  it('refuses an unknown operator', async () => {
    const plan = await awardedPlan();
    await expect(commitPlan(t.db, plan, { auditComment: 'x', config: { operator: null, writesAllowed: true } })).rejects.toMatchObject({
      reason: 'unknown-operator',
      message: expect.stringContaining('Set SUPPORT_OPERATOR'),
    });
    expect((await trainee(104)).state).toBe(6);
  });

  it('refuses when writes are not allowed', async () => {
    const plan = await awardedPlan();
    await expect(commitPlan(t.db, plan, { auditComment: 'x', config: { operator: 'Ada', writesAllowed: false } })).rejects.toMatchObject({ reason: 'writes-not-allowed' });
    expect((await trainee(104)).state).toBe(6);
  });

  it('refuses everything when one row changed after the preview, naming the row and field', async () => {
    const before = await trainee(101);
    const plan = planBuilder('Two rows')
      .update('trainees', 104, { state: 6 }, { state: 2 }, 'Felix Moreau')
      .update('trainees', 101, { email: before.email }, { email: 'new@example.com' }, 'Maya Okafor')
      .build();
    await t.db.updateTable('trainees').set({ email: 'changed.meanwhile@example.com' }).where('id', '=', 101).execute();
    const audits = await count('audits');
    try {
      const error = await commitPlan(t.db, plan, { auditComment: 'x', config }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PlanRefusedError);
      expect((error as PlanRefusedError).reason).toBe('drift');
      expect((error as PlanRefusedError).details).toEqual([
        'trainees id 101 (Maya Okafor): email expected maya.okafor@example.com, found changed.meanwhile@example.com',
      ]);
      expect((await trainee(104)).state).toBe(6);
      expect(await count('audits')).toBe(audits);
    } finally {
      await t.db.updateTable('trainees').set({ email: before.email }).where('id', '=', 101).execute();
    }
  });
});

describe('commit, commit again, revert', () => {
  it('writes the fields, updated_at and one audit in the audited gem format; a second commit writes nothing; revert restores every field', async () => {
    const before = await trainee(104);
    const plan = await awardedPlan();
    const receipt = await commitPlan(t.db, plan, { auditComment: 'Awarded in error', config });
    expect(receipt).toMatchObject({ alreadyCommitted: false, rowsChanged: 1, counts: { trainees: { update: 1 } }, operator: 'Ada Support' });

    const after = await trainee(104);
    expect(after).toMatchObject({ state: 2, recommended_for_award_at: null, awarded_at: null, outcome_date: null });
    expect(after.updated_at).toBe(toTimestampText(receipt.committedAt));
    expect({ ...after, state: before.state, recommended_for_award_at: before.recommended_for_award_at, awarded_at: before.awarded_at, outcome_date: before.outcome_date, updated_at: before.updated_at }).toEqual(before);

    const audits = await auditsOf(plan.id);
    expect(audits.map((a) => a.id)).toEqual(receipt.auditIds);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      auditable_type: 'Trainee',
      auditable_id: 104,
      associated_type: 'Provider',
      associated_id: 2,
      action: 'update',
      audited_changes: { state: [6, 2], recommended_for_award_at: ['2025-06-20T10:00:00.000Z', null], awarded_at: ['2025-06-25T00:00:00.000Z', null], outcome_date: ['2025-06-18', null] },
      version: 6, // the seeded history has versions 1–5
      comment: 'Awarded in error',
      username: 'Ada Support via support notebook',
      request_uuid: plan.id,
      user_id: null,
      user_type: null,
    });

    const again = await commitPlan(t.db, plan, { auditComment: 'Awarded in error', config });
    expect(again).toMatchObject({ alreadyCommitted: true, rowsChanged: 0, auditIds: receipt.auditIds, note: `this plan was already committed (audits ${receipt.auditIds.join(', ')})` });
    expect(await auditsOf(plan.id)).toHaveLength(1);

    const undo = revertPlan(receipt);
    expect(previewPlan(undo).lines.map((l) => [l.field, l.before, l.after])).toEqual([
      ['state', 'trn_received (2)', 'awarded (6)'],
      ['recommended_for_award_at', 'null', '2025-06-20T10:00:00Z'],
      ['awarded_at', 'null', '2025-06-25T00:00:00Z'],
      ['outcome_date', 'null', '2025-06-18'],
    ]);
    const reverted = await commitPlan(t.db, undo, { auditComment: 'Revert test', config });
    const restored = await trainee(104);
    expect({ ...restored, updated_at: before.updated_at }).toEqual(before);
    const revertAudits = await auditsOf(undo.id);
    expect(revertAudits.map((a) => a.id)).toEqual(reverted.auditIds);
    expect(revertAudits[0]).toMatchObject({
      action: 'update',
      version: 7,
      audited_changes: { state: [2, 6], recommended_for_award_at: [null, '2025-06-20T10:00:00.000Z'], awarded_at: [null, '2025-06-25T00:00:00.000Z'], outcome_date: [null, '2025-06-18'] },
      comment: `Revert test\nreverts plan ${plan.id} (hash ${receipt.hash})`,
    });
  });

  it('inserts with references, deletes with destroy audits, and reverts both', async () => {
    const placement = await t.db.selectFrom('placements').selectAll().where('id', '=', 101).executeTakeFirstOrThrow();
    const plan = planBuilder('Insert and delete')
      .insert('training_partners', { record_type: 'scitt', name: 'Test Partner', ukprn: '10077777', provider_id: 1, urn: null, school_id: null }, { ref: 'partner', absent: { ukprn: '10077777' } })
      .insert('training_partner_users', { training_partner_id: { $ref: 'partner' }, user_id: 1 })
      .delete('placements', 101, placement)
      .build();
    const receipt = await commitPlan(t.db, plan, { auditComment: 'refs', config });
    const partner = await t.db.selectFrom('training_partners').selectAll().where('ukprn', '=', '10077777').executeTakeFirstOrThrow();
    expect(partner.id).toBeGreaterThanOrEqual(1000);
    const link = await t.db.selectFrom('training_partner_users').selectAll().where('training_partner_id', '=', partner.id).executeTakeFirstOrThrow();
    expect(link.user_id).toBe(1);
    expect(await t.db.selectFrom('placements').select('id').where('id', '=', 101).executeTakeFirst()).toBeUndefined();
    // Register audits placements (with the trainee), not training partners or their users: those are in the change log only.
    const audits = await auditsOf(plan.id);
    expect(audits.map((a) => [a.auditable_type, a.action, a.version, a.associated_type, a.associated_id])).toEqual([['Placement', 'destroy', 1, 'Trainee', 101]]);
    expect(audits[0]!.audited_changes).toMatchObject({ trainee_id: 101, school_id: 1, urn: '100001', name: 'Meadow Lane Primary School', slug: placement.slug, postcode: null });
    expect(audits[0]!.audited_changes).not.toHaveProperty('id');
    expect(audits[0]!.audited_changes).not.toHaveProperty('created_at');
    const log = await changeLogOf(t.db, plan.id);
    expect(log.map((e) => [e.table, e.recordId, e.action, e.auditId])).toEqual([
      ['training_partners', partner.id, 'create', null],
      ['training_partner_users', link.id, 'create', null],
      ['placements', 101, 'destroy', audits[0]!.id],
    ]);
    expect(log[0]!.after).toEqual({ record_type: 'scitt', name: 'Test Partner', ukprn: '10077777', provider_id: 1, urn: null, school_id: null });

    // Built again with the same ukprn: refused, nothing written.
    const twice = planBuilder('Insert again').insert('training_partners', { record_type: 'scitt', name: 'Test Partner', ukprn: '10077777' }, { absent: { ukprn: '10077777' } }).build();
    await expect(commitPlan(t.db, twice, { auditComment: 'x', config })).rejects.toMatchObject({ reason: 'already-exists' });

    await commitPlan(t.db, revertPlan(receipt), { auditComment: 'undo refs', config });
    expect(await t.db.selectFrom('training_partners').select('id').where('ukprn', '=', '10077777').executeTakeFirst()).toBeUndefined();
    expect(await t.db.selectFrom('placements').selectAll().where('id', '=', 101).executeTakeFirst()).toEqual(placement);
  });
});

describe('a plan is plain data', () => {
  it('saved as JSON and loaded again (dates as text), it previews with the same hash and commits the same way', async () => {
    const before = await trainee(104);
    const plan = await awardedPlan();
    const loaded = JSON.parse(JSON.stringify(plan)) as Plan;
    expect(previewPlan(loaded).hash).toBe(previewPlan(plan).hash);
    const receipt = await commitPlan(t.db, loaded, { auditComment: 'from a saved plan', config });
    expect(receipt.rowsChanged).toBe(1);
    expect(await trainee(104)).toMatchObject({ state: 2, awarded_at: null });
    await commitPlan(t.db, JSON.parse(JSON.stringify(revertPlan(receipt))) as Plan, { auditComment: 'and back', config });
    expect({ ...(await trainee(104)), updated_at: before.updated_at }).toEqual(before);
  });
});

describe('column types', () => {
  it('updates pg enum, citext, jsonb, boolean, date and timestamp columns and puts them back', async () => {
    const withdrawal = await t.db.selectFrom('trainee_withdrawals').selectAll().where('id', '=', 101).executeTakeFirstOrThrow();
    const maya = await trainee(101);
    const plan = planBuilder('Types')
      .update('trainee_withdrawals', 101, { trigger: withdrawal.trigger, future_interest: withdrawal.future_interest, date: withdrawal.date }, { trigger: 'provider', future_interest: 'yes', date: '2025-03-03' })
      .update(
        'trainees',
        101,
        { slug: maya.slug, progress: maya.progress, applying_for_bursary: maya.applying_for_bursary, submitted_for_trn_at: maya.submitted_for_trn_at, middle_names: maya.middle_names },
        { slug: 'ABCDEFGHJKLMNPQRSTUVWXYZ', progress: { ...maya.progress, funding: false }, applying_for_bursary: false, submitted_for_trn_at: new Date('2024-09-11T08:30:00.123Z'), middle_names: `O'Neil "Jo" \\ {x}` },
      )
      .build();
    const receipt = await commitPlan(t.db, plan, { auditComment: 'types', config });
    expect(await t.db.selectFrom('trainee_withdrawals').select(['trigger', 'future_interest', 'date']).where('id', '=', 101).executeTakeFirstOrThrow()).toEqual({ trigger: 'provider', future_interest: 'yes', date: '2025-03-03' });
    expect(await trainee(101)).toMatchObject({
      slug: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
      progress: { ...maya.progress, funding: false },
      applying_for_bursary: false,
      submitted_for_trn_at: '2024-09-11T08:30:00.123000Z',
      middle_names: `O'Neil "Jo" \\ {x}`,
    });
    await commitPlan(t.db, revertPlan(receipt), { auditComment: 'types back', config });
    expect({ ...(await trainee(101)), updated_at: maya.updated_at }).toEqual(maya);
    expect({ ...(await t.db.selectFrom('trainee_withdrawals').selectAll().where('id', '=', 101).executeTakeFirstOrThrow()), updated_at: withdrawal.updated_at }).toEqual(withdrawal);
  });
});

describe('post-commit actions and concurrent commits', () => {
  it('runs actions only after the transaction committed, and reports a failed action without undoing the commit', async () => {
    const before = await trainee(105);
    const seen: { traineeId: number; emailSeenFromAnotherConnection: string | null }[] = [];
    const previous = registerPostCommitRunner('enqueue-job', async (action) => {
      // Another connection sees the new value: the transaction is committed before any action runs.
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      const { rows } = await other.query('SELECT email FROM trainees WHERE id = $1', [action.traineeId]);
      await other.end();
      seen.push({ traineeId: action.traineeId, emailSeenFromAnotherConnection: rows[0].email });
      if (seen.length === 2) throw new Error('queue unreachable');
      return 'recorded';
    });
    try {
      const plan = planBuilder('Action test')
        .update('trainees', 105, { email: before.email }, { email: 'action@example.com' })
        .enqueue({ job: 'Dqt::UpdateTraineeJob', queue: 'dqt', traineeId: 105, description: 'Send the change to DQT' })
        .enqueue({ job: 'Dqt::UpdateTraineeJob', queue: 'dqt', traineeId: 105, description: 'Send the change to DQT' })
        .build();
      const receipt = await commitPlan(t.db, plan, { auditComment: 'x', config });
      expect(seen).toEqual([
        { traineeId: 105, emailSeenFromAnotherConnection: 'action@example.com' },
        { traineeId: 105, emailSeenFromAnotherConnection: 'action@example.com' },
      ]);
      expect(receipt.actions.map((a) => [a.status, a.message])).toEqual([
        ['done', 'recorded'],
        ['failed', 'Dqt::UpdateTraineeJob could not be enqueued: queue unreachable. The data change is committed; send the change to DQT by hand.'],
      ]);
      expect((await trainee(105)).email).toBe('action@example.com');
      // A second commit of the same plan runs no action again.
      await commitPlan(t.db, plan, { auditComment: 'x', config });
      expect(seen).toHaveLength(2);
    } finally {
      registerPostCommitRunner('enqueue-job', previous!);
      await t.db.updateTable('trainees').set({ email: before.email }).where('id', '=', 105).execute();
    }
  });

  it('two commits of the same plan at once: one writes, the other writes nothing and says so', async () => {
    const before = await trainee(105);
    const plan = planBuilder('Race').update('trainees', 105, { email: before.email }, { email: 'race@example.com' }).build();
    const results = await Promise.all([commitPlan(t.db, plan, { auditComment: 'x', config }), commitPlan(t.db, plan, { auditComment: 'x', config })]);
    expect(results.map((r) => r.alreadyCommitted).sort()).toEqual([false, true]);
    expect(await auditsOf(plan.id)).toHaveLength(1);
    await t.db.updateTable('trainees').set({ email: before.email }).where('id', '=', 105).execute();
  });

  it('a row locked by another transaction (Register saving it) is waited for only so long, then refused with nothing written', async () => {
    const before = await trainee(105);
    const plan = planBuilder('Locked').update('trainees', 105, { email: before.email }, { email: 'locked@example.com' }).build();
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM trainees WHERE id = 105 FOR UPDATE');
      await expect(commitPlan(t.db, plan, { auditComment: 'x', config, lockTimeoutMs: 300 })).rejects.toMatchObject({
        reason: 'locked',
        message: expect.stringMatching(/^Refused: a row this plan changes stayed locked by another transaction for 0.3 s/),
      });
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    expect((await trainee(105)).email).toBe(before.email);
    expect(await auditsOf(plan.id)).toHaveLength(0);
    // Once the lock is gone, the same plan commits.
    expect((await commitPlan(t.db, plan, { auditComment: 'x', config })).rowsChanged).toBe(1);
    await t.db.updateTable('trainees').set({ email: before.email }).where('id', '=', 105).execute();
  });

  it('a plan whose rows already hold the new values (applied by someone else) writes nothing and says so', async () => {
    const before = await trainee(105);
    const plan = planBuilder('Already done').update('trainees', 105, { email: before.email }, { email: 'done@example.com' }).build();
    await t.db.updateTable('trainees').set({ email: 'done@example.com' }).where('id', '=', 105).execute();
    const receipt = await commitPlan(t.db, plan, { auditComment: 'x', config });
    expect(receipt).toMatchObject({ alreadyCommitted: true, rowsChanged: 0, auditIds: [], note: 'every row already holds the values this plan would write (changed by someone else since it was built)' });
    expect(await auditsOf(plan.id)).toHaveLength(0);
    await t.db.updateTable('trainees').set({ email: before.email }).where('id', '=', 105).execute();
  });
});

describe('a failure in the middle of a commit leaves nothing half done', () => {
  it('an error after the first statement rolls back everything', async () => {
    const before = await trainee(101);
    const plan = planBuilder('Two statements')
      .update('trainees', 101, { email: before.email }, { email: 'half@example.com' })
      .insert('training_partners', { record_type: 'scitt', name: 'Half', ukprn: '10066666' })
      .build();
    const audits = await count('audits');
    let steps = 0;
    await expect(
      commitPlan(t.db, plan, {
        auditComment: 'x',
        config,
        onProgress: (s) => {
          if (s.statement.startsWith('write') && ++steps === 1) throw new Error('simulated failure after the first write');
        },
      }),
    ).rejects.toThrow('simulated failure');
    expect((await trainee(101)).email).toBe(before.email);
    expect(await t.db.selectFrom('training_partners').select('id').where('ukprn', '=', '10066666').executeTakeFirst()).toBeUndefined();
    expect(await count('audits')).toBe(audits);
  });

  it('a dropped connection after the first write leaves no partial change', async () => {
    const before = await trainee(101);
    const plan = planBuilder('Connection drop')
      .update('trainees', 101, { email: before.email }, { email: 'dropped@example.com' })
      .delete('placements', 102, await t.db.selectFrom('placements').selectAll().where('id', '=', 102).executeTakeFirstOrThrow())
      .build();
    const audits = await count('audits');
    // A pool of its own whose clients tolerate being killed (pg emits 'error' on a checked-out client whose
    // connection drops between statements; unhandled, that would end the test process, as it would a kernel).
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    pool.on('connect', (client) => client.on('error', () => {}));
    const own = new Kysely<RegisterDatabase>({ dialect: new PostgresDialect({ pool }) });
    await expect(
      commitPlan(own, plan, {
        auditComment: 'x',
        config,
        onProgress: async (s) => {
          if (s.statement !== 'write update trainees') return;
          // Kill every other session on this database: the commit's own connection among them.
          const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
          await admin.connect();
          await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'idle in transaction'", [t.name]);
          await admin.end();
        },
      }),
    ).rejects.toThrow(/terminat|Connection/i);
    await own.destroy().catch(() => {});
    expect((await trainee(101)).email).toBe(before.email);
    expect(await t.db.selectFrom('placements').select('id').where('id', '=', 102).executeTakeFirst()).toBeDefined();
    expect(await count('audits')).toBe(audits);
  });
});
