import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario, seed } from '../../lib/sandbox/seed/index.js';
import { decodeAuditedChanges, traineeTimeline, timelineRows } from '../../lib/trainees/timeline.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { REGISTER_VERSION_NAMES } from '../../lib/db/versions/description.js';

describe.each(REGISTER_VERSION_NAMES)('trainee timeline (Register %s)', (version) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ version });
    await seed(t.db);
  });
  afterAll(() => t.drop());

  it('shows the trainee with enums as names, its related records and its audits newest first', async () => {
    const timeline = await traineeTimeline(t.db, scenario('timeline').slug!);
    expect(timeline.summary).toMatchObject({ id: 105, name: 'Noah James Williams', state: 'trn_received', training_route: 'school_direct_salaried', trn: '3012105' });
    expect(timeline.provider?.name).toBe('Lakeside SCITT');
    expect(timeline.leadPartner?.name).toBe('Castle Hill Academy');
    expect(timeline.trnRequest?.state).toBe('received');
    expect(timeline.events.map((e) => e.action)).toEqual(['update', 'update', 'update', 'update', 'create']);
    expect(timeline.events[2]!.changes).toEqual([{ field: 'state', before: 'draft', after: 'submitted_for_trn' }]);
    expect(timeline.events[3]!.comment).toBe('Date of birth corrected from passport (ticket 4521)');
    expect(timelineRows(timeline)[1]!.changes).toBe('trn: null → 3012105\nstate: submitted_for_trn → trn_received');
  });

  it('includes the current withdrawal with its reasons, and the audits of associated records and of the withdrawal record', async () => {
    const slug = scenario('withdrawn-in-error').slug!;
    if (version === '2024-08') {
      // The DQT era kept the withdrawal on the trainee.
      const timeline = await traineeTimeline(t.db, slug);
      expect(timeline.currentWithdrawal).toMatchObject({ id: null, date: '2025-02-14', reasons: ['family_problems', 'financial_problems'] });
      return;
    }
    // Register audits a withdrawal record on its own (not associated with the trainee); the timeline still shows it.
    await t.db
      .insertInto('audits')
      .values({ auditable_type: 'TraineeWithdrawal', auditable_id: 102, associated_type: null, associated_id: null, action: 'create', audited_changes: JSON.stringify({ date: '2025-02-14' }), version: 1, created_at: new Date('2025-02-17T10:00:01Z') })
      .execute();
    const timeline = await traineeTimeline(t.db, slug);
    expect(timeline.currentWithdrawal).toMatchObject({ id: 102, date: '2025-02-14', reasons: ['family_problems', 'financial_problems'] });
    expect(timeline.events[0]).toMatchObject({ record: 'TraineeWithdrawal #102', action: 'create', changes: [{ field: 'date', before: null, after: '2025-02-14' }] });
  });

  it('says clearly when the slug is wrong', async () => {
    await expect(traineeTimeline(t.db, 'https://www.register-trainee-teachers.service.gov.uk/trainees/abc')).rejects.toThrow(/It looks like a URL: pass only the part after \/trainees\//);
    await expect(traineeTimeline(t.db, 'ZZZZZZZZZZZZZZZZZZZZZZZZ')).rejects.toThrow('No trainee with slug ZZZZZZZZZZZZZZZZZZZZZZZZ in this database.');
  });

  it('decodes enum integers by the audited model', () => {
    expect(decodeAuditedChanges('Trainee', 'update', { training_route: [1, 4] })).toEqual([{ field: 'training_route', before: 'provider_led_postgrad', after: 'school_direct_salaried' }]);
    expect(decodeAuditedChanges('Degree', 'destroy', { locale_code: 0 })).toEqual([{ field: 'locale_code', before: 'uk', after: null }]);
  });
});
