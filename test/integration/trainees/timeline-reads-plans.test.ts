import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitPlan } from '../../../lib/plan/index.js';
import { scenario, seed } from '../../../lib/sandbox/seed/index.js';
import { changeTrainingRoute, undoWithdrawal } from '../../../lib/trainees/index.js';
import { traineeTimeline } from '../../../lib/trainees/timeline.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { REGISTER_VERSION_NAMES } from '../../../lib/db/versions/description.js';

/** Register's timeline (as lib/trainees/timeline.ts reads it) shows the audits a plan writes like Register's own, at each version. */
const config = { operator: 'Ada Support', writesAllowed: true, database: TEST_SANDBOX, redis: { url: 'redis://127.0.0.1:6379', prefix: testRedisPrefix() } };

describe.each(REGISTER_VERSION_NAMES)('the timeline reads plan audits (Register %s)', (version) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ version });
    await seed(t.db);
  });
  afterAll(() => t?.drop());

  it('shows a route change: the trainee update with enum names and the placement deletions, with comment, operator and plan id', async () => {
    const slug = scenario('route-change').slug!;
    const fix = await changeTrainingRoute(t.db, { slug, route: 'school_direct_salaried' });
    await commitPlan(t.db, fix.plan, { auditComment: 'Route corrected (ticket 42)', config });
    const events = (await traineeTimeline(t.db, slug)).events.filter((e) => e.requestUuid === fix.plan.id);
    expect(events.map((e) => [e.record, e.action, e.comment, e.by])).toEqual(
      expect.arrayContaining([
        ['Trainee', 'update', 'Route corrected (ticket 42)', 'Ada Support via support notebook'],
        [expect.stringMatching(/^Placement/), 'destroy', 'Route corrected (ticket 42)', 'Ada Support via support notebook'],
      ]),
    );
    expect(events).toHaveLength(3);
    const update = events.find((e) => e.record === 'Trainee')!;
    expect(update.version).toBe(4);
    expect(update.changes.find((c) => c.field === 'training_route')).toEqual({ field: 'training_route', before: 'provider_led_postgrad', after: 'school_direct_salaried' });
  });

  it('shows an undo withdrawal with the ticket on the second line, and the withdrawal is no longer current', async () => {
    const slug = scenario('withdrawn-in-error').slug!;
    const fix = await undoWithdrawal(t.db, { slug, ticket: 'https://support.example/tickets/1234' });
    await commitPlan(t.db, fix.plan, { auditComment: 'Withdrawn in error', config, runActions: false });
    const timeline = await traineeTimeline(t.db, slug);
    expect(timeline.currentWithdrawal).toBeNull();
    const update = timeline.events.find((e) => e.requestUuid === fix.plan.id && e.record === 'Trainee')!;
    expect(update.comment).toBe('Withdrawn in error\nhttps://support.example/tickets/1234');
    if (version === '2024-08') {
      // The DQT era kept the withdrawal on the trainee: the same update empties it.
      expect(update.changes).toEqual([
        { field: 'state', before: 'withdrawn', after: 'trn_received' },
        { field: 'withdraw_date', before: '2025-02-14T00:00:00.000Z', after: null },
      ]);
    } else {
      expect(update.changes).toEqual([{ field: 'state', before: 'withdrawn', after: 'trn_received' }]);
      // The withdrawal record's own audit (Register audits it on its own, not with the trainee) is in the timeline too.
      const discard = timeline.events.find((e) => e.requestUuid === fix.plan.id && e.record.startsWith('TraineeWithdrawal'))!;
      expect(discard.changes.map((c) => c.field)).toEqual(['discarded_at']);
    }
  });
});
